import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { plainDate, renderDates } from '../../../src/core/mention.js';

// Every way an approval must be refused: the person is told why (privately), the refusal is
// audited, the plan does not move, and nothing reaches the relay's write path.

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let lab: LabBackend;
let flow: Flow;

beforeEach(async () => {
  ({ lab, flow } = await startLabFlow());
});
afterEach(async () => flow.close());

const state = () => JSON.stringify(NODES.map((n) => [lab.state.findComputer(n), lab.state.reachableHost(n).migration]));

async function refused(planId: string, who: keyof typeof people, reason: RegExp, stateAfter: string): Promise<void> {
  const before = state();
  await flow.chat.click(people[who], 'approve', planId);
  // As a surface without local-time syntax reads it (Slack shows each reader's own time).
  expect(renderDates(flow.chat.lastTold(people[who].id), plainDate)).toMatch(reason);
  expect(flow.backend.writes).toHaveLength(0);
  expect(state()).toBe(before);
  expect(await flow.store.getPlan(planId)).toMatchObject({ state: stateAfter });
  const audit = await flow.store.listAudit({ subjectId: planId });
  expect(audit.at(-1)).toMatchObject({ action: 'plan.approve', outcome: 'refused' });
}

describe('approval refusals', () => {
  it('refuses the proposer, on any of their linked identities', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await refused(planId, 'olivia', /^You need the approver role/, 'proposed'); // olivia on the web is no approver
    await refused(planId, 'oliviaOnSlack', /^You proposed plan .*: another approver must approve it \(two-person rule\)\. Nothing was done\.$/, 'proposed');
  });

  it('refuses a click claiming another conversation than the plan\'s; the same approver can approve on its card', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    const before = state();
    await flow.chat.click(people.anna, 'approve', planId, { conversation: { platform: 'web', channelId: 'elsewhere' } });
    expect(flow.chat.lastTold('anna')).toBe(`Plan ${planId} belongs to another conversation; it can only be decided from its card there. Nothing was done.`);
    expect(flow.backend.writes).toHaveLength(0);
    expect(state()).toBe(before);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'proposed' });
    expect((await flow.store.listAudit({ subjectId: planId })).at(-1)).toMatchObject({ actor: 'person:anna', action: 'plan.approve', outcome: 'refused' });
    await flow.chat.click(people.anna, 'approve', planId);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'applied' });
  });

  it('refuses an approver who is the proposer (operator and approver in one person)', async () => {
    const { planId } = await checkAndPropose(flow, NODES, people.adam);
    await refused(planId, 'adam', /two-person rule/, 'proposed');
  });

  it('refuses someone without the approver role, with the reason', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await refused(planId, 'vera', /^You need the approver role to approve a plan: you are not listed as an approver in the policy file\./, 'proposed');
  });

  it('lets the proposer withdraw their own plan without the approver role; refuses anyone else without it', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    const before = state();
    await flow.chat.click(people.vera, 'reject', planId);
    expect(flow.chat.lastTold('vera')).toBe('You need the approver role to reject a plan: you are not listed as an approver in the policy file. Nothing was done.');
    expect((await flow.store.listAudit({ subjectId: planId })).at(-1)).toMatchObject({ actor: 'person:vera', action: 'plan.reject', outcome: 'refused' });
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'proposed' });
    await flow.chat.click(people.olivia, 'reject', planId); // olivia on the web: the proposer, no approver
    expect(flow.chat.lastTold('olivia')).toBe(`You rejected plan ${planId}; nothing was written.`);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'rejected' });
    expect(card.reply.verdict?.text).toBe('Rejected by olivia. Nothing was written.');
    expect(flow.backend.writes).toHaveLength(0);
    expect(state()).toBe(before);
  });

  it('refuses an expired plan, and the card says it expired', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    flow.clock.advance(31 * 60_000);
    await refused(planId, 'adam', /expired at 2026-11-20 09:30 UTC without approval; nothing was written/, 'expired');
    expect(card.reply.verdict?.text).toMatch(/^Expired at/);
    expect(card.reply.buttons ?? []).toEqual([]);
  });

  it('refuses a rejected plan', async () => {
    const { card, planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.anna, 'reject', planId);
    expect(card.reply.verdict?.text).toBe('Rejected by anna. Nothing was written.');
    await refused(planId, 'adam', /was rejected by anna; nothing was written/, 'rejected');
  });

  it('refuses a forged or unknown plan id, and a check-run id passed as a plan', async () => {
    await checkAndPropose(flow, NODES);
    const checkRunId = flow.chat.withButton('propose-fix')!.reply.buttons![0]!.recordId;
    for (const forged of ['pl_aaaaaaaaaaaaaaaa', checkRunId, "pl_'; DROP TABLE plans;--"]) {
      await flow.chat.click(people.adam, 'approve', forged);
      expect(flow.chat.lastTold('adam')).toBe('This button refers to no plan triage-bot knows (unknown or forged id); nothing was done.');
    }
    expect(flow.backend.writes).toHaveLength(0);
    expect((await flow.store.listPlans()).map((p) => p.state)).toEqual(['proposed']);
    expect((await flow.store.listAudit({ subjectId: 'pl_aaaaaaaaaaaaaaaa' }))[0]).toMatchObject({ actor: 'person:adam', outcome: 'refused' });
  });

  it('refuses a second approval once applied, and a viewer\'s Propose fix', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);
    const writes = flow.backend.writes.length;
    await flow.chat.click(people.anna, 'approve', planId);
    expect(flow.chat.lastTold('anna')).toMatch(/already approved by adam and applied; nothing more was done/);
    expect(flow.backend.writes).toHaveLength(writes);
    await flow.chat.click(people.vera, 'propose-fix', flow.chat.withButton('propose-fix')!.reply.buttons![0]!.recordId);
    expect(flow.chat.lastTold('vera')).toMatch(/^You need the operator role to propose a fix/);
  });
});

