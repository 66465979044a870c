import type { Computer } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { factsOf, peersOf, rbcdGrants, type Facts, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { hasFlag, numberEvidence, UAC } from '../flags.js';
import { finding, listText } from '../make-finding.js';

// docs/domain.md "Delegation" (checks 6–8), per computer object: no constrained delegation,
// unconstrained delegation, and "Kerberos only" constrained delegation (no protocol transition,
// fails on WS2016+). A direction S → D is ok only when S → D itself can delegate, so RBCD that
// one peer grants S does not excuse the peers that grant nothing: DELEGATION_NONE is raised
// whenever at least one peer is left without a path, and blocks only those directions.
// The per-direction list checks live in delegation-pairs.ts.

export function checkDelegation(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return facts.nodes.flatMap((n) => (n.computer ? nodeFindings(facts, n, n.computer) : []));
}

function nodeFindings(facts: Facts, n: NodeFacts, c: Computer): Finding[] {
  const out: Finding[] = [];
  const base = { userAccountControl: numberEvidence(c.userAccountControl), allowedToDelegateTo: c.allowedToDelegateTo };
  const unconstrained = hasFlag(c.userAccountControl, UAC.TRUSTED_FOR_DELEGATION);
  const transition = hasFlag(c.userAccountControl, UAC.TRUSTED_TO_AUTH_FOR_DELEGATION);
  const peers = peersOf(facts, n);
  const grantedBy = peers.filter((p) => rbcdGrants(p, n) === true).map((p) => p.node);
  const ungranted = peers.filter((p) => rbcdGrants(p, n) !== true).map((p) => p.node);

  if (unconstrained) out.push(unconstrainedFinding(n, base, ungranted));
  if (!unconstrained && c.allowedToDelegateTo.length === 0 && ungranted.length > 0) {
    const message =
      grantedBy.length === 0
        ? `${n.node} has no delegation at all (empty msDS-AllowedToDelegateTo, no peer grants it RBCD): live migrations from ${n.node} fail`
        : `${n.node} has no constrained delegation (empty msDS-AllowedToDelegateTo) and only ${listText(grantedBy)} grant${grantedBy.length === 1 ? 's' : ''} it RBCD: live migrations from ${n.node} to ${listText(ungranted)} fail`;
    out.push(finding('DELEGATION_NONE', 'error', message, { ...base, rbcdGrantedBy: grantedBy, noDelegationTo: ungranted }, { node: n.node }));
  }
  if (c.allowedToDelegateTo.length > 0 && !transition) {
    const rbcd = grantedBy.length > 0 ? ` (except to ${listText(grantedBy)}, which grant${grantedBy.length === 1 ? 's' : ''} it RBCD)` : '';
    const message = `${n.node} is trusted for Kerberos-only delegation (userAccountControl ${base.userAccountControl.hex} lacks TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): "Use any authentication protocol" is required on Windows Server 2016 and later, so live migrations from ${n.node} fail${rbcd}`;
    out.push(finding('DELEGATION_KERBEROS_ONLY', 'error', message, { ...base, rbcdGrantedBy: grantedBy }, { node: n.node }));
  }
  return out;
}

/**
 * Unconstrained delegation does not make live migration work on WS2016+, with Credential Guard on
 * or off: the WMI/WinRM path forwards no TGT, and S4U2proxy with an empty list is refused
 * (MS-SFU 3.2.5.2.1). The directions it leaves without a constrained path are blocked in
 * directions.ts; where constrained delegation or RBCD covers a direction it is a security risk.
 */
function unconstrainedFinding(n: NodeFacts, base: Record<string, unknown>, ungranted: string[]): Finding {
  const cg = n.security?.credentialGuardRunning;
  const cgText = cg === true ? 'Credential Guard is running on it' : cg === false ? 'Credential Guard is off' : 'the Credential Guard state could not be read';
  const message = `${n.node} is trusted for unconstrained delegation (userAccountControl has TRUSTED_FOR_DELEGATION 0x80000; ${cgText}): it does not make live migration work on Windows Server 2016 and later and is a security risk; use constrained delegation with "Use any authentication protocol" and clear 0x80000`;
  return finding('DELEGATION_UNCONSTRAINED', 'error', message, { ...base, credentialGuardRunning: cg ?? null, rbcdMissingFrom: ungranted }, { node: n.node });
}
