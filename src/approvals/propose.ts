import type { CheckRunRecord } from '../core/core-store.js';
import type { HandlerContext } from '../core/context.js';
import type { ConversationRef } from '../kernel/refs.js';
import { mention, tellActor } from '../core/check-flow.js';
import { textReply } from '../core/reply.js';
import { diagnose } from '../diagnostics/diagnose.js';
import { delegationBlocks } from '../diagnostics/findings.js';
import { valueOf } from '../diagnostics/facts.js';
import { smbServersOf } from '../diagnostics/smb.js';
import type { Evidence, Outcome } from '../diagnostics/evidence.js';
import { verdictText } from '../core/render-diagnosis.js';
import { isEmptyPlan, PlanError, planRemediation } from '../remediation/plan.js';
import { risksOf } from '../remediation/risks.js';
import { planEffect } from '../remediation/simulate.js';
import { delegationValuesSchema, RelayError, type MigrationSettings, type OpResult } from '../relay/protocol.js';
import type { RemediationPlan } from '../remediation/plan.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit, ttlMs } from './approvals-deps.js';
import { personKeyOf } from './identity.js';
import { planCard } from './plan-card.js';
import type { FixDocument } from './plan-document.js';

// "Propose fix": AD and the migration settings are read again (the check may be minutes old),
// the fix is planned with the policy's mode, its effect judged by the engine, and the diff card
// posted in the thread with Approve / Reject. A plan with nothing to change stores nothing.

interface FreshReads {
  directory: OpResult<'directory.computers'>;
  migration: Record<string, Outcome<MigrationSettings>>;
}

async function readFresh(deps: ApprovalsDeps, nodes: string[], requester: string): Promise<FreshReads> {
  const options = { requester };
  const [directory, ...settings] = await Promise.all([
    deps.relay.call('directory.computers', { names: nodes }, options),
    ...nodes.map((node) =>
      deps.relay.call('host.migration-settings', { node }, options).then(
        (value): Outcome<MigrationSettings> => ({ ok: true, value }),
        (err: unknown): Outcome<MigrationSettings> => ({ ok: false, error: { code: err instanceof RelayError ? err.code : 'INTERNAL', message: (err as Error).message } }),
      ),
    ),
  ]);
  return { directory, migration: Object.fromEntries(nodes.map((n, i) => [n, settings[i]!])) };
}

/** The check's evidence with AD and the migration settings replaced by the fresh reads. */
function freshEvidence(record: CheckRunRecord, fresh: FreshReads, now: Date): Evidence {
  const evidence = structuredClone(record.evidence);
  evidence.collectedAt = now.toISOString();
  evidence.directory.computers = { ok: true, value: fresh.directory };
  for (const node of record.nodes) {
    const host = evidence.hosts[node];
    if (host) host.migration = fresh.migration[node]!;
  }
  return evidence;
}

