import type { ActionHandler } from '../core/context.js';
import { mention } from '../core/check-flow.js';
import { diagnosisReply } from '../core/render-diagnosis.js';
import { textReply } from '../core/reply.js';
import { runCheck } from '../diagnostics/run-check.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit, refuse } from './approvals-deps.js';
import { personKeyOf } from './identity.js';
import { documentOf, resultOf } from './plan-document.js';
import { callWrite } from './write-remediation.js';

// "Purge and re-check now" (issue 19): offered on a fix whose write is in AD but whose wait for
// the DCs ran out, so its ticket purges were held back. An operator decides replication has
// finished (or accepts that it has not): the bot purges the planned nodes' machine tickets, under
// the plan's approval and with an audit record per node, then re-checks and posts it in the thread.

export function purgeRecheckHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const who = await personKeyOf(ctx.event.actor, deps);
    // The operator role is enforced (and a refusal audited) by the core's chain (extension.ts).
    const plan = await deps.store.getPlan(action.recordId);
    const doc = plan ? documentOf(plan) : undefined;
    const result = plan ? resultOf(plan) : undefined;
    if (!plan || doc?.kind !== 'delegation-fix' || plan.state !== 'failed' || result?.outcome !== 'replication-pending') {
      return refuse(ctx, deps, who, 'plan.purge-recheck', action.recordId.slice(0, 64), 'This button refers to no fix waiting for replication (unknown or forged id, or already settled); nothing was done.');
    }
    await ctx.event.ack(textReply(`Purging the machine tickets on ${doc.remediation.purgeTickets.join(', ')} and re-checking…`, { ephemeral: true, status: 'info' }));
    const outcomes: string[] = [];
    for (const node of doc.remediation.purgeTickets) {
      try {
        await callWrite(deps, plan, 'host.purge-tickets', { node }, who);
        await audit(deps, who, 'relay.purge-tickets', plan.id, 'ok', { target: node, by: 'purge-recheck' });
        outcomes.push(`✓ ${node}`);
      } catch (err) {
        await audit(deps, who, 'relay.purge-tickets', plan.id, 'failed', { target: node, by: 'purge-recheck', message: (err as Error).message });
        outcomes.push(`✗ ${node}: ${(err as Error).message}`);
      }
    }
    const nodes = doc.remediation.nodes;
    const { diagnosis, evidence } = await runCheck(deps.relay, nodes, { clock: deps.clock, eventWindowHours: deps.eventWindowHours, requester: who, ...(deps.maxDcs !== undefined ? { maxDcs: deps.maxDcs } : {}) });
    const record = await ctx.deps.store.saveCheckRun({ nodes, requesterId: who, conversation: doc.thread, createdAt: deps.clock.now().toISOString(), diagnosis, evidence });
    await audit(deps, who, 'plan.purge-recheck', plan.id, 'ok', { purged: outcomes, after: diagnosis.verdict.status });
    await ctx.adapter.post(
      doc.thread,
      diagnosisReply(diagnosis, { title: `Re-check after purging tickets · fix ${plan.id} · ${nodes.join(', ')}`, recordId: record.id, context: [`Purge and re-check by ${mention(ctx.event.actor)}: ${outcomes.join('; ')}`] }),
    );
  };
}
