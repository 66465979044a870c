import { fail } from '../core/commands.js';
import type { CommandHandler } from '../core/context.js';
import type { Parsed } from '../core/registry.js';
import { textReply, type Reply } from '../core/reply.js';
import type { AuditEvent, Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { resultOf } from './plan-document.js';

// `audit <plan id>`: every proposal, decision, refusal, write and rollback about a plan, oldest
// first, with who, when, what and the outcome (and those of its rollback).

const DETAIL_CHARS = 160;
export const AUDIT_EXAMPLE = 'audit pl_4f2a9c';

export function parseAudit(args: string[]): Parsed<{ planId: string }> {
  return args.length === 1 && /^[A-Za-z0-9_-]{1,64}$/.test(args[0]!) ? { ok: true, value: { planId: args[0]! } } : fail(`audit takes one plan id. Example: ${AUDIT_EXAMPLE}`);
}

function detailText(details: unknown): string {
  if (details === null || details === undefined) return '';
  const text = JSON.stringify(details);
  if (text === '{}') return '';
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS - 1)}…` : text;
}

export function auditLine(e: AuditEvent): string {
  const details = detailText(e.details);
  return `${e.at.toISOString().replace('T', ' ').slice(0, 19)} · ${e.actor} · ${e.action}${e.subjectId ? ` (${e.subjectId})` : ''} · ${e.outcome}${details ? ` · ${details}` : ''}`;
}

export function auditReply(planId: string, plan: Plan | null, events: AuditEvent[]): Reply {
  const facts = plan
    ? [
        { label: 'Kind', value: plan.kind },
        { label: 'State', value: plan.state },
        { label: 'Requested by', value: plan.requester },
        { label: 'Decided by', value: plan.approver ?? '—' },
      ]
    : [];
  return {
    header: `Audit · ${planId}`,
    verdict: { status: 'info', text: `${events.length} event${events.length === 1 ? '' : 's'}, oldest first.` },
    facts,
    sections: [{ title: 'Events', lines: events.map(auditLine) }],
    // Whole details, for events whose line was shortened.
    attachments: [{ filename: `audit-${planId}.json`, mimeType: 'application/json', content: JSON.stringify(events, null, 2) }],
  };
}

export function auditCommand(deps: ApprovalsDeps): CommandHandler<{ planId: string }> {
  return async (ctx, command) => {
    const plan = await deps.store.getPlan(command.planId);
    const events = await deps.store.listAudit({ subjectId: command.planId });
    const rollbackId = plan ? resultOf(plan)?.rollbackId : undefined;
    if (rollbackId) events.push(...(await deps.store.listAudit({ subjectId: rollbackId })));
    events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
    if (!plan && events.length === 0) {
      await ctx.event.ack(textReply(`No plan ${command.planId} and no audit events about it.`, { ephemeral: true, status: 'error' }));
      return;
    }
    await ctx.event.ack();
    await ctx.adapter.post(ctx.event.conversation, auditReply(command.planId, plan, events));
  };
}
