import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePostgres, type PgServer } from '../../helpers/postgres.js';
import { startHarness, type Harness } from '../../helpers/scheduler-harness.js';
import { postgresTarget, sqliteTarget, type SharedTarget } from '../store/targets.js';

// Several bot replicas, each with its own scheduler and its own connection to one store (a
// SQLite file; the real PostgreSQL), tick at the same instants: every scheduled run is posted
// exactly once in total, whichever replica wins the claim.

let pg: PgServer;
beforeAll(async () => {
  pg = await ensurePostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const REPLICAS = 3;
const SCHEDULES = 4;
const DAYS = ['2027-04-01', '2027-04-02', '2027-04-03'];

async function replicas(target: SharedTarget): Promise<Harness[]> {
  const out: Harness[] = [];
  // One after the other: migrations are applied by the first.
  for (let i = 0; i < REPLICAS; i++) out.push(await startHarness({ now: '2027-03-26T12:00:00Z', url: target.url, owner: `replica-${i}` }));
  return out;
}

describe.each([
  ['SQLite file', async () => sqliteTarget()],
  ['PostgreSQL', async () => postgresTarget(pg)],
])('%s: %i replicas, one post per scheduled run', (_name, makeTarget) => {
  it(`${SCHEDULES} schedules over ${DAYS.length} mornings, all replicas ticking at once`, async () => {
    const target = await makeTarget();
    const bots = await replicas(target);
    try {
      for (let i = 0; i < SCHEDULES; i++) {
        await bots[0]!.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'slack', channelId: `C${i}` }, createdBy: 'slack:UOPS', source: 'chat', createdAt: new Date('2027-03-26T12:00:00Z') });
      }
      for (const day of DAYS) {
        const at = `${day}T06:00:00.000Z`;
        for (const b of bots) b.clock.set(at);
        const results = (await Promise.all(bots.map((b) => b.module.scheduler.tick(new Date(at))))).flat();
        expect(results.filter((r) => r.outcome.kind === 'posted')).toHaveLength(SCHEDULES);
        expect(results.filter((r) => r.outcome.kind === 'claimed-elsewhere')).toHaveLength(SCHEDULES * (REPLICAS - 1));
      }
      const posts = bots.flatMap((b) => b.adapters.slack.posts);
      expect(posts).toHaveLength(SCHEDULES * DAYS.length);
      const perChannel = new Map<string, number>();
      for (const p of posts) perChannel.set(p.ref.channelId, (perChannel.get(p.ref.channelId) ?? 0) + 1);
      expect([...perChannel.values()]).toEqual(Array(SCHEDULES).fill(DAYS.length));
      // Every replica sees the same history: one run per schedule per morning.
      expect(await bots[2]!.store.listCheckRuns('HVCLUSTER01', 100)).toHaveLength(SCHEDULES * DAYS.length);
    } finally {
      for (const b of bots) await b.close();
      await target.dispose();
    }
  });

  it('a replica killed (-9) after claiming a slot: another posts that slot once its claim lease expired, exactly once', { timeout: 60_000 }, async () => {
    const target = await makeTarget();
    const bots = await replicas(target);
    try {
      const s = await bots[0]!.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'slack', channelId: 'CKILLED' }, createdBy: 'slack:UOPS', source: 'chat', createdAt: new Date('2027-03-26T12:00:00Z') });
      const slot = '2027-04-01T06:00:00.000Z';
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), path.join(ROOT, 'test/fixtures/process/claim-and-hang.ts')], {
        env: { PATH: process.env.PATH ?? '', STORE_URL: target.url, SCHEDULE_ID: s.id, SLOT: slot, NOW: slot, LEASE_MS: String(5 * 60_000) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const until = Date.now() + 45_000;
      while (!out.includes('CLAIMED')) {
        if (Date.now() > until) throw new Error(`the claiming replica did not claim: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(out).toContain('CLAIMED');
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));

      // Within the lease: the slot is the dead replica's; nobody posts it (and the next slot is not due).
      const within = '2027-04-01T06:04:00.000Z';
      const first = (await Promise.all(bots.map((b) => b.module.scheduler.tick(new Date(within))))).flat();
      expect(first.filter((r) => r.outcome.kind === 'posted')).toHaveLength(0);
      expect(bots.flatMap((b) => b.adapters.slack.posts)).toHaveLength(0);

      // Past the lease: exactly one replica takes it over and posts; later looks post nothing more.
      for (const at of ['2027-04-01T06:06:00.000Z', '2027-04-01T06:07:00.000Z', '2027-04-01T09:00:00.000Z']) {
        for (const b of bots) b.clock.set(at);
        await Promise.all(bots.map((b) => b.module.scheduler.tick(new Date(at))));
      }
      const posts = bots.flatMap((b) => b.adapters.slack.posts.filter((p) => p.ref.channelId === 'CKILLED'));
      expect(posts.length).toBeGreaterThan(0);
      expect(new Set(posts.map((p) => p.ref.channelId))).toEqual(new Set(['CKILLED']));
      const runs = await bots[0]!.store.listCheckRuns('HVCLUSTER01', 100);
      expect(runs.filter((r) => r.scheduleId === s.id)).toHaveLength(1);
      expect(await bots[0]!.store.listAbandonedRuns(new Date('2027-04-02T00:00:00Z'))).toEqual([]);
    } finally {
      for (const b of bots) await b.close();
      await target.dispose();
    }
  });
});
