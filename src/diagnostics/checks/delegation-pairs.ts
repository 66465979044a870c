import type { Evidence } from '../evidence.js';
import { cifsSpns, delegatesTo, factsOf, migrationSpns, peersOf, rbcdGrants, type NodeFacts } from '../facts.js';
import type { Finding, FindingCode } from '../findings.js';
import { arrow, finding, listText } from '../make-finding.js';
import { smbServersOf } from '../smb.js';

// docs/domain.md "Delegation" and "cifs and SMB" (checks 7–8), per ordered pair S → D.
// Delegation is directional: S's list must name D's migration service (short and FQDN) and cifs;
// or D's RBCD descriptor grants S, which covers every service on D. An empty list is
// DELEGATION_NONE's business, not a missing entry. A missing cifs pair is an error for the
// directions that use SMB (S migrates over SMB), a warning otherwise; a VM on an SMB share needs
// cifs/<file server> in its node's list (an error: that VM cannot be moved off the node).

export function checkDelegationPairs(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return facts.nodes.flatMap((s) => [...peersOf(facts, s).flatMap((d) => pairFindings(s, d)), ...shareFindings(s, facts.directory?.domain.fqdn)]);
}

/** Does S send its live migrations over SMB (VirtualMachineMigrationPerformanceOption = SMB)? */
export function migratesOverSmb(s: NodeFacts): boolean {
  return s.migration?.performanceOption === 'SMB';
}

function shareFindings(s: NodeFacts, domainFqdn: string | undefined): Finding[] {
  if (!s.computer || s.computer.allowedToDelegateTo.length === 0) return [];
  return smbServersOf(s.vms, domainFqdn).flatMap((server) => {
    const absent = [`cifs/${server.short}`, `cifs/${server.fqdn}`].filter((spn) => !delegatesTo(s, spn));
    if (absent.length === 0) return [];
    const message = `${s.node} may not delegate to ${absent.join(' or ')}, but ${listText(server.vms)} keep${server.vms.length === 1 ? 's' : ''} storage on \\\\${server.short}: moving ${server.vms.length === 1 ? 'it' : 'them'} off ${s.node} fails`;
    const ev = { server: server.short, serverFqdn: server.fqdn, vms: server.vms, missingSpns: absent, allowedToDelegateTo: s.computer!.allowedToDelegateTo, smbStorage: true };
    return [finding('DELEGATION_MISSING_CIFS', 'error', message, ev, { node: s.node })];
  });
}

function pairFindings(s: NodeFacts, d: NodeFacts): Finding[] {
  if (!s.computer || !d.computer) return [];
  if (rbcdGrants(d, s)) {
    const message = `${arrow(s.node, d.node)}: ${d.node} grants ${s.node} resource-based constrained delegation (msDS-AllowedToActOnBehalfOfOtherIdentity)`;
    return [finding('RBCD_PRESENT', 'info', message, { allowedToActOnBehalfOf: d.computer.allowedToActOnBehalfOf }, { node: s.node, peer: d.node })];
  }
  const list = s.computer.allowedToDelegateTo;
  if (list.length === 0) return [];
  return [
    ...missing('DELEGATION_MISSING_MIGRATION_SERVICE', 'error', s, d, migrationSpns(d), list, 'live migrations fail'),
    ...(migratesOverSmb(s)
      ? missing('DELEGATION_MISSING_CIFS', 'error', s, d, cifsSpns(d), list, 'live migrations over SMB (VirtualMachineMigrationPerformanceOption SMB) and storage moves fail', { smbLiveMigration: true })
      : missing('DELEGATION_MISSING_CIFS', 'warning', s, d, cifsSpns(d), list, 'storage moves and VMs on SMB storage fail', { smbLiveMigration: false })),
  ];
}

function missing(
  code: FindingCode,
  severity: 'error' | 'warning',
  s: NodeFacts,
  d: NodeFacts,
  spns: { short: string; fqdn: string | undefined },
  list: string[],
  effect: string,
  extra: Record<string, unknown> = {},
): Finding[] {
  const forms: Array<{ form: 'short' | 'FQDN'; spn: string }> = [{ form: 'short', spn: spns.short }];
  if (spns.fqdn) forms.push({ form: 'FQDN', spn: spns.fqdn });
  const absent = forms.filter((f) => !delegatesTo(s, f.spn));
  if (absent.length === 0) return [];
  const which = absent.length === 2 ? 'short and FQDN forms missing' : `${absent[0]!.form} form missing`;
  const spnText = absent.map((f) => f.spn).join(' or ');
  const message = `${arrow(s.node, d.node)}: ${s.node} may not delegate to ${spnText} (${which}); ${effect} in this direction`;
  const evidence = { missing: absent.map((f) => f.form), missingSpns: absent.map((f) => f.spn), allowedToDelegateTo: list, destinationFqdnSource: d.fqdnSource, ...extra };
  return [finding(code, severity, message, evidence, { node: s.node, peer: d.node })];
}
