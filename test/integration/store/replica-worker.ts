// One "bot replica" for replicas.test.ts: a separate Node process with its own store (its own
// connection pool or SQLite connection), driven over IPC. Run as
// `node --import tsx replica-worker.ts <DATABASE_URL>`.
import { openStore } from '../../../src/store/open-store.js';

type Request =
  | { id: number; op: 'approve'; planId: string; attempts: number[] }
  | { id: number; op: 'claim'; scheduleId: string; slot: string; tries: number }
  | { id: number; op: 'close' };

const store = await openStore(process.argv[2] ?? '', { poolSize: 10 });
const send = (msg: unknown) => process.send?.(msg);

process.on('message', (req: Request) => {
  void handle(req).then(
    (result) => send({ id: req.id, result }),
    (err: Error) => send({ id: req.id, error: err.message }),
  );
});
send({ ready: true, pid: process.pid });

async function handle(req: Request): Promise<unknown> {
  if (req.op === 'approve') return approve(req.planId, req.attempts);
  if (req.op === 'claim') return claim(req.scheduleId, req.slot, req.tries);
  await store.close();
  setImmediate(() => process.exit(0));
  return 'closed';
}

/** Every attempt is a click that approves and then starts applying, all at once. */
async function approve(planId: string, attempts: number[]) {
  const now = new Date();
  const outcomes = await Promise.all(
    attempts.map(async (i) => {
      const actor = `slack:U${i}`;
      const approved = await store.transitionPlan(planId, ['proposed'], 'approved', { approver: actor }, now, {
        at: now, actor, action: 'plan.approved', subjectId: planId, outcome: 'ok', details: { attempt: i, pid: process.pid },
      });
      const applying = await store.transitionPlan(planId, ['approved'], 'applying', { snapshot: { by: i } }, now, {
        at: now, actor, action: 'plan.applying', subjectId: planId, outcome: 'ok', details: { attempt: i, pid: process.pid },
      });
      return { attempt: i, approved: approved !== null, applying: applying !== null };
    }),
  );
  return {
    approved: outcomes.filter((o) => o.approved).map((o) => o.attempt),
    applying: outcomes.filter((o) => o.applying).map((o) => o.attempt),
  };
}

async function claim(scheduleId: string, slot: string, tries: number) {
  const results = await Promise.all(Array.from({ length: tries }, (_, k) => store.claimRun(scheduleId, slot, `${process.pid}-${k}`, new Date())));
  return results.filter(Boolean).length;
}
