import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

// The fix flow on the default lab scenario behind the real signed relay (writes enabled, tokens
// verified): what people see in the thread, what the lab's AD and hosts hold, and what reached
// the backend.

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let lab: LabBackend;
let flow: Flow;

beforeEach(async () => {
  ({ lab, flow } = await startLabFlow());
});
afterEach(async () => flow.close());

const delegationOf = (name: string) => {
  const c = lab.state.findComputer(name)!;
  return { allowedToDelegateTo: [...c.allowedToDelegateTo].sort(), userAccountControl: c.userAccountControl };
};
const snapshotAll = () => Object.fromEntries(NODES.map((n) => [n, { ...delegationOf(n), auth: lab.state.reachableHost(n).migration.authenticationType }]));

describe('propose, approve, apply', () => {
  it('posts a diff card, applies it once on another person\'s approval, re-checks and offers Roll back', async () => {
    const before = snapshotAll();
    const { card, planId } = await checkAndPropose(flow, NODES);
    const shown = FakeChat.text(card.reply);
    expect(card.reply.header).toBe(`Fix plan ${planId} · HV01, HV02, HV03, HV04`);
    expect(shown).toContain('Proposed by Olivia');
    expect(shown).toContain('userAccountControl: 0x1000 (WORKSTATION_TRUST_ACCOUNT) → 0x1001000 (WORKSTATION_TRUST_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION)');
    expect(shown).toContain('  + Microsoft Virtual System Migration Service/hv03.lab.test');
    expect(shown).toContain('HV04: VirtualMachineMigrationAuthenticationType CredSSP → Kerberos');
    expect(shown).toMatch(/Unblocks: .*HV01 → HV03/);
    expect(shown).toContain('Protocol transition lets each node obtain tickets');
    expect(shown).toMatch(/Expires: 2026-11-20 09:30 UTC/);
    expect(card.reply.buttons?.map((b) => [b.action, b.recordId])).toEqual([['approve', planId], ['reject', planId]]);
    expect(flow.backend.writes).toHaveLength(0);
    expect(snapshotAll()).toEqual(before);

    await flow.chat.click(people.adam, 'approve', planId);
    expect(flow.chat.lastTold('adam')).toContain(`You approved plan ${planId}`);
    expect(flow.backend.count('directory.apply-delegation')).toBe(1);
    expect(flow.backend.count('host.set-migration-auth')).toBe(1);
    expect(flow.backend.count('host.purge-tickets')).toBe(4);
    expect(delegationOf('HV02').userAccountControl).toBe(0x1001000);
    expect(delegationOf('HV01').allowedToDelegateTo).toContain('Microsoft Virtual System Migration Service/hv03.lab.test');
    expect(lab.state.reachableHost('HV04').migration.authenticationType).toBe('Kerberos');

    const plan = await flow.store.getPlan(planId);
    expect(plan).toMatchObject({ state: 'applied', approver: 'person:adam', requester: 'person:olivia' });
    expect(plan!.snapshot).toMatchObject({ delegation: expect.arrayContaining([expect.objectContaining({ computer: 'HV02', expected: expect.objectContaining({ userAccountControl: 0x1000 }) })]) });
    const recheck = flow.chat.byHeader('Re-check after fix');
    expect(recheck).toHaveLength(1);
    expect(recheck[0]!.reply.matrix && Object.values(recheck[0]!.reply.matrix.cells).flatMap((row) => Object.values(row))).not.toContain('blocked');
    expect(card.reply.verdict?.text).toMatch(/^Applied \(approved by adam\)\. Re-check: /);
    expect(card.versions.length).toBeGreaterThanOrEqual(3);
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['rollback']);
  });

  it('rolls back only with a second person\'s approval, restoring exactly the values from before (userAccountControl stays: the relay never clears 0x1000000)', async () => {
    const before = snapshotAll();
    const { card, planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);
    await flow.chat.click(people.olivia, 'rollback', planId, { on: card });
    const rbCard = flow.chat.withButton('approve')!;
    const rollbackId = flow.chat.buttonOf(rbCard, 'approve');
    expect(rbCard.reply.header).toBe(`Rollback ${rollbackId} of fix ${planId} · HV01, HV02, HV03, HV04`);
    expect(FakeChat.text(rbCard.reply)).not.toContain('userAccountControl: 0x1001000 (WORKSTATION_TRUST_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION) →');
    expect(FakeChat.text(rbCard.reply)).toContain('userAccountControl stays as the fix left it');

    const writes = flow.backend.writes.length;
    await flow.chat.click(people.oliviaOnSlack, 'approve', rollbackId);
    expect(flow.chat.lastTold('U0OLIVIA')).toMatch(/You proposed plan .*two-person rule/);
    expect(flow.backend.writes).toHaveLength(writes);

    await flow.chat.click(people.anna, 'approve', rollbackId);
    expect(before.HV02!.userAccountControl).toBe(0x1000);
    expect(snapshotAll()).toEqual({ ...before, HV02: { ...before.HV02!, userAccountControl: 0x1001000 } });
    expect(await flow.store.getPlan(rollbackId)).toMatchObject({ state: 'applied', approver: 'person:anna' });
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'rolled_back', rollbackRequester: 'person:olivia', rollbackApprover: 'person:anna' });
    expect(card.reply.verdict?.text).toContain(`Rolled back by ${rollbackId}`);
    expect(card.reply.buttons ?? []).toEqual([]);

    await flow.chat.command(people.vera, `audit ${planId}`);
    const audit = flow.chat.byHeader(`Audit · ${planId}`)[0]!;
    const lines = audit.reply.sections![0]!.lines.join('\n');
    for (const action of ['plan.proposed', 'plan.approved', 'relay.apply-delegation', 'relay.set-migration-auth', 'relay.purge-tickets', 'plan.applied', 'rollback.proposed', 'plan.rolling-back', 'rollback.approve', 'rollback.applied', 'plan.rolled-back']) {
      expect(lines, action).toContain(action === 'rollback.approve' ? 'plan.approve' : action);
    }
    expect(lines).toMatch(/person:olivia · plan\.approve \(.*\) · refused/);
  });

  it('says so and stores nothing when there is nothing left to change', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);
    const plans = (await flow.store.listPlans()).length;
    // The original check result still carries its Propose fix button.
    const original = flow.chat.messages.find((m) => m.reply.buttons?.some((b) => b.action === 'propose-fix'))!;
    await flow.chat.click(people.olivia, 'propose-fix', flow.chat.buttonOf(original, 'propose-fix'), { on: original });
    expect(flow.chat.lastTold('olivia')).toBe('Nothing to change: on a fresh read of AD and the migration settings of HV01, HV02, HV03, HV04, nothing the bot can fix blocks a direction (verdict degraded). No plan was stored.'); // degraded: the failure events from before the fix are still in the window
    expect(await flow.store.listPlans()).toHaveLength(plans);
  });
});

