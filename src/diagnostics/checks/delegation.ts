import type { Computer } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { factsOf, peersOf, rbcdGrants, type Facts, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { hasFlag, numberEvidence, UAC } from '../flags.js';
import { finding, listText } from '../make-finding.js';

// DOMAIN.md §1 checks 6–8, per computer object: no delegation at all, unconstrained delegation,
// and "Kerberos only" constrained delegation (no protocol transition, fails on WS2016+).
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
  const grantedBy = peersOf(facts, n).filter((p) => rbcdGrants(p, n) === true).map((p) => p.node);

  if (unconstrained) out.push(unconstrainedFinding(n, base));
  if (!unconstrained && c.allowedToDelegateTo.length === 0 && grantedBy.length === 0) {
    const message = `${n.node} has no delegation at all (empty msDS-AllowedToDelegateTo, no peer grants it RBCD): live migrations from ${n.node} fail`;
    out.push(finding('DELEGATION_NONE', 'error', message, { ...base, rbcdGrantedBy: grantedBy }, { node: n.node }));
  }
  if (c.allowedToDelegateTo.length > 0 && !transition) {
    const rbcd = grantedBy.length > 0 ? ` (except to ${listText(grantedBy)}, which grant${grantedBy.length === 1 ? 's' : ''} it RBCD)` : '';
    const message = `${n.node} is trusted for Kerberos-only delegation (userAccountControl ${base.userAccountControl.hex} lacks TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): "Use any authentication protocol" is required on Windows Server 2016 and later, so live migrations from ${n.node} fail${rbcd}`;
    out.push(finding('DELEGATION_KERBEROS_ONLY', 'error', message, { ...base, rbcdGrantedBy: grantedBy }, { node: n.node }));
  }
  return out;
}

function unconstrainedFinding(n: NodeFacts, base: Record<string, unknown>): Finding {
  const cg = n.security?.credentialGuardRunning;
  const effect =
    cg === true
      ? 'Credential Guard on it blocks unconstrained delegation'
      : cg === false
        ? 'a security risk, and blocked once Credential Guard runs'
        : 'a security risk; the Credential Guard state could not be read';
  const message = `${n.node} is trusted for unconstrained delegation (userAccountControl has TRUSTED_FOR_DELEGATION 0x80000): ${effect}; use constrained delegation instead`;
  return finding('DELEGATION_UNCONSTRAINED', 'error', message, { ...base, credentialGuardRunning: cg ?? null }, { node: n.node });
}
