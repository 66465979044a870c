import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { documentOf } from '../../../src/approvals/plan-document.js';
import { recoverPlans } from '../../../src/approvals/recovery.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let lab: LabBackend;
let flow: Flow;

beforeEach(async () => {
  ({ lab, flow } = await startLabFlow());
});
afterEach(async () => flow.close());

async function proposeTest(choiceLabel: string): Promise<string> {
  const result = flow.chat.withButton('test-migration')!;
  await flow.chat.click(people.olivia, 'test-migration', flow.chat.buttonOf(result, 'test-migration'), { on: result });
  const picker = flow.chat.byHeader('Test migration ·').at(-1)!;
  const button = picker.reply.buttons![0]!;
  const choice = button.choices!.find((c) => c.label.startsWith(`${choiceLabel} · `))!;
  expect(choice, `choices: ${button.choices!.map((c) => c.label).join(', ')}`).toBeDefined();
  await flow.chat.click(people.olivia, 'test-migration', button.recordId, { value: choice.value, on: picker });
  const card = flow.chat.withButton('approve')!;
  return flow.chat.buttonOf(card, 'approve');
}

describe('test migration', () => {
  it('offers the VMs, needs another person\'s approval, and posts the result with the events it raised', async () => {
    await flow.chat.command(people.olivia, 'migration-check HV02 HV01');
    const planId = await proposeTest('WEB01: HV02 → HV01');
    expect(flow.backend.writes).toHaveLength(0);
    await flow.chat.click(people.olivia, 'approve', planId);
    expect(flow.backend.writes).toHaveLength(0);

    await flow.chat.click(people.adam, 'approve', planId);
    expect(flow.backend.count('vm.test-migration')).toBe(1);
    const posted = flow.chat.byHeader('Test migration result · WEB01: HV02 → HV01')[0]!;
    expect(posted.reply.verdict).toMatchObject({ status: 'blocked' });
    expect(FakeChat.text(posted.reply)).toMatch(/Events it raised \(1\)\n.*21502: Live migration of 'Virtual Machine WEB01' failed\./);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'applied', approver: 'person:adam' });
  });

  it('refuses a choice the picker never offered and a forged picker id', async () => {
    await flow.chat.command(people.olivia, 'migration-check HV02 HV01');
    const result = flow.chat.withButton('test-migration')!;
    await flow.chat.click(people.olivia, 'test-migration', flow.chat.buttonOf(result, 'test-migration'), { on: result });
    const picker = flow.chat.byHeader('Test migration ·').at(-1)!.reply.buttons![0]!;
    await flow.chat.click(people.olivia, 'test-migration', picker.recordId, { value: '99' });
    expect(flow.chat.lastTold('olivia')).toBe('That choice is not one the picker offered; nothing was done.');
    await flow.chat.click(people.olivia, 'test-migration', 'ac_forged', { value: '0' });
    expect(flow.chat.lastTold('olivia')).toMatch(/^This picker is unknown or expired/);
    expect(await flow.store.listPlans()).toHaveLength(0);
  });

  it('succeeds after the fix is applied (tickets purged)', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);
    const testId = await proposeTest('WEB01: HV02 → HV01');
    await flow.chat.click(people.anna, 'approve', testId);
    expect(flow.chat.byHeader('Test migration result · WEB01: HV02 → HV01')[0]!.reply.verdict).toMatchObject({ status: 'healthy' });
    expect(lab.state.reachableHost('HV01').vms.map((v) => v.name)).toContain('WEB01');
  });
});

