import { describe, expect, it } from 'vitest';
import { planRemediation, rollbackPlan, type PlanInput } from '../../../src/remediation/plan.js';
import { powershellEquivalent, psQuote } from '../../../src/remediation/powershell.js';
import { computer, healthyEvidence, migration, MVSMS } from '../../helpers/evidence-builder.js';

// The plan as the PowerShell an administrator would type, for the change ticket: exactly the
// values the plan adds, the UAC flags it sets, the auth type it changes, every name quoted.

function input(evidence: ReturnType<typeof healthyEvidence>, patch: Partial<PlanInput> = {}): PlanInput {
  const dir = evidence.directory.computers;
  if (!dir.ok) throw new Error('no directory');
  return {
    nodes: evidence.nodes,
    domainFqdn: 'lab.test',
    computers: dir.value.computers,
    migration: Object.fromEntries(evidence.nodes.map((n) => [n, migration(evidence, n)])),
    mode: 'kcd',
    includeCifs: false,
    ...patch,
  };
}

describe('powershellEquivalent', () => {
  it('KCD: Set-ADComputer -Add with the missing SPNs, protocol transition on, CredSSP → Kerberos', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    const c = computer(ev, 'HV01');
    c.allowedToDelegateTo = [];
    c.userAccountControl = 0x1000;
    migration(ev, 'HV02').authenticationType = 'CredSSP';
    const lines = powershellEquivalent(planRemediation(input(ev)));
    expect(lines).toEqual([
      `Set-ADComputer -Identity 'HV01' -Add @{'msDS-AllowedToDelegateTo'=@('${MVSMS}/HV02', '${MVSMS}/hv02.lab.test')}`,
      "Get-ADComputer 'HV01' | Set-ADAccountControl -TrustedToAuthForDelegation $true",
      "Set-VMHost -ComputerName 'HV02' -VirtualMachineMigrationAuthenticationType Kerberos",
      "Invoke-Command -ComputerName 'HV01', 'HV02' -ScriptBlock { klist -li 0x3e7 purge }",
    ]);
  });

  it('clears unconstrained delegation, and a rollback removes what the fix added', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    const c = computer(ev, 'HV01');
    c.allowedToDelegateTo = [];
    c.userAccountControl = 0x1000 | 0x80000;
    const plan = planRemediation(input(ev));
    expect(powershellEquivalent(plan)).toContain("Get-ADComputer 'HV01' | Set-ADAccountControl -TrustedForDelegation $false");
    const back = powershellEquivalent(rollbackPlan(plan, plan));
    expect(back[0]).toBe(`Set-ADComputer -Identity 'HV01' -Remove @{'msDS-AllowedToDelegateTo'=@('${MVSMS}/HV02', '${MVSMS}/hv02.lab.test')}`);
    expect(back.some((l) => l.includes('Set-ADAccountControl'))).toBe(false);
  });

  it('RBCD names every principal the destination will grant', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    for (const n of ['HV01', 'HV02']) computer(ev, n).allowedToDelegateTo = [];
    const lines = powershellEquivalent(planRemediation(input(ev, { mode: 'rbcd' })));
    expect(lines).toContain("Set-ADComputer -Identity 'HV01' -PrincipalsAllowedToDelegateToAccount (Get-ADComputer 'HV02')");
  });

  it('a quote in a value stays inside the literal', () => {
    expect(psQuote("HV01'; Remove-ADComputer x; '")).toBe("'HV01''; Remove-ADComputer x; '''");
  });

  it('an empty plan has no PowerShell', () => {
    expect(powershellEquivalent(planRemediation(input(healthyEvidence(['HV01', 'HV02']))))).toEqual([]);
  });
});
