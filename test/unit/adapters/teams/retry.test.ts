import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, retryAfterMs, withRetry } from '../../../../adapters/teams/retry.js';

const httpError = (status: number, retryAfter?: string) =>
  Object.assign(new Error(`HTTP ${status}`), { statusCode: status, response: { status, headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } } });

describe('withRetry', () => {
  it('retries 429, 412, 502 and 504, then returns the result', async () => {
    const failures = [httpError(429), httpError(412), httpError(502), httpError(504)];
    const delays: number[] = [];
    const result = await withRetry(
      async () => {
        const next = failures.shift();
        if (next) throw next;
        return 'sent';
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
    );
    expect(result).toBe('sent');
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  it('does not retry other statuses or errors without a status', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw httpError(400); }, { sleep: async () => {} })).rejects.toThrow('HTTP 400');
    await expect(withRetry(async () => { calls++; throw new Error('socket hang up'); }, { sleep: async () => {} })).rejects.toThrow('socket hang up');
    expect(calls).toBe(2);
  });

  it('is bounded in attempts', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw httpError(429); }, { maxAttempts: 4, sleep: async () => {} })).rejects.toThrow('HTTP 429');
    expect(calls).toBe(4);
  });
});

describe('backoff', () => {
  it('jitters within an exponential ceiling capped at maxDelayMs', () => {
    const opts = { ...DEFAULT_RETRY, random: () => 0.999 };
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, httpError(502), opts))).toEqual([499, 999, 1998, 3996, 7992, 7992, 7992]);
    expect(backoffDelay(3, httpError(502), { ...DEFAULT_RETRY, random: () => 0 })).toBe(0);
  });

  it('waits at least what Retry-After asks, within a cap', () => {
    const opts = { ...DEFAULT_RETRY, random: () => 0 };
    expect(backoffDelay(1, httpError(429, '3'), opts)).toBe(3000);
    expect(backoffDelay(1, httpError(429, '3600'), opts)).toBe(30_000);
    expect(retryAfterMs(httpError(429, 'Wed, 25 Nov 2026 22:00:05 GMT'), Date.parse('Wed, 25 Nov 2026 22:00:00 GMT'))).toBe(5000);
    expect(retryAfterMs(httpError(429))).toBeUndefined();
  });
});
