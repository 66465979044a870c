import type { HandlerContext } from '../core/context.js';
import { mention } from '../core/check-flow.js';
import { diagnosisReply, verdictText } from '../core/render-diagnosis.js';
import { runCheck } from '../diagnostics/run-check.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { planCard } from './plan-card.js';
import type { FixDocument, PlanResult, Remediation, RollbackDocument } from './plan-document.js';
import { settleApplying } from './recovery.js';
import { writeRemediation, type WriteOutcome } from './write-remediation.js';

// Applying an approved fix: approved → applying (with the snapshot of the values the write
// replaces, for rollback), the writes, then a re-check of the same nodes; the card is edited in
// place with the verdict before and after, and offers Roll back (or Refresh plan on a conflict).

export function snapshotOf(remediation: Remediation): { delegation: Remediation['delegation']; migrationAuth: Remediation['migrationAuth'] } {
  return { delegation: remediation.delegation, migrationAuth: remediation.migrationAuth };
}

export async function applyFix(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: FixDocument, who: string): Promise<void> {
  const now = deps.clock.now();
  // The compare-and-swap guarantees AD held exactly `expected` when the write happens, so the
  // expected values are the snapshot; the relay's own `before` is audited alongside.
  const applying = await deps.store.transitionPlan(plan.id, ['approved'], 'applying', { snapshot: snapshotOf(doc.remediation) }, now, { at: now, actor: who, action: 'plan.applying', subjectId: plan.id, outcome: 'ok', details: {} });
  if (!applying) return;
  const outcome = await writeRemediation(deps, applying, doc.remediation, who, ctx.event.actor.id);
  await finishWrite(ctx, deps, applying, doc, outcome, who);
}

/** Settles an `applying` plan from the outcome of its writes; returns the plan as it ends. */
export async function finishWrite(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: FixDocument | RollbackDocument, outcome: WriteOutcome, who: string): Promise<Plan | null> {
  if (outcome.kind === 'unknown') return settleApplying(deps, plan, `The relay call failed (${outcome.message}), so AD was read to see what happened: `, ctx.adapter);
  if (outcome.kind !== 'written') {
    const note = outcome.kind === 'conflict'
      ? `AD changed since the plan was made, so the relay wrote nothing (${outcome.message}). Refresh the plan to plan against the current values.`
      : `The relay refused the write, so nothing was written: ${outcome.message}`;
    const result: PlanResult = { outcome: outcome.kind, note, steps: outcome.steps, ...(outcome.kind === 'conflict' ? { current: outcome.current } : {}) };
    const failed = await deps.store.transitionPlan(plan.id, ['applying'], 'failed', { result }, deps.clock.now(), { at: deps.clock.now(), actor: who, action: 'plan.failed', subjectId: plan.id, outcome: outcome.kind, details: { note } });
    if (failed) await updateCard(deps, failed, planCard(failed, doc, result), ctx.adapter);
    return failed;
  }
  const recheck = await recheckNodes(ctx, deps, plan, doc);
  const failedSteps = outcome.steps.filter((s) => s.outcome === 'failed');
  const note = failedSteps.length ? `Follow-up steps failed: ${failedSteps.map((s) => `${s.op} ${s.target}`).join(', ')}.` : undefined;
  const result: PlanResult = { outcome: 'applied', steps: outcome.steps, ...(recheck ?? {}), ...(note ? { note } : {}) };
  const now = deps.clock.now();
  const applied = await deps.store.transitionPlan(plan.id, ['applying'], 'applied', { result }, now, { at: now, actor: who, action: doc.kind === 'rollback' ? 'rollback.applied' : 'plan.applied', subjectId: plan.id, outcome: 'ok', details: { after: result.after?.status ?? 'not re-checked', failedSteps: failedSteps.length } });
  if (applied) await updateCard(deps, applied, planCard(applied, doc, result), ctx.adapter);
  return applied;
}

/** Runs the check again on the plan's nodes and posts it in the plan's thread. */
async function recheckNodes(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: FixDocument | RollbackDocument): Promise<Pick<PlanResult, 'after' | 'recheckId'> | undefined> {
  try {
    const nodes = doc.remediation.nodes;
    const { diagnosis, evidence } = await runCheck(deps.relay, nodes, { clock: deps.clock, eventWindowHours: deps.eventWindowHours, requester: ctx.event.actor.id });
    const record = await ctx.deps.store.saveCheckRun({ nodes, requesterId: ctx.event.actor.id, conversation: doc.thread, createdAt: deps.clock.now().toISOString(), diagnosis, evidence });
    const what = doc.kind === 'rollback' ? `rollback ${plan.id}` : `fix ${plan.id}`;
    await ctx.adapter.post(doc.thread, diagnosisReply(diagnosis, { title: `Re-check after ${what} · ${nodes.join(', ')}`, recordId: record.id, context: [`Approved by ${mention(ctx.event.actor)} · ${diagnosis.collectedAt} · ${deps.relay.description}`] }));
    return { after: { status: diagnosis.verdict.status, text: verdictText(diagnosis) }, recheckId: record.id };
  } catch (err) {
    deps.logger.warn('re-check after apply failed', { plan: plan.id, error: (err as Error).message });
    return undefined;
  }
}
