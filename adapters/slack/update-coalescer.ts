// Edits of one message, coalesced: at most one chat.update in flight per message; while it runs,
// newer edits replace each other and only the latest is sent next. A progress message that
// changes ten times a second thus costs Slack a handful of calls, and the last state always
// wins. A superseded edit resolves at once (it will never be shown, and that is fine).

type Waiter = { resolve: () => void; reject: (err: unknown) => void };
type Job<T> = { value: T; waiter: Waiter };

export class UpdateCoalescer<T> {
  private readonly slots = new Map<string, { next?: Job<T> }>();
  /** Edits dropped because a newer one for the same message arrived first. */
  dropped = 0;

  constructor(private readonly send: (key: string, value: T) => Promise<void>) {}

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
    let job: Job<T> | undefined = first;
    while (job) {
      try {
        await this.send(key, job.value);
        job.waiter.resolve();
      } catch (err) {
        job.waiter.reject(err);
      }
      const slot = this.slots.get(key);
      job = slot?.next;
      if (slot) slot.next = undefined;
    }
    this.slots.delete(key);
  }
}
