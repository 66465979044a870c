import { EXAMPLES, parseClusterHealth, parseMigrationCheck, type ClusterHealthArgs, type MigrationCheckArgs } from './commands.js';
import type { ActionHandler, CommandHandler, HandlerContext } from './context.js';
import type { CoreExtension } from './registry.js';
import { runCheckFlow } from './check-flow.js';
import { evidenceReply } from './render-evidence.js';
import { textReply, type Reply } from './reply.js';
import { whoamiReply } from './whoami.js';
import { RelayError } from '../relay/protocol.js';
import { saveScenario } from './save-scenario.js';

// The commands and buttons every deployment has, registered like any extension's (registry.ts).
// Approvals and schedules add theirs through CoreDeps.extensions.

/** `help`: each registered command's line, in registration order. */
export function helpReply(lines: string[]): Reply {
  return { header: 'triage-bot: Hyper-V live migration triage', verdict: { status: 'info', text: 'Commands:' }, sections: [{ title: 'Commands', lines: [...lines, 'The same words work after an @mention of the bot.'] }], ephemeral: true };
}

const help: CommandHandler<unknown> = async (ctx) => {
  await ctx.event.ack(helpReply(ctx.table.helpLines));
};

const migrationCheck: CommandHandler<MigrationCheckArgs> = async (ctx, command) => {
  await runCheckFlow(ctx, { nodes: command.nodes, ...(command.initiator ? { initiator: command.initiator } : {}), conversation: ctx.event.conversation });
};

const clusterHealth: CommandHandler<ClusterHealthArgs> = async (ctx, command) => {
  if (!command.cluster) {
    await ctx.event.ack(textReply(`Which cluster? Example: /${EXAMPLES['cluster-health']}`, { ephemeral: true, status: 'error' }));
    return;
  }
  const nodes = await clusterNodes(ctx, command.cluster);
  if (!nodes) return;
  // Read before the check, so "what changed" compares with the run before this one.
  const present = await ctx.table.presentCluster?.(command.cluster);
  await runCheckFlow(ctx, { nodes, cluster: command.cluster, conversation: ctx.event.conversation, ...(present ? { present } : {}) });
};

/** The nodes of a cluster, or undefined after telling the actor why not. */
export async function clusterNodes(ctx: HandlerContext, cluster: string): Promise<string[] | undefined> {
  try {
    const { nodes } = await ctx.deps.relay.call('cluster.nodes', { cluster }, { requester: ctx.event.actor.id });
    if (nodes.length >= 2) return nodes;
    await ctx.event.ack(textReply(`Cluster ${cluster} has ${nodes.length} node(s); live migration needs two.`, { ephemeral: true, status: 'error' }));
  } catch (err) {
    if (!(err instanceof RelayError) || (err.code !== 'NOT_FOUND' && err.code !== 'UNKNOWN_HOST')) throw err;
    await ctx.event.ack(textReply(`Unknown cluster ${cluster}. Example: /${EXAMPLES['cluster-health']}`, { ephemeral: true, status: 'error' }));
  }
  return undefined;
}

/** Loads the check run a button refers to, or tells the actor the button is unknown. */
export async function checkRunFor(ctx: HandlerContext, recordId: string) {
  const record = await ctx.deps.store.getCheckRun(recordId);
  if (!record) {
    await ctx.event.ack(textReply('This button refers to nothing triage-bot knows (unknown or forged id); nothing was done.', { ephemeral: true, status: 'error' }));
  }
  return record;
}

const rerun: ActionHandler = async (ctx, action) => {
  const record = await checkRunFor(ctx, action.recordId);
  if (!record) return;
  await ctx.event.ack(textReply(`Re-running the check on ${record.nodes.join(', ')}…`, { ephemeral: true }));
  const conversation = ctx.event.message?.conversation ?? record.conversation;
  // A cluster's run is re-checked as cluster health (with what changed, when an extension presents it).
  const present = record.cluster ? await ctx.table.presentCluster?.(record.cluster) : undefined;
  await runCheckFlow(ctx, { nodes: record.nodes, ...(record.cluster ? { cluster: record.cluster } : {}), ...(record.initiator ? { initiator: record.initiator } : {}), conversation, acknowledge: false, ...(present ? { present } : {}) });
};

const showEvidence: ActionHandler = async (ctx, action) => {
  const record = await checkRunFor(ctx, action.recordId);
  if (!record) return;
  await ctx.event.ack();
  const conversation = ctx.event.message?.conversation ?? record.conversation;
  await ctx.adapter.post(conversation, evidenceReply(record));
};

export const builtinExtension: CoreExtension = {
  name: 'builtins',
  register(r) {
    r.command({ name: 'help', word: 'help', role: 'viewer', parse: () => ({ ok: true, value: {} }), handle: help });
    r.command({
      name: 'migration-check',
      word: 'migration-check',
      role: 'viewer',
      parse: parseMigrationCheck,
      handle: migrationCheck,
      help: `/${EXAMPLES['migration-check']} [more nodes] [initiator=alice@contoso.com] — check live migration between nodes, in both directions.`,
      example: EXAMPLES['migration-check'],
      suggest: true,
    });
    r.command({
      name: 'cluster-health',
      word: 'cluster-health',
      role: 'viewer',
      parse: (args, { examples }) => parseClusterHealth(args, examples),
      handle: clusterHealth,
      help: `/${EXAMPLES['cluster-health']} — the delegation matrix of a whole cluster, and what changed since the last run.`,
      example: EXAMPLES['cluster-health'],
      suggest: true,
    });
    r.action({ name: 'rerun', role: 'viewer', handle: rerun });
    r.action({ name: 'show-evidence', role: 'viewer', handle: showEvidence });
    r.action({ name: 'save-scenario', role: 'viewer', handle: saveScenario });
  },
};

/** whoami comes last in help: a setup aid, not an incident command. */
export const whoamiExtension: CoreExtension = {
  name: 'whoami',
  register(r) {
    // whoami is answered before the channel gate and the role step (bot-core.ts): anyone,
    // anywhere, only to them. Registered here for its grammar and its help line.
    r.command({
      name: 'whoami',
      word: 'whoami',
      role: 'viewer',
      parse: (args) => (args.length === 0 ? { ok: true, value: {} } : { ok: false, message: 'whoami takes nothing after it: it answers with your own ids.' }),
      handle: async (ctx) => ctx.event.ack(await whoamiReply(ctx)),
      help: `${EXAMPLES.whoami} (after an @mention of the bot in Slack and Teams) — your ids and this channel's, ready to paste into the policy file.`,
      example: EXAMPLES.whoami,
    });
  },
};
