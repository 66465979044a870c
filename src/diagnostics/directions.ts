import type { Evidence } from './evidence.js';
import { factsOf, kcdPath, rbcdGrants, type Facts, type NodeFacts } from './facts.js';
import type { Direction, Finding, FindingCode } from './findings.js';
import { byImportance } from './importance.js';

// Which findings decide which ordered pair (the "blocks" column of docs/findings.md, in one table).
// A direction is blocked if any finding blocks it, else unknown if any finding says evidence it
// needs is missing, else ok. Events and hardening correlations never decide a direction, except a
// logon-right failure (LOGON_RIGHT_MISSING), which is a cause of its own on the destination.

type Effect = 'block' | 'unknown' | undefined;
type Rule = (f: Finding, s: NodeFacts, d: NodeFacts) => Effect;

const touches = (f: Finding, s: NodeFacts, d: NodeFacts) => f.node === s.node || f.node === d.node;
const fromSource = (f: Finding, s: NodeFacts) => f.node === s.node;
const toDest = (f: Finding, _s: NodeFacts, d: NodeFacts) => f.node === d.node;
const onPair = (f: Finding, s: NodeFacts, d: NodeFacts) => f.node === s.node && f.peer === d.node;
const unlessRbcd = (s: NodeFacts, d: NodeFacts): Effect => (rbcdGrants(d, s) === true ? undefined : 'block');

/** Host reads a direction needs from its source and from its destination. */
const SOURCE_READS = ['host.migration-settings', 'host.security', 'host.dns'];
const DEST_READS = ['host.migration-settings', 'host.security'];

const RULES: Partial<Record<FindingCode, Rule>> = {
  NODE_UNKNOWN: (f, s, d) => (touches(f, s, d) ? 'block' : undefined),
  INITIATOR_NOT_DELEGATABLE: () => 'block',
  MIGRATION_DISABLED: (f, s, d) => (touches(f, s, d) ? 'block' : undefined),
  MIGRATION_AUTH_CREDSSP: (f, s) => (f.severity === 'error' && fromSource(f, s) ? 'block' : undefined),
  DELEGATION_NONE: (f, s, d) => (fromSource(f, s) ? unlessRbcd(s, d) : undefined),
  DELEGATION_KERBEROS_ONLY: (f, s, d) => (fromSource(f, s) ? unlessRbcd(s, d) : undefined),
  // Blocks whatever the Credential Guard state: only a constrained path (KCD or RBCD) rescues it.
  DELEGATION_UNCONSTRAINED: (f, s, d) => (!fromSource(f, s) || kcdPath(s, d) || rbcdGrants(d, s) === true ? undefined : 'block'),
  DELEGATION_MISSING_MIGRATION_SERVICE: (f, s, d) => (onPair(f, s, d) ? unlessRbcd(s, d) : undefined),
  // An error only where SMB is in play: the pair when S migrates over SMB; every direction out of
  // S when its VMs live on a file server it cannot delegate to.
  DELEGATION_MISSING_CIFS: (f, s, d) =>
    f.severity !== 'error' ? undefined : f.peer === undefined ? (fromSource(f, s) ? 'block' : undefined) : onPair(f, s, d) ? unlessRbcd(s, d) : undefined,
  SPN_MISSING: (f, s, d) => (toDest(f, s, d) ? 'block' : undefined),
  SPN_DUPLICATE: (f, s, d) => (toDest(f, s, d) ? 'block' : undefined),
  // Blocks only as an error, which needs evidence that the DCs refuse RC4 (a KDC etype event naming the node).
  ENCTYPES_RC4_ONLY: (f, s, d) => (f.severity === 'error' && touches(f, s, d) ? 'block' : undefined),
  CLOCK_SKEW: (f, s, d) => (f.severity === 'error' && touches(f, s, d) ? 'block' : undefined),
  DNS_MISMATCH: (f, s, d) => (f.severity === 'error' && onPair(f, s, d) ? 'block' : undefined),
  // The destination refuses the VM worker's logon: every move into it fails, delegation or not.
  LOGON_RIGHT_MISSING: (f, s, d) => (toDest(f, s, d) ? 'block' : undefined),
  NODE_UNREACHABLE: (f, s, d) => {
    const failed = new Set(((f.evidence.failedReads ?? []) as Array<{ read: string }>).map((r) => r.read));
    const needs = (reads: string[]) => reads.some((r) => failed.has(r));
    return (f.node === s.node && needs(SOURCE_READS)) || (f.node === d.node && needs(DEST_READS)) ? 'unknown' : undefined;
  },
  DIRECTORY_UNREACHABLE: () => 'unknown',
  // Issue 19: what the KDC logged. A refused S4U2proxy blocks exactly its direction; no shared
  // encryption type breaks every direction touching the node; a duplicate SPN breaks moves into it.
  KDC_DELEGATION_REFUSED: (f, s, d) => (onPair(f, s, d) ? 'block' : undefined),
  KDC_ETYPE_MISMATCH: (f, s, d) => (touches(f, s, d) ? 'block' : undefined),
  KDC_DUPLICATE_SPN: (f, s, d) => (toDest(f, s, d) ? 'block' : undefined),
  // A DC of the node's site still holds older values: until it replicates, moves that depend on
  // them may fail. KCD values (msDS-AllowedToDelegateTo, userAccountControl) are the source's;
  // RBCD is the destination's.
  REPLICATION_PENDING: (f, s, d) => {
    const differs = new Set(((f.evidence.dcs ?? []) as Array<{ differs: string[] }>).flatMap((x) => x.differs));
    const kcd = differs.has('msDS-AllowedToDelegateTo') || differs.has('userAccountControl') || differs.has('the computer object');
    const rbcd = differs.has('msDS-AllowedToActOnBehalfOfOtherIdentity') || differs.has('the computer object');
    return (kcd && fromSource(f, s)) || (rbcd && toDest(f, s, d)) ? 'unknown' : undefined;
  },
  INITIATOR_UNKNOWN: () => 'unknown',
};

