import { sameHost, shortName } from '../core/node-name.js';
import { MIGRATION_SERVICE, RelayError, type Computer, type DelegationValues } from '../relay/protocol.js';
import type { Scenario, ScenarioHost, ScenarioUser } from './schema.js';

// The lab's world while it runs: a private, mutable copy of a scenario with the defaults that
// depend on other fields filled in (dNSHostName, DN, SPNs). Reads answer from it and writes
// change it, so a re-check after a fix sees the fix. The scenario object itself is never touched.

export type LabHost = ScenarioHost;
export type LabComputer = Computer;

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
    for (const h of this.hosts) this.hostsByShort.set(shortName(h.name), h);
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

  /** What `host` resolves `name` to: its own dns table first, else the peer's dNSHostName. */
  resolve(host: LabHost, name: string): string | null {
    const table = Object.entries(host.dns ?? {});
    const exact = table.find(([key]) => key.toLowerCase() === name.toLowerCase());
    if (exact) return exact[1];
    const short = table.find(([key]) => !key.includes('.') && key.toUpperCase() === shortName(name));
    if (short) return short[1];
    const computer = this.findComputer(name);
    if (computer?.dnsHostName) {
      const isFqdn = name.includes('.');
      return !isFqdn || computer.dnsHostName.toLowerCase() === name.toLowerCase() ? computer.dnsHostName : null;
    }
    // A host without a computer object still has a DNS record in the domain zone.
    const peer = this.hostsByShort.get(shortName(name));
    if (!peer) return null;
    const fqdn = `${peer.name.toLowerCase()}.${this.domain.fqdn}`;
    return !name.includes('.') || name.toLowerCase() === fqdn ? fqdn : null;
  }
}

/** The SPNs Windows registers for a computer (HOST/) and VMMS adds on a Hyper-V host. */
export function defaultSpns(name: string, dnsHostName: string | null, isHost: boolean): string[] {
  const classes = isHost ? ['HOST', MIGRATION_SERVICE] : ['HOST'];
  return classes.flatMap((cls) => [`${cls}/${name}`, ...(dnsHostName ? [`${cls}/${dnsHostName}`] : [])]);
}