export async function proposeFix(ctx: HandlerContext, deps: ApprovalsDeps, record: CheckRunRecord, thread: ConversationRef): Promise<void> {
  const who = await personKeyOf(ctx.event.actor, deps);
  await ctx.event.ack(textReply(`Reading AD and the migration settings of ${record.nodes.join(', ')} again to plan the fix…`, { ephemeral: true }));
  let fresh: FreshReads;
  try {
    fresh = await readFresh(deps, record.nodes, ctx.event.actor.id);
  } catch (err) {
    await audit(deps, who, 'plan.propose', record.id, 'failed', { reason: (err as Error).message });
    await tellActor(ctx, thread, textReply(`No plan was made: AD could not be read (${(err as Error).message}).`, { ephemeral: true, status: 'error' }));
    return;
  }
  const now = deps.clock.now();
  const evidence = freshEvidence(record, fresh, (deps.evidenceClock ?? deps.clock).now());
  const before = diagnose(evidence);
  // A fix is offered for what the bot can fix and nothing else: never a delegation write for a
  // verdict blocked by logon rights, network, DNS or the initiator (a stale button included).
  if (!before.verdict.fixable) {
    await audit(deps, who, 'plan.propose', record.id, 'refused', { reason: 'not fixable', verdict: before.verdict.status, rootCauses: before.verdict.rootCauses });
    const text = before.verdict.manualCauses.length
      ? `No plan was made: on a fresh read of AD, it is blocked by ${before.verdict.manualCauses.join(', ')}, which a person must fix. The bot changes no delegation for that.`
      : `Nothing to change: on a fresh read of AD and the migration settings of ${record.nodes.join(', ')}, nothing the bot can fix blocks a direction (verdict ${before.verdict.status}). No plan was stored.`;
    await tellActor(ctx, thread, textReply(text, { ephemeral: true }));
    return;
  }
  const migration = Object.fromEntries(Object.entries(fresh.migration).map(([n, o]) => [n, o.ok ? o.value : undefined]));
  let remediation;
  try {
    remediation = planRemediation({
      nodes: record.nodes,
      domainFqdn: fresh.directory.domain.fqdn,
      computers: fresh.directory.computers,
      migration,
      mode: deps.policy.remediation.mode,
      includeCifs: deps.policy.remediation.includeCifs,
      writeDelegation: delegationBlocks(before),
      // VM storage as the check read it (host.vms is not re-read: storage paths do not change with AD).
      smbServers: Object.fromEntries(record.nodes.map((n) => [n, smbServersOf(valueOf(record.evidence.hosts[n]?.vms)?.vms, fresh.directory.domain.fqdn)])),
    });
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    await tellActor(ctx, thread, textReply(`No plan was made: ${err.message}.`, { ephemeral: true, status: 'error' }));
    return;
  }
  if (isEmptyPlan(remediation)) {
    await tellActor(ctx, thread, textReply(`Nothing to change: AD and the migration settings of ${record.nodes.join(', ')} already hold everything the fix would set. No plan was stored.`, { ephemeral: true }));
    return;
  }
  const uncarried = valuesTheRelayCannotCarry(remediation);
  if (uncarried) {
    await tellActor(ctx, thread, textReply(`No plan was made: ${uncarried}`, { ephemeral: true, status: 'error' }));
    return;
  }
  const effect = planEffect(before, evidence, remediation);
  const doc: FixDocument = {
    kind: 'delegation-fix',
    proposedBy: mention(ctx.event.actor),
    thread,
    remediation,
    before: { status: before.verdict.status, text: verdictText(before) },
    unblocks: effect.unblocks,
    stillBlocked: effect.stillBlocked,
    risks: risksOf(remediation),
  };
  const expected = { delegation: remediation.delegation.map((c) => ({ computer: c.computer, ...c.expected })), migrationAuth: remediation.migrationAuth.map((a) => ({ node: a.node, authenticationType: a.expected })) };
  const plan = await deps.store.createPlan(
    { kind: doc.kind, checkRunId: record.id, cluster: record.cluster ?? null, requester: who, plan: doc, expected, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs(deps)) },
    { at: now, actor: who, action: 'plan.proposed', subjectId: null, outcome: 'ok', details: { checkRunId: record.id, nodes: record.nodes, computers: remediation.delegation.map((c) => ({ computer: c.computer, add: c.add, uac: [c.expected.userAccountControl, c.desired.userAccountControl] })), migrationAuth: remediation.migrationAuth } },
  );
  const posted = await ctx.adapter.post(thread, planCard(plan, doc));
  await deps.store.setPlanMessage(plan.id, posted, deps.clock.now());
}

/**
 * The compare-and-swap sends every current value back to the relay, whose protocol carries any
 * well-formed SPN (HTTP/…, MSSQLSvc/…:1433) but nothing malformed; such a computer cannot be
 * fixed by the bot. Said at proposal time, not after someone approved.
 */
function valuesTheRelayCannotCarry(plan: RemediationPlan): string | undefined {
  for (const change of plan.delegation) {
    const parsed = delegationValuesSchema.safeParse(change.expected);
    if (parsed.success) continue;
    const index = parsed.error.issues[0]?.path[1];
    const value = typeof index === 'number' ? change.expected.allowedToDelegateTo[index] : undefined;
    return `${change.computer} delegates to ${value ? `"${value}"` : 'a value'} which is not a well-formed SPN the relay protocol can carry, so the bot cannot compare-and-swap its delegation. Change it by hand (docs/domain.md "The fix").`;
  }
  return undefined;
}
