import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { createTestDatabase, ensurePostgres, type PgServer, type TestDatabase } from '../../helpers/postgres.js';
import { addReplica, checkAndPropose, people, startFlow } from '../../helpers/approvals/flow.js';

// Two bot replicas on one PostgreSQL database, both receiving approve clicks for the same plan
// at once (as two approvers in two channels or a retried delivery would): the plan is applied
// exactly once, because the decision is one conditional UPDATE in the shared database.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let server: PgServer;
let db: TestDatabase;

beforeAll(async () => {
  server = await ensurePostgres();
  db = await createTestDatabase(server);
});
afterAll(async () => {
  await db?.drop();
  await server?.stop();
});

describe('two replicas on PostgreSQL', () => {
  it('apply a plan once under 20 concurrent approvals split across them', async () => {
    const lab = new LabBackend(await loadScenario(path.join(ROOT, 'test/fixtures/lab/approvals.yaml')), { latency: { hostMs: 0, directoryMs: 0 } });
    const flow = await startFlow(lab, { now: '2026-11-20T09:00:00Z', databaseUrl: db.url });
    const second = await addReplica(flow, db.url);
    try {
      const { planId } = await checkAndPropose(flow, ['HV01', 'HV02', 'HV03', 'HV04']);
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? flow.chat : second.chat).click(i % 4 < 2 ? people.adam : people.anna, 'approve', planId)));
      expect(flow.backend.count('directory.apply-delegation')).toBe(1);
      expect(flow.backend.count('host.set-migration-auth')).toBe(1);
      expect((await second.store.getPlan(planId))!.state).toBe('applied');
      expect((await flow.store.listAudit({ subjectId: planId })).filter((e) => e.action === 'plan.approved')).toHaveLength(1);
    } finally {
      await second.close();
      await flow.close();
    }
  });
});
