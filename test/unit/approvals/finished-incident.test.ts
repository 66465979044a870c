import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishedParent, parentOf } from '../../../src/approvals/finished-parent.js';
import { planCard } from '../../../src/approvals/plan-card.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { withPlainMentions } from '../../../src/core/mention.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

// A finished incident looks finished: the parent message in the channel says "Fixed: … by …,
// approved by …, re-check healthy" (or "Rolled back: …"), approvers are notified on the plan,
// the proposer hears of the decision, and the card's words match the plan's state.

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let flow: Flow;

beforeEach(async () => {
  ({ flow } = await startLabFlow());
  flow.deps.approverGroups = [{ platform: 'slack', id: 'S0APPROVERS' }];
});
afterEach(async () => flow.close());

const parent = () => flow.chat.messages.find((m) => m.reply.header === `Live migration check · ${NODES.join(', ')}` && m.conversation.threadId === m.id)!;

describe('the parent of a finished incident', () => {
  const doc = { kind: 'delegation-fix' as const, proposedBy: 'Olivia', thread: { platform: 'web' as const, channelId: 'c', threadId: 'm1' }, remediation: { mode: 'kcd' as const, nodes: ['HV01', 'HV02'], domainFqdn: 'lab.test', delegation: [], migrationAuth: [], purgeTickets: [] }, before: { status: 'blocked', text: '' }, unblocks: [], stillBlocked: [], risks: [] };
  it('says Fixed … re-check healthy when the re-check is healthy, and not Fixed when it is still blocked', () => {
    const healthy = finishedParent({ plan: { id: 'pl_1', cluster: null }, doc, result: { after: { status: 'healthy', text: 'Healthy: …' } }, approvedBy: 'Adam' });
    expect(healthy.verdict).toEqual({ status: 'healthy', text: 'Fixed: delegation on HV01, HV02 by Olivia, approved by Adam (plan pl_1), re-check healthy. Details in the thread.' });
    expect(parentOf(doc)).toEqual({ conversation: doc.thread, messageId: 'm1' });
    const blocked = finishedParent({ plan: { id: 'pl_1', cluster: 'HVC1' }, doc, result: { after: { status: 'blocked', text: 'Blocked: 1 of 2 directions ok.' } }, approvedBy: 'Adam' });
    expect(blocked.header).toBe('Cluster health · HVC1');
    expect(blocked.verdict?.status).toBe('blocked');
    expect(blocked.verdict?.text).not.toMatch(/^Fixed/);
    const warned = finishedParent({ plan: { id: 'pl_1', cluster: null }, doc, result: { after: { status: 'degraded', text: 'Degraded: …' } }, approvedBy: 'Adam' });
    expect(warned.verdict).toEqual({ status: 'degraded', text: 'Fixed: delegation on HV01, HV02 by Olivia, approved by Adam (plan pl_1), re-check: every direction permitted, warnings remain. Details in the thread.' });
  });
});

describe('finished incidents', () => {
  it('a plan awaiting approval notifies the approvers and is not "Running"', async () => {
    const { card } = await checkAndPropose(flow, NODES);
    expect(card.versions[0]!.notify).toEqual([{ platform: 'slack', id: 'S0APPROVERS' }]);
    expect(card.reply.verdict?.status).toBe('awaiting');
    expect(FakeChat.text(card.reply)).toContain('State: awaiting approval');
  });

  it('after the fix and its re-check, the parent says Fixed, by whom and approved by whom; the proposer is told', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    expect(FakeChat.text(parent().reply)).toMatch(/^Live migration check · .*\nBlocked: /);
    await flow.chat.click(people.adam, 'approve', planId);

    // The re-check counts only failures logged since the fix started (docs/approvals.md), so the
    // lab's old failure events no longer warn: the parent says healthy.
    expect(parent().reply.verdict?.status).toBe('healthy');
    expect(withPlainMentions(parent().reply).verdict?.text).toBe(`Fixed: delegation on HV01, HV02, HV03, HV04 by Olivia, approved by Adam (plan ${planId}), re-check healthy. Details in the thread.`);
    expect(parent().reply.matrix && Object.values(parent().reply.matrix!.cells).flatMap((row) => Object.values(row))).not.toContain('blocked');
    const told = flow.chat.byHeader(`Plan ${planId} decided`);
    expect(told).toHaveLength(1);
    expect(FakeChat.text(told[0]!.reply)).toContain(`Olivia: your plan ${planId} was approved by Adam`);

    // A decided plan shows no deadline.
    expect(FakeChat.text(card.reply)).not.toContain('Expires:');
    expect(FakeChat.text(card.reply)).toContain('State: applied');
  });

  it('a rollback is shown as rolled back on the parent, and its card is not headed Blocked', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);
    await flow.chat.click(people.olivia, 'rollback', planId, { on: card });
    const rbCard = flow.chat.withButton('approve')!;
    const rollbackId = flow.chat.buttonOf(rbCard, 'approve');
    await flow.chat.click(people.anna, 'approve', rollbackId);

    expect(rbCard.reply.verdict?.status).not.toBe('blocked');
    expect(rbCard.reply.verdict?.text).toMatch(new RegExp(`^Rolled back \\(approved by anna\\): the values from before fix ${planId} are restored\\. Re-check: Blocked`));
    expect(FakeChat.text(parent().reply)).toMatch(new RegExp(`Rolled back: fix ${planId} undone by Olivia, approved by Anna \\(rollback ${rollbackId}\\), re-check blocked`));
  });

  it('a rejection tells the proposer and writes nothing', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'reject', planId);
    expect(FakeChat.text(flow.chat.byHeader(`Plan ${planId} decided`)[0]!.reply)).toContain(`Olivia: your plan ${planId} was rejected by Adam; nothing was written`);
    expect(flow.backend.writes).toHaveLength(0);
    expect(FakeChat.text(parent().reply)).toMatch(/\nBlocked: /);
  });
});

describe('plan card wording', () => {
  const plan = (state: 'applied' | 'proposed') => ({ id: 'pl_t', state, kind: 'test-migration', checkRunId: null, cluster: null, requester: 'person:olivia', plan: {}, expected: null, createdAt: new Date(0), expiresAt: new Date('2026-11-20T09:30:00Z'), snapshot: null, result: null, approver: 'person:adam', rollbackRequester: null, rollbackApprover: null, messageRef: null, updatedAt: new Date(0), decidedAt: null, appliedAt: null, rolledBackAt: null, version: 1 }) as unknown as Parameters<typeof planCard>[0];
  const doc = { kind: 'test-migration' as const, proposedBy: 'Olivia', thread: { platform: 'web' as const, channelId: 'c', threadId: 'm1' }, vm: 'VM1', source: 'HV01', destination: 'HV02' };
  it('a failed test migration is not "State: applied", and shows no deadline', () => {
    const card = planCard(plan('applied'), doc, { outcome: 'test-done', steps: [], test: { succeeded: false, durationMs: 10, message: 'Migration failed (0x8009030E).', events: [] } });
    const text = FakeChat.text(card);
    expect(text).toContain('State: test migration failed');
    expect(text).not.toContain('State: applied');
    expect(text).not.toContain('Expires:');
    expect(card.verdict?.status).toBe('blocked');
  });
});
