import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { MIGRATION_SERVICE } from '../../../src/relay/protocol.js';
import { DirectoryBackend } from '../../../src/relay/server/backends/directory/directory-backend.js';
import { CompositeBackend } from '../../../src/relay/server/composite-backend.js';
import { documentOf } from '../../../src/approvals/plan-document.js';
import { recoverPlans } from '../../../src/approvals/recovery.js';
import { TEST_APPROVAL, directoryClient, directoryOptions, useSamba } from '../../helpers/samba-context.js';
import { createComputer, delegation, type DelegationShow, type SambaConnection } from '../../helpers/samba.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startFlow, type Flow } from '../../helpers/approvals/flow.js';

// The approvals flow end to end against the real Samba AD DC: the bot's core and store, the
// signed HTTP relay with writes enabled, the real directory backend for directory.* and a lab
// backend for the hosts (host.*, vm.*). This file owns the computers HVF01–HVF10.

const MIG = MIGRATION_SERVICE;
let samba: SambaConnection;
let flow: Flow | undefined;
let lab: LabBackend;

const NAMES = Array.from({ length: 10 }, (_, i) => `HVF${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  samba = useSamba();
  for (const name of NAMES) {
    await createComputer(samba, name, { spns: [`${MIG}/${name}`, `${MIG}/${name.toLowerCase()}.lab.test`], userAccountControl: 0x1000, supportedEncryptionTypes: 0x1c });
  }
});
afterEach(async () => {
  await flow?.close();
  flow = undefined;
});

/** A fresh flow: hosts from a lab cluster of HVF01–HVF10 (HVF02 still on CredSSP), AD from Samba. */
async function start(): Promise<Flow> {
  const scenario = generateClusterScenario({ nodes: 10, prefix: 'HVF' });
  scenario.hosts.find((h) => h.name === 'HVF02')!.migration.authenticationType = 'CredSSP';
  // The DC's own reads (KDC events, updates) come from the lab, as the Windows backend reads them
  // on a real DC; the DC itself is the Samba one the directory lists.
  const { dcs } = await directoryClient(samba).call('dc.list', {});
  scenario.domainControllers = dcs.map((dc) => ({ name: dc.name, site: dc.site ?? 'Default-First-Site-Name', readOnly: false, reachable: true, hotfixes: [], kdcEvents: [], delegation: {}, lagReads: 0 }));
  lab = new LabBackend(scenario);
  flow = await startFlow(new CompositeBackend([new DirectoryBackend(directoryOptions(samba)), lab]));
  return flow;
}

const shows = (...names: string[]): Promise<DelegationShow[]> => Promise.all(names.map((n) => delegation.show(samba, `${n}$`)));
const sorted = (d: DelegationShow) => ({ ...d, allowedToDelegateTo: [...d.allowedToDelegateTo].sort() });

describe('fix flow against Samba AD', { timeout: 90_000 }, () => {
  it('propose as one user, approve as another: AD holds the plan, the re-check is healthy, rollback restores the delegation exactly', async () => {
    const f = await start();
    const before = (await shows('HVF01', 'HVF02')).map(sorted);
    const { card, planId } = await checkAndPropose(f, ['HVF01', 'HVF02']);
    expect(FakeChat.text(card.reply)).toContain('userAccountControl: 0x1000 (WORKSTATION_TRUST_ACCOUNT) → 0x1001000 (WORKSTATION_TRUST_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION)');
    expect(FakeChat.text(card.reply)).toContain('Unblocks: HVF01 → HVF02, HVF02 → HVF01');

    await f.chat.click(people.adam, 'approve', planId);
    const [hvf01, hvf02] = await shows('HVF01', 'HVF02');
    expect(hvf01!.trustedToAuthForDelegation).toBe(true);
    expect(hvf01!.trustedForDelegation).toBe(false);
    expect([...hvf01!.allowedToDelegateTo].sort()).toEqual([`${MIG}/HVF02`, `${MIG}/hvf02.lab.test`, 'cifs/HVF02', 'cifs/hvf02.lab.test'].sort());
    expect([...hvf02!.allowedToDelegateTo].sort()).toEqual([`${MIG}/HVF01`, `${MIG}/hvf01.lab.test`, 'cifs/HVF01', 'cifs/hvf01.lab.test'].sort());
    expect(lab.state.reachableHost('HVF02').migration.authenticationType).toBe('Kerberos');
    expect(f.backend.count('directory.apply-delegation')).toBe(1);

    const recheck = f.chat.byHeader('Re-check after fix')[0]!;
    expect(recheck.reply.verdict?.status, FakeChat.text(recheck.reply)).toBe('healthy');
    expect(await f.store.getPlan(planId)).toMatchObject({ state: 'applied', result: { after: { status: 'healthy' } } });

    await f.chat.click(people.olivia, 'rollback', planId, { on: card });
    const rollbackId = f.chat.buttonOf(f.chat.withButton('approve')!, 'approve');
    await f.chat.click(people.anna, 'approve', rollbackId);
    // userAccountControl stays as the fix left it: the relay never clears protocol transition.
    expect(before.map((d) => d.trustedToAuthForDelegation)).toEqual([false, false]);
    expect((await shows('HVF01', 'HVF02')).map(sorted)).toEqual(before.map((d) => ({ ...d, trustedToAuthForDelegation: true })));
    expect(lab.state.reachableHost('HVF02').migration.authenticationType).toBe('CredSSP');
    expect(await f.store.getPlan(planId)).toMatchObject({ state: 'rolled_back' });
  });

  it('refuses self-approval, a non-approver, an expired, a rejected plan and a forged id; AD unchanged, no write reached the relay backend', async () => {
    const f = await start();
    const before = await shows('HVF03', 'HVF04');
    const nodes = ['HVF03', 'HVF04'];

    const self = await checkAndPropose(f, nodes, people.adam);
    await f.chat.click(people.adam, 'approve', self.planId);
    expect(f.chat.lastTold('adam')).toMatch(/two-person rule/);

    const other = await checkAndPropose(f, nodes);
    await f.chat.click(people.vera, 'approve', other.planId);
    expect(f.chat.lastTold('vera')).toMatch(/^You need the approver role/);

    await f.chat.click(people.anna, 'reject', other.planId);
    await f.chat.click(people.adam, 'approve', other.planId);
    expect(f.chat.lastTold('adam')).toMatch(/was rejected by anna/);

    const late = await checkAndPropose(f, nodes);
    f.clock.advance(31 * 60_000);
    await f.chat.click(people.adam, 'approve', late.planId);
    expect(f.chat.lastTold('adam')).toMatch(/expired at .* without approval/);

    await f.chat.click(people.adam, 'approve', 'pl_zzzzzzzzzzzzzzzz');
    expect(f.chat.lastTold('adam')).toMatch(/unknown or forged id/);

    expect(f.backend.writes).toEqual([]);
    expect(await shows('HVF03', 'HVF04')).toEqual(before);
    const refusals = (await f.store.listAudit({})).filter((e) => e.outcome === 'refused');
    expect(refusals.map((e) => e.actor)).toEqual(['person:adam', 'person:vera', 'person:adam', 'person:adam', 'person:adam']);
  });

  it('applies exactly once under 20 concurrent approve clicks', async () => {
    const f = await start();
    const { planId } = await checkAndPropose(f, ['HVF05', 'HVF06']);
    await Promise.all(Array.from({ length: 20 }, (_, i) => f.chat.click(i % 2 ? people.adam : people.anna, 'approve', planId)));
    expect(f.backend.count('directory.apply-delegation')).toBe(1);
    expect(f.backend.count('host.purge-tickets')).toBe(2);
    const [hvf05] = await shows('HVF05');
    expect(hvf05!.allowedToDelegateTo).toHaveLength(4);
  });

  it('409: values changed in AD between plan and approval: nothing written, the card offers a fresh plan', async () => {
    const f = await start();
    const { card, planId } = await checkAndPropose(f, ['HVF07', 'HVF08']);
    await delegation.addService(samba, 'HVF07', 'cifs/OTHER01'); // an admin, meanwhile
    const changed = await shows('HVF07', 'HVF08');
    await f.chat.click(people.adam, 'approve', planId);
    expect(await shows('HVF07', 'HVF08')).toEqual(changed);
    expect(f.backend.count('host.set-migration-auth') + f.backend.count('host.purge-tickets')).toBe(0);
    expect(await f.store.getPlan(planId)).toMatchObject({ state: 'failed', result: { outcome: 'conflict' } });
    expect(FakeChat.text(card.reply)).toMatch(/HVF07: userAccountControl 0x1000, 1 msDS-AllowedToDelegateTo values/);
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['refresh-plan']);

    await f.chat.click(people.olivia, 'refresh-plan', planId, { on: card });
    const freshId = f.chat.buttonOf(f.chat.withButton('approve')!, 'approve');
    await f.chat.click(people.adam, 'approve', freshId);
    const [hvf07] = await shows('HVF07');
    expect(hvf07!.allowedToDelegateTo).toContain('cifs/OTHER01');
    expect(hvf07!.allowedToDelegateTo).toHaveLength(5);
  });

  it('a stop during applying, then a restart, settles the plan from what AD holds', async () => {
    const f = await start();
    const settle = async (write: boolean): Promise<string> => {
      const { planId } = await checkAndPropose(f, ['HVF09', 'HVF10']);
      const now = f.clock.now();
      await f.store.transitionPlan(planId, ['proposed'], 'approved', { approver: 'person:adam' }, now);
      await f.store.transitionPlan(planId, ['approved'], 'applying', {}, now);
      const doc = documentOf((await f.store.getPlan(planId))!)!;
      if (write && doc.kind === 'delegation-fix') {
        await directoryClient(samba).call('directory.apply-delegation', { changes: doc.remediation.delegation.map((c) => ({ computer: c.computer, expected: c.expected, desired: c.desired })), approval: TEST_APPROVAL });
      }
      await recoverPlans(f.deps, { graceMs: 0 });
      return (await f.store.getPlan(planId))!.state;
    };
    const untouched = await shows('HVF09', 'HVF10');
    expect(await settle(false)).toBe('failed');
    expect(await shows('HVF09', 'HVF10')).toEqual(untouched);
    expect(await settle(true)).toBe('applied');
    // Resumed from the journal: AD already held the plan, so it is not written again; the host
    // steps that never ran (the ticket purges) run now, and only then is the plan Applied.
    expect(f.backend.writes.filter((w) => w.op === 'directory.apply-delegation')).toEqual([]);
    expect(f.backend.writes.filter((w) => w.op === 'host.purge-tickets').map((w) => (w.params as { node: string }).node).sort()).toEqual(['HVF09', 'HVF10']);
    const [hvf09] = await shows('HVF09');
    expect(hvf09!.trustedToAuthForDelegation).toBe(true);
  });
});
