import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/kernel/clock.js';
import { runCheck } from '../src/diagnostics/run-check.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { round, startLabHttpRelay } from './support.js';

// Memory: RSS after a warm-up and after `checks` more checks of a lab cluster over the signed HTTP
// relay, each reading taken after a forced full GC. It runs in a child process started with
// --expose-gc (this file is the child too), so the other measurements' garbage is not counted.

export interface MemoryFigures {
  checks: number;
  nodes: number;
  rssAfterWarmupMb: number;
  rssAfterChecksMb: number;
  rssGrowthPct: number;
  heapUsedAfterWarmupMb: number;
  heapUsedAfterChecksMb: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, native objects), same readings. */
  /** The heap V8 holds from the system (used or not), same readings. */
  heapTotalAfterWarmupMb?: number;
  heapTotalAfterChecksMb?: number;
  externalAfterWarmupMb?: number;
  externalAfterChecksMb?: number;
  arrayBuffersAfterChecksMb?: number;
}

const CHILD_FLAG = 'TRIAGE_BENCH_MEMORY_CHILD';
const NODES = 2;
const CONCURRENCY = 4;

export function measureMemory(checks: number, warmup = 200): Promise<MemoryFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, [CHILD_FLAG]: JSON.stringify({ checks, warmup }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as MemoryFigures));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`memory benchmark child exited with ${code}`));
    });
  });
}

async function childMain(checks: number, warmup: number): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const scenario = generateClusterScenario({ nodes: NODES });
  const names = scenario.clusters[0]!.nodes;
  const lab = await startLabHttpRelay(scenario, { hostMs: 0, directoryMs: 0 });
  const run = async (count: number) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next += 1;
        await runCheck(lab.client, names, { clock: systemClock, eventWindowHours: 72 });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  const reading = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, external: m.external / 2 ** 20, heapTotal: m.heapTotal / 2 ** 20, arrayBuffers: m.arrayBuffers / 2 ** 20 };
  };
  try {
    await run(warmup);
    const before = reading();
    await run(checks);
    const after = reading();
    return {
      checks,
      nodes: NODES,
      rssAfterWarmupMb: round(before.rss),
      rssAfterChecksMb: round(after.rss),
      rssGrowthPct: round(((after.rss - before.rss) / before.rss) * 100, 2),
      heapUsedAfterWarmupMb: round(before.heap),
      heapUsedAfterChecksMb: round(after.heap),
      heapTotalAfterWarmupMb: round(before.heapTotal),
      heapTotalAfterChecksMb: round(after.heapTotal),
      externalAfterWarmupMb: round(before.external),
      externalAfterChecksMb: round(after.external),
      arrayBuffersAfterChecksMb: round(after.arrayBuffers),
    };
  } finally {
    await lab.close();
  }
}

const job = process.env[CHILD_FLAG];
if (job && process.send) {
  const { checks, warmup } = JSON.parse(job) as { checks: number; warmup: number };
  childMain(checks, warmup).then(
    (figures) => process.send!(figures, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`memory benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
