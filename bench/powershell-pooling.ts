import { systemClock } from '../src/kernel/clock.js';
import { runCheck } from '../src/diagnostics/run-check.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { LabBackend } from '../src/lab/lab-backend.js';
import { CompositeBackend } from '../src/relay/server/composite-backend.js';
import { InProcessRelayClient } from '../src/relay/in-process-client.js';
import { DoubleHarness } from './pwsh-double/double-harness.js';
import { healthyCluster } from './pwsh-double/fixtures.js';
import { log, round, timed } from './support.js';

// PowerShell pooling: the windows backend against the stand-in PowerShell (400 ms to start, 20 ms
// per command), a cluster health check's host reads for N nodes (the directory comes from a lab
// backend with no latency, so only host work is timed). The pool at its default size, warm as a
// running relay's pool is, against a new process per command with the same concurrency.

export interface PoolingFigures {
  nodes: number;
  poolSize: number;
  startupMs: number;
  commandMs: number;
  /** Warm pool: processes already started by an earlier check. */
  pooledMs: number;
  /** The pool's first check, starting its processes. */
  pooledColdMs: number;
  processPerCallMs: number;
  /** processPerCallMs / pooledMs. */
  ratio: number;
  processStarts: { pooled: number; processPerCall: number };
}

const STARTUP_MS = 400;
const COMMAND_MS = 20;

export async function measurePooling(nodes: number, poolSize = 4): Promise<PoolingFigures> {
  const scenario = generateClusterScenario({ nodes });
  const names = scenario.clusters[0]!.nodes;
  const check = (backend: ConstructorParameters<typeof CompositeBackend>[0][number]) => {
    const relay = new InProcessRelayClient(new CompositeBackend([backend, new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } })]), 'bench');
    return timed(() => runCheck(relay, names, { clock: systemClock, eventWindowHours: 72 }));
  };
  const env = { PWSH_DOUBLE_STARTUP_MS: String(STARTUP_MS), PWSH_DOUBLE_COMMAND_MS: String(COMMAND_MS) };

  const pooledHarness = new DoubleHarness(healthyCluster(nodes), env);
  const perCallHarness = new DoubleHarness(healthyCluster(nodes), env);
  try {
    const pooled = pooledHarness.backend(poolSize);
    const cold = await check(pooled);
    const warm = await check(pooled);
    assertReachable(warm.value.evidence.hosts, 'pooled');
    const perCall = await check(perCallHarness.backend(poolSize, { processPerCommand: true }));
    assertReachable(perCall.value.evidence.hosts, 'process per call');
    const figures: PoolingFigures = {
      nodes,
      poolSize,
      startupMs: STARTUP_MS,
      commandMs: COMMAND_MS,
      pooledMs: round(warm.ms),
      pooledColdMs: round(cold.ms),
      processPerCallMs: round(perCall.ms),
      ratio: round(perCall.ms / warm.ms, 2),
      processStarts: { pooled: pooledHarness.starts(), processPerCall: perCallHarness.starts() },
    };
    log(`pooling ${nodes} nodes: pool ${figures.pooledMs} ms (cold ${figures.pooledColdMs} ms), process per call ${figures.processPerCallMs} ms`);
    return figures;
  } finally {
    await pooledHarness.cleanup();
    await perCallHarness.cleanup();
  }
}

/** A stand-in that failed would time error paths, not reads: refuse to report such a figure. */
function assertReachable(hosts: Record<string, { migration: { ok: boolean } }>, what: string): void {
  const failed = Object.entries(hosts).filter(([, h]) => !h.migration.ok);
  if (failed.length > 0) throw new Error(`${what}: host reads failed for ${failed.map(([n]) => n).join(', ')}`);
}
