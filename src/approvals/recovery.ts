import type { ChatAdapter } from '../core/events.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { planCard } from './plan-card.js';
import { documentOf, type PlanResult } from './plan-document.js';
import { settleOriginal } from './rollback-original.js';
import { readSettlement } from './settle.js';

// Crash safety. A plan left in `applying` (the bot stopped mid-write) is settled from what AD
// holds now: the planned values → applied; the values from before → failed, nothing written;
// anything else → failed with a note for a person. A plan left in `approved` never started its
// writes (they only begin after approved → applying), so it fails with nothing written.
// Nothing is ever re-applied. Runs at start and on a timer; a grace period leaves alone plans
// another replica may be applying right now.

export interface RecoveryOptions {
  /** Leave plans alone that moved less than this long ago (default 2 min; test migrations 15 min). */
  graceMs?: number;
  testMigrationGraceMs?: number;
}

const SYSTEM = 'system';

async function fail(deps: ApprovalsDeps, plan: Plan, from: 'approved' | 'applying', result: PlanResult, adapter?: ChatAdapter): Promise<Plan | null> {
  const now = deps.clock.now();
  const failed = await deps.store.transitionPlan(plan.id, [from], 'failed', { result }, now, { at: now, actor: SYSTEM, action: 'plan.recovered', subjectId: plan.id, outcome: 'failed', details: { note: result.note } });
  const doc = failed ? documentOf(failed) : undefined;
  if (failed && doc) await updateCard(deps, failed, planCard(failed, doc, result), adapter);
  return failed;
}

/** Settles one `applying` plan from AD; null when AD could not be read (try again later). */
export async function settleApplying(deps: ApprovalsDeps, plan: Plan, why: string, adapter?: ChatAdapter): Promise<Plan | null> {
  const doc = documentOf(plan);
  if (!doc) return fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: 'The stored plan is unreadable; nothing was re-applied. Check AD by hand.' }, adapter);
  if (doc.kind === 'test-migration') {
    return fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: `${why}the outcome of the test migration is unknown; it was not started again.` }, adapter);
  }
  const found = await readSettlement(deps, doc.remediation);
  if (found.found === 'unreadable') {
    deps.logger.warn('cannot settle a plan yet: AD unreadable', { plan: plan.id, error: found.detail });
    return null;
  }
  const now = deps.clock.now();
  let settled: Plan | null;
  if (found.found === 'desired') {
    const result: PlanResult = { outcome: 'recovered', steps: [], note: `${why}${found.detail}, so the plan is settled as applied. Tickets may not have been purged: run the check again, or wait about 15 minutes.` };
    settled = await deps.store.transitionPlan(plan.id, ['applying'], 'applied', { result }, now, { at: now, actor: SYSTEM, action: 'plan.recovered', subjectId: plan.id, outcome: 'applied', details: { detail: found.detail } });
    if (settled) await updateCard(deps, settled, planCard(settled, doc, result), adapter);
  } else {
    const nothing = found.found === 'expected';
    settled = await fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: `${why}${found.detail}${nothing ? '; nothing was written' : '. Check AD by hand; nothing was re-applied'}.` }, adapter);
  }
  if (settled && doc.kind === 'rollback') await settleOriginal(deps, settled, doc, found.found === 'desired' ? 'yes' : found.found === 'expected' ? 'no' : 'unclear', adapter);
  return settled;
}

/** One recovery pass: `applying` and `approved` plans older than the grace period. */
export async function recoverPlans(deps: ApprovalsDeps, options: RecoveryOptions = {}): Promise<Plan[]> {
  const now = deps.clock.now().getTime();
  const grace = (p: Plan) => (p.kind === 'test-migration' ? (options.testMigrationGraceMs ?? 15 * 60_000) : (options.graceMs ?? 2 * 60_000));
  const stale = (await deps.store.listPlans({ states: ['applying', 'approved'], limit: 1000 })).filter((p) => now - p.updatedAt.getTime() >= grace(p));
  const settled: Plan[] = [];
  for (const plan of stale) {
    const why = 'The bot stopped during this plan. ';
    const done = plan.state === 'applying'
      ? await settleApplying(deps, plan, `${why}On restart, `, undefined)
      : await fail(deps, plan, 'approved', { outcome: 'not-started', steps: [], note: `${why}It was approved but its writes never started, so nothing was written. Propose it again.` });
    if (!done) continue;
    settled.push(done);
    const doc = documentOf(plan);
    if (plan.state === 'approved' && doc?.kind === 'rollback') await settleOriginal(deps, done, doc, 'no');
  }
  return settled;
}

/** Expires proposed plans whose time ran out and edits their cards. */
export async function expirePlans(deps: ApprovalsDeps): Promise<Plan[]> {
  const expired = await deps.store.expireDuePlans(deps.clock.now());
  for (const plan of expired) {
    const doc = documentOf(plan);
    if (doc) await updateCard(deps, plan, planCard(plan, doc));
  }
  return expired;
}
