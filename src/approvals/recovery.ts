import type { ChatAdapter } from '../core/events.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { executePlan } from './execute-plan.js';
import { planCard } from './plan-card.js';
import { documentOf, type PlanResult } from './plan-document.js';
import { HeldLease } from './plan-lease.js';
import { observe, planSteps } from './plan-steps.js';
import { settleOriginal } from './rollback-original.js';

// Crash safety, by lease rather than by clock. A replica applying a plan holds its lease and
// renews it; recovery takes over only a lease that expired (or a plan that never had one), so a
// plan still being applied is never touched. Taken over, a plan in `applying` is resumed from its
// step journal and what AD and the hosts hold now (run-steps.ts): steps found done are recorded,
// steps still at the values from before are run again, anything else stops for a person. A plan
// whose journal is empty and whose targets still hold the values from before never started:
// failed, nothing written. A plan left in `approved` never started its writes: failed.
// Test migrations are not resumed (a migration is not idempotent): failed after a grace period.

export interface RecoveryOptions {
  /** `approved` plans (and test migrations) younger than this are left alone (default 2 min; test migrations 15 min). */
  graceMs?: number;
  testMigrationGraceMs?: number;
}

const SYSTEM = 'system';
const WHY = 'The bot stopped during this plan. On restart, ';

async function fail(deps: ApprovalsDeps, plan: Plan, from: 'approved' | 'applying', result: PlanResult, adapter?: ChatAdapter): Promise<Plan | null> {
  const now = deps.clock.now();
  const failed = await deps.store.transitionPlan(plan.id, [from], 'failed', { result }, now, { at: now, actor: SYSTEM, action: 'plan.recovered', subjectId: plan.id, outcome: 'failed', details: { note: result.note } });
  const doc = failed ? documentOf(failed) : undefined;
  if (failed && doc) await updateCard(deps, failed, planCard(failed, doc, result), adapter);
  if (failed) deps.logger.info('recovery settled a plan', { plan: plan.id, state: 'failed', outcome: result.outcome });
  return failed;
}

/** Resumes or settles one `applying` plan under a lease recovery holds; null to try again later. */
async function resume(deps: ApprovalsDeps, plan: Plan, held: HeldLease): Promise<Plan | null> {
  const doc = documentOf(plan);
  if (!doc) {
    await held.release();
    return fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: 'The stored plan is unreadable; nothing was re-applied. Check AD by hand.' });
  }
  if (doc.kind === 'test-migration') {
    await held.release();
    return fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: `${WHY}the outcome of the test migration is unknown; it was not started again.` });
  }
  const journal = await deps.store.listSteps(plan.id);
  if (journal.length === 0) {
    // No step ever started. If the first step's target still holds the values from before,
    // nothing was written: fail it rather than apply an approval that may be long stale.
    const first = planSteps(doc.remediation).map((s) => observe(deps, s)).find((o) => o !== null);
    const obs = first ? await first : undefined;
    if (obs && !obs.readable) {
      await held.release();
      deps.logger.warn('cannot settle a plan yet: its targets cannot be read', { plan: plan.id, error: obs.detail });
      return null;
    }
    if (!obs || obs.seen === 'expected') {
      await held.release();
      const failed = await fail(deps, plan, 'applying', { outcome: 'recovered', steps: [], note: `${WHY}${obs ? obs.detail : 'no step had started'}; nothing was written.` });
      if (failed && doc.kind === 'rollback') await settleOriginal(deps, failed, doc, 'no');
      return failed;
    }
  }
  deps.logger.info('recovery resumes a plan from its journal', { plan: plan.id, journaled: journal.length, fence: held.token });
  return executePlan({ deps, plan, doc, held, who: SYSTEM, requester: 'triage-bot recovery', mode: 'resume', why: WHY });
}

/** One recovery pass over `applying` and `approved` plans whose lease is free or expired. */
export async function recoverPlans(deps: ApprovalsDeps, options: RecoveryOptions = {}): Promise<Plan[]> {
  const now = deps.clock.now().getTime();
  const grace = (p: Plan) => (p.kind === 'test-migration' ? (options.testMigrationGraceMs ?? 15 * 60_000) : (options.graceMs ?? 2 * 60_000));
  const candidates = await deps.store.listPlans({ states: ['applying', 'approved'], limit: 1000 });
  const settled: Plan[] = [];
  for (const plan of candidates) {
    // Test migrations run without a journal, and an approval takes its lease within moments:
    // those are judged by age as well, so a click being served right now is left alone.
    if ((plan.state === 'approved' || plan.kind === 'test-migration') && now - plan.updatedAt.getTime() < grace(plan)) continue;
    const held = await HeldLease.take(deps, plan.id);
    if (!held) continue; // leased and renewed: a replica is applying it right now
    deps.logger.info('recovery took over a plan whose lease had expired', { plan: plan.id, state: plan.state, fence: held.token });
    let done: Plan | null;
    if (plan.state === 'applying') done = await resume(deps, plan, held);
    else {
      await held.release();
      done = await fail(deps, plan, 'approved', { outcome: 'not-started', steps: [], note: `${WHY.replace(' On restart, ', ' ')}It was approved but its writes never started, so nothing was written. Propose it again.` });
      const doc = documentOf(plan);
      if (done && doc?.kind === 'rollback') await settleOriginal(deps, done, doc, 'no');
    }
    if (done) settled.push(done);
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
