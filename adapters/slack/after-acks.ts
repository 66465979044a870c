// Lets acknowledgements go first. Slack drops a command not acknowledged within 3 s, and the
// ack of a command shares the event loop with the work earlier commands started (relay calls,
// store writes, Web API posts). Work handed to `turn()` starts one item per turn of the event
// loop, after that turn's I/O, so a burst of commands is acknowledged before it is worked on
// (bench: 500 simultaneous slash commands; see docs/performance.md). A lone command waits one turn.
//
// With `quiet`, a turn in which requests were still arriving starts nothing: the work waits for
// a turn without new requests (a burst is answered whole before any of it is worked on), but
// never longer than `maxDeferMs`, so a steady stream of requests cannot starve the work.

export interface AfterAcksOptions {
  /** True when no request arrived since the last time it was asked. */
  quiet?: () => boolean;
  /** Longest a waiter is held back by a busy endpoint (default 250 ms). */
  maxDeferMs?: number;
}

export class AfterAcks {
  private readonly waiting: Array<{ resolve: () => void; since: number }> = [];
  private scheduled = false;

  constructor(private readonly options: AfterAcksOptions = {}) {}

  /** Resolves on a later turn of the event loop; waiters are released one per turn, in order. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push({ resolve, since: performance.now() });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // An immediate queued from an immediate runs on the next turn, after that turn's poll phase,
    // which is where new requests are read and acknowledged.
    setImmediate(() => this.release());
  }

  private release(): void {
    const head = this.waiting[0];
    const { quiet, maxDeferMs = 250 } = this.options;
    if (head && quiet && !quiet() && performance.now() - head.since < maxDeferMs) {
      // Requests are still arriving: look again after the next poll (a timer, not an immediate,
      // so the loop waits for I/O instead of spinning).
      setTimeout(() => this.release(), 1);
      return;
    }
    this.scheduled = false;
    this.waiting.shift()?.resolve();
    if (this.waiting.length > 0) this.schedule();
  }
}
