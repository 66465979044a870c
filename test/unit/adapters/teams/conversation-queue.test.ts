import { describe, expect, it } from 'vitest';
import { ConversationQueue } from '../../../../adapters/teams/conversation-queue.js';

describe('ConversationQueue', () => {
  it('runs tasks of one conversation in order, one at a time, even when one fails', async () => {
    const q = new ConversationQueue();
    const log: string[] = [];
    const slow = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.run('c1', slow('a', 20, true)), q.run('c1', slow('b', 1)), q.run('c2', slow('x', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('end a')).toBeLessThan(log.indexOf('start b'));
    // Another conversation does not wait for c1.
    expect(log.indexOf('end x')).toBeLessThan(log.indexOf('end a'));
  });

  it('holds a conversation within its rate windows and leaves others alone', async () => {
    let now = 0;
    const waits: number[] = [];
    const q = new ConversationQueue({
      windows: [{ limit: 3, ms: 1000 }],
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 3; i++) await q.acquire('c1');
    await q.acquire('c2');
    expect(waits).toEqual([]);
    now = 400;
    await q.acquire('c1');
    expect(waits).toEqual([600]);
    expect(now).toBe(1000);
  });
});
