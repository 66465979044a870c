// Fixtures for the pwsh double (see README.md for the format). `healthyCluster` is the realistic
// baseline the benchmark uses: N nodes, Kerberos, Credential Guard on, clocks in sync, DNS right.

export interface DoubleFixture {
  dateStyle?: 'msajax' | 'iso';
  hosts: Record<string, Record<string, unknown>>;
  clusters?: Record<string, Array<Record<string, unknown>>>;
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
}

export function healthyHost(name: string, peers: string[], domain = 'contoso.com'): Record<string, unknown> {
  const dns: Record<string, unknown> = {};
  peers.forEach((peer, i) => {
    const fqdn = `${peer.toLowerCase()}.${domain}`;
    const answer = { Name: fqdn, IPAddress: `10.0.0.${i + 11}`, NameHost: fqdn };
    dns[peer.toLowerCase()] = answer;
    dns[fqdn] = answer;
  });
  return {
    fqdn: `${name.toLowerCase()}.${domain}`,
    vmHost: {
      VirtualMachineMigrationEnabled: true,
      VirtualMachineMigrationAuthenticationType: 1,
      MaximumVirtualMachineMigrations: 2,
      MaximumStorageMigrations: 2,
      UseAnyNetworkForMigration: false,
    },
    os: { Caption: 'Microsoft Windows Server 2025 Datacenter', Version: '10.0.26100' },
    deviceGuard: { SecurityServicesRunning: [1, 2], SecurityServicesConfigured: [1, 2] },
    timeStatus: { Source: `DC01.${domain}`, OffsetSeconds: 0.0123 },
    events: [],
    hotfixes: [{ HotFixID: 'KB5073381', InstalledOn: '1/13/2026' }, { HotFixID: 'KB5021131', InstalledOn: '11/8/2022' }],
    dns,
    vms: [{ Name: `${name.toLowerCase()}-vm1`, State: 2 }],
  };
}

export function healthyCluster(count: number, cluster = 'CL01'): DoubleFixture {
  const names = nodeNames(count);
  const hosts = Object.fromEntries(names.map((n) => [n, healthyHost(n, names.filter((p) => p !== n))]));
  return { hosts, clusters: { [cluster]: names.map((n) => ({ Name: n, State: 0, Cluster: cluster })) } };
}
