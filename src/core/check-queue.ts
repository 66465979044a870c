// Admission control for checks (issue 16). A check is heavy (a directory query, several host
// reads per node, store writes, posts); 200 at once stalled the event loop for seconds, and
// with it every acknowledgement. So at most `concurrency` checks run at once on a replica, at
// most `limit` more wait in order, and anything past that is refused at once. The decision is
// synchronous, so the person's acknowledgement never waits behind the queue: they are told
// "checking", "busy, queued as #n", or "busy, try again".

export type Admission =
  | { kind: 'run'; release: () => void }
  | { kind: 'queued'; position: number; ready: Promise<void>; release: () => void }
  | { kind: 'full'; waiting: number };

export interface QueueFigures {
  running: number;
  waiting: number;
  /** Most waiting at once since start. */
  maxWaiting: number;
  admitted: number;
  queued: number;
  refused: number;
}

export class CheckQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly counts = { maxWaiting: 0, admitted: 0, queued: 0, refused: 0 };

  constructor(
    readonly concurrency: number,
    readonly limit: number,
  ) {}

  enter(): Admission {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running += 1;
      this.counts.admitted += 1;
      return { kind: 'run', release: this.releaser() };
    }
    if (this.waiting.length >= this.limit) {
      this.counts.refused += 1;
      return { kind: 'full', waiting: this.waiting.length };
    }
    let wake!: () => void;
    const ready = new Promise<void>((resolve) => (wake = resolve));
    this.waiting.push(wake);
    this.counts.queued += 1;
    this.counts.admitted += 1;
    this.counts.maxWaiting = Math.max(this.counts.maxWaiting, this.waiting.length);
    return { kind: 'queued', position: this.waiting.length, ready, release: this.releaser() };
  }

  figures(): QueueFigures {
    return { running: this.running, waiting: this.waiting.length, ...this.counts };
  }

  /** Frees the slot once; the next waiting check takes it over (the count of running stays). */
  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    };
  }
}
