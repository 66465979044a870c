import { UAC, hasFlag } from '../diagnostics/flags.js';
import type { RemediationPlan } from './plan.js';

// The plan as the PowerShell an administrator would type (ActiveDirectory and Hyper-V modules),
// for the change ticket. It is shown, never run: the relay applies the plan through its own
// allow-listed operations. Every name is a single-quoted literal (' doubled), so a value read
// from AD can never become code when someone pastes the lines.

/** A PowerShell single-quoted string literal. */
export function psQuote(value: string): string {
  return `'${value.replace(/['‘’‚‛]/g, (q) => q + q)}'`;
}

const list = (values: string[]): string => `@(${values.map(psQuote).join(', ')})`;

function delegationLines(plan: Pick<RemediationPlan, 'delegation' | 'mode'>): string[] {
  return plan.delegation.flatMap((c) => {
    const lines: string[] = [];
    const computer = psQuote(c.computer);
    if (plan.mode === 'rbcd') {
      // The cmdlet replaces the whole list, so it names every principal the destination will grant.
      const principals = c.desired.allowedToActOnBehalfOf ?? [];
      if (c.add.length || principals.length !== (c.expected.allowedToActOnBehalfOf ?? []).length) {
        lines.push(
          principals.length
            ? `Set-ADComputer -Identity ${computer} -PrincipalsAllowedToDelegateToAccount (${principals.map((p) => `Get-ADComputer ${psQuote(p)}`).join(', ')})`
            : `Set-ADComputer -Identity ${computer} -PrincipalsAllowedToDelegateToAccount $null`,
        );
      }
    } else {
      const had = new Set(c.expected.allowedToDelegateTo.map((v) => v.toLowerCase()));
      const added = c.desired.allowedToDelegateTo.filter((v) => !had.has(v.toLowerCase()));
      const will = new Set(c.desired.allowedToDelegateTo.map((v) => v.toLowerCase()));
      const removed = c.expected.allowedToDelegateTo.filter((v) => !will.has(v.toLowerCase()));
      if (added.length) lines.push(`Set-ADComputer -Identity ${computer} -Add @{'msDS-AllowedToDelegateTo'=${list(added)}}`);
      if (removed.length) lines.push(`Set-ADComputer -Identity ${computer} -Remove @{'msDS-AllowedToDelegateTo'=${list(removed)}}`);
    }
    const before = c.expected.userAccountControl;
    const after = c.desired.userAccountControl;
    const t2a = UAC.TRUSTED_TO_AUTH_FOR_DELEGATION;
    if (!hasFlag(before, t2a) && hasFlag(after, t2a)) lines.push(`Get-ADComputer ${computer} | Set-ADAccountControl -TrustedToAuthForDelegation $true`);
    if (hasFlag(before, UAC.TRUSTED_FOR_DELEGATION) && !hasFlag(after, UAC.TRUSTED_FOR_DELEGATION)) lines.push(`Get-ADComputer ${computer} | Set-ADAccountControl -TrustedForDelegation $false`);
    return lines;
  });
}

/** One command per line, in the order the relay applies the plan. */
export function powershellEquivalent(plan: Pick<RemediationPlan, 'delegation' | 'mode' | 'migrationAuth'> & Partial<Pick<RemediationPlan, 'purgeTickets'>>): string[] {
  const lines = delegationLines(plan);
  for (const a of plan.migrationAuth) lines.push(`Set-VMHost -ComputerName ${psQuote(a.node)} -VirtualMachineMigrationAuthenticationType ${a.desired}`);
  if (lines.length && plan.purgeTickets?.length) {
    // New machine tickets carry the new delegation; the relay does the same after its write.
    lines.push(`Invoke-Command -ComputerName ${plan.purgeTickets.map(psQuote).join(', ')} -ScriptBlock { klist -li 0x3e7 purge }`);
  }
  return lines;
}
