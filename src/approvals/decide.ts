import type { ActionHandler, HandlerContext } from '../core/context.js';
import { textReply } from '../core/reply.js';
import { dateText, mention } from '../core/mention.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { refuse, updateCard } from './approvals-deps.js';
import { applyFix } from './apply-fix.js';
import { applyRollback } from './rollback.js';
import { runTestMigration } from './test-migration.js';
import { personKeyOf, personLabel } from './identity.js';
import { planCard } from './plan-card.js';
import { documentOf, resultOf, type PlanDocument } from './plan-document.js';

// Approve and Reject. Every check is made against the stored plan at click time, and the
// decision itself is one compare-and-swap (proposed → approved), so of twenty clicks, two
// approvers or two replicas exactly one goes on to apply. The proposer can never approve. The
// approver role (or, to reject, being the proposer) is checked by the core before the click
// gets here (extension.ts).

// A date element: each Slack reader's own time zone, UTC elsewhere (src/core/mention.ts).
const time = (d: Date) => dateText(d.toISOString());

/** Why a plan that is not `proposed` cannot be decided any more. */
export function notProposedReason(plan: Plan): string {
  switch (plan.state) {
    case 'approved':
    case 'applying':
      return `Plan ${plan.id} was already approved by ${plan.approver ? personLabel(plan.approver) : 'someone else'} and is being applied; nothing more was done.`;
    case 'applied':
    case 'rolling_back':
    case 'rolled_back':
      return `Plan ${plan.id} was already approved by ${plan.approver ? personLabel(plan.approver) : 'someone else'} and applied; nothing more was done.`;
    case 'rejected':
      return `Plan ${plan.id} was rejected by ${plan.approver ? personLabel(plan.approver) : 'an approver'}; nothing was written. Propose a fresh plan if it is still needed.`;
    case 'expired':
      return `Plan ${plan.id} expired at ${time(plan.expiresAt)} without approval; nothing was written. Propose a fresh plan.`;
    case 'failed':
      return `Plan ${plan.id} was already handled and failed; nothing more was done.`;
    default:
      return `Plan ${plan.id} can no longer be decided.`;
  }
}

interface Loaded {
  who: string;
  plan: Plan;
  doc: PlanDocument;
}

/** Loads the plan a click refers to and checks it can still be decided; refuses (audited) otherwise. */
async function loadDecidable(ctx: HandlerContext, deps: ApprovalsDeps, recordId: string, verb: 'approve' | 'reject'): Promise<Loaded | undefined> {
  const who = await personKeyOf(ctx.event.actor, deps);
  const plan = await deps.store.getPlan(recordId);
  const doc = plan ? documentOf(plan) : undefined;
  if (!plan || !doc) {
    await refuse(ctx, deps, who, `plan.${verb}`, recordId.slice(0, 64), 'This button refers to no plan triage-bot knows (unknown or forged id); nothing was done.');
    return undefined;
  }
  // A plan is decided where it was proposed: a click claiming another channel (or platform) is
  // refused, so a plan cannot be approved from a conversation its audience never saw it in.
  const from = ctx.event.conversation;
  if (from.platform !== doc.thread.platform || from.channelId !== doc.thread.channelId) {
    await refuse(ctx, deps, who, `plan.${verb}`, plan.id, `Plan ${plan.id} belongs to another conversation; it can only be decided from its card there. Nothing was done.`);
    return undefined;
  }
  const now = deps.clock.now();
  if (plan.state === 'proposed' && plan.expiresAt.getTime() <= now.getTime()) {
    const expired = await deps.store.transitionPlan(plan.id, ['proposed'], 'expired', {}, now, { at: now, actor: 'system', action: 'plan.expired', subjectId: plan.id, outcome: 'ok', details: {} });
    if (expired) await updateCard(deps, expired, planCard(expired, doc), ctx.adapter);
    await refuse(ctx, deps, who, `plan.${verb}`, plan.id, notProposedReason(expired ?? { ...plan, state: 'expired' }));
    return undefined;
  }
  if (plan.state !== 'proposed') {
    await refuse(ctx, deps, who, `plan.${verb}`, plan.id, notProposedReason(plan));
    return undefined;
  }
  return { who, plan, doc };
}

