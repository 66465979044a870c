import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/kernel/clock.js';
import { HttpRelayClient } from '../src/relay/client.js';
import type { RelayClient } from '../src/relay/relay-client.js';
import { runCheck } from '../src/diagnostics/run-check.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { CountingRelayClient } from './fakes.js';
import { log, median, round, startLabHttpRelay, timed } from './support.js';

// Diagnosis vs. the critical path: runCheck on generated healthy clusters through the real
// signed HTTP relay on loopback (HttpRelayClient → startRelayServer → LabBackend), as the bot
// runs in lab mode. The ideal is the longest chain of dependent operations: every host read but
// DNS is independent of every other; host.dns waits for directory.computers (it asks each peer's
// FQDN as dNSHostName gives it, docs/domain.md "DNS"); and the directory reads form one chain
// (computers, then the owners of the SPNs those computers carry).

export interface Latency {
  hostMs: number;
  directoryMs: number;
}

export interface DiagnosisFigures {
  nodes: number;
  wallMs: number;
  criticalPathMs: number;
  ratio: number;
  directoryRoundTrips: number;
  /** Every repeat's wall time, for the record. */
  samplesMs: number[];
}

/** Dependent chains of one check: each inner list runs in sequence, the chains in parallel. */
export const DEPENDENCY_CHAINS: ReadonlyArray<ReadonlyArray<'host' | 'directory'>> = [
  ['host'], // host.migration-settings, .security, .events, .hotfixes, .vms: all independent
  ['directory', 'host'], // directory.computers → host.dns (short name and dNSHostName of every peer)
  ['directory', 'directory'], // directory.computers → directory.spn-owners (needs its answer)
];

export function criticalPathMs(latency: Latency): number {
  const cost = (kind: 'host' | 'directory') => (kind === 'host' ? latency.hostMs : latency.directoryMs);
  return Math.max(...DEPENDENCY_CHAINS.map((chain) => chain.reduce((sum, kind) => sum + cost(kind), 0)));
}

/**
 * `in-process`: relay and bot share one process, as `npm start` runs the lab (the reported
 * figure). `relay-process`: the relay in a child process, as in production, for comparison.
 */
export type Layout = 'in-process' | 'relay-process';

export async function measureDiagnosis(sizes: number[], latency: Latency, repeats: number, layout: Layout = 'in-process'): Promise<DiagnosisFigures[]> {
  const out: DiagnosisFigures[] = [];
  for (const nodes of sizes) {
    const scenario = generateClusterScenario({ nodes });
    const relay = layout === 'in-process' ? await inProcess(nodes, latency) : await ownProcess(nodes, latency);
    try {
      const names = scenario.clusters[0]!.nodes;
      const once = async () => {
        const counting = new CountingRelayClient(relay.client);
        const { ms, value } = await timed(() => runCheck(counting, names, { clock: systemClock, eventWindowHours: 72 }));
        if (value.diagnosis.verdict.status !== 'healthy') throw new Error(`generated ${nodes}-node cluster judged ${value.diagnosis.verdict.status}, expected healthy`);
        return { ms, directory: counting.count('directory.') };
      };
      await once(); // warm-up: JIT, keep-alive sockets
      const runs = [];
      for (let i = 0; i < repeats; i++) runs.push(await once());
      const wallMs = median(runs.map((r) => r.ms));
      const ideal = criticalPathMs(latency);
      out.push({ nodes, wallMs: round(wallMs), criticalPathMs: ideal, ratio: round(wallMs / ideal, 3), directoryRoundTrips: Math.max(...runs.map((r) => r.directory)), samplesMs: runs.map((r) => round(r.ms)) });
      log(`diagnosis ${nodes} nodes (${layout}): ${round(wallMs)} ms (ideal ${ideal} ms) samples ${runs.map((r) => round(r.ms)).join(', ')}`);
    } finally {
      await relay.close();
    }
  }
  return out;
}

interface Relay {
  client: RelayClient;
  close(): Promise<void>;
}

async function inProcess(nodes: number, latency: Latency): Promise<Relay> {
  const lab = await startLabHttpRelay(generateClusterScenario({ nodes }), latency);
  return { client: lab.client, close: () => lab.close() };
}

async function ownProcess(nodes: number, latency: Latency): Promise<Relay> {
  const child = fork(fileURLToPath(new URL('./relay-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const answer = await new Promise<{ url: string; keyId: string; secret: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; keyId: string; secret: string }));
    child.once('error', reject);
    child.send({ nodes, latency });
  });
  const client = new HttpRelayClient({ url: answer.url, keyId: answer.keyId, secret: answer.secret, timeoutMs: 60_000 });
  return {
    client,
    close: async () => {
      client.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    },
  };
}
