import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StoreBackedCoreStore } from '../src/store/core-store-adapter.js';
import { allowAll } from './fakes.js';
import { createBotCore } from '../src/core/bot-core.js';
import { CheckQueue } from '../src/core/check-queue.js';
import { systemClock } from '../src/kernel/clock.js';
import type { MessageRef } from '../src/kernel/refs.js';
import type { ChatAdapter, InboundEvent } from '../src/core/events.js';
import { silentLogger } from '../src/core/logger.js';
import { LoopLag } from '../src/core/loop-lag.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { openStore } from '../src/store/open-store.js';
import { percentile, round, startLabHttpRelay } from './support.js';

// Admission control under a burst (issue 16): `checks` 16-node checks arrive at once at one
// replica's core (the real core, store and signed HTTP relay; host reads 100 ms, directory 50 ms).
// Measured twice in fresh child processes (clean RSS): with the bounded check queue the bot runs
// (CHECK_CONCURRENCY 8, CHECK_QUEUE_LIMIT 64), and without one. Figures: how long each person
// waited for the acknowledgement, event-loop lag, RSS, and the queue's own counts.

export interface BurstFigures {
  checks: number;
  nodes: number;
  bounded: boolean;
  concurrency: number | null;
  queueLimit: number | null;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  ackOver3s: number;
  lagP99Ms: number;
  lagMaxMs: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  ran: number;
  queued: number;
  refused: number;
  maxWaiting: number;
  durationMs: number;
}

const CHILD_FLAG = 'TRIAGE_BENCH_BURST_CHILD';
const NODES = 16;

export function measureBurst(checks: number, bounded: boolean): Promise<BurstFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, [CHILD_FLAG]: JSON.stringify({ checks, bounded }) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as BurstFigures));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`check burst child exited with ${code}`));
    });
  });
}

/** Records when each person was first answered; posts go nowhere. */
class QuietChat implements ChatAdapter {
  readonly platform = 'web' as const;
  private n = 0;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async post(conversation: InboundEvent['conversation']): Promise<MessageRef> {
    this.n += 1;
    return { conversation: { ...conversation, threadId: conversation.threadId ?? `m${this.n}` }, messageId: `m${this.n}` };
  }
  async update(): Promise<void> {}
  async postEphemeral(): Promise<void> {}
}

async function childMain(checks: number, bounded: boolean): Promise<BurstFigures> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const scenario = generateClusterScenario({ nodes: NODES });
  const names = scenario.clusters[0]!.nodes;
  const lab = await startLabHttpRelay(scenario, { hostMs: 100, directoryMs: 50 });
  const store = await openStore('sqlite::memory:');
  const queue = bounded ? new CheckQueue(8, 64) : undefined;
  const core = createBotCore({ relay: lab.client, clock: systemClock, store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72, ...(queue ? { checkQueue: queue } : {}) });
  const chat = new QuietChat();
  gc();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const lag = new LoopLag();
  const acks: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: checks }, (_, i) => {
      const sent = performance.now();
      let answered = false;
      const event: InboundEvent = {
        kind: 'command',
        text: `migration-check ${names.join(' ')}`,
        actor: { platform: 'web', id: `u${i}` },
        conversation: { platform: 'web', channelId: 'bench' },
        ack: async () => {
          if (!answered) acks.push(performance.now() - sent);
          answered = true;
        },
      };
      return core.handle(event, chat);
    }),
  );
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  const lagFigures = lag.figures();
  lag.stop();
  gc();
  const rssAfter = process.memoryUsage().rss;
  const figures = queue?.figures();
  await store.close();
  await lab.close();
  const mb = (b: number) => round(b / 2 ** 20);
  return {
    checks,
    nodes: NODES,
    bounded,
    concurrency: queue?.concurrency ?? null,
    queueLimit: queue?.limit ?? null,
    ackP50Ms: round(percentile(acks, 50)),
    ackP99Ms: round(percentile(acks, 99)),
    ackMaxMs: round(Math.max(...acks)),
    ackOver3s: acks.filter((a) => a > 3000).length,
    lagP99Ms: lagFigures.p99Ms,
    lagMaxMs: lagFigures.maxMs,
    rssBeforeMb: mb(rssBefore),
    rssPeakMb: mb(rssPeak),
    rssAfterMb: mb(rssAfter),
    ran: figures ? figures.admitted : checks,
    queued: figures?.queued ?? 0,
    refused: figures?.refused ?? 0,
    maxWaiting: figures?.maxWaiting ?? 0,
    durationMs: Math.round(durationMs),
  };
}

const job = process.env[CHILD_FLAG];
if (job && process.send) {
  const { checks, bounded } = JSON.parse(job) as { checks: number; bounded: boolean };
  childMain(checks, bounded).then(
    (figures) => process.send!(figures, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`check burst benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