export function approveHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const loaded = await loadDecidable(ctx, deps, action.recordId, 'approve');
    if (!loaded) return;
    const { who, plan, doc } = loaded;
    if (who === plan.requester) {
      await refuse(ctx, deps, who, 'plan.approve', plan.id, `You proposed plan ${plan.id}: another approver must approve it (two-person rule). Nothing was done.`);
      return;
    }
    if (!deps.approvalKey) {
      await refuse(ctx, deps, who, 'plan.approve', plan.id, 'This deployment cannot sign approvals for relay writes (APPROVAL_SIGNING_KEY is not set); nothing was done.');
      return;
    }
    const now = deps.clock.now();
    const approved = await deps.store.transitionPlan(plan.id, ['proposed'], 'approved', { approver: who }, now, { at: now, actor: who, action: 'plan.approved', subjectId: plan.id, outcome: 'ok', details: { kind: doc.kind } });
    if (!approved) {
      const latest = (await deps.store.getPlan(plan.id)) ?? plan;
      await refuse(ctx, deps, who, 'plan.approve', plan.id, notProposedReason(latest));
      return;
    }
    await ctx.event.ack(textReply(`You approved plan ${plan.id}; ${doc.kind === 'test-migration' ? 'starting the test migration' : 'applying it'} now.`, { ephemeral: true }));
    await updateCard(deps, approved, planCard(approved, doc, resultOf(approved)), ctx.adapter);
    await tellProposer(ctx, deps, approved, doc, `approved by ${mention(ctx.event.actor)}; ${doc.kind === 'test-migration' ? 'the test migration starts' : 'it is being applied'} now`);
    await execute(ctx, deps, approved, doc, who);
  };
}

async function execute(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: PlanDocument, who: string): Promise<void> {
  if (doc.kind === 'delegation-fix') await applyFix(ctx, deps, plan, doc, who);
  else if (doc.kind === 'rollback') await applyRollback(ctx, deps, plan, doc, who);
  else await runTestMigration(ctx, deps, plan, doc, who);
}

export function rejectHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const loaded = await loadDecidable(ctx, deps, action.recordId, 'reject');
    if (!loaded) return;
    const { who, plan, doc } = loaded;
    const now = deps.clock.now();
    const rejected = await deps.store.transitionPlan(plan.id, ['proposed'], 'rejected', { approver: who }, now, { at: now, actor: who, action: 'plan.rejected', subjectId: plan.id, outcome: 'ok', details: {} });
    if (!rejected) {
      const latest = (await deps.store.getPlan(plan.id)) ?? plan;
      await refuse(ctx, deps, who, 'plan.reject', plan.id, notProposedReason(latest));
      return;
    }
    await ctx.event.ack(textReply(`You rejected plan ${plan.id}; nothing was written.`, { ephemeral: true }));
    await updateCard(deps, rejected, planCard(rejected, doc), ctx.adapter);
    await tellProposer(ctx, deps, rejected, doc, `rejected by ${mention(ctx.event.actor)}; nothing was written`);
  };
}

/**
 * The proposer hears of the decision: a new message in the plan's thread that mentions them (an
 * edit of the card notifies nobody). Not being able to post is logged; the decision stands.
 */
async function tellProposer(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: PlanDocument, what: string): Promise<void> {
  try {
    await ctx.adapter.post(doc.thread, { header: `Plan ${plan.id} decided`, verdict: { status: 'info', text: `${doc.proposedBy}: your plan ${plan.id} was ${what}.` } });
  } catch (err) {
    deps.logger.warn('could not tell the proposer of a decision', { plan: plan.id, error: (err as Error).message });
  }
}
