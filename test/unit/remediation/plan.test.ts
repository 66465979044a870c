import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { delegationBlocks } from '../../../src/diagnostics/findings.js';
import { operations } from '../../../src/relay/protocol.js';
import { isEmptyPlan, PlanError, planRemediation, requiredSpns, rollbackPlan, type PlanInput } from '../../../src/remediation/plan.js';
import { risksOf } from '../../../src/remediation/risks.js';
import { planEffect } from '../../../src/remediation/simulate.js';
import { delegationDiff, uacText } from '../../../src/remediation/describe.js';
import { computer, dcCopy, healthyEvidence, kdcEvent, kdcEvents, migration, MVSMS, security, withDcs } from '../../helpers/evidence-builder.js';
import type { Computer } from '../../../src/relay/protocol.js';

// The pure planner: exactly the missing values (docs/domain.md "The fix"), protocol transition on and
// unconstrained off, RBCD when asked, the auth type only where CredSSP is used, a rollback that
// swaps before and after, and the effect judged by the engine itself.

function broken(names: string[] = ['HV01', 'HV02', 'HV03']) {
  const evidence = healthyEvidence(names);
  for (const n of names) {
    const c = computer(evidence, n);
    c.allowedToDelegateTo = [];
    c.userAccountControl = 0x1000;
  }
  return evidence;
}

function input(evidence: ReturnType<typeof healthyEvidence>, patch: Partial<PlanInput> = {}): PlanInput {
  const dir = evidence.directory.computers;
  if (!dir.ok) throw new Error('no directory');
  return {
    nodes: evidence.nodes,
    domainFqdn: 'lab.test',
    computers: dir.value.computers,
    migration: Object.fromEntries(evidence.nodes.map((n) => [n, migration(evidence, n)])),
    mode: 'kcd',
    includeCifs: true,
    ...patch,
  };
}

describe('planRemediation (KCD)', () => {
  it('adds 4(N−1) values per node on an empty cluster and turns protocol transition on', () => {
    const plan = planRemediation(input(broken()));
    expect(plan.delegation).toHaveLength(3);
    for (const c of plan.delegation) {
      expect(c.add).toHaveLength(8);
      expect(c.desired.userAccountControl).toBe(0x1001000);
      expect(c.expected).toEqual({ allowedToDelegateTo: [], userAccountControl: 0x1000 });
    }
    expect(plan.delegation[0]!.add).toEqual([`${MVSMS}/HV02`, `${MVSMS}/hv02.lab.test`, 'cifs/HV02', 'cifs/hv02.lab.test', `${MVSMS}/HV03`, `${MVSMS}/hv03.lab.test`, 'cifs/HV03', 'cifs/hv03.lab.test']);
    expect(plan.purgeTickets).toEqual(['HV01', 'HV02', 'HV03']);
  });

  it('adds only what is missing (case-insensitively), keeps everything else and clears unconstrained delegation', () => {
    const evidence = broken(['HV01', 'HV02']);
    const hv01 = computer(evidence, 'HV01');
    hv01.allowedToDelegateTo = [`${MVSMS}/hv02`, 'cifs/OTHER01'];
    hv01.userAccountControl = 0x1000 | 0x80000;
    const plan = planRemediation(input(evidence));
    const change = plan.delegation.find((c) => c.computer === 'HV01')!;
    expect(change.add).toEqual([`${MVSMS}/hv02.lab.test`, 'cifs/HV02', 'cifs/hv02.lab.test']);
    expect(change.desired.allowedToDelegateTo).toEqual([`${MVSMS}/hv02`, 'cifs/OTHER01', ...change.add]);
    expect(change.desired.userAccountControl).toBe(0x1001000);
    expect(uacText(change.expected.userAccountControl)).toBe('0x81000 (WORKSTATION_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION)');
  });

  it('leaves cifs out when asked and takes FQDNs from dNSHostName', () => {
    const evidence = broken(['HV01', 'HV02']);
    computer(evidence, 'HV02').dnsHostName = 'hv02.site-b.lab.test';
    const plan = planRemediation(input(evidence, { includeCifs: false }));
    expect(plan.delegation.find((c) => c.computer === 'HV01')!.add).toEqual([`${MVSMS}/HV02`, `${MVSMS}/hv02.site-b.lab.test`]);
    expect(requiredSpns({ name: 'HV09', dnsHostName: null } as Computer, 'lab.test', true)).toEqual([`${MVSMS}/HV09`, `${MVSMS}/hv09.lab.test`, 'cifs/HV09', 'cifs/hv09.lab.test']);
  });

  it('changes the auth type only where CredSSP is used, and says so in the risks', () => {
    const evidence = healthyEvidence(['HV01', 'HV02']);
    migration(evidence, 'HV02').authenticationType = 'CredSSP';
    const plan = planRemediation(input(evidence));
    expect(plan.delegation).toEqual([]);
    expect(plan.migrationAuth).toEqual([{ node: 'HV02', expected: 'CredSSP', desired: 'Kerberos' }]);
    expect(isEmptyPlan(plan)).toBe(false);
    expect(risksOf(plan).some((r) => r.includes('CredSSP-only tooling'))).toBe(true);
    expect(isEmptyPlan(planRemediation(input(healthyEvidence(['HV01', 'HV02']))))).toBe(true);
    expect(risksOf(planRemediation(input(healthyEvidence(['HV01', 'HV02'])))).some((r) => r.includes('CredSSP'))).toBe(false);
  });

  it('writes no delegation unless a delegation finding blocks a direction (CredSSP under Credential Guard, cifs missing)', () => {
    const evidence = healthyEvidence(['HV01', 'HV02']);
    migration(evidence, 'HV02').authenticationType = 'CredSSP';
    computer(evidence, 'HV01').allowedToDelegateTo = computer(evidence, 'HV01').allowedToDelegateTo.filter((v) => v !== 'cifs/HV02');
    const d = diagnose(evidence);
    expect(d.verdict).toMatchObject({ status: 'blocked', rootCauses: ['MIGRATION_AUTH_CREDSSP'], fixable: true });
    expect(delegationBlocks(d)).toBe(false);
    const plan = planRemediation(input(evidence, { writeDelegation: delegationBlocks(d) }));
    expect(plan.delegation).toEqual([]);
    expect(plan.migrationAuth).toEqual([{ node: 'HV02', expected: 'CredSSP', desired: 'Kerberos' }]);
    expect(planRemediation(input(evidence)).delegation.map((c) => c.add)).toEqual([['cifs/HV02']]); // what it would have written
  });

  it('adds cifs/<file server> (short and FQDN) only to the nodes whose VMs live on that share', () => {
    const evidence = healthyEvidence(['HV01', 'HV02']);
    const plan = planRemediation(input(evidence, { smbServers: { HV01: [{ short: 'SOFS01', fqdn: 'sofs01.lab.test' }], HV02: [] } }));
    expect(plan.delegation.map((c) => [c.computer, c.add])).toEqual([['HV01', ['cifs/SOFS01', 'cifs/sofs01.lab.test']]]);
    expect(planRemediation(input(evidence, { includeCifs: false, smbServers: { HV01: [{ short: 'SOFS01', fqdn: 'sofs01.lab.test' }] } })).delegation).toEqual([]);
  });

  it('refuses to plan for a node AD does not know', () => {
    const evidence = broken(['HV01', 'HV02']);
    expect(() => planRemediation(input(evidence, { nodes: ['HV01', 'HV02', 'HV77'] }))).toThrow(PlanError);
    expect(() => planRemediation(input(evidence, { nodes: ['HV01', 'HV02', 'HV77'] }))).toThrow(/no computer object for HV77 in lab.test/);
  });
});

