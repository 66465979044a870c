import { LabBackend } from '../src/lab/lab-backend.js';
import { parseScenario } from '../src/lab/load.js';
import { InProcessRelayClient } from '../src/relay/in-process-client.js';
import { log, round, timed } from './support.js';

// The lab's injected latency, which every diagnosis figure is measured against: each operation
// waits its class's delay (host, cluster and VM reads hostMs; directory reads directoryMs), and
// parallel calls wait side by side (the lab must not serialise them). Timed here, not in unit
// tests, where a busy machine would make the figures flaky.

export interface LabLatencyFigures {
  hostMs: number;
  directoryMs: number;
  /** One host.security, one cluster.nodes, one directory.computers: each should take its delay. */
  hostWaitMs: number;
  clusterWaitMs: number;
  directoryWaitMs: number;
  /** 20 host.events at once: about one hostMs when they overlap, 20 × hostMs if serialised. */
  parallel: number;
  parallelWallMs: number;
  /** parallelWallMs / hostMs. */
  parallelRatio: number;
  /** host.security with the option `latency.hostMs: 0` over the scenario's value. */
  overriddenHostWaitMs: number;
}

const HOST_MS = 120;
const DIRECTORY_MS = 60;
const PARALLEL = 20;

const scenario = (hostMs: number) =>
  parseScenario(
    `name: latency
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
clusters: [ { name: C1, nodes: [HV01] } ]
computers: [ { name: HV01 } ]
hosts: [ { name: HV01 } ]
latency: { hostMs: ${hostMs}, directoryMs: ${DIRECTORY_MS} }
`,
    'latency.yaml',
  );

export async function measureLabLatency(): Promise<LabLatencyFigures> {
  const relay = new InProcessRelayClient(new LabBackend(scenario(HOST_MS)), 'lab');
  const host = await timed(() => relay.call('host.security', { node: 'HV01' }));
  const cluster = await timed(() => relay.call('cluster.nodes', { cluster: 'C1' }));
  const directory = await timed(() => relay.call('directory.computers', { names: ['HV01'] }));
  const parallel = await timed(() => Promise.all(Array.from({ length: PARALLEL }, () => relay.call('host.events', { node: 'HV01', sinceHours: 24 }))));
  const overridden = new InProcessRelayClient(new LabBackend(scenario(HOST_MS), { latency: { hostMs: 0 } }), 'lab');
  const fast = await timed(() => overridden.call('host.security', { node: 'HV01' }));
  const figures: LabLatencyFigures = {
    hostMs: HOST_MS,
    directoryMs: DIRECTORY_MS,
    hostWaitMs: round(host.ms),
    clusterWaitMs: round(cluster.ms),
    directoryWaitMs: round(directory.ms),
    parallel: PARALLEL,
    parallelWallMs: round(parallel.ms),
    parallelRatio: round(parallel.ms / HOST_MS, 2),
    overriddenHostWaitMs: round(fast.ms),
  };
  log(`lab latency: host ${figures.hostWaitMs} ms, directory ${figures.directoryWaitMs} ms, ${PARALLEL} in parallel ${figures.parallelWallMs} ms`);
  return figures;
}
