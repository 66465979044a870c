import { shortName } from '../kernel/node-name.js';
import { MIGRATION_SERVICE, type Computer, type DnsAnswer, type HostEvent, type HostSecurity, type Hotfix, type MigrationSettings, type OpResult, type Vm } from '../relay/protocol.js';
import type { Evidence, HostEvidence, Outcome } from './evidence.js';
import { hasFlag, UAC } from './flags.js';

// One derived, read-only view of the evidence that every check shares: which computer object
// belongs to which node, the node's FQDN, and the host reads that succeeded. Deriving it in one
// place keeps the checks short and makes them agree on matching rules (case, short vs FQDN).

export interface NodeFacts {
  /** The name as the user gave it. */
  node: string;
  /** Short form: the computer's sAMAccountName when known, else the first label, upper-cased. */
  short: string;
  /** FQDN: dNSHostName when known, else the given FQDN, else `<short>.<domain>`. */
  fqdn: string | undefined;
  fqdnSource: 'dNSHostName' | 'given name' | 'domain' | undefined;
  /** The node's computer object; undefined when the directory was not read or has none. */
  computer: Computer | undefined;
  /** False when the directory answered without a computer object for it; undefined when unread. */
  known: boolean | undefined;
  host: HostEvidence | undefined;
  migration: MigrationSettings | undefined;
  security: HostSecurity | undefined;
  events: HostEvent[] | undefined;
  hotfixes: Hotfix[] | undefined;
  dns: DnsAnswer[] | undefined;
  /** The host's VMs, when read (IsClustered, storage paths). */
  vms: Vm[] | undefined;
  /** msDS-AllowedToDelegateTo, lower-cased, for N² pair lookups. */
  delegates: ReadonlySet<string>;
  /** Accounts this node's RBCD descriptor grants (accountName form), for N² pair lookups. */
  granted: ReadonlySet<string>;
}

export interface Facts {
  evidence: Evidence;
  nodes: NodeFacts[];
  directory: OpResult<'directory.computers'> | undefined;
  /** SPN (lower-cased) → distinct owning accounts; undefined when not read. */
  spnOwners: Map<string, string[]> | undefined;
}

const cache = new WeakMap<Evidence, Facts>();

/** The facts of an evidence object (memoised: checks call this freely; evidence is read-only). */
export function factsOf(evidence: Evidence): Facts {
  return cache.get(evidence) ?? refreshFacts(evidence);
}

/** Rebuild the facts: `diagnose` starts here, so evidence edited in place is never judged stale. */
export function refreshFacts(evidence: Evidence): Facts {
  const facts = buildFacts(evidence);
  cache.set(evidence, facts);
  return facts;
}

function buildFacts(evidence: Evidence): Facts {
  const directory = evidence.directory.computers.ok ? evidence.directory.computers.value : undefined;
  const nodes = evidence.nodes.map((node) => nodeFacts(evidence, node, directory));
  const owners = evidence.directory.spnOwners;
  const spnOwners = owners.ok ? new Map(owners.value.owners.map((o) => [o.spn.toLowerCase(), distinctAccounts(o.accounts)])) : undefined;
  return { evidence, nodes, directory, spnOwners };
}

function nodeFacts(evidence: Evidence, node: string, directory: OpResult<'directory.computers'> | undefined): NodeFacts {
  const computer = directory ? findComputer(directory.computers, node) : undefined;
  const short = computer ? accountName(computer.name) : shortName(node);
  const { fqdn, fqdnSource } = fqdnOf(node, short, computer, directory?.domain.fqdn);
  const host = evidence.hosts[node];
  return {
    node,
    short,
    fqdn,
    fqdnSource,
    computer,
    known: directory ? computer !== undefined : undefined,
    host,
    migration: valueOf(host?.migration),
    security: valueOf(host?.security),
    events: valueOf(host?.events)?.events,
    hotfixes: valueOf(host?.hotfixes)?.hotfixes,
    dns: valueOf(host?.dns)?.answers,
    vms: valueOf(host?.vms)?.vms,
    delegates: new Set((computer?.allowedToDelegateTo ?? []).map((v) => v.toLowerCase())),
    granted: new Set((computer?.allowedToActOnBehalfOf ?? []).map(accountName)),
  };
}

function fqdnOf(node: string, short: string, computer: Computer | undefined, domain: string | undefined): Pick<NodeFacts, 'fqdn' | 'fqdnSource'> {
  if (computer?.dnsHostName) return { fqdn: stripDot(computer.dnsHostName), fqdnSource: 'dNSHostName' };
  if (node.includes('.')) return { fqdn: stripDot(node), fqdnSource: 'given name' };
  if (domain) return { fqdn: `${short.toLowerCase()}.${domain}`, fqdnSource: 'domain' };
  return { fqdn: undefined, fqdnSource: undefined };
}

