import os from 'node:os';
import { ACK_RATIO_TARGET, type AckFigures, type BurstAcks } from './ack-under-load.js';
import type { BurstFigures } from './check-burst.js';
import type { CliStartFigures } from './cli-start.js';
import type { DiagnosisFigures, Latency } from './diagnosis-critical-path.js';
import type { LabLatencyFigures } from './lab-latency.js';
import type { MemoryFigures } from './memory.js';
import type { PoolingFigures } from './powershell-pooling.js';
import { TARGET_RATIO as PRODUCTION_TARGET_RATIO, type ProductionModelFigures } from './production-model.js';
import type { ThroughputFigures } from './relay-throughput.js';
import type { StartupFigures } from './startup.js';
import type { TlsCase, TlsFigures } from './relay-tls.js';
import { LAB_PATH_TARGET, type LabPathFigures } from './lab-path-ratio.js';

// bench/results.json and the printed table. The field names are a contract (issue 10; scripts
// read them): ack.p50Ms/p99Ms/maxMs/over3s, diagnosis.nodes.<N>.wallMs/criticalPathMs/ratio/
// directoryRoundTrips, pooling.pooledMs/processPerCallMs/ratio, memory.rssGrowthPct,
// relay.requestsPerSecond, plus machine, node and date. Add fields; never rename these.

export interface Figures {
  mode: 'full' | 'quick';
  /**
   * The reported burst is a warm one, paired with the floor's (ack-under-load.ts); `cold`, `pairs`
   * and `over3sAllBursts` came with the paired bursts, hence optional for older figures.
   */
  ack: Omit<AckFigures, 'cold' | 'floor' | 'pairs' | 'over3sAllBursts' | 'cpuPerAckMs'> &
    Partial<Pick<AckFigures, 'cold' | 'pairs' | 'over3sAllBursts' | 'cpuPerAckMs'>> & {
      runs: number;
      p99SamplesMs: number[];
      adapterOnly: { p50Ms: number; p99Ms: number; maxMs: number; cpuPerAckMs?: number; cold?: BurstAcks };
      floor: { p50Ms: number; p99Ms: number; maxMs: number; cpuPerAckMs?: number; cold?: BurstAcks };
    };
  /** results: relay in the bot's process (lab mode, the contract); relayInOwnProcess: production layout. */
  diagnosis: { latency: Latency; results: DiagnosisFigures[]; relayInOwnProcess?: DiagnosisFigures[] };
  pooling: PoolingFigures;
  memory: MemoryFigures;
  relay: ThroughputFigures;
  /** Issue 16: 200 simultaneous 16-node checks, with and without the bounded check queue. */
  checkBurst?: { bounded: BurstFigures; unbounded: BurstFigures };
  /** The lab's injected latency itself: waits and overlap (moved here from a timed unit test). */
  labLatency?: LabLatencyFigures;
  /** Issue 20: the compiled CLI's start (median of several runs) beside bare node. */
  cliStart?: CliStartFigures;
  /** Issue 18: compiled start-up (npm start to console, triage check on the default lab). */
  startup?: StartupFigures;
  /** Issue 18: a 64-node check over HTTPS: handshakes and CPU. */
  tls?: TlsFigures;
  /** Issue 18: HTTP wall ÷ the same check without HTTP, same run. */
  labPath?: LabPathFigures;
  /** Issue 18: the windows backend on real pwsh against emulated JEA endpoints with modelled WinRM costs. */
  productionModel?: ProductionModelFigures;
  durationMs: number;
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  met: boolean;
}

export interface Results {
  mode: 'full' | 'quick';
  date: string;
  node: string;
  machine: { cpus: number; cpuModel: string; memoryMb: number; platform: string; arch: string; release: string; loadAverage: number[] };
  durationMs: number;
  ack: Figures['ack'];
  diagnosis: { latency: Latency; layout: 'relay in the bot process (lab mode)'; nodes: Record<string, DiagnosisFigures>; relayInOwnProcess?: { nodes: Record<string, DiagnosisFigures> } };
  pooling: PoolingFigures;
  memory: MemoryFigures;
  relay: ThroughputFigures;
  checkBurst?: { bounded: BurstFigures; unbounded: BurstFigures };
  labLatency?: LabLatencyFigures;
  cliStart?: CliStartFigures;
  startup?: StartupFigures;
  tls?: TlsFigures;
  labPath?: LabPathFigures;
  productionModel?: ProductionModelFigures;
  targets: Target[];
}

