import type { DirectoryEvidence, Evidence, HostEvidence, Outcome } from '../../src/diagnostics/evidence.js';
import type { Computer, DirectoryUser, DnsAnswer, HostEvent, HostSecurity, Hotfix, KdcEvent, MigrationSettings, Vm } from '../../src/relay/protocol.js';

// A healthy N-node cluster as evidence (every read succeeded, KCD "any protocol" both ways,
// AES, clocks in sync, DNS right), plus small accessors to perturb it. Tests start here and
// change the one value the case is about, so each case reads as "healthy, except ...".

export const DOMAIN = 'lab.test';
export const COLLECTED_AT = '2026-11-20T09:00:00.000Z';
export const MVSMS = 'Microsoft Virtual System Migration Service';

export const fqdn = (node: string) => `${node.toLowerCase()}.${DOMAIN}`;
/** A node's one address in the healthy baseline (HV01 → 10.0.0.1, A7 → 10.0.0.7). */
export const addressOf = (node: string) => `10.0.0.${Number.parseInt(node.replace(/\D/g, '') || '0', 10) % 250 || 250}`;
export const nodeNames = (n: number) => Array.from({ length: n }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);

export function healthyComputer(node: string, peers: string[]): Computer {
  return {
    name: node,
    distinguishedName: `CN=${node},OU=Hyper-V,DC=lab,DC=test`,
    dnsHostName: fqdn(node),
    userAccountControl: 16781312,
    allowedToDelegateTo: peers.flatMap((p) => [`${MVSMS}/${p}`, `${MVSMS}/${fqdn(p)}`, `cifs/${p}`, `cifs/${fqdn(p)}`]),
    servicePrincipalNames: [`${MVSMS}/${node}`, `${MVSMS}/${fqdn(node)}`, `HOST/${node}`, `HOST/${fqdn(node)}`],
    supportedEncryptionTypes: 24,
    allowedToActOnBehalfOf: [],
  };
}

function healthyHost(node: string, peers: string[]): HostEvidence {
  return {
    node,
    migration: ok<MigrationSettings>({ enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 }),
    security: ok<HostSecurity>({ os: 'Windows Server 2025 Datacenter', credentialGuardRunning: true, credentialGuardConfigured: true, clockOffsetSeconds: 0, addresses: [addressOf(node)] }),
    events: ok({ events: [] as HostEvent[] }),
    hotfixes: ok({ hotfixes: [] as Hotfix[] }),
    // Each peer by short name and by FQDN, as collection asks: the peer's address, reversing to its FQDN.
    dns: ok({ answers: peers.flatMap<DnsAnswer>((p) => [p, fqdn(p)].map((name) => ({ name, resolvedTo: fqdn(p), addresses: [addressOf(p)] }))) }),
  };
}