describe('409: AD changed between plan and approval', () => {
  it('writes nothing, fails the plan with the current values and offers a fresh plan', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    lab.state.findComputer('HV02')!.allowedToDelegateTo.push('cifs/hv09.lab.test'); // an admin, meanwhile
    const changed = snapshotAll();
    await flow.chat.click(people.adam, 'approve', planId);
    expect(snapshotAll()).toEqual(changed);
    expect(flow.backend.count('host.set-migration-auth') + flow.backend.count('host.purge-tickets')).toBe(0);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'failed' });
    const shown = FakeChat.text(card.reply);
    expect(shown).toContain('AD changed since the plan was made, so the relay wrote nothing');
    expect(shown).toContain('What AD holds now');
    expect(shown).toMatch(/HV02: userAccountControl 0x1000, 13 msDS-AllowedToDelegateTo values/);
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['refresh-plan']);

    await flow.chat.click(people.olivia, 'refresh-plan', planId, { on: card });
    const fresh = flow.chat.withButton('approve')!;
    const freshId = flow.chat.buttonOf(fresh, 'approve');
    expect(freshId).not.toBe(planId);
    await flow.chat.click(people.adam, 'approve', freshId);
    expect(await flow.store.getPlan(freshId)).toMatchObject({ state: 'applied' });
    expect(delegationOf('HV02').allowedToDelegateTo).toContain('cifs/hv09.lab.test');
  });
});