export const TARGETS = { ackP99Ms: 100, ackOver3s: 0, ratioAt64: 1.25, directoryRoundTrips: 2, rssGrowthPct: 10, labParallelRatio: 5, cliHelpMs: 500 } as const;

export function machine(): Results['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    platform: os.platform(),
    arch: os.arch(),
    release: os.release(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function buildReport(f: Figures, env: { date: Date; node: string; machine: Results['machine'] }): Results {
  const byNodes = (list: DiagnosisFigures[]) => Object.fromEntries(list.map((d) => [String(d.nodes), d]));
  const own = f.diagnosis.relayInOwnProcess;
  return {
    mode: f.mode,
    date: env.date.toISOString(),
    node: env.node,
    machine: env.machine,
    durationMs: f.durationMs,
    ack: f.ack,
    diagnosis: {
      latency: f.diagnosis.latency,
      layout: 'relay in the bot process (lab mode)',
      nodes: byNodes(f.diagnosis.results),
      ...(own ? { relayInOwnProcess: { nodes: byNodes(own) } } : {}),
    },
    pooling: f.pooling,
    memory: f.memory,
    relay: f.relay,
    ...(f.checkBurst ? { checkBurst: f.checkBurst } : {}),
    ...(f.labLatency ? { labLatency: f.labLatency } : {}),
    ...(f.cliStart ? { cliStart: f.cliStart } : {}),
    ...(f.startup ? { startup: f.startup } : {}),
    ...(f.tls ? { tls: f.tls } : {}),
    ...(f.labPath ? { labPath: f.labPath } : {}),
    ...(f.productionModel ? { productionModel: f.productionModel } : {}),
    targets: targets(f),
  };
}

function targets(f: Figures): Target[] {
  const largest = f.diagnosis.results.reduce<DiagnosisFigures | undefined>((a, d) => (!a || d.nodes > a.nodes ? d : a), undefined);
  const trips = Math.max(...f.diagnosis.results.map((d) => d.directoryRoundTrips));
  const list: Target[] = [
    { name: 'ack p99', target: `< ${TARGETS.ackP99Ms} ms`, actual: `${f.ack.p99Ms} ms`, met: f.ack.p99Ms < TARGETS.ackP99Ms },
    { name: 'ack p99 ÷ bare node:http p99', target: `<= ${ACK_RATIO_TARGET}`, actual: `${ackRatio(f)}${f.ack.pairs ? ` (median of ${f.ack.pairs.length} pairs: ${f.ack.pairs.map((p) => p.ratio).join(', ')})` : ''}`, met: ackRatio(f) <= ACK_RATIO_TARGET },
    { name: 'acks over 3 s', target: `${TARGETS.ackOver3s} in any burst`, actual: `${f.ack.over3sAllBursts ?? f.ack.over3s}`, met: (f.ack.over3sAllBursts ?? f.ack.over3s) <= TARGETS.ackOver3s },
    { name: 'directory round trips', target: `<= ${TARGETS.directoryRoundTrips} for every N`, actual: `${trips}`, met: trips <= TARGETS.directoryRoundTrips },
    { name: 'memory growth', target: `< ${TARGETS.rssGrowthPct} %`, actual: `${f.memory.rssGrowthPct} %`, met: f.memory.rssGrowthPct < TARGETS.rssGrowthPct },
  ];
  if (f.labLatency) {
    const l = f.labLatency;
    // A wait shorter than its delay (less a timer's slack) means the lab did not inject it.
    const waits = l.hostWaitMs >= l.hostMs - 5 && l.clusterWaitMs >= l.hostMs - 5 && l.directoryWaitMs >= l.directoryMs - 5 && l.directoryWaitMs < l.hostMs && l.overriddenHostWaitMs < l.hostMs;
    list.push({ name: 'lab waits its latency', target: `host and cluster >= ${l.hostMs} ms, directory >= ${l.directoryMs} ms, override 0 < ${l.hostMs} ms`, actual: `${l.hostWaitMs} / ${l.clusterWaitMs} / ${l.directoryWaitMs} / ${l.overriddenHostWaitMs} ms`, met: waits });
    list.push({ name: 'lab overlaps parallel calls', target: `${l.parallel} at once <= ${TARGETS.labParallelRatio} × hostMs`, actual: `${l.parallelRatio} × hostMs`, met: l.parallelRatio <= TARGETS.labParallelRatio });
  }
  if (f.cliStart) list.push({ name: 'triage --help', target: `< ${TARGETS.cliHelpMs} ms`, actual: `${f.cliStart.helpMs} ms (bare node ${f.cliStart.bareNodeMs} ms)`, met: f.cliStart.helpMs < TARGETS.cliHelpMs });
  if (f.labPath) {
    const p = f.labPath;
    list.push({ name: `lab path ratio at ${p.nodes} nodes (HTTP ÷ in process)`, target: `<= ${LAB_PATH_TARGET}`, actual: `${p.ratio} (${p.httpWallMs} ÷ ${p.inProcessWallMs} ms)`, met: p.ratio <= LAB_PATH_TARGET });
  }
  const pm = f.productionModel;
  const pmLargest = pm?.cases.reduce<ProductionModelFigures['cases'][number] | undefined>((a, c) => (!a || c.nodes > a.nodes ? c : a), undefined);
  if (pm && pmLargest) {
    list.push({
      name: `production model at ${pmLargest.nodes} nodes (${pm.modelledSecond}, default settings)`,
      target: `schedule ratio <= ${PRODUCTION_TARGET_RATIO}, no failed parts`,
      actual: `${pmLargest.scheduleRatio} (wall ratio ${pmLargest.ratio}, latency-only ratio ${pmLargest.modelledRatio}), ${pmLargest.failedParts} failed`,
      met: pmLargest.scheduleRatio <= PRODUCTION_TARGET_RATIO && pmLargest.failedParts === 0,
    });
  }
  if (largest) {
    list.splice(3, 0, { name: `diagnosis ratio at ${largest.nodes} nodes`, target: `<= ${TARGETS.ratioAt64}`, actual: `${largest.ratio}`, met: largest.ratio <= TARGETS.ratioAt64 });
  }
  return list;
}

/** Issue 18: the bot's ack p99 as a multiple of a bare node:http server's, same burst, same run. */
function ackRatio(f: Pick<Figures, 'ack'>): number {
  return Math.round((f.ack.p99Ms / f.ack.floor.p99Ms) * 100) / 100;
}

/** The first pair of bursts, after one command, when it was measured. */
function coldAckRow(ack: Figures['ack']): Array<[string, string]> {
  const { cold } = ack;
  const floor = ack.floor.cold;
  if (!cold || !floor) return [];
  const only = ack.adapterOnly.cold ? ` · adapter alone ${ack.adapterOnly.cold.p99Ms} ms` : '';
  return [['  first burst after one command (cold)', `p99 ${cold.p99Ms} ms${only} · bare node:http ${floor.p99Ms} ms · bot ÷ bare ${Math.round((cold.p99Ms / floor.p99Ms) * 100) / 100} · over 3 s: ${cold.over3s}`]];
}

const tlsCase = (c: TlsCase): string => `${c.handshakes} TLS handshakes (${c.fullHandshakes} full) for ${c.requests} requests · ${c.cpuMs} ms CPU · wall ${c.wallMs} ms`;

const cpu = (ms: number | undefined): string => (ms === undefined ? '' : ` · ${ms} ms CPU per ack`);

export function formatTable(r: Results): string {
  const rows: Array<[string, string]> = [
    ['ack (500 signed slash commands at once, warm)', `p50 ${r.ack.p50Ms} ms · p99 ${r.ack.p99Ms} ms · max ${r.ack.maxMs} ms · over 3 s: ${r.ack.over3s}${cpu(r.ack.cpuPerAckMs)}`],
    ['  same burst, adapter alone / bare node:http', `p99 ${r.ack.adapterOnly.p99Ms} ms${cpu(r.ack.adapterOnly.cpuPerAckMs)} / ${r.ack.floor.p99Ms} ms${cpu(r.ack.floor.cpuPerAckMs)} · bot ÷ bare ${ackRatio(r)}`],
    ...coldAckRow(r.ack),
    ...Object.values(r.diagnosis.nodes).map((d): [string, string] => [
      `diagnosis ${d.nodes} nodes`,
      `wall ${d.wallMs} ms · critical path ${d.criticalPathMs} ms · ratio ${d.ratio} · directory round trips ${d.directoryRoundTrips}`,
    ]),
    ...Object.values(r.diagnosis.relayInOwnProcess?.nodes ?? {}).map((d): [string, string] => [`  relay in its own process, ${d.nodes} nodes`, `wall ${d.wallMs} ms · ratio ${d.ratio}`]),
    [`PowerShell ${r.pooling.nodes}-node health`, `pool ${r.pooling.pooledMs} ms · process per call ${r.pooling.processPerCallMs} ms · ratio ${r.pooling.ratio}`],
    [`memory (${r.memory.checks} checks)`, `RSS ${r.memory.rssAfterWarmupMb} → ${r.memory.rssAfterChecksMb} MB · growth ${r.memory.rssGrowthPct} % · JS heap used ${r.memory.heapUsedAfterWarmupMb} → ${r.memory.heapUsedAfterChecksMb} MB${r.memory.heapTotalAfterChecksMb !== undefined ? ` (held ${r.memory.heapTotalAfterWarmupMb} → ${r.memory.heapTotalAfterChecksMb} MB)` : ''}${r.memory.externalAfterChecksMb !== undefined ? ` · external ${r.memory.externalAfterWarmupMb} → ${r.memory.externalAfterChecksMb} MB` : ''}`],
    ['relay throughput', `${r.relay.requestsPerSecond} signed requests/s`],
    ...(r.labLatency
      ? [['lab latency', `host ${r.labLatency.hostWaitMs} ms · directory ${r.labLatency.directoryWaitMs} ms · ${r.labLatency.parallel} at once ${r.labLatency.parallelWallMs} ms (hostMs ${r.labLatency.hostMs})`] as [string, string]]
      : []),
    ...(r.cliStart
      ? [['triage CLI start (median)', `--help ${r.cliStart.helpMs} ms · --version ${r.cliStart.versionMs} ms · lab check ${r.cliStart.labCheckMs} ms · bare node ${r.cliStart.bareNodeMs} ms (${r.cliStart.runs} runs)`] as [string, string]]
      : []),
    ...(r.startup
      ? [['start-up, compiled build', `npm start → console ${r.startup.startToConsoleMs} ms · triage check (default lab) ${r.startup.checkDefaultLabMs} ms · node -e 0 ${r.startup.nodeFloorMs} ms`] as [string, string]]
      : []),
    ...(r.labPath
      ? [[`lab path, ${r.labPath.nodes} nodes`, `HTTP ${r.labPath.httpWallMs} ms ÷ same check in process ${r.labPath.inProcessWallMs} ms = ${r.labPath.ratio} · CPU ${r.labPath.httpCpuMs} / ${r.labPath.inProcessCpuMs} ms`] as [string, string]]
      : []),
    ...(r.tls
      ? ([
          [`${r.tls.nodes}-node check over HTTPS, new client`, tlsCase(r.tls.primed)],
          ['  the same without TLS session priming', tlsCase(r.tls.unprimed)],
          ['  next check, same client', tlsCase(r.tls.warm)],
        ] as Array<[string, string]>)
      : []),
    ...(r.checkBurst
      ? ([r.checkBurst.bounded, r.checkBurst.unbounded].map((b): [string, string] => [
          `${b.checks} × ${b.nodes}-node checks at once, ${b.bounded ? `queue ${b.concurrency}+${b.queueLimit}` : 'no queue'}`,
          `ack p99 ${b.ackP99Ms} ms · loop lag p99 ${b.lagP99Ms} / max ${b.lagMaxMs} ms · RSS ${b.rssBeforeMb} → peak ${b.rssPeakMb} → ${b.rssAfterMb} MB · ran ${b.ran} (queued ${b.queued}) · refused ${b.refused} · ${b.durationMs} ms`,
        ]))
      : []),
    ...productionRows(r.productionModel),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `triage-bot bench (${r.mode}) · ${r.date} · Node ${r.node} · ${r.machine.cpus} × ${r.machine.cpuModel} · load ${r.machine.loadAverage.join(' ')}`,
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    '',
    'targets:',
    ...r.targets.map((t) => `  ${t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.actual} (target ${t.target})`),
  ];
  return lines.join('\n');
}

function productionRows(pm: ProductionModelFigures | undefined): Array<[string, string]> {
  if (!pm) return [];
  if (pm.skipped) return [['production model (real pwsh, modelled WinRM)', `skipped: ${pm.skipped}`]];
  return [
    [`production model (${pm.modelledSecond}; pool ${pm.poolSize})`, 'wall · no-latency wall · ideal · wall ratio (latency-only) · schedule ms (ratio) · remote calls · sessions opened · processes · failed parts'],
    ...pm.cases.map((c): [string, string] => [
      `  ${c.nodes} nodes`,
      `${c.wallMs} ms (cold ${c.coldWallMs} ms) · ${c.emulationMs} ms · ${c.idealMs} ms · ${c.ratio} (${c.modelledRatio}) · ${c.scheduleMs} ms (${c.scheduleRatio}) · ${c.remoteCalls} · ${c.sessionsOpened} · ${c.processes} · ${c.failedParts}`,
    ]),
  ];
}
