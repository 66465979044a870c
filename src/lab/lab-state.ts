import { sameHost, shortName } from '../kernel/node-name.js';
import { MIGRATION_SERVICE, RelayError, type Computer, type DelegationValues } from '../relay/protocol.js';
import type { Scenario, ScenarioDc, ScenarioHost, ScenarioUser } from './schema.js';

// The lab's world while it runs: a private, mutable copy of a scenario with the defaults that
// depend on other fields filled in (dNSHostName, DN, SPNs). Reads answer from it and writes
// change it, so a re-check after a fix sees the fix. The scenario object itself is never touched.

export type LabHost = ScenarioHost;
export type LabComputer = Computer;
/** A DC while the lab runs: its per-computer values that differ from the directory, and how many replication reads it still lags. */
export type LabDc = ScenarioDc & { lagRemaining: number };

export class LabState {
  readonly name: string;
  readonly domain: Scenario['domain'];
  readonly domainDn: string;
  readonly clusters: Scenario['clusters'];
  readonly hosts: LabHost[];
  readonly computers: LabComputer[];
  readonly users: ScenarioUser[];
  readonly directory: Scenario['directory'];
  readonly latency: Scenario['latency'];
  readonly dcs: LabDc[];
  // Names never change while the lab runs (writes touch delegation values only), so lookups are
  // indexed once: a 64-node check asks thousands of them (every node resolves every peer).
  private readonly hostsByShort = new Map<string, LabHost>();
  private readonly computersByShort = new Map<string, LabComputer>();
  private readonly computersByFqdn = new Map<string, LabComputer>();

  constructor(scenario: Scenario) {
    const copy = structuredClone(scenario);
    this.name = copy.name;
    this.domain = copy.domain;
    this.domainDn = copy.domain.fqdn.split('.').map((label) => `DC=${label}`).join(',');
    this.clusters = copy.clusters;
    this.hosts = copy.hosts;
    this.users = copy.users;
    this.directory = copy.directory;
    this.latency = copy.latency;
    // A DC that starts with values of its own is mid-replication: they reach it after lagReads reads.
    this.dcs = copy.domainControllers.map((dc) => ({ ...dc, lagRemaining: Object.keys(dc.delegation).length > 0 ? dc.lagReads : 0 }));
    this.computers = copy.computers.map((c) => {
      const dnsHostName = c.dnsHostName === undefined ? `${c.name.toLowerCase()}.${copy.domain.fqdn}` : c.dnsHostName;
      const isHost = copy.hosts.some((h) => sameHost(h.name, c.name));
      return {
        name: c.name,
        distinguishedName: c.distinguishedName ?? `CN=${c.name},CN=Computers,${this.domainDn}`,
        dnsHostName,
        userAccountControl: c.userAccountControl,
        allowedToDelegateTo: c.allowedToDelegateTo,
        servicePrincipalNames: c.servicePrincipalNames ?? defaultSpns(c.name, dnsHostName, isHost),
        supportedEncryptionTypes: c.supportedEncryptionTypes ?? null,
        allowedToActOnBehalfOf: c.allowedToActOnBehalfOf,
      };
    });
    this.hosts.forEach((h, i) => {
      h.addresses ??= [`10.0.${Math.floor(i / 240)}.${(i % 240) + 11}`];
      this.hostsByShort.set(shortName(h.name), h);
    });
    for (const c of this.computers) {
      this.computersByShort.set(shortName(c.name), c);
      if (c.dnsHostName) this.computersByFqdn.set(c.dnsHostName.toLowerCase(), c);
    }
  }

  /** The lab's pinned clock. */
  get now(): Date {
    return new Date(this.domain.now);
  }

  /** The host a name (short or FQDN) designates; UNKNOWN_HOST when there is none. */
  host(name: string): LabHost {
    const host = this.hostsByShort.get(shortName(name));
    if (!host) throw new RelayError('UNKNOWN_HOST', `${name} is not a host of this lab`);
    return host;
  }

  /** A host that answers; HOST_UNREACHABLE when the scenario says it does not. */
  reachableHost(name: string): LabHost {
    const host = this.host(name);
    if (!host.reachable) throw new RelayError('HOST_UNREACHABLE', `${host.name} did not answer: WinRM cannot complete the operation`);
    return host;
  }

  /** The computer object a name designates, as the LDAP filter (sAMAccountName or dNSHostName) finds it. */
  findComputer(name: string): LabComputer | undefined {
    return this.computersByShort.get(shortName(name)) ?? this.computersByFqdn.get(name.toLowerCase());
  }