describe('planRemediation (RBCD)', () => {
  it('grants every other node on each destination, without touching the KCD list', () => {
    const evidence = broken(['HV01', 'HV02', 'HV03']);
    computer(evidence, 'HV02').allowedToActOnBehalfOf = ['hv01'];
    const plan = planRemediation(input(evidence, { mode: 'rbcd' }));
    const hv02 = plan.delegation.find((c) => c.computer === 'HV02')!;
    expect(hv02.add).toEqual(['HV03']);
    expect(hv02.desired).toEqual({ allowedToDelegateTo: [], userAccountControl: 0x1000, allowedToActOnBehalfOf: ['hv01', 'HV03'] });
    expect(delegationDiff(plan).find((d) => d.computer === 'HV02')!.lines).toEqual(['msDS-AllowedToActOnBehalfOfOtherIdentity: 1 → 2 values', '  + HV03']);
    expect(risksOf(plan)[0]).toMatch(/^RBCD lets every listed source node/);
  });
});

describe('rollbackPlan', () => {
  it('swaps expected and desired for delegation lists and auth type, and leaves userAccountControl as the fix left it', () => {
    const evidence = broken(['HV01', 'HV02']);
    migration(evidence, 'HV01').authenticationType = 'CredSSP';
    const plan = planRemediation(input(evidence));
    const back = rollbackPlan(plan, plan);
    expect(back.delegation.map((c) => [c.computer, c.expected, c.desired])).toEqual(
      plan.delegation.map((c) => [c.computer, c.desired, { ...c.expected, userAccountControl: c.desired.userAccountControl }]),
    );
    expect(back.delegation.every((c) => c.desired.userAccountControl === 0x1001000)).toBe(true);
    expect(back.migrationAuth).toEqual([{ node: 'HV01', expected: 'Kerberos', desired: 'CredSSP' }]);
    expect(delegationDiff(back)[0]!.lines.some((l) => l.includes('userAccountControl'))).toBe(false);
    expect(delegationDiff(back)[0]!.lines.filter((l) => l.startsWith('  − '))).toHaveLength(4);
  });

  it('passes the relay\'s write limits: a rollback never clears 0x1000000 nor sets 0x80000 again', () => {
    const evidence = broken(['HV01', 'HV02']);
    computer(evidence, 'HV01').userAccountControl = 0x1000 | 0x80000;
    const plan = planRemediation(input(evidence));
    const fixed = plan.delegation.find((c) => c.computer === 'HV01')!;
    expect(fixed.desired.userAccountControl).toBe(0x1001000);
    const back = rollbackPlan(plan, plan).delegation.find((c) => c.computer === 'HV01')!;
    expect(back.desired.userAccountControl).toBe(0x1001000);
    const params = { changes: [{ computer: back.computer, expected: back.expected, desired: back.desired }], approval: `${'a'.repeat(20)}.${'0'.repeat(64)}` };
    expect(operations['directory.apply-delegation'].params.safeParse(params).success).toBe(true);
  });
});

