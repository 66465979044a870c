import { describe, expect, it } from 'vitest';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { renderCards } from '../../../adapters/teams/render.js';
import { planCard } from '../../../src/approvals/plan-card.js';
import type { FixDocument } from '../../../src/approvals/plan-document.js';
import type { Plan } from '../../../src/store/store.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';

// Approve and Roll back ask first: a Slack confirm dialog on the button, a confirmation card in
// Teams whose "yes" is the only thing that sends the click. Reject, which writes nothing, does not.

const doc: FixDocument = {
  kind: 'delegation-fix',
  proposedBy: 'Olivia',
  thread: { platform: 'slack', channelId: 'C1', threadId: '1700000001.000100' },
  remediation: { mode: 'kcd', nodes: ['HV01', 'HV02'], domainFqdn: 'lab.test', delegation: [], migrationAuth: [{ node: 'HV02', expected: 'CredSSP', desired: 'Kerberos' }], purgeTickets: ['HV01', 'HV02'] },
  before: { status: 'blocked', text: 'Blocked' },
  unblocks: [],
  stillBlocked: [],
  risks: ['r'],
};
const plan = (state: Plan['state']): Plan => ({ id: 'pl_abc', state, kind: 'delegation-fix', checkRunId: null, cluster: null, requester: 'person:olivia', plan: doc, expected: null, createdAt: new Date(0), expiresAt: new Date('2026-11-20T09:30:00Z'), snapshot: null, result: null, approver: null, rollbackRequester: null, rollbackApprover: null, messageRef: null, updatedAt: new Date(0), decidedAt: null, appliedAt: null, rolledBackAt: null, version: 1 }) as unknown as Plan;

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const buttonsOf = (blocks: unknown[]): Loose[] => (blocks as Loose[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements);

describe('confirmation before a write', () => {
  it('Slack: Approve and Roll back carry a confirm object; Reject does not', () => {
    const proposed = buttonsOf(renderBlocks(planCard(plan('proposed'), doc)).blocks);
    const approve = proposed.find((b) => b.action_id.includes('approve'))!;
    expect(approve.confirm).toEqual({
      title: { type: 'plain_text', text: 'Approve plan pl_abc?', emoji: true },
      text: { type: 'plain_text', text: 'Approving writes the changes shown on HV01, HV02 through the relay at once, then re-checks.', emoji: true },
      confirm: { type: 'plain_text', text: 'Approve and apply', emoji: true },
      deny: { type: 'plain_text', text: 'Cancel', emoji: true },
    });
    expect(proposed.find((b) => b.action_id.includes('reject'))!.confirm).toBeUndefined();
    const rollback = buttonsOf(renderBlocks(planCard(plan('applied'), doc)).blocks).find((b) => b.action_id.includes('rollback'))!;
    expect(rollback.confirm.title.text).toBe('Roll back fix pl_abc?');
    expect(rollback.confirm.style).toBe('danger');
  });

  it('Teams: Approve opens a confirmation card whose yes sends the approve invoke', () => {
    const [card] = renderCards(planCard(plan('proposed'), doc));
    const actions = card!.actions as Loose[];
    const approve = actions.find((a) => a.title === 'Approve')!;
    expect(approve.type).toBe('Action.ShowCard');
    expect(approve.card.actions).toEqual([{ type: 'Action.Execute', title: 'Approve and apply', verb: 'approve', data: { recordId: 'pl_abc' }, style: 'positive' }]);
    expect(actions.find((a) => a.title === 'Reject')!.type).toBe('Action.Execute');
    expect(cardProblems(card)).toEqual([]);
  });
});
