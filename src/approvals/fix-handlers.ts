import type { ActionHandler } from '../core/context.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { refuse } from './approvals-deps.js';
import { personKeyOf } from './identity.js';
import { documentOf } from './plan-document.js';
import { proposeFix } from './propose.js';

// The buttons that make a fix plan: Propose fix (on a check result, carrying its check-run id)
// and Refresh plan (on a failed plan, carrying the plan id: plan again from fresh reads). Both
// need the operator role, declared where they are registered (extension.ts).

export function proposeFixHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const who = await personKeyOf(ctx.event.actor, deps);
    const record = await ctx.deps.store.getCheckRun(action.recordId);
    if (!record) return refuse(ctx, deps, who, 'plan.propose', action.recordId.slice(0, 64), 'This button refers to no check triage-bot knows (unknown or forged id); nothing was done.');
    await proposeFix(ctx, deps, record, ctx.event.message?.conversation ?? record.conversation);
  };
}

export function refreshPlanHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const who = await personKeyOf(ctx.event.actor, deps);
    const plan = await deps.store.getPlan(action.recordId);
    const doc = plan ? documentOf(plan) : undefined;
    const record = plan?.checkRunId ? await ctx.deps.store.getCheckRun(plan.checkRunId) : undefined;
    if (!plan || doc?.kind !== 'delegation-fix' || !record) {
      return refuse(ctx, deps, who, 'plan.refresh', action.recordId.slice(0, 64), 'This button refers to no fix plan triage-bot knows (unknown or forged id); nothing was done.');
    }
    await proposeFix(ctx, deps, record, doc.thread);
  };
}