/** Findings indexed so a direction looks only at those that can concern it. */
function index(findings: Finding[]) {
  const global: Finding[] = [];
  const byNode = new Map<string, Finding[]>();
  const byPair = new Map<string, Finding[]>();
  const push = (map: Map<string, Finding[]>, key: string, f: Finding) => {
    const list = map.get(key);
    if (list) list.push(f);
    else map.set(key, [f]);
  };
  for (const f of findings) {
    if (!RULES[f.code]) continue;
    if (f.node === undefined) global.push(f);
    else if (f.peer === undefined) push(byNode, f.node, f);
    else push(byPair, `${f.node}\u0000${f.peer}`, f);
  }
  return (s: string, d: string) => [...global, ...(byNode.get(s) ?? []), ...(byNode.get(d) ?? []), ...(byPair.get(`${s}\u0000${d}`) ?? [])];
}

export function computeDirections(evidence: Evidence, findings: Finding[]): Direction[] {
  const facts: Facts = factsOf(evidence);
  const relevant = index(findings);
  const out: Direction[] = [];
  for (const s of facts.nodes) {
    for (const d of facts.nodes) {
      if (s !== d) out.push(direction(s, d, relevant(s.node, d.node)));
    }
  }
  return out;
}

function direction(s: NodeFacts, d: NodeFacts, findings: Finding[]): Direction {
  const blockedBy = new Set<FindingCode>();
  const unknownBecause = new Set<FindingCode>();
  for (const f of findings) {
    const effect = RULES[f.code]?.(f, s, d);
    if (effect === 'block') blockedBy.add(f.code);
    else if (effect === 'unknown') unknownBecause.add(f.code);
  }
  if (blockedBy.size > 0) return { from: s.node, to: d.node, status: 'blocked', blockedBy: [...blockedBy].sort(byImportance) };
  if (unknownBecause.size > 0) return { from: s.node, to: d.node, status: 'unknown', blockedBy: [], unknownBecause: [...unknownBecause].sort(byImportance) };
  return { from: s.node, to: d.node, status: 'ok', blockedBy: [] };
}
