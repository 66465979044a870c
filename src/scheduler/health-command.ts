import type { Command } from '../core/commands.js';
import { EXAMPLES } from '../core/commands.js';
import type { CommandHandler } from '../core/context.js';
import { clusterNodes } from '../core/builtin-handlers.js';
import { runCheckFlow } from '../core/check-flow.js';
import type { Logger } from '../core/logger.js';
import { textReply } from '../core/reply.js';
import type { Store } from '../store/store.js';
import { diffRuns } from './health-diff.js';
import { changeSummary, healthReply } from './health-reply.js';
import { previousRun } from './previous-run.js';

// `/cluster-health <cluster>` on demand: the same check flow as a migration check (progress in
// a parent message, the result in its thread), presented as cluster health with what changed
// since the cluster's previous run, whoever or whatever ran it.

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
    await runCheckFlow(ctx, {
      nodes,
      cluster,
      conversation: ctx.event.conversation,
      present: (diagnosis, recordId, context) => {
        const diff = diffRuns(previous?.snapshot ?? null, diagnosis);
        const previousAt = previous ? { previousAt: previous.at } : {};
        return { result: healthReply(diagnosis, diff, { cluster, recordId, context, ...previousAt }), summary: changeSummary(diff, previous?.at) };
      },
    });
  };
}
