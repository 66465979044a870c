import type { HandlerContext } from '../core/context.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { executePlan } from './execute-plan.js';
import type { FixDocument, Remediation } from './plan-document.js';
import { HeldLease } from './plan-lease.js';

// Applying an approved fix: take the plan's lease (one replica runs it; a heartbeat keeps it),
// approved → applying (with the snapshot of the values the write replaces, for rollback), then
// the journaled steps, their read-back and a re-check (execute-plan.ts); the card is edited in
// place with exactly the steps that ran, and offers Roll back (or Refresh plan).

export function snapshotOf(remediation: Remediation): { delegation: Remediation['delegation']; migrationAuth: Remediation['migrationAuth'] } {
  return { delegation: remediation.delegation, migrationAuth: remediation.migrationAuth };
}

export async function applyFix(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: FixDocument, who: string): Promise<void> {
  const held = await HeldLease.take(deps, plan.id);
  if (!held) {
    deps.logger.warn('an approved plan is leased to another replica; leaving it to that one', { plan: plan.id });
    return;
  }
  const now = deps.clock.now();
  // The compare-and-swap guarantees AD held exactly `expected` when the write happens, so the
  // expected values are the snapshot; the relay's own `before` is audited alongside.
  const applying = await deps.store.transitionPlan(plan.id, ['approved'], 'applying', { snapshot: snapshotOf(doc.remediation) }, now, { at: now, actor: who, action: 'plan.applying', subjectId: plan.id, outcome: 'ok', details: { fence: held.token } });
  if (!applying) {
    await held.release();
    return;
  }
  await executePlan({ deps, plan: applying, doc, held, who, requester: ctx.event.actor.id, mode: 'fresh', ctx });
}
