import { z } from 'zod';
import type { ActionHandler, HandlerContext } from '../core/context.js';
import { mention } from '../core/check-flow.js';
import { textReply } from '../core/reply.js';
import { rollbackPlan, type RemediationPlan } from '../remediation/plan.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit, refuse, ttlMs, updateCard } from './approvals-deps.js';
import { executePlan } from './execute-plan.js';
import { HeldLease } from './plan-lease.js';
import { personKeyOf } from './identity.js';
import { planCard } from './plan-card.js';
import { documentOf, remediationSchema, resultOf, type RollbackDocument } from './plan-document.js';
import { settleOriginal } from './rollback-original.js';

// Roll back: an operator proposes restoring the snapshot taken before the fix; like any change
// it needs an approver who is not the person who proposed the rollback. Approving moves the fix
// applied → rolling_back (compare-and-swap, so one rollback runs) and the rollback through
// approved → applying → applied | failed.

const snapshotSchema = z.object({ delegation: remediationSchema.shape.delegation, migrationAuth: remediationSchema.shape.migrationAuth });

export function rollbackHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const who = await personKeyOf(ctx.event.actor, deps);
    const original = await deps.store.getPlan(action.recordId);
    const doc = original ? documentOf(original) : undefined;
    if (!original || !doc || doc.kind !== 'delegation-fix') {
      await refuse(ctx, deps, who, 'rollback.propose', action.recordId.slice(0, 64), 'This button refers to no applied fix triage-bot knows (unknown or forged id); nothing was done.');
      return;
    }
    const from = ctx.event.conversation;
    if (from.platform !== doc.thread.platform || from.channelId !== doc.thread.channelId) {
      return refuse(ctx, deps, who, 'rollback.propose', original.id, `Plan ${original.id} belongs to another conversation; a rollback can only be proposed from its card there. Nothing was done.`);
    }
    const snapshot = snapshotSchema.safeParse(original.snapshot);
    if (original.state !== 'applied' || !snapshot.success) {
      return refuse(ctx, deps, who, 'rollback.propose', original.id, `Plan ${original.id} is ${original.state}, not applied: there is nothing to roll back.`);
    }
    const now = deps.clock.now();
    const remediation = rollbackPlan(doc.remediation as RemediationPlan, snapshot.data);
    const rbDoc: RollbackDocument = {
      kind: 'rollback',
      proposedBy: mention(ctx.event.actor),
      thread: doc.thread,
      of: original.id,
      remediation,
      risks: ['Restores exactly the delegation values from before the fix: the directions the fix unblocked are blocked again.', 'userAccountControl stays as the fix left it: the relay never clears protocol transition (0x1000000) nor sets unconstrained delegation (0x80000); change it by hand in AD if you must.', 'Compare-and-swap on the values the fix wrote: if AD changed since, nothing is written.'],
    };
    const plan = await deps.store.createPlan(
      { kind: 'rollback', checkRunId: original.checkRunId, cluster: original.cluster, requester: who, plan: rbDoc, expected: snapshot.data, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs(deps)) },
      { at: now, actor: who, action: 'rollback.proposed', subjectId: null, outcome: 'ok', details: { of: original.id } },
    );
    await audit(deps, who, 'rollback.proposed', original.id, 'ok', { rollbackId: plan.id });
    await ctx.event.ack(textReply(`Rollback ${plan.id} proposed; an approver other than you must approve it.`, { ephemeral: true }));
    const posted = await ctx.adapter.post(doc.thread, planCard(plan, rbDoc));
    await deps.store.setPlanMessage(plan.id, posted, deps.clock.now());
  };
}

export async function applyRollback(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: RollbackDocument, who: string): Promise<void> {
  const now = deps.clock.now();
  const original = await deps.store.getPlan(doc.of);
  const originalDoc = original ? documentOf(original) : undefined;
  const claimed = original
    ? await deps.store.transitionPlan(original.id, ['applied'], 'rolling_back', { rollbackRequester: plan.requester, rollbackApprover: who, result: { ...(resultOf(original) ?? { outcome: 'applied', steps: [] }), rollbackId: plan.id } }, now, { at: now, actor: who, action: 'plan.rolling-back', subjectId: original.id, outcome: 'ok', details: { rollbackId: plan.id } })
    : null;
  if (!claimed) {
    const note = `Fix ${doc.of} is ${original?.state ?? 'unknown'}, not applied (another rollback may have run); nothing was written.`;
    const failed = await deps.store.transitionPlan(plan.id, ['approved'], 'failed', { result: { outcome: 'refused', steps: [], note } }, now, { at: now, actor: who, action: 'rollback.failed', subjectId: plan.id, outcome: 'refused', details: { note } });
    if (failed) await updateCard(deps, failed, planCard(failed, doc, resultOf(failed)), ctx.adapter);
    return;
  }
  if (originalDoc) await updateCard(deps, claimed, planCard(claimed, originalDoc, resultOf(claimed)), ctx.adapter);
  const held = await HeldLease.take(deps, plan.id);
  if (!held) {
    deps.logger.warn('an approved rollback is leased to another replica; leaving it to that one', { plan: plan.id });
    return;
  }
  const applying = await deps.store.transitionPlan(plan.id, ['approved'], 'applying', { snapshot: { delegation: doc.remediation.delegation, migrationAuth: doc.remediation.migrationAuth } }, now, { at: now, actor: who, action: 'rollback.applying', subjectId: plan.id, outcome: 'ok', details: { fence: held.token } });
  if (!applying) {
    await held.release();
    await settleOriginal(deps, plan, doc, 'no', ctx.adapter);
    return;
  }
  // executePlan settles the fix alongside: rolled back, back to applied, or failed when unclear.
  await executePlan({ deps, plan: applying, doc, held, who, requester: ctx.event.actor.id, mode: 'fresh', ctx });
}
