import { runCheck } from '../src/diagnostics/run-check.js';
import { systemClock } from '../src/kernel/clock.js';
import { LabBackend } from '../src/lab/lab-backend.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { InProcessRelayClient } from '../src/relay/in-process-client.js';
import type { RelayClient } from '../src/relay/relay-client.js';
import type { Latency } from './diagnosis-critical-path.js';
import { log, median, round, startLabHttpRelay } from './support.js';

// The lab-path ratio (issue 18, item 5): the same check of the same generated cluster, with the
// same injected latency, once through the signed HTTP relay on loopback (HttpRelayClient →
// startRelayServer → LabBackend, as `npm start` runs it) and once without HTTP (the
// InProcessRelayClient on a LabBackend: the same validation, the same engine, no signing, sockets
// or JSON). HTTP wall ÷ in-process wall, same run, alternating, median of `repeats` each; what is
// left above 1 is what the protocol costs. Target at 64 nodes: <= 1.3.

export const LAB_PATH_TARGET = 1.3;

export interface LabPathFigures {
  nodes: number;
  latency: Latency;
  httpWallMs: number;
  inProcessWallMs: number;
  ratio: number;
  /** Median CPU time of this process per check (both sides of the relay): what a loaded box stretches. */
  httpCpuMs: number;
  inProcessCpuMs: number;
  samples: { httpMs: number[]; inProcessMs: number[] };
}

export async function measureLabPath(nodes: number, latency: Latency, repeats: number): Promise<LabPathFigures> {
  const scenario = generateClusterScenario({ nodes });
  const names = scenario.clusters[0]!.nodes;
  const lab = await startLabHttpRelay(scenario, latency);
  const direct = new InProcessRelayClient(new LabBackend(scenario, { latency }), 'lab (in process)');
  const cpu = { http: [] as number[], inProcess: [] as number[] };
  const once = async (client: RelayClient, into?: number[]): Promise<number> => {
    const start = performance.now();
    const before = process.cpuUsage();
    const result = await runCheck(client, names, { clock: systemClock, eventWindowHours: 72 });
    const used = process.cpuUsage(before);
    if (result.diagnosis.verdict.status !== 'healthy') throw new Error(`lab path: ${nodes}-node cluster judged ${result.diagnosis.verdict.status}`);
    into?.push(round((used.user + used.system) / 1000));
    return performance.now() - start;
  };
  try {
    await once(lab.client);
    await once(direct);
    const samples = { httpMs: [] as number[], inProcessMs: [] as number[] };
    for (let i = 0; i < repeats; i++) {
      samples.httpMs.push(round(await once(lab.client, cpu.http)));
      samples.inProcessMs.push(round(await once(direct, cpu.inProcess)));
    }
    const httpWallMs = median(samples.httpMs);
    const inProcessWallMs = median(samples.inProcessMs);
    const figures = { nodes, latency, httpWallMs, inProcessWallMs, ratio: round(httpWallMs / inProcessWallMs, 2), httpCpuMs: median(cpu.http), inProcessCpuMs: median(cpu.inProcess), samples };
    log(`lab path ${nodes} nodes: HTTP ${httpWallMs} ms ÷ in process ${inProcessWallMs} ms = ${figures.ratio}; CPU ${figures.httpCpuMs} / ${figures.inProcessCpuMs} ms (samples ${samples.httpMs.join(', ')} / ${samples.inProcessMs.join(', ')})`);
    return figures;
  } finally {
    await lab.close();
  }
}
