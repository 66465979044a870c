import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { measureAck } from './ack-under-load.js';
import { measureBurst } from './check-burst.js';
import { measureCliStart } from './cli-start.js';
import { measureDiagnosis } from './diagnosis-critical-path.js';
import { measureLabLatency } from './lab-latency.js';
import { measureMemory } from './memory.js';
import { measurePooling } from './powershell-pooling.js';
import { measureProductionModel } from './production-model.js';
import { measureThroughput } from './relay-throughput.js';
import { measureStartup } from './startup.js';
import { measureTls } from './relay-tls.js';
import { measureLabPath } from './lab-path-ratio.js';
import { buildReport, formatTable, machine, type Figures } from './report.js';
import { log } from './support.js';

// `npm run bench` (full) and `npm run bench -- --quick` (CI, under two minutes): every
// measurement one after the other, side by side in one run, then bench/results.json and a table.
// Figures are ratios against an ideal or a baseline measured in the same run, so a busy machine
// moves them less than it moves absolute times; noisy ones are repeated and the median reported.

const PLAN = {
  full: { commands: 500, ackPairs: 6, sizes: [2, 16, 64], repeats: 5, poolingNodes: 16, checks: 1000, throughputMs: 3000, startupRuns: 7, tlsRepeats: 3, labPathRepeats: 7, productionSizes: [2, 16, 64], productionRepeats: 3 },
  quick: { commands: 500, ackPairs: 4, sizes: [2, 16, 64], repeats: 3, poolingNodes: 8, checks: 1000, throughputMs: 1500, startupRuns: 3, tlsRepeats: 1, labPathRepeats: 3, productionSizes: [2], productionRepeats: 1 },
} as const;

const LATENCY = { hostMs: 100, directoryMs: 50 };
const ACK_OP_MS = 200;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/results.json' } } });
  const mode = values.quick ? 'quick' : 'full';
  const plan = PLAN[mode];
  const started = performance.now();
  const env = { date: new Date(), node: process.version, machine: machine() };
  log(`${mode} run on ${env.machine.cpus} CPUs, load ${env.machine.loadAverage.join(' ')}`);

  const labLatency = await measureLabLatency();
  const ack = await measureAck(plan.commands, ACK_OP_MS, 'real', plan.ackPairs);
  const adapterOnly = await measureAck(plan.commands, ACK_OP_MS, 'ack-only', 2);
  const diagnosis = await measureDiagnosis([...plan.sizes], LATENCY, plan.repeats, 'in-process');
  const labPath = await measureLabPath(64, LATENCY, plan.labPathRepeats);
  const relayProcess = await measureDiagnosis([...plan.sizes], LATENCY, plan.repeats, 'relay-process');
  const pooling = await measurePooling(plan.poolingNodes);
  const memory = await measureMemory(plan.checks);
  const relay = await measureThroughput(plan.throughputMs);
  const startup = await measureStartup(plan.startupRuns);
  const tls = await measureTls(64, plan.tlsRepeats);
  const checkBurst = { bounded: await measureBurst(200, true), unbounded: await measureBurst(200, false) };
  const cliStart = measureCliStart(plan.repeats * 2);
  const productionModel = await measureProductionModel([...plan.productionSizes], { repeats: plan.productionRepeats });

  const figures: Figures = {
    mode,
    ack: {
      ...ack,
      runs: ack.pairs.length,
      p99SamplesMs: ack.pairs.map((p) => p.botP99Ms),
      adapterOnly: { p50Ms: adapterOnly.p50Ms, p99Ms: adapterOnly.p99Ms, maxMs: adapterOnly.maxMs, cpuPerAckMs: adapterOnly.cpuPerAckMs, cold: adapterOnly.cold },
    },
    diagnosis: { latency: LATENCY, results: diagnosis, relayInOwnProcess: relayProcess },
    pooling,
    memory,
    relay,
    checkBurst,
    labLatency,
    cliStart,
    startup,
    tls,
    labPath,
    productionModel,
    durationMs: Math.round(performance.now() - started),
  };
  const results = buildReport(figures, env);
  writeFileSync(values.out!, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatTable(results)}\n\nwritten to ${values.out} in ${Math.round(figures.durationMs / 1000)} s\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
