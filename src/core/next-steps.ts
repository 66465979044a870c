import type { Diagnosis, Finding, FindingCode } from '../diagnostics/findings.js';
import { FIXABLE_CODES } from '../diagnostics/findings.js';
import type { ReplySection } from './reply.js';

// "What to do next" for the findings the bot cannot fix: the command a person runs, with the real
// names filled in from the finding, and where docs/findings.md explains the code. Commands are
// shown, never run; names go in as quoted literals so a pasted line cannot run anything else.

/** The codes with a next step here; each has a "### CODE" section in docs/findings.md (a test checks). */
export const NEXT_STEP_CODES: readonly FindingCode[] = [
  'SPN_DUPLICATE', 'SPN_MISSING', 'NODE_UNREACHABLE', 'DIRECTORY_UNREACHABLE', 'NODE_UNKNOWN', 'LOGON_RIGHT_MISSING', 'DNS_MISMATCH',
  'CLOCK_SKEW', 'MIGRATION_DISABLED', 'ENCTYPES_RC4_ONLY', 'INITIATOR_NOT_DELEGATABLE', 'INITIATOR_UNKNOWN', 'INITIATOR_NOT_CHECKED', 'LM_FAILURE_EVENT_OTHER',
  'KDC_DELEGATION_REFUSED', 'KDC_ETYPE_MISMATCH', 'KDC_DUPLICATE_SPN', 'REPLICATION_PENDING', 'DC_EVIDENCE_UNKNOWN',
];

/** Where docs/findings.md lives for readers: DOCS_BASE_URL when set, else the repository path. */
export function findingDocLink(code: FindingCode, docsBaseUrl?: string): string {
  const anchor = code.toLowerCase();
  return docsBaseUrl ? `${docsBaseUrl.replace(/\/+$/, '')}/findings.md#${anchor}` : `docs/findings.md#${anchor}`;
}

