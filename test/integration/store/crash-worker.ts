// Writes in a loop until killed, for crash.test.ts. Each iteration is three transactions of
// several rows: a plan with its audit event, its approval with its audit event, and a pair of
// linked identities. After each iteration commits, it reports the iteration number.
// Run as `node --import tsx crash-worker.ts <DATABASE_URL> <first iteration>`.
import { openStore } from '../../../src/store/open-store.js';

const store = await openStore(process.argv[2] ?? '', { poolSize: 2 });
const first = Number(process.argv[3] ?? 0);
// A large plan makes each write long enough for a kill to land inside one.
const blob = 'x'.repeat(64 * 1024);
process.send?.({ ready: true, pid: process.pid });

for (let i = first; ; i++) {
  const now = new Date();
  const plan = await store.createPlan(
    { kind: 'crash-test', checkRunId: null, cluster: 'CL1', requester: 'slack:U0OPERATOR', plan: { iteration: i, blob }, expected: { iteration: i }, createdAt: now, expiresAt: new Date(now.getTime() + 3_600_000) },
    { at: now, actor: 'slack:U0OPERATOR', action: 'plan.proposed', subjectId: null, outcome: 'ok', details: { iteration: i, blob } },
  );
  await store.transitionPlan(plan.id, ['proposed'], 'approved', { approver: 'slack:U0APPROVER', snapshot: { iteration: i, blob } }, now, {
    at: now, actor: 'slack:U0APPROVER', action: 'plan.approved', subjectId: plan.id, outcome: 'ok', details: { iteration: i },
  });
  await store.linkIdentities({ platform: 'slack', userId: `U${i}` }, { platform: 'teams', userId: `aad-${i}` }, 'slack:U0ADMIN', now);
  process.send?.({ committed: i });
}