describe('crash recovery', () => {
  async function stoppedIn(state: 'approved' | 'applying', writeDone: boolean) {
    const { card, planId } = await checkAndPropose(flow, NODES);
    const now = flow.clock.now();
    await flow.store.transitionPlan(planId, ['proposed'], 'approved', { approver: 'person:adam' }, now);
    if (state === 'applying') await flow.store.transitionPlan(planId, ['approved'], 'applying', {}, now);
    const doc = documentOf((await flow.store.getPlan(planId))!)!;
    if (writeDone && doc.kind === 'delegation-fix') {
      // The write reached AD, then the bot died before recording it.
      await lab.handle('directory.apply-delegation', { changes: doc.remediation.delegation.map((c) => ({ computer: c.computer, expected: c.expected, desired: c.desired })), approval: 'x.' + '0'.repeat(64) }, {});
    }
    return { card, planId };
  }

  it('resumes an applying plan whose AD write happened: AD is not written again, the host steps run, and only then Applied', async () => {
    const { card, planId } = await stoppedIn('applying', true);
    expect(lab.state.reachableHost('HV04').migration.authenticationType).toBe('CredSSP');
    flow.clock.advance(3 * 60_000);
    const settled = await recoverPlans(flow.deps);
    expect(settled.map((p) => [p.id, p.state])).toEqual([[planId, 'applied']]);
    expect(flow.backend.count('directory.apply-delegation')).toBe(0);
    expect(flow.backend.count('host.set-migration-auth')).toBe(1);
    expect(flow.backend.count('host.purge-tickets')).toBe(4);
    expect(lab.state.reachableHost('HV04').migration.authenticationType).toBe('Kerberos');
    expect(card.reply.verdict?.text).toMatch(/On restart, the steps were resumed from the journal and every step is verified\./);
    const steps = card.reply.sections!.find((s) => s.title === 'Steps')!.lines;
    expect(steps[0]).toMatch(/^✓ directory\.apply-delegation HV01, HV02, HV03 \(verified\): found done on recovery: AD holds the planned values on every computer$/);
    expect(steps).toContain('✓ host.set-migration-auth HV04 (verified)');
    expect(steps.filter((l) => /^✓ host\.purge-tickets HV0\d$/.test(l))).toHaveLength(4);
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['rollback']);
    const trail = await flow.store.listAudit({ subjectId: planId });
    expect(trail.at(-1)).toMatchObject({ actor: 'system', action: 'plan.recovered', outcome: 'applied' });
    expect(trail.filter((e) => e.action === 'relay.set-migration-auth').map((e) => (e.details as { idempotencyKey: string }).idempotencyKey)).toEqual([`${planId}:host.set-migration-auth:HV04:1`]);
  });

  it('settles an applying plan whose write never happened as failed, nothing written', async () => {
    const { card } = await stoppedIn('applying', false);
    const settled = await recoverPlans(flow.deps, { graceMs: 0 });
    expect(settled.map((p) => p.state)).toEqual(['failed']);
    expect(card.reply.verdict?.text).toMatch(/AD still holds the values from before the plan on every computer; nothing was written\.$/);
    expect(flow.backend.writes).toHaveLength(0);
  });

  it('fails an applying plan when AD holds neither, with a note for a person', async () => {
    const { planId } = await stoppedIn('applying', false);
    lab.state.findComputer('HV02')!.userAccountControl = 0x1000 | 0x80000;
    await recoverPlans(flow.deps, { graceMs: 0 });
    const plan = await flow.store.getPlan(planId);
    expect(plan).toMatchObject({ state: 'failed', result: { note: expect.stringMatching(/neither the values from before nor the planned values \(.*HV02: other values.*\)\. Check AD by hand; nothing was re-applied\./) } });
  });

  it('fails an approved plan whose writes never started, and leaves recent plans to their replica', async () => {
    const { planId } = await stoppedIn('approved', false);
    expect(await recoverPlans(flow.deps)).toEqual([]); // within the grace period: maybe still running
    flow.clock.advance(3 * 60_000);
    expect((await recoverPlans(flow.deps)).map((p) => [p.id, p.state])).toEqual([[planId, 'failed']]);
    expect((await flow.store.getPlan(planId))!.result).toMatchObject({ outcome: 'not-started' });
  });

  it('settles a rollback that stopped after its write: the fix becomes rolled back', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    const before = JSON.stringify(lab.state.findComputer('HV02'));
    await flow.chat.click(people.adam, 'approve', planId);
    await flow.chat.click(people.olivia, 'rollback', planId, { on: card });
    const rollbackId = flow.chat.buttonOf(flow.chat.withButton('approve')!, 'approve');
    const now = flow.clock.now();
    await flow.store.transitionPlan(rollbackId, ['proposed'], 'approved', { approver: 'person:anna' }, now);
    await flow.store.transitionPlan(planId, ['applied'], 'rolling_back', {}, now);
    await flow.store.transitionPlan(rollbackId, ['approved'], 'applying', {}, now);
    const doc = documentOf((await flow.store.getPlan(rollbackId))!)!;
    if (doc.kind !== 'rollback') throw new Error('expected a rollback');
    await lab.handle('directory.apply-delegation', { changes: doc.remediation.delegation.map((c) => ({ computer: c.computer, expected: c.expected, desired: c.desired })), approval: 'x.' + '0'.repeat(64) }, {});
    const writes = flow.backend.writes.length;
    await recoverPlans(flow.deps, { graceMs: 0 });
    expect(await flow.store.getPlan(rollbackId)).toMatchObject({ state: 'applied' });
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'rolled_back' });
    // Restored exactly, but for userAccountControl: a rollback leaves protocol transition on (the relay's write limits).
    expect(JSON.parse(before)).toMatchObject({ userAccountControl: 0x1000 });
    expect(JSON.stringify(lab.state.findComputer('HV02'))).toBe(JSON.stringify({ ...JSON.parse(before), userAccountControl: 0x1001000 }));
    // AD is not written again; the rollback's host steps (HV04 back to CredSSP, the purges) run.
    const resumed = flow.backend.writes.slice(writes).map((w) => w.op);
    expect(resumed.filter((op) => op === 'directory.apply-delegation')).toEqual([]);
    expect(resumed.filter((op) => op === 'host.set-migration-auth')).toHaveLength(1);
    expect(lab.state.reachableHost('HV04').migration.authenticationType).toBe('CredSSP');
  });
});
