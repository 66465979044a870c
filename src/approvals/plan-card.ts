import { dateText } from '../core/mention.js';
import type { Reply, ReplyButton, ReplySection } from '../core/reply.js';
import { authDiff, delegationDiff } from '../remediation/describe.js';
import { powershellEquivalent } from '../remediation/powershell.js';
import type { Plan } from '../store/store.js';
import type { PlanDocument, PlanResult, TestMigrationDocument } from './plan-document.js';
import { personLabel } from './identity.js';
import { moveText } from './test-migration-mode.js';

// The plan card: one message per plan, edited in place as the plan moves through its states.
// Buttons carry only the plan id; what they do is decided from the stored plan at click time.

type Status = NonNullable<Reply['verdict']>['status'];

const arrow = (p: { from: string; to: string }) => `${p.from} → ${p.to}`;
// A moment is a date element (src/core/mention.ts): Slack shows it in each reader's time zone, the
// other surfaces as "2026-11-20 09:00 UTC".
const time = (d: Date) => dateText(d.toISOString());

function title(plan: Plan, doc: PlanDocument): string {
  if (doc.kind === 'test-migration') return `Test migration ${plan.id} · ${doc.vm}: ${doc.source} → ${doc.destination}`;
  if (doc.kind === 'rollback') return `Rollback ${plan.id} of fix ${doc.of} · ${doc.remediation.nodes.join(', ')}`;
  return `Fix plan ${plan.id} · ${doc.remediation.nodes.join(', ')}`;
}

function stateLine(plan: Plan, doc: PlanDocument, result: PlanResult | undefined): { status: Status; text: string } {
  const who = plan.approver ? ` by ${personLabel(plan.approver)}` : '';
  switch (plan.state) {
    case 'proposed':
      return { status: 'awaiting', text: `Proposed by ${doc.proposedBy}. Needs an approver other than the proposer before ${time(plan.expiresAt)}.` };
    case 'approved':
    case 'applying':
      return { status: 'pending', text: `Approved${who}; ${doc.kind === 'test-migration' ? 'migrating' : 'applying'}…${result?.note ? ` ${result.note}` : ''}` };
    case 'applied':
      if (doc.kind === 'test-migration') {
        const ok = result?.test?.succeeded === true;
        return { status: ok ? 'healthy' : 'blocked', text: `Approved${who}. ${result?.test?.message ?? ''}`.trim() };
      }
      if (doc.kind === 'rollback') {
        // A rollback that worked restored the values from before the fix: the re-check may well be
        // blocked again (that is what was rolled back to), but the rollback itself is not "Blocked".
        return { status: 'info', text: `Rolled back (approved${who}): the values from before fix ${doc.of} are restored.${result?.after ? ` Re-check: ${result.after.text}` : ''}${result?.note ? ` ${result.note}` : ''}` };
      }
      return { status: (result?.after?.status as Status | undefined) ?? 'info', text: `Applied (approved${who}).${result?.after ? ` Re-check: ${result.after.text}` : ''}${result?.note ? ` ${result.note}` : ''}` };
    case 'rolling_back':
      return { status: 'pending', text: `Applied (approved${who}); a rollback (${result?.rollbackId ?? 'pending'}) is under way.` };
    case 'rolled_back':
      return { status: 'info', text: `Rolled back by ${result?.rollbackId ?? 'a rollback plan'}: the values from before the fix are restored.` };
    case 'failed':
      return { status: 'error', text: `Failed${who ? ` (approved${who})` : ''}: ${result?.note ?? 'see the steps below'}` };
    case 'rejected':
      return { status: 'info', text: `Rejected${who}. Nothing was written.` };
    case 'expired':
      return { status: 'info', text: `Expired at ${time(plan.expiresAt)} without approval. Nothing was written.` };
  }
}

