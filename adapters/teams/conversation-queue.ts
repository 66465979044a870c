// One queue per conversation: sends to the same conversation go out in order, one at a time,
// and within Teams' documented per-bot-per-conversation limits (7 in 1 s, 8 in 2 s, 60 in
// 30 s, 1800 in an hour). Different conversations do not wait for each other.

export interface RateWindow {
  limit: number;
  ms: number;
}

export const TEAMS_CONVERSATION_WINDOWS: RateWindow[] = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
  { limit: 1_800, ms: 3_600_000 },
];

export interface QueueOptions {
  windows: RateWindow[];
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export class ConversationQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly sent = new Map<string, number[]>();
  private readonly opts: QueueOptions;

  constructor(options: Partial<QueueOptions> = {}) {
    this.opts = {
      windows: TEAMS_CONVERSATION_WINDOWS,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
    };
  }

  /** Run a task after every earlier task of this conversation has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Wait until one more send to this conversation stays within every window, then count it. */
  async acquire(key: string): Promise<void> {
    for (;;) {
      const now = this.opts.now();
      const longest = Math.max(...this.opts.windows.map((w) => w.ms));
      const history = (this.sent.get(key) ?? []).filter((t) => now - t < longest);
      let wait = 0;
      for (const w of this.opts.windows) {
        const inWindow = history.filter((t) => now - t < w.ms);
        if (inWindow.length >= w.limit) wait = Math.max(wait, inWindow[inWindow.length - w.limit]! + w.ms - now);
      }
      if (wait <= 0) {
        history.push(now);
        this.sent.set(key, history);
        return;
      }
      await this.opts.sleep(wait);
    }
  }
}
