import { loadScenario, parseScenario } from '../../src/lab/load.js';
import type { Scenario } from '../../src/lab/schema.js';
import { hostStatesFromScenario, type StubHostState } from './host-state.js';

// Emulated nodes for the Windows backend's tests, always from a lab scenario: a shipped one, or
// a generated healthy cluster of N nodes for the pool, HTTP and hostile-input tests.

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
}

/** N Windows Server 2025 nodes in one cluster, Kerberos, Credential Guard, one clustered VM each. */
export function healthyClusterScenario(count: number, cluster = 'CL01'): Scenario {
  const names = nodeNames(count);
  return parseScenario(
    JSON.stringify({
      name: `healthy ${count}-node cluster`,
      domain: { fqdn: 'lab.test', netbios: 'LAB', now: new Date().toISOString() },
      clusters: [{ name: cluster, nodes: names }],
      hosts: names.map((name) => ({ name, credentialGuard: true, hotfixes: [{ id: 'KB5073381', installedOn: '2026-11-18' }], vms: [{ name: `${name.toLowerCase()}-vm1`, clustered: true }] })),
    }),
    'generated',
  );
}

export function healthyCluster(count: number): StubHostState[] {
  return hostStatesFromScenario(healthyClusterScenario(count));
}

export async function shippedScenarioHosts(file: string): Promise<{ scenario: Scenario; hosts: StubHostState[] }> {
  const scenario = await loadScenario(file);
  return { scenario, hosts: hostStatesFromScenario(scenario) };
}