function changeSections(doc: PlanDocument): ReplySection[] {
  if (doc.kind === 'test-migration') return [];
  const sections: ReplySection[] = delegationDiff(doc.remediation).map((d) => ({ title: `${d.computer}: before → after`, lines: d.lines.length ? d.lines : ['no delegation change'] }));
  const auth = authDiff(doc.remediation);
  if (auth.length) sections.push({ title: 'Live migration authentication', lines: auth });
  if (doc.kind === 'delegation-fix') {
    const lines = [`Unblocks: ${doc.unblocks.map(arrow).join(', ') || 'no direction'}`];
    if (doc.stillBlocked.length) lines.push(`Stays blocked: ${doc.stillBlocked.map((d) => `${arrow(d)} (${d.blockedBy.join(', ')})`).join('; ')}`);
    sections.push({ title: 'Effect (judged by the diagnostics engine)', lines });
  }
  const ps = powershellEquivalent(doc.remediation);
  // The same change by hand, for the change ticket; indented so every renderer shows it as detail.
  if (ps.length) sections.push({ title: 'PowerShell equivalent (for the change ticket; the bot applies it through the relay)', lines: ps.map((l) => `    ${l}`) });
  sections.push({ title: 'Risks', severity: 'warning', lines: doc.risks });
  return sections;
}

function resultSections(result: PlanResult | undefined, doc: PlanDocument): ReplySection[] {
  if (!result) return [];
  const sections: ReplySection[] = [];
  if (result.steps.length) {
    sections.push({ title: 'Steps', lines: result.steps.map(stepLine) });
  }
  if (result.current) sections.push({ title: 'What AD holds now', severity: 'error', lines: currentLines(result.current) });
  if (doc.kind === 'test-migration' && result.test) {
    const events = result.test.events.map((e) => `${e.time} ${e.log} ${e.id}: ${e.message.split('\n')[0]}`);
    sections.push({ title: `Events raised (${result.test.events.length})`, lines: events.length ? events : ['none'] });
  }
  return sections;
}

const MARK: Record<PlanResult['steps'][number]['outcome'], string> = { ok: '✓', failed: '✗', skipped: '–', 'not-run': '–', unknown: '?' };

/** "✓ host.set-migration-auth HV04 (verified)", "? … (no answer recorded)", "– … (not run)". */
function stepLine(s: PlanResult['steps'][number]): string {
  const notes: string[] = [];
  if (s.outcome === 'ok' && s.verified === true) notes.push('verified');
  if (s.outcome === 'ok' && s.verified === false) notes.push('NOT verified');
  if (s.outcome === 'not-run') notes.push('not run');
  if (s.outcome === 'unknown') notes.push('no answer recorded');
  if (s.attempts !== undefined && s.attempts > 1) notes.push(`${s.attempts} attempts`);
  return `${MARK[s.outcome]} ${s.op} ${s.target}${notes.length ? ` (${notes.join(', ')})` : ''}${s.message ? `: ${s.message}` : ''}`;
}

function currentLines(current: unknown): string[] {
  if (!Array.isArray(current)) return [JSON.stringify(current)];
  return current.map((c: { computer?: string; userAccountControl?: number; allowedToDelegateTo?: string[] }) =>
    `${c.computer ?? '?'}: userAccountControl ${c.userAccountControl !== undefined ? `0x${c.userAccountControl.toString(16).toUpperCase()}` : '?'}, ${c.allowedToDelegateTo?.length ?? 0} msDS-AllowedToDelegateTo values`,
  );
}

/** What approving does, in one sentence for the confirmation (Approve applies at once). */
function approveConfirm(plan: Plan, doc: PlanDocument): NonNullable<ReplyButton['confirm']> {
  if (doc.kind === 'test-migration') {
    return { title: 'Start the test migration?', text: `Approving plan ${plan.id} live-migrates ${doc.vm} from ${doc.source} to ${doc.destination} now.`, yes: 'Approve and migrate', no: 'Cancel' };
  }
  const what = doc.kind === 'rollback' ? `restores the values from before fix ${doc.of}` : 'writes the changes shown';
  return { title: `Approve plan ${plan.id}?`, text: `Approving ${what} on ${doc.remediation.nodes.join(', ')} through the relay at once, then re-checks.`, yes: 'Approve and apply', no: 'Cancel' };
}

