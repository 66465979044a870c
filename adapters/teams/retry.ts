// Retry for calls to the Bot Framework connector: only on the statuses Teams documents as
// transient (429 throttled, 412 precondition failed under load, 502/504 gateway), with
// exponential backoff and full jitter, honouring Retry-After, and bounded in attempts and delay.

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 504]);

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Cap on a server-requested Retry-After, so one throttled call cannot stall a queue for long. */
  maxRetryAfterMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; status: number; delayMs: number }) => void;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface HttpishError {
  statusCode?: unknown;
  status?: unknown;
  response?: { status?: unknown; headers?: { get?: (name: string) => string | undefined | null } | Record<string, unknown> };
}

export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as HttpishError;
  for (const candidate of [e.statusCode, e.status, e.response?.status]) if (typeof candidate === 'number') return candidate;
  return undefined;
}

/** Retry-After in milliseconds (seconds or an HTTP date), when the error carries one. */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  const headers = (err as HttpishError | null)?.response?.headers;
  if (!headers) return undefined;
  const raw = typeof headers.get === 'function' ? headers.get('retry-after') : (headers as Record<string, unknown>)['retry-after'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffDelay(attempt: number, err: unknown, opts: RetryOptions): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(opts.random() * ceiling);
  const asked = retryAfterMs(err);
  return asked === undefined ? jittered : Math.max(jittered, Math.min(asked, opts.maxRetryAfterMs));
}

export async function withRetry<T>(operation: () => Promise<T>, options: Partial<RetryOptions> = {}): Promise<T> {
  const opts = { ...DEFAULT_RETRY, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const status = statusOf(err);
      if (status === undefined || !RETRYABLE_STATUSES.has(status) || attempt >= opts.maxAttempts) throw err;
      const delayMs = backoffDelay(attempt, err, opts);
      opts.onRetry?.({ attempt, status, delayMs });
      await opts.sleep(delayMs);
    }
  }
}