  /** The DC a name designates; UNKNOWN_HOST when the lab has no such DC (the relay reads only DCs the directory lists). */
  dc(name: string): LabDc {
    const dc = this.dcs.find((d) => sameHost(d.name, name));
    if (!dc) throw new RelayError('UNKNOWN_HOST', `${name} is not a domain controller of ${this.domain.fqdn}`);
    return dc;
  }

  /** A DC that answers; HOST_UNREACHABLE when the scenario says it does not. */
  reachableDc(name: string): LabDc {
    const dc = this.dc(name);
    if (!dc.reachable) throw new RelayError('HOST_UNREACHABLE', `${dc.name} did not answer: WinRM cannot complete the operation`);
    return dc;
  }

  requireDirectory(): void {
    if (!this.directory.reachable) {
      throw new RelayError('DIRECTORY_UNREACHABLE', `cannot reach a domain controller of ${this.domain.fqdn} (LDAP bind failed)`);
    }
  }

  delegationOf(c: LabComputer): Required<DelegationValues> {
    return {
      allowedToDelegateTo: [...c.allowedToDelegateTo],
      userAccountControl: c.userAccountControl,
      allowedToActOnBehalfOf: [...c.allowedToActOnBehalfOf],
    };
  }

  /** What `host` resolves `name` to (the name its address reverses to, and every address): its own dns table first, else the peer's dNSHostName. */
  resolve(host: LabHost, name: string): { resolvedTo: string | null; addresses: string[] } {
    const table = Object.entries(host.dns ?? {});
    const exact = table.find(([key]) => key.toLowerCase() === name.toLowerCase());
    const short = exact ?? table.find(([key]) => !key.includes('.') && key.toUpperCase() === shortName(name));
    if (short) {
      const value = short[1];
      if (value === null) return { resolvedTo: null, addresses: [] };
      if (typeof value === 'string') return { resolvedTo: value, addresses: this.addressesOf(value) };
      const owner = value.ptr === undefined ? this.hostWithAddress(value.addresses[0]!) : undefined;
      return { resolvedTo: value.ptr !== undefined ? value.ptr : owner ? this.fqdnOfHost(owner) : null, addresses: [...value.addresses] };
    }
    const computer = this.findComputer(name);
    if (computer?.dnsHostName) {
      const isFqdn = name.includes('.');
      const lands = !isFqdn || computer.dnsHostName.toLowerCase() === name.toLowerCase();
      return lands ? { resolvedTo: computer.dnsHostName, addresses: this.addressesOf(computer.dnsHostName) } : { resolvedTo: null, addresses: [] };
    }
    // A host without a computer object still has a DNS record in the domain zone.
    const peer = this.hostsByShort.get(shortName(name));
    if (!peer) return { resolvedTo: null, addresses: [] };
    const fqdn = this.fqdnOfHost(peer);
    return !name.includes('.') || name.toLowerCase() === fqdn ? { resolvedTo: fqdn, addresses: [...(peer.addresses ?? [])] } : { resolvedTo: null, addresses: [] };
  }

  private fqdnOfHost(h: LabHost): string {
    return this.findComputer(h.name)?.dnsHostName ?? `${h.name.toLowerCase()}.${this.domain.fqdn}`;
  }

  private hostWithAddress(address: string): LabHost | undefined {
    return this.hosts.find((h) => (h.addresses ?? []).includes(address));
  }

  /** The addresses a DNS name has in the lab: a host's own, else one stable documentation address (192.0.2.0/24). */
  private addressesOf(dnsName: string): string[] {
    const computer = this.computersByFqdn.get(dnsName.toLowerCase().replace(/\.$/, ''));
    const h = this.hostsByShort.get(shortName(computer?.name ?? dnsName));
    if (h && (computer || dnsName.toLowerCase().startsWith(`${h.name.toLowerCase()}.`) || !dnsName.includes('.'))) return [...(h.addresses ?? [])];
    let hash = 0;
    for (const ch of dnsName.toLowerCase()) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return [`192.0.2.${(hash % 250) + 2}`];
  }
}

/** The SPNs Windows registers for a computer (HOST/) and VMMS adds on a Hyper-V host. */
export function defaultSpns(name: string, dnsHostName: string | null, isHost: boolean): string[] {
  const classes = isHost ? ['HOST', MIGRATION_SERVICE] : ['HOST'];
  return classes.flatMap((cls) => [`${cls}/${name}`, ...(dnsHostName ? [`${cls}/${dnsHostName}`] : [])]);
}