function buttons(plan: Plan, doc: PlanDocument, result?: PlanResult): ReplyButton[] {
  const id = plan.id;
  // Issue 19: the write is in AD but the DCs had not all replicated it; the purge was held back.
  if (plan.state === 'failed' && doc.kind === 'delegation-fix' && result?.outcome === 'replication-pending') {
    const confirm = { title: `Purge tickets on ${doc.remediation.purgeTickets.join(', ')}?`, text: 'Purging before every DC carries the new delegation lets a node fetch tickets under the old values again. Go on once replication has finished.', yes: 'Purge and re-check', no: 'Cancel' };
    return [{ action: 'purge-recheck', label: 'Purge and re-check now', recordId: id, style: 'primary', confirm }];
  }
  if (plan.state === 'proposed') return [{ action: 'approve', label: 'Approve', recordId: id, style: 'primary', confirm: approveConfirm(plan, doc) }, { action: 'reject', label: 'Reject', recordId: id, style: 'danger' }];
  if (plan.state === 'applied' && doc.kind === 'delegation-fix') {
    const confirm = { title: `Roll back fix ${id}?`, text: `This proposes a rollback plan restoring the values from before the fix on ${doc.remediation.nodes.join(', ')}; a second approver must approve it.`, yes: 'Propose rollback', no: 'Cancel' };
    return [{ action: 'rollback', label: 'Roll back', recordId: id, style: 'danger', confirm }];
  }
  if (plan.state === 'failed' && doc.kind === 'delegation-fix') return [{ action: 'refresh-plan', label: 'Refresh plan', recordId: id, style: 'primary' }];
  return [];
}

/** The state as people read it: a test migration that did not succeed is not "applied". */
function stateLabel(plan: Plan, doc: PlanDocument, result: PlanResult | undefined): string {
  if (doc.kind === 'test-migration' && plan.state === 'applied') return result?.test?.succeeded === true ? 'migrated' : 'test migration failed';
  if (plan.state === 'proposed') return 'awaiting approval';
  return plan.state.replace(/_/g, ' ');
}

export function planCard(plan: Plan, doc: PlanDocument, result?: PlanResult): Reply {
  const facts = [
    { label: 'Plan', value: plan.id },
    { label: 'State', value: stateLabel(plan, doc, result) },
    { label: 'Proposed by', value: doc.proposedBy },
    // Only an undecided plan can expire; a decided one shows no deadline.
    ...(plan.state === 'proposed' ? [{ label: 'Expires', value: time(plan.expiresAt) }] : []),
  ];
  if (doc.kind === 'delegation-fix') facts.push({ label: 'Before', value: doc.before.text });
  if (doc.kind !== 'test-migration') facts.push({ label: 'Mode', value: doc.remediation.mode === 'kcd' ? 'constrained delegation (KCD), any authentication protocol' : 'resource-based constrained delegation (RBCD)' });
  if (doc.kind === 'test-migration') facts.push(...testFacts(doc));
  return {
    header: title(plan, doc),
    verdict: stateLine(plan, doc, result),
    facts,
    sections: [...changeSections(doc), ...resultSections(result, doc)],
    buttons: buttons(plan, doc, result),
    context: [`audit ${plan.id} shows every decision on this plan.`],
  };
}

function testFacts(doc: TestMigrationDocument): Array<{ label: string; value: string }> {
  return [
    { label: 'VM', value: doc.vm },
    { label: 'Direction', value: `${doc.source} → ${doc.destination}` },
    // Issue 19: which kind of move the approver is allowing (a plan from before has no mode).
    ...(doc.mode ? [{ label: 'Move', value: moveText(doc, doc.mode) }] : []),
  ];
}
