import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { CheckQueue } from '../../../src/core/check-queue.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { openStore } from '../../../src/store/open-store.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { allowAll } from '../../helpers/fakes.js';

// Admission control: the decision is made when the request arrives (the acknowledgement never
// waits), checks run at most `concurrency` at once, at most `limit` wait, and the rest are
// refused at once; each person is told which.

describe('CheckQueue', () => {
  it('runs up to the concurrency, queues up to the limit in order, refuses the rest, and hands slots on', async () => {
    const q = new CheckQueue(2, 2);
    const a = q.enter();
    const b = q.enter();
    const c = q.enter();
    const d = q.enter();
    const e = q.enter();
    expect([a.kind, b.kind, c.kind, d.kind, e.kind]).toEqual(['run', 'run', 'queued', 'queued', 'full']);
    if (c.kind !== 'queued' || d.kind !== 'queued' || a.kind !== 'run' || b.kind !== 'run') throw new Error('unexpected');
    expect([c.position, d.position]).toEqual([1, 2]);
    const order: string[] = [];
    void c.ready.then(() => order.push('c'));
    void d.ready.then(() => order.push('d'));
    a.release();
    a.release(); // twice is once
    await Promise.resolve();
    expect(order).toEqual(['c']);
    expect(q.figures()).toMatchObject({ running: 2, waiting: 1, maxWaiting: 2, admitted: 4, queued: 2, refused: 1 });
    b.release();
    await Promise.resolve();
    expect(order).toEqual(['c', 'd']);
    c.release();
    d.release();
    expect(q.figures()).toMatchObject({ running: 0, waiting: 0 });
  });
});

describe('checks under admission control', () => {
  it('tells each person at once: checking, busy and queued as #1, or busy and refused; the queued check still runs', async () => {
    const scenario = await loadScenario(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lab/default.yaml'));
    const relay = new InProcessRelayClient(new LabBackend(scenario, { latency: { hostMs: 150, directoryMs: 0 } }), 'lab');
    const store = await openStore('sqlite::memory:');
    const chat = new FakeChat();
    const core = createBotCore({ relay, clock: fixedClock('2026-11-20T09:00:00Z'), store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72, checkQueue: new CheckQueue(1, 1) });
    await chat.start(core);
    const who = (id: string) => ({ platform: 'web' as const, id });
    const runs = ['ann', 'bob', 'cat'].map((id) => chat.command(who(id), 'migration-check HV01 HV02'));
    // All three are told something before any check finishes.
    await new Promise((r) => setTimeout(r, 50));
    expect(chat.told('ann')).toEqual([expect.stringMatching(/^Checking HV01, HV02 through lab…$/)]);
    expect(chat.told('bob')).toEqual(['Busy: queued as #1. The check of HV01, HV02 starts when one of the running checks ends.']);
    expect(chat.told('cat')).toEqual(['Busy: 1 checks are already waiting on this replica, so this one was not started. Try again in a minute.']);
    await Promise.all(runs);
    const results = chat.messages.filter((m) => m.reply.header.startsWith('Live migration check · HV01, HV02') && m.reply.buttons?.length);
    expect(results).toHaveLength(2);
    await store.close();
  });
});