describe('a fix that writes delegation', () => {
  it('is not offered, nor planned from a stale or forged button, when the verdict is blocked by a logon right', async () => {
    const other = await startLabFlow({ scenario: 'logon-right-missing.yaml' });
    try {
      await other.flow.chat.command(people.olivia, 'migration-check HV01 HV02');
      const result = other.flow.chat.withButton('rerun')!;
      expect(FakeChat.text(result.reply)).toMatch(/Root causes: LOGON_RIGHT_MISSING\./);
      expect(other.flow.chat.withButton('propose-fix')).toBeUndefined();
      await other.flow.chat.click(people.olivia, 'propose-fix', other.flow.chat.buttonOf(result, 'rerun'), { on: result });
      expect(other.flow.chat.lastTold('olivia')).toBe('No plan was made: on a fresh read of AD, it is blocked by LOGON_RIGHT_MISSING, which a person must fix. The bot changes no delegation for that.');
      expect(other.flow.backend.writes).toHaveLength(0);
      expect(await other.flow.store.listPlans()).toEqual([]);
      expect((await other.flow.store.listAudit({})).at(-1)).toMatchObject({ action: 'plan.propose', outcome: 'refused' });
    } finally {
      await other.flow.close();
    }
  });
});

describe('a fix for VM storage on an SMB share', () => {
  it('adds cifs/<file server> to the node whose VMs live there, and only to it', async () => {
    const other = await startLabFlow({ scenario: 'delegation-missing-cifs-sofs.yaml' });
    try {
      const { planId } = await checkAndPropose(other.flow, ['HV01', 'HV02']);
      await other.flow.chat.click(people.adam, 'approve', planId);
      expect(await other.flow.store.getPlan(planId)).toMatchObject({ state: 'applied' });
      expect(other.lab.state.findComputer('HV01')!.allowedToDelegateTo).toEqual(expect.arrayContaining(['cifs/SOFS01', 'cifs/sofs01.lab.test']));
      expect(other.lab.state.findComputer('HV02')!.allowedToDelegateTo.filter((v) => /sofs/i.test(v))).toEqual([]);
    } finally {
      await other.flow.close();
    }
  });
});

describe('a fix on an AD export in mixed case', () => {
  it('adds only the missing canonical values, to the one node that lacks them, and the re-check clears the direction', async () => {
    const other = await startLabFlow({ scenario: 'ad-export-mixed-case.yaml' });
    try {
      const before = structuredClone(other.lab.state.findComputer('HV-PRD-01')!);
      const { planId } = await checkAndPropose(other.flow, ['HV-PRD-01', 'HV-PRD-02', 'HV-PRD-03']);
      await other.flow.chat.click(people.adam, 'approve', planId);
      expect(await other.flow.store.getPlan(planId)).toMatchObject({ state: 'applied' });
      const writes = other.flow.backend.writes.filter((w) => w.op === 'directory.apply-delegation');
      expect(writes).toHaveLength(1);
      const changes = (writes[0]!.params as { changes: Array<{ computer: string; desired: { allowedToDelegateTo: string[] } }> }).changes;
      expect(changes.map((c) => c.computer)).toEqual(['HV-PRD-03']);
      expect(other.lab.state.findComputer('HV-PRD-03')!.allowedToDelegateTo.slice(-2)).toEqual(['Microsoft Virtual System Migration Service/HV-PRD-01.corp.contoso.com', 'cifs/HV-PRD-01.corp.contoso.com']);
      expect(other.lab.state.findComputer('HV-PRD-01')).toEqual(before); // complete in mixed case: untouched, HTTP/scvmm01 kept
    } finally {
      await other.flow.close();
    }
  });
});

describe('twenty approvers at once', () => {
  it('applies exactly once', async () => {
    const { planId } = await checkAndPropose(flow, NODES);
    const clicks = Array.from({ length: 20 }, (_, i) => flow.chat.click(i % 2 ? people.adam : people.anna, 'approve', planId));
    await Promise.all(clicks);
    expect(flow.backend.count('directory.apply-delegation')).toBe(1);
    expect(flow.backend.count('host.set-migration-auth')).toBe(1);
    expect(flow.backend.count('host.purge-tickets')).toBe(4);
    const approvals = (await flow.store.listAudit({ subjectId: planId })).filter((e) => e.action === 'plan.approved');
    expect(approvals).toHaveLength(1);
    const told = [...flow.chat.told('adam'), ...flow.chat.told('anna')];
    expect(told.filter((t) => t.startsWith('You approved plan'))).toHaveLength(1);
    expect(told.filter((t) => /already approved/.test(t))).toHaveLength(19);
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'applied' });
  });
});
