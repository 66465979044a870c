import { LabState, type LabHost } from '../../src/lab/lab-state.js';
import type { Scenario } from '../../src/lab/schema.js';

// A lab scenario's hosts as the state files the Windows stubs answer from (stubs/*.cs), so a
// scenario and its run through real PowerShell describe the same hosts. The scenario's clock is
// mapped onto the real one: an event two hours before the scenario's `now` is two hours old when
// Get-WinEvent filters it, whatever day the test runs.

export interface StubHostState {
  name: string;
  fqdn: string;
  domain: string;
  dc: string;
  failure?: 'unreachable' | 'access-denied' | 'hang';
  /** A slow node: every session set-up and every call on it waits this long (WinRmJea.psm1). */
  latencyMs?: number;
  /** A slow DNS server: how long Resolve-DnsName takes for a query (a name, an address, or "*": every query). */
  dnsLatencyMs?: Record<string, number>;
  /** The JEA endpoints registered on the node (absent: both). */
  endpoints?: string[];
  /** Text the node's session writes to the host (it reaches the relay's stdout). */
  hostOutput?: string;
  /** Get-VM / Get-VMHost fail as when the Hyper-V management service is stopped. */
  vmmsStopped?: boolean;
  klistExitCode?: number;
  vmHost: Record<string, unknown>;
  /** The node's own IP addresses (Win32_NetworkAdapterConfiguration). */
  addresses?: string[];
  os: Record<string, unknown>;
  deviceGuard: Record<string, unknown>;
  /** The AD site the node is in (Win32_NTDomain.ClientSiteName); absent: none known. */
  site?: string;
  /** What w32tm /stripchart prints for the DC: the DC's offset from this host, in seconds. */
  w32tmOffset: number;
  /** w32tm's output: current (d: and o: fields, default), legacy (offset only), or error. */
  w32tmFormat?: 'legacy' | 'error';
  events: Array<Record<string, unknown>>;
  hotfixes: Array<Record<string, unknown>>;
  dns: Record<string, Array<Record<string, unknown>>>;
  vms: Array<Record<string, unknown>>;
  cluster?: { Name: string; Nodes: Array<{ Name: string; State: string }> };
  /** Event / DestinationEvent (LogName, Id, Message): logged on the source / destination, as of the moment, by a failing Move-VM -ComputerName. */
  moveFailure?: { Message: string; Event?: { LogName: string; Id: number; Message: string }; DestinationEvent?: { LogName: string; Id: number; Message: string } };
  clusterMoveFailure?: { Message: string };
  migrationNetworks?: Array<{ Subnet: string; Priority: number }>;
}

const OS_VERSIONS: Array<[RegExp, string]> = [
  [/2016/, '10.0.14393'],
  [/2019/, '10.0.17763'],
  [/2022/, '10.0.20348'],
  [/2025/, '10.0.26100'],
];

export function hostStatesFromScenario(scenario: Scenario, realNow: Date = new Date()): StubHostState[] {
  const lab = new LabState(scenario);
  const shift = realNow.getTime() - lab.now.getTime();
  const dc = `DC01.${scenario.domain.fqdn}`;
  return lab.hosts.map((host) => {
    const fqdn = lab.findComputer(host.name)?.dnsHostName ?? `${host.name.toLowerCase()}.${scenario.domain.fqdn}`;
    const cluster = lab.clusters.find((c) => c.nodes.some((n) => n.toUpperCase() === host.name.toUpperCase()));
    return {
      name: host.name,
      fqdn,
      domain: scenario.domain.fqdn,
      dc,
      ...(host.reachable ? {} : { failure: 'unreachable' as const }),
      vmHost: {
        VirtualMachineMigrationEnabled: host.migration.enabled,
        VirtualMachineMigrationAuthenticationType: host.migration.authenticationType,
        // Hyper-V's default is Compression.
        VirtualMachineMigrationPerformanceOption: host.migration.performanceOption ?? 'Compression',
        MaximumVirtualMachineMigrations: host.migration.maxMigrations,
        MaximumStorageMigrations: 2,
        UseAnyNetworkForMigration: false,
      },
      addresses: [...(host.addresses ?? [])],
      os: { Caption: caption(host.os), Version: OS_VERSIONS.find(([re]) => re.test(host.os))?.[1] ?? '10.0.26100' },
      // Win32_DeviceGuard: service 1 is Credential Guard.
      deviceGuard: host.credentialGuard ? { SecurityServicesConfigured: [1, 2], SecurityServicesRunning: [1, 2] } : { SecurityServicesConfigured: [], SecurityServicesRunning: [] },
      ...(host.site !== undefined ? { site: host.site } : {}),
      w32tmOffset: -host.clockOffsetSeconds,
      events: host.events.map((e, i) => ({ LogName: e.log, Id: e.id, TimeCreated: new Date(Date.parse(e.time) + shift).toISOString(), Message: e.message, RecordId: i + 1 })),
      hotfixes: host.hotfixes.map((h) => ({ HotFixID: h.id, Description: 'Security Update', InstalledOn: h.installedOn ? usDate(h.installedOn) : '' })),
      dns: dnsTable(lab, host),
      vms: host.vms.map((v) => ({ Name: v.name, State: v.state, IsClustered: v.clustered ?? false, ...(v.storagePaths ? { StoragePaths: [...v.storagePaths] } : {}) })),
      ...(cluster ? { cluster: { Name: cluster.name, Nodes: cluster.nodes.map((n) => ({ Name: n, State: lab.hosts.find((h) => h.name.toUpperCase() === n.toUpperCase())?.reachable === false ? 'Down' : 'Up' })) } } : {}),
    };
  });
}

/**
 * What the node's resolver answers for every name it may be asked (each host's short name and
 * FQDN, and its own table): an A or AAAA record per address, and for the first address a PTR
 * naming what the lab says that address reverses to.
 */
function dnsTable(lab: LabState, host: LabHost): StubHostState['dns'] {
  const names = new Set<string>();
  for (const h of lab.hosts) {
    names.add(h.name.toLowerCase());
    names.add((lab.findComputer(h.name)?.dnsHostName ?? `${h.name.toLowerCase()}.${lab.domain.fqdn}`).toLowerCase());
  }
  for (const key of Object.keys(host.dns ?? {})) names.add(key.toLowerCase());
  const table: StubHostState['dns'] = {};
  for (const name of names) {
    const { resolvedTo, addresses } = lab.resolve(host, name);
    if (addresses.length === 0) continue;
    const recordName = (resolvedTo ?? (name.includes('.') ? name : `${name}.${lab.domain.fqdn}`)).toLowerCase();
    table[name] = addresses.map((ip) => ({ Type: ip.includes(':') ? 'AAAA' : 'A', Name: recordName, IPAddress: ip }));
    const reverse = reverseName(addresses[0]!);
    if (resolvedTo && reverse && !table[reverse]) table[reverse] = [{ Type: 'PTR', Name: reverse, NameHost: resolvedTo.toLowerCase() }];
  }
  return table;
}

/** in-addr.arpa name of an IPv4 address (the stub resolver reverses only those). */
function reverseName(ip: string): string | undefined {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? `${ip.split('.').reverse().join('.')}.in-addr.arpa` : undefined;
}

function caption(os: string): string {
  const full = /^Microsoft /.test(os) ? os : `Microsoft ${os}`;
  return /Standard|Datacenter|Essentials/.test(full) ? full : `${full} Datacenter`;
}

/** Win32_QuickFixEngineering.InstalledOn as CIM gives it on an en-US system: M/d/yyyy. */
function usDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return `${m}/${d}/${y}`;
}
