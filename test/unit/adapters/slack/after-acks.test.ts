import { describe, expect, it } from 'vitest';
import { AfterAcks } from '../../../../adapters/slack/after-acks.js';

// The adapter hands core work to AfterAcks so a burst of slash commands is acknowledged before it
// is worked on: work starts one item per event-loop turn, with other callbacks in between.
describe('AfterAcks', () => {
  it('releases waiters in order, one per turn, letting other callbacks run between them', async () => {
    const gate = new AfterAcks();
    const order: string[] = [];
    const waits = ['a', 'b', 'c'].map((name) => gate.turn().then(() => order.push(name)));
    // Stands for a request read in the meantime: it must not wait for all three to start.
    setImmediate(() => setImmediate(() => order.push('other')));
    await Promise.all(waits);
    expect(order.filter((o) => o !== 'other')).toEqual(['a', 'b', 'c']);
    expect(order.indexOf('other')).toBeGreaterThan(0);
    expect(order.indexOf('other')).toBeLessThan(3);
  });

  it('never resolves a waiter synchronously', async () => {
    const gate = new AfterAcks();
    let released = false;
    const wait = gate.turn().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    await wait;
    expect(released).toBe(true);
  });
});
