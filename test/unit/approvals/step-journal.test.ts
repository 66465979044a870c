import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { applyFix } from '../../../src/approvals/apply-fix.js';
import { documentOf } from '../../../src/approvals/plan-document.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

// "Applied" means every step ran and was verified. On the default lab scenario behind the real
// signed relay: a host step that fails leaves the plan failed with exactly the steps that ran
// on the card, and the journal records every attempt with its idempotency key.

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let lab: LabBackend;
let flow: Flow;

beforeEach(async () => {
  ({ lab, flow } = await startLabFlow());
});
afterEach(async () => flow.close());

describe('the step journal', () => {
  it('a host step that fails: not Applied; the card lists what ran, what failed and what was verified', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    // Between proposal and approval, HV04's WinRM stops answering.
    lab.state.hosts.find((h) => h.name === 'HV04')!.reachable = false;
    await flow.chat.click(people.adam, 'approve', planId);
    const plan = (await flow.store.getPlan(planId))!;
    expect(plan.state).toBe('failed');
    expect(plan.result).toMatchObject({ outcome: 'partial' });
    const text = FakeChat.text(card.reply);
    expect(card.reply.verdict?.text).toMatch(/^Failed \(approved by adam\): Partly applied: 4 of 6 steps ran and are verified; not done: host\.set-migration-auth HV04, host\.purge-tickets HV04\./);
    expect(text).toContain('✓ directory.apply-delegation HV01, HV02, HV03 (verified)');
    expect(text).toMatch(/✗ host\.set-migration-auth HV04: HV04 did not answer/);
    expect(text).toMatch(/✗ host\.purge-tickets HV04: HV04 did not answer/);
    expect(text).toContain('✓ host.purge-tickets HV01');
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['refresh-plan']);
    expect(lab.state.findComputer('HV01')!.allowedToDelegateTo.length).toBeGreaterThan(0);
    const journal = await flow.store.listSteps(planId);
    expect(journal.map((s) => [s.stepKey, s.state])).toEqual([
      ['directory.apply-delegation', 'verified'],
      ['host.set-migration-auth:HV04', 'failed'],
      ['host.purge-tickets:HV01', 'ok'],
      ['host.purge-tickets:HV02', 'ok'],
      ['host.purge-tickets:HV03', 'ok'],
      ['host.purge-tickets:HV04', 'failed'],
    ]);
    expect(new Set(journal.map((s) => s.fencingToken))).toEqual(new Set([1]));
    const audited = (await flow.store.listAudit({ subjectId: planId })).filter((e) => e.action.startsWith('relay.')).map((e) => (e.details as { idempotencyKey: string }).idempotencyKey);
    expect(audited).toEqual(journal.map((s) => s.idempotencyKey));
    expect((await flow.store.listAudit({ subjectId: planId })).at(-1)).toMatchObject({ action: 'plan.failed', outcome: 'partial' });

    // HV04 answers again: Refresh plan plans only what is still missing, and that one applies.
    lab.state.hosts.find((h) => h.name === 'HV04')!.reachable = true;
    await flow.chat.click(people.olivia, 'refresh-plan', planId, { on: card });
    const fresh = flow.chat.withButton('approve')!;
    const freshText = FakeChat.text(fresh.reply);
    expect(freshText).toContain('HV04: VirtualMachineMigrationAuthenticationType CredSSP → Kerberos');
    expect(freshText).not.toMatch(/msDS-AllowedToDelegateTo: \d+ → \d+ values/);
    await flow.chat.click(people.adam, 'approve', flow.chat.buttonOf(fresh, 'approve'));
    expect(fresh.reply.verdict?.text).toMatch(/^Applied \(approved by adam\)\. Re-check: .*\(12 of 12 directions ok, 0 blocked, 0 unknown\.\)$/);
    expect(lab.state.reachableHost('HV04').migration.authenticationType).toBe('Kerberos');
  });

  it('a replica that finds the plan leased to another writes nothing and leaves it to that one', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    const now = flow.clock.now();
    const approved = (await flow.store.transitionPlan(planId, ['proposed'], 'approved', { approver: 'person:adam' }, now))!;
    const other = await flow.store.acquirePlanLease(planId, 'other-replica', now, 60_000);
    expect(other).not.toBeNull();
    const ctx = { event: { actor: people.adam, conversation: { platform: 'web', channelId: 'incident' }, kind: 'action', text: 'approve', ack: async () => undefined }, adapter: flow.chat } as unknown as Parameters<typeof applyFix>[0];
    const doc = documentOf(approved)!;
    if (doc.kind !== 'delegation-fix') throw new Error('expected a fix');
    await applyFix(ctx, flow.deps, approved, doc, 'person:adam');
    expect(flow.backend.writes).toHaveLength(0);
    expect((await flow.store.getPlan(planId))!.state).toBe('approved');
    expect(await flow.store.listSteps(planId)).toEqual([]);
  });
});
