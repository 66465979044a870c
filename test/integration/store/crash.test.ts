import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { ensurePostgres, type PgServer } from '../../helpers/postgres.js';
import { postgresTarget, sqliteTarget, type SharedTarget } from './targets.js';

// kill -9 during writes: a child process writes multi-row transactions in a loop and is killed
// with SIGKILL at a random moment, three times over. After each kill the store is reopened:
// every transaction the child saw commit is there in full, no transaction shows half-written,
// and the store keeps working.

const WORKER = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));

let server: PgServer | undefined;
beforeAll(async () => {
  server = await ensurePostgres();
});
afterAll(async () => {
  await server?.stop();
});

/** Runs the writer from `first` until it reported `atLeast` commits, then SIGKILLs it. */
function writeUntilKilled(url: string, first: number, atLeast: number): Promise<number[]> {
  const child = fork(WORKER, [url, String(first)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const committed: number[] = [];
  return new Promise((resolve, reject) => {
    child.on('message', (msg: { committed?: number }) => {
      if (msg.committed === undefined) return;
      committed.push(msg.committed);
      // A random extra delay so the kill lands at a different point of the loop each time.
      if (committed.length === atLeast) setTimeout(() => child.kill('SIGKILL'), Math.random() * 15);
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(committed) : reject(new Error(`writer exited on its own (${code})`))));
  });
}

/** Every invariant a committed-or-not transaction must leave behind. */
async function expectConsistent(store: Store, reported: number[]): Promise<number> {
  const plans = (await store.listPlans({ limit: 1_000_000 })).filter((p) => p.kind === 'crash-test');
  const events = await store.listAudit({ limit: 1_000_000 });
  const byPlan = new Map<string, string[]>();
  for (const e of events) byPlan.set(e.subjectId ?? '', [...(byPlan.get(e.subjectId ?? '') ?? []), e.action]);
  // No audit event without its plan, no plan without its proposal event.
  expect([...byPlan.keys()].filter((id) => !plans.some((p) => p.id === id))).toEqual([]);
  const iterations = new Map<number, string>();
  for (const p of plans) {
    const actions = byPlan.get(p.id) ?? [];
    expect(actions).toEqual(p.state === 'approved' ? ['plan.proposed', 'plan.approved'] : ['plan.proposed']);
    expect(p.state === 'approved' ? (p.snapshot as { iteration: number }).iteration : null).toBe(p.state === 'approved' ? (p.plan as { iteration: number }).iteration : null);
    expect((p.plan as { blob: string }).blob).toHaveLength(64 * 1024);
    iterations.set((p.plan as { iteration: number }).iteration, p.state);
  }
  // Identity pairs: both linked or neither.
  for (const i of iterations.keys()) {
    const linked = await store.identitiesOf(`slack:U${i}`);
    expect([0, 2]).toContain(linked.length);
  }
  // Nothing the writer saw commit is lost.
  for (const i of reported) {
    expect(iterations.get(i)).toBe('approved');
    expect(await store.personOf({ platform: 'teams', userId: `aad-${i}` })).toBe(`slack:U${i}`);
  }
  return plans.length;
}

describe.each([
  { name: 'PostgreSQL', make: () => postgresTarget(server as PgServer) },
  { name: 'SQLite file', make: async () => sqliteTarget() },
])('kill -9 during writes ($name)', ({ make }) => {
  let target: SharedTarget;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('loses nothing committed, shows nothing half-written, and keeps working', async () => {
    const reported: number[] = [];
    let next = 0;
    for (let round = 0; round < 3; round++) {
      const got = await writeUntilKilled(target.url, next, 10 + Math.floor(Math.random() * 10));
      reported.push(...got);
      const store = await openStore(target.url);
      try {
        const count = await expectConsistent(store, reported);
        expect(count).toBeGreaterThanOrEqual(reported.length);
        next = (await store.listPlans({ limit: 1_000_000 })).length + 1000 * (round + 1);
        // Still works: a new plan, an approval, an audit read.
        const now = new Date();
        const p = await store.createPlan({ kind: 'after-crash', checkRunId: null, cluster: 'CL1', requester: 'slack:U0OPERATOR', plan: {}, expected: {}, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });
        expect(await store.transitionPlan(p.id, ['proposed'], 'rejected', {}, now)).toMatchObject({ state: 'rejected' });
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