describe('planEffect', () => {
  it('says which directions the plan unblocks, judged by the engine', () => {
    const evidence = broken(['HV01', 'HV02']);
    const before = diagnose(evidence);
    expect(before.directions.map((d) => d.status)).toEqual(['blocked', 'blocked']);
    const effect = planEffect(before, evidence, planRemediation(input(evidence)));
    expect(effect.unblocks).toEqual([{ from: 'HV01', to: 'HV02' }, { from: 'HV02', to: 'HV01' }]);
    expect(effect.stillBlocked).toEqual([]);
    expect(effect.after.verdict.status).toBe('healthy');
    expect(computer(evidence, 'HV01').allowedToDelegateTo).toEqual([]); // the evidence itself is untouched
  });

  it('fixes unconstrained-only delegation with Credential Guard off: constrained + protocol transition, 0x80000 cleared', () => {
    const evidence = healthyEvidence(['HV01', 'HV02']);
    computer(evidence, 'HV01').userAccountControl = 0x81000;
    computer(evidence, 'HV01').allowedToDelegateTo = [];
    for (const n of ['HV01', 'HV02']) security(evidence, n).credentialGuardRunning = false;
    const before = diagnose(evidence);
    expect(before.verdict).toMatchObject({ status: 'blocked', rootCauses: ['DELEGATION_UNCONSTRAINED'], fixable: true });
    const plan = planRemediation(input(evidence));
    expect(plan.delegation).toHaveLength(1);
    expect(plan.delegation[0]).toMatchObject({ computer: 'HV01', desired: { userAccountControl: 0x1001000 }, add: [`${MVSMS}/HV02`, `${MVSMS}/hv02.lab.test`, 'cifs/HV02', 'cifs/hv02.lab.test'] });
    const effect = planEffect(before, evidence, plan);
    expect(effect.unblocks).toEqual([{ from: 'HV01', to: 'HV02' }]);
    expect(effect.after.verdict.status).toBe('healthy');
  });

  it('with DC evidence: judged as after replication (the fix flow waits for it), without the refusals the old values caused', () => {
    const evidence = broken(['HV01', 'HV02']);
    withDcs(evidence, [{ name: 'DC01' }, { name: 'DC02' }]);
    kdcEvents(evidence, 'DC01').push(kdcEvent({ log: 'Security', id: 4769, status: '0xD', account: 'HV01$@LAB.TEST', service: 'HV02$' }));
    const before = diagnose(evidence);
    expect(before.findings.map((f) => f.code)).toContain('KDC_DELEGATION_REFUSED');
    const effect = planEffect(before, evidence, planRemediation(input(evidence)));
    expect(effect.unblocks).toEqual([{ from: 'HV01', to: 'HV02' }, { from: 'HV02', to: 'HV01' }]);
    expect(effect.after.findings.map((f) => f.code)).not.toContain('REPLICATION_PENDING');
    expect(dcCopy(evidence, 'DC02', 'HV01').allowedToDelegateTo).toEqual([]); // the evidence itself is untouched
  });

  it('with DC evidence: a KDC etype refusal is not the delegation\'s, so the direction stays blocked', () => {
    const evidence = broken(['HV01', 'HV02']);
    withDcs(evidence, [{ name: 'DC01' }]);
    kdcEvents(evidence, 'DC01').push(kdcEvent({ log: 'System', id: 16, message: 'While processing a TGS request for the target server HV01$, the account HV02$ did not have a suitable key' }));
    const effect = planEffect(diagnose(evidence), evidence, planRemediation(input(evidence)));
    expect(effect.after.findings.map((f) => f.code)).toContain('KDC_ETYPE_MISMATCH');
  });

  it('names what stays blocked when the plan cannot fix it', () => {
    const evidence = broken(['HV01', 'HV02']);
    computer(evidence, 'HV02').servicePrincipalNames = computer(evidence, 'HV02').servicePrincipalNames.filter((s) => !s.startsWith(MVSMS));
    const effect = planEffect(diagnose(evidence), evidence, planRemediation(input(evidence)));
    expect(effect.unblocks).toEqual([{ from: 'HV02', to: 'HV01' }]);
    expect(effect.stillBlocked).toEqual([{ from: 'HV01', to: 'HV02', blockedBy: ['SPN_MISSING'] }]);
  });
});
