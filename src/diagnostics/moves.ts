import { moveKindOf, namedHost } from './classify-event.js';
import { failureEvents } from './checks/events.js';
import type { Evidence } from './evidence.js';
import { factsOf, type NodeFacts } from './facts.js';
import type { Direction, Finding, FindingCode, MoveKind } from './findings.js';
import { listText } from './make-finding.js';
import type { Vm } from '../relay/protocol.js';

// Which kinds of move a blocking finding breaks (docs/domain.md "Which moves a finding breaks").
// A live migration started off-box or shared-nothing (Move-VM) needs the source's constrained
// delegation; a storage move or SMB storage needs cifs; a move the cluster starts
// (Move-ClusterVirtualMachineRole run on a node) does not need the nodes' KCD. Every blocking
// finding says which of these it breaks, which of the nodes' VMs the cluster can still move, and
// which kinds the failure events show actually failed.

export const MOVE_TEXT: Readonly<Record<MoveKind, string>> = {
  'off-box': 'live migrations started off-box or shared-nothing (Move-VM)',
  storage: 'storage moves',
  cluster: 'moves the cluster starts (Move-ClusterVirtualMachineRole on a node)',
};

const ALL: readonly MoveKind[] = ['off-box', 'storage', 'cluster'];
const DELEGATION: readonly MoveKind[] = ['off-box', 'storage'];

/** What each blocking code breaks; a function where the finding's evidence decides. */
const BREAKS: Partial<Record<FindingCode, readonly MoveKind[] | ((f: Finding) => readonly MoveKind[])>> = {
  NODE_UNKNOWN: ALL,
  LOGON_RIGHT_MISSING: ALL,
  MIGRATION_DISABLED: ['off-box', 'cluster'],
  // The Credential Guard doc: cluster live migration breaks with CredSSP too (any node can be the source).
  MIGRATION_AUTH_CREDSSP: ['off-box', 'cluster'],
  INITIATOR_NOT_DELEGATABLE: DELEGATION,
  DELEGATION_NONE: DELEGATION,
  DELEGATION_KERBEROS_ONLY: DELEGATION,
  DELEGATION_UNCONSTRAINED: DELEGATION,
  DELEGATION_MISSING_MIGRATION_SERVICE: ['off-box'],
  DELEGATION_MISSING_CIFS: (f) => (f.evidence.smbLiveMigration === true || f.evidence.smbStorage === true ? DELEGATION : ['storage']),
  SPN_MISSING: ['off-box', 'cluster'],
  SPN_DUPLICATE: (f) => {
    const classes = new Set(((f.evidence.duplicates ?? []) as Array<{ spn: string }>).map((d) => d.spn.split('/')[0]!.toUpperCase()));
    // HOST covers cifs and http (WinRM): SMB and remote management of the node.
    return classes.has('HOST') && classes.size === 1 ? DELEGATION : classes.has('HOST') ? ALL : ['off-box', 'cluster'];
  },
  ENCTYPES_RC4_ONLY: ALL,
  KDC_DELEGATION_REFUSED: DELEGATION,
  KDC_ETYPE_MISMATCH: ALL,
  KDC_DUPLICATE_SPN: (f) => {
    const classes = new Set(((f.evidence.spns ?? []) as string[]).map((spn) => spn.split('/')[0]!.toUpperCase()));
    return classes.has('HOST') || classes.has('CIFS') ? ALL : ['off-box', 'cluster'];
  },
  CLOCK_SKEW: ALL,
  DNS_MISMATCH: ALL,
};

export function breaksOf(f: Finding): MoveKind[] {
  const rule = BREAKS[f.code];
  return rule === undefined ? [] : [...(typeof rule === 'function' ? rule(f) : rule)];
}

/** The nodes a finding concerns: its node and peer, or every node for a cluster-wide one. */
function nodesOf(f: Finding, nodes: NodeFacts[]): NodeFacts[] {
  if (f.node === undefined) return nodes;
  return nodes.filter((n) => n.node === f.node || n.node === f.peer);
}

/**
 * The VMs whose moves the finding concerns: those on its node (the source of a directional
 * finding, the node that cannot delegate), every node's for a cluster-wide finding, and the
 * other nodes' for a duplicate SPN (it breaks moves into its node).
 */
function movedVms(f: Finding, nodes: NodeFacts[]): Vm[] {
  const from = f.node === undefined ? nodes : f.code === 'SPN_DUPLICATE' ? nodes.filter((n) => n.node !== f.node) : nodes.filter((n) => n.node === f.node);
  return from.flatMap((n) => n.vms ?? []);
}

/**
 * Adds `breaks` (and a sentence saying it) to every finding that blocks a direction. The
 * sentence names the clustered VMs the cluster can still move when the finding spares cluster
 * moves, and the kinds of move the failure events on those nodes show failing.
 */
export function annotateMoves(evidence: Evidence, findings: Finding[], directions: Direction[]): Finding[] {
  const blocking = new Set(directions.flatMap((d) => d.blockedBy));
  const facts = factsOf(evidence);
  const events = failureEvents(evidence);
  return findings.map((f) => {
    if (!blocking.has(f.code)) return f;
    const breaks = breaksOf(f);
    if (breaks.length === 0) return f;
    const involved = nodesOf(f, facts.nodes);
    const parts = [`breaks ${listText(breaks.map((k) => MOVE_TEXT[k]))}`];
    if (!breaks.includes('cluster')) {
      const vms = movedVms(f, facts.nodes);
      const clustered = vms.filter((v) => v.isClustered === true).map((v) => v.name);
      const standalone = vms.filter((v) => v.isClustered === false).map((v) => v.name);
      if (clustered.length > 0) parts.push(`the cluster can still move ${listText(clustered)} (Move-ClusterVirtualMachineRole run on a node)`);
      if (standalone.length > 0) parts.push(`${listText(standalone)} ${standalone.length === 1 ? 'is' : 'are'} not clustered, so only Move-VM can move ${standalone.length === 1 ? 'it' : 'them'}`);
    }
    const names = new Set(involved.flatMap((n) => [n.node.toLowerCase(), n.short.toLowerCase(), ...(n.fqdn ? [n.fqdn.toLowerCase()] : [])]));
    const seen = events.filter((e) => involved.some((n) => n.node === e.node) || [namedHost(e.event, 'source'), namedHost(e.event, 'destination')].some((h) => h !== undefined && names.has(h.toLowerCase())));
    const failed = [...new Set(seen.map((e) => (moveKindOf(e.event) === 'storage' ? 'storage migrations' : 'live migrations')))];
    if (failed.length > 0) parts.push(`the failure events show ${listText(failed)} failing`);
    return { ...f, message: `${f.message}; ${parts.join('; ')}`, breaks };
  });
}