export function valueOf<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.ok ? outcome.value : undefined;
}

/** A computer object matches a node by short name or by dNSHostName, case-insensitively. */
export function findComputer(computers: Computer[], node: string): Computer | undefined {
  const index = indexOf(computers);
  const fqdn = node.includes('.') ? sameName(node) : undefined;
  return (fqdn !== undefined ? index.byDnsName.get(fqdn) : undefined) ?? index.byAccount.get(shortName(node));
}

interface ComputerIndex {
  byDnsName: Map<string, Computer>;
  byAccount: Map<string, Computer>;
}

const indexes = new WeakMap<Computer[], ComputerIndex>();

/**
 * Computers by dNSHostName and by account name, the first of each kept (what a scan in order
 * finds). Built once per directory answer: every node looks up every peer, so a scan per lookup
 * made a check's cost grow as N³ (issue 18's profile: 64 → 1024 nodes).
 */
function indexOf(computers: Computer[]): ComputerIndex {
  let index = indexes.get(computers);
  if (index) return index;
  index = { byDnsName: new Map(), byAccount: new Map() };
  for (const c of computers) {
    if (c.dnsHostName !== null) {
      const dns = sameName(c.dnsHostName);
      if (!index.byDnsName.has(dns)) index.byDnsName.set(dns, c);
    }
    const account = accountName(c.name);
    if (!index.byAccount.has(account)) index.byAccount.set(account, c);
  }
  indexes.set(computers, index);
  return index;
}

/** `HV01$`, `hv01` and `CN=HV01,OU=...` all name the account HV01. */
export function accountName(raw: string): string {
  const cn = /^CN=([^,]+)/i.exec(raw);
  return (cn?.[1] ?? raw).replace(/\$$/, '').toUpperCase();
}

function distinctAccounts(accounts: string[]): string[] {
  return [...new Set(accounts.map(accountName))];
}

export function sameName(name: string): string {
  return stripDot(name).toLowerCase();
}

function stripDot(name: string): string {
  return name.replace(/\.$/, '');
}

// ---- delegation helpers shared by checks and directions --------------------------------------

export function migrationSpns(n: NodeFacts): { short: string; fqdn: string | undefined } {
  return { short: `${MIGRATION_SERVICE}/${n.short}`, fqdn: n.fqdn ? `${MIGRATION_SERVICE}/${n.fqdn}` : undefined };
}

export function hostSpns(n: NodeFacts): { short: string; fqdn: string | undefined } {
  return { short: `HOST/${n.short}`, fqdn: n.fqdn ? `HOST/${n.fqdn}` : undefined };
}

export function cifsSpns(n: NodeFacts): { short: string; fqdn: string | undefined } {
  return { short: `cifs/${n.short}`, fqdn: n.fqdn ? `cifs/${n.fqdn}` : undefined };
}

export function listHas(list: string[], spn: string): boolean {
  const wanted = spn.toLowerCase();
  return list.some((v) => v.toLowerCase() === wanted);
}

/** Does S's msDS-AllowedToDelegateTo name this SPN (case-insensitive)? */
export function delegatesTo(source: NodeFacts, spn: string): boolean {
  return source.delegates.has(spn.toLowerCase());
}

/** Does D's RBCD descriptor grant S? Undefined when D's computer object is unknown. */
export function rbcdGrants(dest: NodeFacts, source: NodeFacts): boolean | undefined {
  if (!dest.computer) return undefined;
  return dest.granted.has(source.short);
}

/** S has a working classic-KCD path to D: protocol transition and some form of D's migration SPN. */
export function kcdPath(source: NodeFacts, dest: NodeFacts): boolean {
  const c = source.computer;
  if (!c || !hasFlag(c.userAccountControl, UAC.TRUSTED_TO_AUTH_FOR_DELEGATION)) return false;
  const spns = migrationSpns(dest);
  return delegatesTo(source, spns.short) || (spns.fqdn !== undefined && delegatesTo(source, spns.fqdn));
}

export function peersOf(facts: Facts, n: NodeFacts): NodeFacts[] {
  return facts.nodes.filter((p) => p !== n);
}

export function factsFor(facts: Facts, node: string | undefined): NodeFacts | undefined {
  return facts.nodes.find((n) => n.node === node);
}