/** A PowerShell single-quoted literal (the same rule as the plan's PowerShell). */
const q = (value: string): string => `'${value.replace(/['‘’‚‛]/g, (c) => c + c)}'`;
/** A cmd.exe argument (setspn, gpresult): double-quoted, quotes dropped (AD names carry none). */
const dq = (value: string): string => `"${value.replace(/"/g, '')}"`;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The commands for one finding; empty when the bot fixes it itself or there is nothing to run. */
export function nextCommands(f: Finding): string[] {
  const node = f.node ?? '';
  const e = f.evidence;
  switch (f.code) {
    case 'SPN_DUPLICATE': {
      const own = str(e.account)?.replace(/\$$/, '').toLowerCase();
      const removals = arr(e.duplicates).flatMap((d) => {
        const spn = str(rec(d).spn);
        if (!spn) return [];
        const accounts = arr(rec(d).accounts).map(str).filter((a): a is string => a !== undefined);
        return accounts.filter((a) => a.replace(/\$$/, '').toLowerCase() !== own).map((a) => `setspn -D ${dq(spn)} ${dq(a)}`);
      });
      return [...removals, `setspn -X -F`];
    }
    case 'SPN_MISSING': {
      const forms = arr(e.expected).map(str).filter((s): s is string => s !== undefined);
      return [...forms.map((spn) => `setspn -S ${dq(spn)} ${dq(node)}`), `Restart-Service -Name vmms  # on ${node}: VMMS registers its SPN at start`];
    }
    case 'NODE_UNREACHABLE':
      return [`Test-WSMan -ComputerName ${q(node)} -Authentication Kerberos`, `Test-NetConnection -ComputerName ${q(node)} -Port 5986`];
    case 'DIRECTORY_UNREACHABLE':
      return ['nltest /dsgetdc: /force', 'Test-NetConnection -ComputerName $env:LOGONSERVER.TrimStart(\'\\\') -Port 636  # on the relay host'];
    case 'NODE_UNKNOWN':
      return [`Get-ADComputer -Filter "Name -like '${(str(e.name) ?? node).replace(/['"*`$]/g, '')}*'" | Select-Object Name, DNSHostName`];
    case 'LOGON_RIGHT_MISSING':
      return [
        `gpresult /h C:\\Temp\\gpresult-${node.replace(/[^A-Za-z0-9.-]/g, '_')}.html /f  # on ${node}, elevated`,
        `secedit /export /areas USER_RIGHTS /cfg C:\\Temp\\rights.inf; Select-String SeServiceLogonRight C:\\Temp\\rights.inf  # on ${node}`,
      ];
    case 'DNS_MISMATCH': {
      const names = arr(e.lookups).map((l) => rec(l)).filter((l) => l.problem).map((l) => str(l.name)).filter((n): n is string => n !== undefined);
      const peer = f.peer ?? str(e.name) ?? '';
      return [
        ...names.map((n) => `Resolve-DnsName -Name ${q(n)} -DnsOnly  # on ${node}`),
        `ipconfig /registerdns  # on ${peer}, then Clear-DnsClientCache on ${node}`,
      ];
    }
    case 'CLOCK_SKEW':
      return [`w32tm /stripchart /computer:${node} /samples:3 /dataonly`, `w32tm /resync /rediscover  # on ${node}`];
    case 'MIGRATION_DISABLED':
      return [`Enable-VMMigration -ComputerName ${q(node)}`];
    case 'ENCTYPES_RC4_ONLY':
      return [`Get-ADComputer ${q(node)} -Properties msDS-SupportedEncryptionTypes`, `Set-ADComputer ${q(node)} -KerberosEncryptionType AES128,AES256  # after checking the DCs accept AES for it`];
    case 'INITIATOR_NOT_DELEGATABLE':
    case 'INITIATOR_UNKNOWN': {
      const id = str(e.name) ?? str(e.id) ?? '';
      return [`Get-ADUser -Identity ${q(id)} -Properties AccountNotDelegated, MemberOf | Select-Object Name, AccountNotDelegated, MemberOf`];
    }
    case 'INITIATOR_NOT_CHECKED':
      return ['klist -li 0x3e7 purge  # on each node, after any delegation change', 'whoami /groups | findstr /i "Protected"  # as the account that starts the moves'];
    case 'LM_FAILURE_EVENT_OTHER':
      return [`Get-WinEvent -ComputerName ${q(node)} -LogName 'Microsoft-Windows-Hyper-V-VMMS-Admin' -MaxEvents 20`];
    case 'KDC_DELEGATION_REFUSED': {
      // The DC's own copy of the node's delegation, and a fresh ticket once it is right.
      const dcs = arr(e.dcs).map(str).filter((d): d is string => d !== undefined);
      return [
        ...dcs.map((dc) => `Get-ADComputer ${q(node)} -Server ${q(dc)} -Properties msDS-AllowedToDelegateTo, userAccountControl | Format-List Name, msDS-AllowedToDelegateTo, userAccountControl`),
        `klist -li 0x3e7 purge  # on ${node}, once every DC carries the delegation; then test the move ${node} → ${f.peer ?? ''}`,
      ];
    }
    case 'KDC_ETYPE_MISMATCH': {
      const dcs = arr(e.dcs).map(str).filter((d): d is string => d !== undefined);
      return [
        `Get-ADComputer ${q(node)} -Properties msDS-SupportedEncryptionTypes, KerberosEncryptionType | Format-List Name, msDS-SupportedEncryptionTypes, KerberosEncryptionType`,
        ...dcs.map((dc) => `Get-WinEvent -ComputerName ${q(dc)} -FilterHashtable @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-Kerberos-Key-Distribution-Center'; Id = 14, 16, 26, 27 } -MaxEvents 20`),
        `Reset-ComputerMachinePassword  # on ${node}, elevated, if its keys predate AES (then klist -li 0x3e7 purge)`,
      ];
    }
    case 'KDC_DUPLICATE_SPN': {
      const spns = arr(e.spns).map(str).filter((x): x is string => x !== undefined);
      return [...spns.map((spn) => `setspn -Q ${dq(spn)}`), 'setspn -X -F'];
    }
    case 'REPLICATION_PENDING': {
      const lagging = arr(e.dcs).map((d) => str(rec(d).dc)).filter((d): d is string => d !== undefined);
      return [
        ...lagging.map((dc) => `repadmin /showrepl ${dc}`),
        ...lagging.map((dc) => `repadmin /syncall ${dc} /AdeP  # pushes every partition from and to ${dc}`),
        `klist -li 0x3e7 purge  # on ${node}, once replication has finished`,
      ];
    }
    case 'DC_EVIDENCE_UNKNOWN': {
      const dcs = arr(e.dcs).map((d) => str(rec(d).dc)).filter((d): d is string => d !== undefined);
      if (dcs.length === 0) return ['nltest /dclist:  # on the relay host: the DCs it can find'];
      return dcs.map((dc) => `Test-WSMan -ComputerName ${q(dc)} -Authentication Kerberos  # from the relay host; the DC role's endpoint is HvLmDcDiag unless the relay's JEA_DC_CONFIGURATION_NAME names another`);
    }
    default:
      return [];
  }
}

/** Codes a person must act on: every error or warning the bot does not fix. */
function needsPerson(f: Finding): boolean {
  return f.severity !== 'info' && !FIXABLE_CODES.has(f.code);
}

/**
 * One section with, per finding a person must act on, the finding's code and node, the commands
 * as indented lines and the link to its section of docs/findings.md. Undefined when there is none.
 */
export function nextStepsSection(d: Pick<Diagnosis, 'findings'>, docsBaseUrl?: string): ReplySection | undefined {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of d.findings.filter(needsPerson)) {
    const commands = nextCommands(f).filter((c) => !seen.has(c));
    if (commands.length === 0) continue;
    commands.forEach((c) => seen.add(c));
    const where = f.peer ? `${f.node} → ${f.peer}` : (f.node ?? 'cluster');
    lines.push(`${f.code} · ${where}: see ${findingDocLink(f.code, docsBaseUrl)}`, ...commands.map((c) => `    ${c}`));
  }
  return lines.length ? { title: 'What to do next (needs a person)', severity: 'warning', lines } : undefined;
}
