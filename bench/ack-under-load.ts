import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SlackAdapter } from '../adapters/slack/adapter.js';
import { PolicyAuthorizer } from '../src/approvals/policy-authorizer.js';
import { policySchema } from '../src/approvals/policy-schema.js';
import { StoreBackedCoreStore } from '../src/store/core-store-adapter.js';
import { createBotCore } from '../src/core/bot-core.js';
import type { CoreHandler } from '../src/core/events.js';
import { systemClock } from '../src/kernel/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { generateClusterScenario } from '../src/lab/generate.js';
import { openStore } from '../src/store/open-store.js';
import { startFakeSlack } from './fake-slack.js';
import { log, percentile, round, startLabHttpRelay } from './support.js';

// Acknowledgement under load: the bot's Slack adapter in HTTP mode on loopback with the real core,
// an in-memory SQLite store and a lab relay over the signed HTTP protocol (200 ms per operation),
// the Web API pointed at a local fake. A child process fires `count` correctly signed slash
// commands at once; each one's ack time is its HTTP answer. Slack gives up after 3 s. Side by side
// in the same run: the same burst against a core that does nothing (the adapter alone) and
// against a bare node:http server (the floor of this machine).

export interface AckFigures {
  commands: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  over3s: number;
  failed: number;
  /** How long until every started check had posted its result. */
  allChecksDoneMs: number;
  checksDone: number;
  /**
   * CPU time (user + system) of the bot's process from the burst's start to its last ack, per
   * ack. With the real core this includes whatever check work started in that window.
   */
  cpuPerAckMs?: number;
}

/** Ack p99 of the bot ÷ a bare node:http server's, same burst, same run (issue 18). */
export const ACK_RATIO_TARGET = 2;

const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const FIRE = fileURLToPath(new URL('./ack-fire.ts', import.meta.url));

/** `ack-only`: a core that does nothing, to see what the transport alone costs on this machine. */
export type AckCore = 'real' | 'ack-only';

const ackOnly: CoreHandler = { handle: async () => undefined };

export async function measureAck(count: number, opMs = 200, coreKind: AckCore = 'real'): Promise<AckFigures> {
  // Commands check different node pairs of one 64-node cluster, so the per-host cap (8 reads in
  // flight per node) does not turn the burst into a queue of minutes.
  const scenario = generateClusterScenario({ nodes: 64 });
  const lab = await startLabHttpRelay(scenario, { hostMs: opMs, directoryMs: opMs });
  const slack = await startFakeSlack();
  const store = await openStore('sqlite::memory:');
  const policy = policySchema.parse({ roles: { viewer: ['*'] } });
  const core = createBotCore({ relay: lab.client, clock: systemClock, store: new StoreBackedCoreStore(store), authorizer: new PolicyAuthorizer(policy, lab.client), logger: silentLogger, eventWindowHours: 72 });
  const adapter = new SlackAdapter({ botToken: 'xoxb-bench', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: slack.apiUrl, logger: silentLogger });
  await adapter.start(coreKind === 'real' ? core : ackOnly);
  try {
    const job = { url: `http://127.0.0.1:${adapter.address!.port}/slack/events`, signingSecret: SIGNING_SECRET, hooksUrl: slack.hooksUrl, nodes: scenario.clusters[0]!.nodes };
    // Each check ends with its result posted (the parent and the result: two chat.postMessage).
    const done = () => (slack.calls.get('chat.postMessage') ?? 0) / 2;
    // Warm-up: a running bot has served a command before; the first one loads and compiles code.
    await fireFromChild({ ...job, count: 1 });
    if (coreKind === 'real') await until(() => done() >= 1, 30_000);
    slack.calls.clear();
    const started = performance.now();
    const { latencies, failures, cpuMs } = await fireFromChild({ ...job, count });
    if (coreKind === 'real') await until(() => done() >= count, 180_000);
    const figures: AckFigures = {
      commands: count,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(Math.max(...latencies)),
      over3s: latencies.filter((ms) => ms > 3000).length,
      failed: failures,
      allChecksDoneMs: round(performance.now() - started),
      checksDone: Math.floor(done()),
      cpuPerAckMs: round(cpuMs / count, 3),
    };
    log(`ack (${coreKind}): ${count} commands p50 ${figures.p50Ms} ms p99 ${figures.p99Ms} ms max ${figures.maxMs} ms, ${figures.cpuPerAckMs} ms CPU per ack; all checks done in ${figures.allChecksDoneMs} ms`);
    return figures;
  } finally {
    await adapter.stop();
    await slack.close();
    await lab.close();
    await store.close();
  }
}

/**
 * The floor on this machine: a bare node:http server that answers 200 at once, hit by the same
 * burst. No implementation on this Node and this box acknowledges faster.
 */
export async function measureAckFloor(count: number): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; cpuPerAckMs: number }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-length': 0 }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    const { latencies, cpuMs } = await fireFromChild({ url, signingSecret: SIGNING_SECRET, hooksUrl: 'http://127.0.0.1:9', count, nodes: ['HV01', 'HV02'] });
    const floor = { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(Math.max(...latencies)), cpuPerAckMs: round(cpuMs / count, 3) };
    log(`ack (bare node:http): p50 ${floor.p50Ms} ms p99 ${floor.p99Ms} ms, ${floor.cpuPerAckMs} ms CPU per ack`);
    return floor;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Runs the burst from a child; `cpuMs` is this process's CPU time from the burst's start to its last ack. */
function fireFromChild(job: { url: string; signingSecret: string; hooksUrl: string; count: number; nodes: string[] }): Promise<{ latencies: number[]; failures: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(FIRE, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpu = process.cpuUsage();
    child.on('message', (m) => {
      if ((m as { ready?: boolean }).ready) {
        cpu = process.cpuUsage();
        child.send('go');
        return;
      }
      const used = process.cpuUsage(cpu);
      resolve({ ...(m as { latencies: number[]; failures: number }), cpuMs: (used.user + used.system) / 1000 });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`ack load generator exited with ${code}`));
    });
    child.send(job);
  });
}

async function until(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
