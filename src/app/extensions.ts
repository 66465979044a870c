import type { CoreExtension } from '../core/registry.js';
import { approvalsExtension, startApprovals } from '../approvals/extension.js';
import type { ApprovalsDeps } from '../approvals/approvals-deps.js';
import type { BotPieces } from './start-bot.js';
import { schedulerExtension } from './scheduler-extension.js';
import { identityExtensions } from './identity-extensions.js';
import { alertsExtension } from './alerts-extension.js';
import type { Config } from '../config/load.js';
import type { GroupMention } from '../core/mention.js';

// The modules that add commands, buttons and identity to the core (approvals and fixes,
// schedules, Slack user groups). Each is given the running pieces it needs.
export async function botExtensions(pieces: BotPieces): Promise<CoreExtension[]> {
  const deps: ApprovalsDeps = {
    store: pieces.store,
    relay: pieces.relay,
    policy: pieces.policy,
    authorizer: pieces.authorizer,
    clock: pieces.clock,
    evidenceClock: pieces.evidenceClock,
    logger: pieces.logger,
    // Lab mode signs with the lab relay's fresh key; otherwise the configured one.
    approvalKey: pieces.lab?.approvalKey ?? pieces.config.approvals.signingKey,
    planTtlMinutes: pieces.config.approvals.planTtlMinutes,
    eventWindowHours: pieces.config.eventWindowHours,
    maxDcs: pieces.config.dcEvidenceMax,
    replicationWaitMs: pieces.config.replicationWaitSeconds * 1000,
    adapters: pieces.adapters,
    leaseMs: pieces.config.approvals.leaseSeconds * 1000,
    ...(approverGroups(pieces.config.chat).length ? { approverGroups: approverGroups(pieces.config.chat) } : {}),
  };
  // Settles plans a previous run left in applying/approved before any click is served.
  const approvals = await startApprovals(deps);
  // SIGTERM: once no adapter takes new clicks, applies in flight finish (or are handed off).
  pieces.hooks.drain.push(() => approvals.drain(pieces.config.shutdownDrainMs));
  // Its recovery timer is cleared on shutdown, with the other timers.
  pieces.hooks.beforeStop.push(async () => approvals.stop());
  const scheduler = await schedulerExtension(pieces);
  // Registration order is the order of their lines in `help`.
  return [scheduler, approvalsExtension(deps), ...identityExtensions(pieces.config, pieces.policy, pieces.logger), alertsExtension(pieces)];
}

/** Groups notified on each new plan card: the Slack user group and the Teams tag, when configured. */
function approverGroups(chat: Config['chat']): GroupMention[] {
  return [
    ...(chat.slackApproverGroup ? [{ platform: 'slack' as const, id: chat.slackApproverGroup }] : []),
    ...(chat.teamsApproverTag ? [{ platform: 'teams' as const, id: chat.teamsApproverTag.id, name: chat.teamsApproverTag.name }] : []),
  ];
}
