import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { ensurePostgres, type PgServer } from '../../helpers/postgres.js';
import { startReplica, type Replica } from './replicas.js';
import { postgresTarget, sqliteTarget, type SharedTarget } from './targets.js';

// Three bot replicas, each a separate Node process with its own store, on one database. They
// start together on an empty database (migrations must not collide), then race: 100 approval
// clicks on one plan must start exactly one apply, and one scheduled slot must fire once.

let server: PgServer | undefined;
beforeAll(async () => {
  server = await ensurePostgres();
});
afterAll(async () => {
  await server?.stop();
});

const kinds: Array<{ name: string; make: () => Promise<SharedTarget> }> = [
  { name: 'PostgreSQL', make: () => postgresTarget(server as PgServer) },
  { name: 'SQLite file', make: async () => sqliteTarget() },
];

describe.each(kinds)('three replicas on one $name database', ({ make }) => {
  let target: SharedTarget;
  let replicas: Replica[] = [];
  let store: Store;

  beforeAll(async () => {
    target = await make();
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(target.url)));
    store = await openStore(target.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.call({ op: 'close' }).catch(() => r.kill())));
    await store?.close();
    await target?.dispose();
  });

  it('started together on an empty database, each migrating it or finding it migrated, without error', async () => {
    expect(new Set(replicas.map((r) => r.pid)).size).toBe(3);
    expect(replicas.map((r) => r.pid)).not.toContain(process.pid);
    // The store opened here after them finds the schema complete and usable.
    expect(await store.listPlans()).toEqual([]);
  });

  it('100 concurrent approvals of one plan: exactly one approves, exactly one reaches applying', async () => {
    for (let round = 0; round < 3; round++) {
      const now = new Date();
      const plan = await store.createPlan({
        kind: 'delegation-fix', checkRunId: null, cluster: 'CL1', requester: 'slack:U0OPERATOR',
        plan: { round }, expected: {}, createdAt: now, expiresAt: new Date(now.getTime() + 30 * 60_000),
      });
      const attempts = Array.from({ length: 100 }, (_, i) => i);
      const results = await Promise.all(
        replicas.map((r, k) => r.call<{ approved: number[]; applying: number[] }>({ op: 'approve', planId: plan.id, attempts: attempts.filter((i) => i % 3 === k) })),
      );
      const approved = results.flatMap((r) => r.approved);
      const applying = results.flatMap((r) => r.applying);
      expect(approved).toHaveLength(1);
      expect(applying).toHaveLength(1);
      const final = await store.getPlan(plan.id);
      expect(final).toMatchObject({ state: 'applying', version: 2, approver: `slack:U${approved[0]}`, snapshot: { by: applying[0] } });
      const events = await store.listAudit({ subjectId: plan.id });
      expect(events.map((e) => [e.action, e.actor])).toEqual([
        ['plan.approved', `slack:U${approved[0]}`],
        ['plan.applying', `slack:U${applying[0]}`],
      ]);
    }
  }, 60_000);

  it('one scheduled slot is claimed by exactly one of the three', async () => {
    const s = await store.createSchedule({
      cluster: 'CL1', cron: '*/5 * * * *', tz: 'UTC', quiet: false, target: { platform: 'slack', channelId: 'C1' },
      createdBy: 'slack:U0OPERATOR', source: 'chat', createdAt: new Date(),
    });
    for (const slot of ['2026-03-02T06:00:00.000Z', '2026-03-02T06:05:00.000Z', '2026-03-02T06:10:00.000Z']) {
      const wins = await Promise.all(replicas.map((r) => r.call<number>({ op: 'claim', scheduleId: s.id, slot, tries: 10 })));
      expect(wins.reduce((a, b) => a + b, 0)).toBe(1);
    }
  }, 60_000);
});
