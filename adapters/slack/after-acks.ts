// Lets acknowledgements go first. Slack drops a command not acknowledged within 3 s, and the
// ack of a command shares the event loop with the work earlier commands started (relay calls,
// store writes, Web API posts). Work handed to `turn()` starts one item per turn of the event
// loop, after that turn's I/O, so a burst of commands is acknowledged before it is worked on
// (bench: 500 simultaneous slash commands; see docs/performance.md). A lone command waits one turn.
export class AfterAcks {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves on a later turn of the event loop; waiters are released one per turn, in order. */
  turn(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // An immediate queued from an immediate runs on the next turn, after that turn's poll phase,
    // which is where new requests are read and acknowledged.
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
