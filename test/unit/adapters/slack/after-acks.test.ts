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

// The HTTP receiver's gate: while requests keep arriving, the work waits (a burst is answered
// whole first), but never longer than maxDeferMs.
describe('AfterAcks with a quiet probe', () => {
  it('holds work back while requests arrive, and starts it on the first quiet turn', async () => {
    let busyTurns = 3;
    const gate = new AfterAcks({ quiet: () => busyTurns-- <= 0, maxDeferMs: 10_000 });
    let released = false;
    const wait = gate.turn().then(() => (released = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(false);
    await wait;
    expect(busyTurns).toBeLessThan(0);
  });

  it('starts the work after maxDeferMs even if requests never stop', async () => {
    const gate = new AfterAcks({ quiet: () => false, maxDeferMs: 30 });
    const start = performance.now();
    await gate.turn();
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });
});
