import type { Platform } from '../kernel/platform.js';
import type { Command } from './commands.js';
import { EXAMPLES } from './commands.js';
import type { ActionHandler, CommandHandler, HandlerContext } from './context.js';
import type { Role } from './authorizer.js';
import { runCheckFlow } from './check-flow.js';
import { evidenceReply } from './render-evidence.js';
import { textReply, type Reply } from './reply.js';
import { RelayError } from '../relay/protocol.js';

// The commands and buttons every deployment has. Approvals and schedules add theirs through
// CoreDeps.extensions.

/** Commands Slack offers as slash commands (manifests/slack/manifest.yml); the rest go after an @mention. */
const SLACK_SLASH = new Set(['migration-check', 'cluster-health']);

/**
 * The commands as this platform takes them: Slack's slash commands are only those in its
 * manifest, Teams has none (every command follows @triage-bot), the console takes /words.
 */
export function helpLines(platform: Platform): string[] {
  const form = (name: keyof typeof EXAMPLES): string => {
    const slash = platform === 'web' || platform === 'cli' || (platform === 'slack' && SLACK_SLASH.has(EXAMPLES[name].split(' ')[0]!));
    return slash ? `/${EXAMPLES[name]}` : `@triage-bot ${EXAMPLES[name]}`;
  };
  return [
    `${form('migration-check')} [more nodes] [initiator=alice@contoso.com] — check live migration between nodes, in both directions.`,
    `${form('cluster-health')} — the delegation matrix of a whole cluster, and what changed since the last run.`,
    `${form('schedule')} — a scheduled health post in this channel (schedules, unschedule <id>).`,
    `${form('audit')} — the audit trail of a fix.`,
    ...(platform === 'slack' ? ['The slash commands work after an @mention of the bot too.'] : []),
  ];
}

export function helpReply(platform: Platform = 'web'): Reply {
  return { header: 'triage-bot: Hyper-V live migration triage', verdict: { status: 'info', text: 'Commands:' }, sections: [{ title: 'Commands', lines: helpLines(platform) }], ephemeral: true };
}

const help: CommandHandler<Extract<Command, { name: 'help' }>> = async (ctx) => {
  await ctx.event.ack(helpReply(ctx.event.actor.platform));
};

const migrationCheck: CommandHandler<Extract<Command, { name: 'migration-check' }>> = async (ctx, command) => {
  await runCheckFlow(ctx, { nodes: command.nodes, ...(command.initiator ? { initiator: command.initiator } : {}), conversation: ctx.event.conversation });
};

const clusterHealth: CommandHandler<Extract<Command, { name: 'cluster-health' }>> = async (ctx, command) => {
  if (!command.cluster) {
    await ctx.event.ack(textReply(`Which cluster? Example: /${EXAMPLES['cluster-health']}`, { ephemeral: true, status: 'error' }));
    return;
  }
  const nodes = await clusterNodes(ctx, command.cluster);
  if (!nodes) return;
  await runCheckFlow(ctx, { nodes, cluster: command.cluster, conversation: ctx.event.conversation });
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
  await runCheckFlow(ctx, { nodes: record.nodes, ...(record.cluster ? { cluster: record.cluster } : {}), ...(record.initiator ? { initiator: record.initiator } : {}), conversation, acknowledge: false });
};

const showEvidence: ActionHandler = async (ctx, action) => {
  const record = await checkRunFor(ctx, action.recordId);
  if (!record) return;
  await ctx.event.ack();
  const conversation = ctx.event.message?.conversation ?? record.conversation;
  await ctx.adapter.post(conversation, evidenceReply(record));
};

export const builtinCommands: Record<string, { role: Role; handle: CommandHandler<never> }> = {
  help: { role: 'viewer', handle: help as CommandHandler<never> },
  'migration-check': { role: 'viewer', handle: migrationCheck as CommandHandler<never> },
  'cluster-health': { role: 'viewer', handle: clusterHealth as CommandHandler<never> },
};

export const builtinActions: Record<string, { role: Role; handle: ActionHandler }> = {
  rerun: { role: 'viewer', handle: rerun },
  'show-evidence': { role: 'viewer', handle: showEvidence },
};

