// Edits of one message, coalesced: at most one chat.update in flight per message, and at most one
// started per `minIntervalMs` (1 s: Slack's rate limit for updating one message, tier 3 allows
// ~50 a minute per workspace and bursts beyond one a second per message get ratelimited). While
// one runs or waits, newer edits replace each other and only the latest is sent next, so a
// progress message that changes ten times a second costs one call a second and the last state
// always wins. A superseded edit resolves at once (it will never be shown, and that is fine).

type Waiter = { resolve: () => void; reject: (err: unknown) => void };
type Job<T> = { value: T; waiter: Waiter };

export interface CoalescerTiming {
  minIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** How many messages' last send time is remembered (older ones can be edited at once again). */
const REMEMBERED = 1000;

export class UpdateCoalescer<T> {
  private readonly slots = new Map<string, { next?: Job<T> }>();
  private readonly lastStart = new Map<string, number>();
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Edits dropped because a newer one for the same message arrived first. */
  dropped = 0;

  constructor(
    private readonly send: (key: string, value: T) => Promise<void>,
    timing: CoalescerTiming = {},
  ) {
    this.minIntervalMs = timing.minIntervalMs ?? 1000;
    this.now = timing.now ?? Date.now;
    this.sleep = timing.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  submit(key: string, value: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const job: Job<T> = { value, waiter: { resolve, reject } };
      const slot = this.slots.get(key);
      if (slot) {
        if (slot.next) {
          slot.next.waiter.resolve();
          this.dropped += 1;
        }
        slot.next = job;
        return;
      }
      this.slots.set(key, {});
      void this.drain(key, job);
    });
  }

  private async drain(key: string, first: Job<T>): Promise<void> {
    const slot = this.slots.get(key)!;
    let job: Job<T> | undefined = first;
    while (job) {
      const wait = (this.lastStart.get(key) ?? -Infinity) + this.minIntervalMs - this.now();
      if (wait > 0) {
        // Newer edits arriving meanwhile replace this one: send the latest once the second is up.
        slot.next = job;
        await this.sleep(wait);
        job = slot.next;
        slot.next = undefined;
      }
      this.remember(key);
      try {
        await this.send(key, job.value);
        job.waiter.resolve();
      } catch (err) {
        job.waiter.reject(err);
      }
      job = slot.next;
      slot.next = undefined;
    }
    this.slots.delete(key);
  }

  private remember(key: string): void {
    this.lastStart.delete(key);
    this.lastStart.set(key, this.now());
    if (this.lastStart.size > REMEMBERED) this.lastStart.delete(this.lastStart.keys().next().value!);
  }
}
