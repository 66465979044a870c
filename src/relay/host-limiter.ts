import { shortName } from '../kernel/node-name.js';

// Caps how many relay requests run at once for one host, so a diagnosis of a large cluster
// cannot open dozens of PowerShell sessions on one node. Requests for other hosts do not wait.
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(readonly perHost: number) {
    if (!Number.isInteger(perHost) || perHost < 1) throw new Error('HostLimiter: perHost must be a positive integer');
  }

  /** Runs `task` once a slot for `host` is free (no cap when host is undefined). */
  async run<T>(host: string | undefined, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (host === undefined) return task();
    const key = shortName(host);
    await this.acquire(key, signal);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: string, signal?: AbortSignal): Promise<void> {
    const n = this.active.get(key) ?? 0;
    if (n < this.perHost) {
      this.active.set(key, n + 1);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      this.queues.set(key, queue);
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }

  private release(key: string): void {
    const next = this.queues.get(key)?.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter
      return;
    }
    this.queues.delete(key);
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
  }
}
