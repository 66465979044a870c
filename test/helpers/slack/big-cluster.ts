import { stringify } from 'yaml';

// A lab scenario for a cluster of `size` nodes (N01…), every pair delegated both ways, except:
// N07 is "Kerberos only" (every direction out of it is blocked) and N33 has no migration SPN
// registered... approximated here by removing every peer's delegation to it (blocked into it).

export function bigClusterScenario(size: number): string {
  const names = Array.from({ length: size }, (_, i) => `N${String(i + 1).padStart(2, '0')}`);
  const fqdn = (n: string) => `${n.toLowerCase()}.lab.test`;
  const computers = names.map((n) => ({
    name: n,
    userAccountControl: n === 'N07' ? 4096 : 16781312,
    allowedToDelegateTo: names
      .filter((d) => d !== n && d !== 'N33')
      .flatMap((d) => [`Microsoft Virtual System Migration Service/${d}`, `Microsoft Virtual System Migration Service/${fqdn(d)}`, `cifs/${d}`, `cifs/${fqdn(d)}`]),
  }));
  const hosts = names.map((n) => ({
    name: n,
    os: 'Windows Server 2025 Datacenter',
    credentialGuard: true,
    migration: { enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 },
    vms: [{ name: `VM-${n}`, clustered: true }],
  }));
  return stringify({
    name: `${size}-node cluster`,
    description: 'Generated for the Slack adapter tests: a large cluster with one Kerberos-only node and one node nobody may delegate to.',
    domain: { fqdn: 'lab.test', netbios: 'LAB', now: '2026-11-20T09:00:00Z' },
    clusters: [{ name: 'BIG64', nodes: names }],
    computers,
    hosts,
  });
}
