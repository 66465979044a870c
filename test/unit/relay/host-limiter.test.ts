import { describe, expect, it } from 'vitest';
import { HostLimiter } from '../../../src/relay/host-limiter.js';

describe('HostLimiter', () => {
  it('holds each host to its cap, treats a short name and its FQDN as one host, and releases on failure', async () => {
    const limiter = new HostLimiter(2);
    let active = 0;
    let max = 0;
    const task = (fail: boolean) => async () => {
      active++;
      max = Math.max(max, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      if (fail) throw new Error('boom');
    };
    const runs = Array.from({ length: 10 }, (_, i) => limiter.run(i % 2 ? 'hv01' : 'HV01.contoso.com', task(i % 3 === 0)));
    const results = await Promise.allSettled(runs);
    expect(max).toBe(2);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    await expect(limiter.run('HV01', async () => 'free again')).resolves.toBe('free again');
  });

  it('lets a waiting call be cancelled', async () => {
    const limiter = new HostLimiter(1);
    let release!: () => void;
    const first = limiter.run('HV01', () => new Promise<void>((r) => (release = r)));
    const abort = new AbortController();
    const second = limiter.run('HV01', async () => 'ran', abort.signal);
    abort.abort(new Error('user gave up'));
    await expect(second).rejects.toThrow('user gave up');
    release();
    await first;
    await expect(limiter.run('HV01', async () => 'next')).resolves.toBe('next');
  });
});
