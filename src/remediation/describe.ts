import { hex } from '../diagnostics/flags.js';
import type { RemediationPlan } from './plan.js';

// The plan in words for the diff card: per computer what is added and how userAccountControl
// changes (hex with the flag names ADUC users know), and the migration auth type changes.

/** ADS_USER_FLAG_ENUM names of the bits a computer account commonly carries. */
const UAC_NAMES: Array<[number, string]> = [
  [0x2, 'ACCOUNTDISABLE'],
  [0x20, 'PASSWD_NOTREQD'],
  [0x200, 'NORMAL_ACCOUNT'],
  [0x1000, 'WORKSTATION_TRUST_ACCOUNT'],
  [0x2000, 'SERVER_TRUST_ACCOUNT'],
  [0x10000, 'DONT_EXPIRE_PASSWORD'],
  [0x80000, 'TRUSTED_FOR_DELEGATION'],
  [0x100000, 'NOT_DELEGATED'],
  [0x1000000, 'TRUSTED_TO_AUTH_FOR_DELEGATION'],
];

export function uacText(value: number): string {
  const names = UAC_NAMES.filter(([bit]) => ((value & bit) >>> 0) !== 0).map(([, name]) => name);
  const known = UAC_NAMES.reduce((acc, [bit]) => acc | bit, 0);
  const rest = (value & ~known) >>> 0;
  if (rest) names.push(hex(rest));
  return `${hex(value)} (${names.join(' | ') || 'no flags'})`;
}

export interface ComputerDiff {
  computer: string;
  lines: string[];
}

const lower = (values: string[]) => new Set(values.map((v) => v.toLowerCase()));

/** Lines for one computer: values added and removed, then the UAC change. */
export function delegationDiff(plan: Pick<RemediationPlan, 'delegation' | 'mode'>): ComputerDiff[] {
  return plan.delegation.map((c) => {
    const lines: string[] = [];
    const attr = plan.mode === 'rbcd' ? 'msDS-AllowedToActOnBehalfOfOtherIdentity' : 'msDS-AllowedToDelegateTo';
    const before = plan.mode === 'rbcd' ? (c.expected.allowedToActOnBehalfOf ?? []) : c.expected.allowedToDelegateTo;
    const after = plan.mode === 'rbcd' ? (c.desired.allowedToActOnBehalfOf ?? []) : c.desired.allowedToDelegateTo;
    const had = lower(before);
    const will = lower(after);
    const added = after.filter((v) => !had.has(v.toLowerCase()));
    const removed = before.filter((v) => !will.has(v.toLowerCase()));
    if (added.length || removed.length) lines.push(`${attr}: ${before.length} → ${after.length} values`);
    for (const v of added) lines.push(`  + ${v}`);
    for (const v of removed) lines.push(`  − ${v}`);
    if (c.expected.userAccountControl !== c.desired.userAccountControl) {
      lines.push(`userAccountControl: ${uacText(c.expected.userAccountControl)} → ${uacText(c.desired.userAccountControl)}`);
    }
    return { computer: c.computer, lines };
  });
}

export function authDiff(plan: Pick<RemediationPlan, 'migrationAuth'>): string[] {
  return plan.migrationAuth.map((a) => `${a.node}: VirtualMachineMigrationAuthenticationType ${a.expected} → ${a.desired}`);
}
