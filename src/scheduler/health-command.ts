import type { Command } from '../core/commands.js';
import { EXAMPLES } from '../core/commands.js';
import type { ActionHandler, CommandHandler } from '../core/context.js';
import { checkRunFor, clusterNodes } from '../core/builtin-handlers.js';
import { runCheckFlow, type CheckRequest } from '../core/check-flow.js';
import type { Logger } from '../core/logger.js';
import { textReply } from '../core/reply.js';
import type { Store } from '../store/store.js';
import { diffRuns } from './health-diff.js';
import { changeSummary, healthReply } from './health-reply.js';
import { previousRun, type PreviousRun } from './previous-run.js';

// `/cluster-health <cluster>` on demand, and Re-run on a cluster's result: the same check flow
// as a migration check (progress in a parent message, the result in its thread), presented as
// cluster health with what changed since the cluster's previous run, whoever or whatever ran it.

function presenter(cluster: string, previous: PreviousRun | null): NonNullable<CheckRequest['present']> {
  return (diagnosis, recordId, context) => {
    const diff = diffRuns(previous?.snapshot ?? null, diagnosis);
    const previousAt = previous ? { previousAt: previous.at } : {};
    return { result: healthReply(diagnosis, diff, { cluster, recordId, context, ...previousAt }), summary: changeSummary(diff, previous?.at) };
  };
}

export function clusterHealthCommand(store: Store, logger: Logger): CommandHandler<Extract<Command, { name: 'cluster-health' }>> {
  return async (ctx, command) => {
    if (!command.cluster) {
      await ctx.event.ack(textReply(`Which cluster? Example: /${EXAMPLES['cluster-health']}`, { ephemeral: true, status: 'error' }));
      return;
    }
    const cluster = command.cluster;
    const nodes = await clusterNodes(ctx, cluster);
    if (!nodes) return;
    const previous = await previousRun(store, cluster, logger);
    await runCheckFlow(ctx, { nodes, cluster, conversation: ctx.event.conversation, present: presenter(cluster, previous) });
  };
}

/** Re-run: a cluster's run is re-checked as cluster health (with what changed); others as before. */
export function rerunAction(store: Store, logger: Logger): ActionHandler {
  return async (ctx, action) => {
    const record = await checkRunFor(ctx, action.recordId);
    if (!record) return;
    await ctx.event.ack(textReply(`Re-running the check on ${record.nodes.join(', ')}…`, { ephemeral: true }));
    const conversation = ctx.event.message?.conversation ?? record.conversation;
    const base: CheckRequest = { nodes: record.nodes, conversation, acknowledge: false, ...(record.initiator ? { initiator: record.initiator } : {}) };
    if (!record.cluster) {
      await runCheckFlow(ctx, base);
      return;
    }
    const previous = await previousRun(store, record.cluster, logger);
    await runCheckFlow(ctx, { ...base, cluster: record.cluster, present: presenter(record.cluster, previous) });
  };
}
