import { describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// The injected latency is what benchmarks measure against: each operation waits its class's
// delay, and parallel calls wait side by side (the lab must not serialise them).

const TEXT = `name: latency
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
clusters: [ { name: C1, nodes: [HV01] } ]
computers: [ { name: HV01 } ]
hosts: [ { name: HV01 } ]
latency: { hostMs: 120, directoryMs: 60 }
`;

async function timed<T>(f: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

describe('LabBackend latency', () => {
  it('waits hostMs before host, cluster and vm operations and directoryMs before directory ones', async () => {
    const relay = new InProcessRelayClient(new LabBackend(parseScenario(TEXT, 'latency.yaml')), 'lab');
    const host = await timed(() => relay.call('host.security', { node: 'HV01' }));
    const cluster = await timed(() => relay.call('cluster.nodes', { cluster: 'C1' }));
    const dir = await timed(() => relay.call('directory.computers', { names: ['HV01'] }));
    expect(host).toBeGreaterThanOrEqual(115);
    expect(cluster).toBeGreaterThanOrEqual(115);
    expect(dir).toBeGreaterThanOrEqual(55);
    expect(dir).toBeLessThan(115);
  });

  it('overlaps parallel calls', async () => {
    const relay = new InProcessRelayClient(new LabBackend(parseScenario(TEXT, 'latency.yaml')), 'lab');
    const wall = await timed(() => Promise.all(Array.from({ length: 20 }, () => relay.call('host.events', { node: 'HV01', sinceHours: 24 }))));
    expect(wall).toBeGreaterThanOrEqual(115);
    expect(wall).toBeLessThan(600);
  });

  it('lets options override the scenario latency (benchmarks)', async () => {
    const backend = new LabBackend(parseScenario(TEXT, 'latency.yaml'), { latency: { hostMs: 0 } });
    const relay = new InProcessRelayClient(backend, 'lab');
    expect(await timed(() => relay.call('host.security', { node: 'HV01' }))).toBeLessThan(50);
    expect(await timed(() => relay.call('directory.user', { id: 'x@lab.test' }))).toBeGreaterThanOrEqual(55);
  });

  it('stops waiting when the call is aborted', async () => {
    const backend = new LabBackend(parseScenario(TEXT.replace('hostMs: 120', 'hostMs: 5000'), 'latency.yaml'));
    const relay = new InProcessRelayClient(backend, 'lab');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const t0 = performance.now();
    await expect(relay.call('host.security', { node: 'HV01' }, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