export function healthyEvidence(nodes: string[] = ['HV01', 'HV02']): Evidence {
  const peers = (n: string) => nodes.filter((p) => p !== n);
  const directory: DirectoryEvidence = {
    computers: ok({ domain: { fqdn: DOMAIN, netbios: 'LAB' }, computers: nodes.map((n) => healthyComputer(n, peers(n))), notFound: [], currentTime: COLLECTED_AT }),
    spnOwners: ok({ owners: nodes.flatMap((n) => [`${MVSMS}/${n}`, `${MVSMS}/${fqdn(n)}`, `HOST/${n}`, `HOST/${fqdn(n)}`].map((spn) => ({ spn, accounts: [`${n}$`] }))) }),
  };
  return {
    nodes: [...nodes],
    collectedAt: COLLECTED_AT,
    eventWindowHours: 24,
    hosts: Object.fromEntries(nodes.map((n) => [n, healthyHost(n, peers(n))])),
    directory,
  };
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function failed(code = 'HOST_UNREACHABLE', message = 'WinRM cannot reach the host'): Outcome<never> {
  return { ok: false, error: { code, message } };
}

function value<T>(o: Outcome<T> | undefined, what: string): T {
  if (!o?.ok) throw new Error(`evidence builder: ${what} is not a successful read`);
  return o.value;
}

// ---- accessors (return the live objects, so tests mutate them in place) -----------------------

export const computer = (ev: Evidence, node: string): Computer => {
  const c = value(ev.directory.computers, 'directory.computers').computers.find((x) => x.name === node);
  if (!c) throw new Error(`evidence builder: no computer ${node}`);
  return c;
};
export const migration = (ev: Evidence, node: string) => value(ev.hosts[node]?.migration, `${node} migration`);
export const security = (ev: Evidence, node: string) => value(ev.hosts[node]?.security, `${node} security`);
export const events = (ev: Evidence, node: string) => value(ev.hosts[node]?.events, `${node} events`).events;
export const hotfixes = (ev: Evidence, node: string) => value(ev.hosts[node]?.hotfixes, `${node} hotfixes`).hotfixes;
export const dnsAnswer = (ev: Evidence, node: string, name: string): DnsAnswer => {
  const a = value(ev.hosts[node]?.dns, `${node} dns`).answers.find((x) => x.name === name);
  if (!a) throw new Error(`evidence builder: ${node} has no answer for ${name}`);
  return a;
};
/** Give a node VMs as host.vms would answer (the healthy baseline has no VM read). */
export function vms(ev: Evidence, node: string, list: Vm[]): void {
  ev.hosts[node]!.vms = ok({ vms: list });
}
/** Every answer a node holds for a peer (short name and FQDN), to change both at once. */
export const peerAnswers = (ev: Evidence, node: string, peer: string): DnsAnswer[] =>
  value(ev.hosts[node]?.dns, `${node} dns`).answers.filter((x) => x.name.toUpperCase() === peer.toUpperCase() || x.name.toLowerCase() === fqdn(peer));
/** Node resolves peer (both forms) to these addresses, reversing to `resolvedTo`. */
export function resolves(ev: Evidence, node: string, peer: string, addresses: string[], resolvedTo: string | null): void {
  for (const a of peerAnswers(ev, node, peer)) {
    a.addresses = [...addresses];
    a.resolvedTo = resolvedTo;
  }
}
export const spnOwners = (ev: Evidence) => value(ev.directory.spnOwners, 'directory.spn-owners').owners;

type HostRead = keyof Omit<HostEvidence, 'node' | 'vms'>;

/** Make some (default: all) host reads of a node fail. */
export function failHost(ev: Evidence, node: string, reads: HostRead[] = ['migration', 'security', 'events', 'hotfixes', 'dns'], outcome = failed()): void {
  const host = ev.hosts[node]!;
  for (const r of reads) host[r] = outcome;
}

export function failDirectory(ev: Evidence, part: 'computers' | 'spnOwners' = 'computers'): void {
  const outcome = failed('DIRECTORY_UNREACHABLE', 'LDAP bind to dc01.lab.test failed');
  if (part === 'computers') {
    ev.directory.computers = outcome;
    ev.directory.spnOwners = failed('DIRECTORY_UNREACHABLE', 'not read, because directory.computers failed');
  } else ev.directory.spnOwners = outcome;
}

/** The directory answers, but has no computer object for this node. */
export function removeComputer(ev: Evidence, node: string): void {
  const dir = value(ev.directory.computers, 'directory.computers');
  dir.computers = dir.computers.filter((c) => c.name !== node);
  dir.notFound.push(node);
}

export function healthyUser(patch: Partial<DirectoryUser> = {}): DirectoryUser {
  return { name: 'alice', upn: 'alice@lab.test', mail: 'alice@example.com', userAccountControl: 512, sensitive: false, protectedUsers: false, groups: ['CN=Hyper-V Admins,OU=Groups,DC=lab,DC=test'], ...patch };
}

export function withInitiator(ev: Evidence, user: DirectoryUser | null, id = 'alice@lab.test'): void {
  ev.directory.initiator = { id, outcome: ok({ user }) };
}

export function lmEvent(id: number, time: string, message: string, log = 'Microsoft-Windows-Hyper-V-High-Availability-Admin'): HostEvent {
  return { log, id, time, message };
}

// ---- domain controllers (issue 19) ------------------------------------------------------------

/** Give the evidence DCs that all answered: no KDC events, no updates, and a copy of every node's delegation equal to the directory's. */
export function withDcs(ev: Evidence, dcs: Array<{ name: string; site?: string | null }> = [{ name: 'DC01' }]): void {
  const dir = value(ev.directory.computers, 'directory.computers');
  const list = dcs.map((d) => ({ name: d.name, dnsHostName: `${d.name.toLowerCase()}.${DOMAIN}`, site: d.site === undefined ? 'Default-First-Site-Name' : d.site, readOnly: false }));
  ev.dcs = {
    list: ok({ dcs: list }),
    read: list.map((d) => d.name),
    skipped: [],
    windowHours: ev.eventWindowHours,
    perDc: Object.fromEntries(list.map((d) => [d.name, { dc: d.name, site: d.site, kdcEvents: ok({ events: [] as KdcEvent[] }), hotfixes: ok({ hotfixes: [] as Hotfix[] }) }])),
    replication: ok({
      dcs: list.map((d) => ({
        dc: d.name,
        ok: true as const,
        computers: dir.computers.map((c) => ({ computer: c.name, found: true, allowedToDelegateTo: [...c.allowedToDelegateTo], userAccountControl: c.userAccountControl, allowedToActOnBehalfOf: [...c.allowedToActOnBehalfOf] })),
      })),
    }),
  };
}
export const kdcEvents = (ev: Evidence, dc: string): KdcEvent[] => value(ev.dcs?.perDc[dc]?.kdcEvents, `${dc} KDC events`).events;
export const dcHotfixes = (ev: Evidence, dc: string): Hotfix[] => value(ev.dcs?.perDc[dc]?.hotfixes, `${dc} hotfixes`).hotfixes;
/** One DC's copy of one computer's delegation values (live). */
export function dcCopy(ev: Evidence, dc: string, node: string) {
  const entry = value(ev.dcs?.replication, 'directory.replication').dcs.find((d) => d.dc === dc);
  if (!entry?.ok) throw new Error(`evidence builder: ${dc} has no replication answer`);
  const copy = entry.computers.find((c) => c.computer === node);
  if (!copy) throw new Error(`evidence builder: ${dc} has no copy of ${node}`);
  return copy;
}
export function kdcEvent(patch: Partial<KdcEvent> & Pick<KdcEvent, 'log' | 'id'>): KdcEvent {
  return { time: '2026-11-20T08:00:00Z', status: null, account: null, service: null, transmittedServices: null, message: '', ...patch };
}
