import type { Clock } from '../kernel/clock.js';
import type { HandlerContext } from '../core/context.js';
import type { MessageRef } from '../kernel/refs.js';
import type { ChatAdapter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Reply } from '../core/reply.js';
import { textReply } from '../core/reply.js';
import { tellActor } from '../core/check-flow.js';
import type { RelayClient } from '../relay/relay-client.js';
import type { ActionStore, AuditStore, CheckRunStore, Json, PeopleStore, Plan, PlanStore } from '../store/store.js';
import type { Policy } from './policy-schema.js';
import type { PolicyAuthorizer } from './policy-authorizer.js';

// What the approvals module needs from the running bot, handed over once by the composition
// root (src/app/extensions.ts). Handlers also get the core's HandlerContext for the click itself.

export interface ApprovalsDeps {
  /** Only the aggregates approvals use; the SQL store is one. */
  store: PlanStore & ActionStore & AuditStore & PeopleStore & Pick<CheckRunStore, 'saveCheckRun' | 'getCheckRun'>;
  relay: RelayClient;
  policy: Policy;
  authorizer: PolicyAuthorizer;
  clock: Clock;
  /** Evidence is judged at this instant (the lab scenario's `now` in lab mode); default `clock`. */
  evidenceClock?: Clock;
  logger: Logger;
  /** Signs approval tokens (the relay verifies them); undefined means writes cannot be approved. */
  approvalKey: string | undefined;
  /** PLAN_TTL_MINUTES, unless the policy file sets planTtlMinutes. */
  planTtlMinutes: number;
  eventWindowHours: number;
  /** The running adapters, to edit cards outside a click (expiry, crash recovery). */
  adapters: ChatAdapter[];
  /** This replica as a plan-lease owner (default: host, pid and a random suffix). */
  replicaId?: string;
  /** Time to live of a plan lease; the heartbeat renews it every third (default 30 s). */
  leaseMs?: number;
}

export function ttlMs(deps: ApprovalsDeps): number {
  return (deps.policy.planTtlMinutes ?? deps.planTtlMinutes) * 60_000;
}

/** Appends one audit event; an audit failure is logged loudly but never hides the outcome. */
export async function audit(deps: ApprovalsDeps, actor: string, action: string, subjectId: string | null, outcome: string, details: Json = {}): Promise<void> {
  await deps.store.appendAudit({ at: deps.clock.now(), actor, action, subjectId, outcome, details });
}

/** A refusal: audited, then told to the person who clicked (only they see it). */
export async function refuse(ctx: HandlerContext, deps: ApprovalsDeps, who: string, action: string, subjectId: string | null, reason: string): Promise<void> {
  deps.logger.info('refused', { who, action, subject: subjectId, reason });
  await audit(deps, who, action, subjectId, 'refused', { reason });
  await ctx.event.ack(textReply(reason, { ephemeral: true, status: 'error' }));
}

/** Edits a plan's card in place; a card that cannot be edited is logged, not fatal. */
export async function updateCard(deps: ApprovalsDeps, plan: Plan, reply: Reply, adapter?: ChatAdapter): Promise<void> {
  const ref: MessageRef | null = plan.messageRef;
  if (!ref) return;
  const target = adapter?.platform === ref.conversation.platform ? adapter : deps.adapters.find((a) => a.platform === ref.conversation.platform);
  if (!target) return;
  try {
    await target.update(ref, reply);
  } catch (err) {
    deps.logger.warn('could not update a plan card', { plan: plan.id, error: (err as Error).message });
  }
}

export { tellActor };
