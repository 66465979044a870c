import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/load.js';
import { createBotCore } from '../core/bot-core.js';
import { systemClock, type Clock } from '../kernel/clock.js';
import type { CoreExtension } from '../core/context.js';
import { CheckQueue } from '../core/check-queue.js';
import { checkReport } from '../core/check-report.js';
import type { ChatAdapter } from '../core/events.js';
import { LoopLag } from '../core/loop-lag.js';
import type { Logger } from '../core/logger.js';
import { loadPolicy } from '../approvals/policy-load.js';
import { PolicyAuthorizer } from '../approvals/policy-authorizer.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { HttpRelayClient } from '../relay/client.js';
import type { RelayClient } from '../relay/relay-client.js';
import { createHttpRelayClient } from '../relay/create-http-client.js';
import { WebAdapter } from '../../adapters/web/adapter.js';
import { StoreBackedCoreStore } from '../store/core-store-adapter.js';
import { StoreConversationRefs } from './teams-conversation-refs.js';
import { scenarioList, startLabRelay, type LabRelay } from './lab-relay.js';
import type { Policy } from '../approvals/policy-schema.js';
import { BotMetrics } from '../ops/metrics.js';
import { MeteredRelayClient } from '../ops/metered-relay.js';
import { meteredStore, plansByState } from '../ops/metered-store.js';
import { meteredCore } from '../ops/metered-core.js';
import { drainingCore } from '../ops/draining-core.js';
import { ReadinessChecker } from '../ops/readiness.js';
import { startOpsServer, type OpsServer } from '../ops/ops-server.js';
import { readinessProbes, relayProbeTarget } from './readiness-probes.js';
import { startRetentionTimer } from './retention-timer.js';

// The composition root: config in, a running bot out. Lab mode adds a lab relay on loopback and
// the web console; Slack and Teams start when their settings are present.

export interface BotOptions {
  config: Config;
  logger: Logger;
  /** Overrides LAB_SCENARIO (npm start -- --lab FILE). */
  labFile?: string;
  /** Overrides WEB_PORT (tests use 0). */
  webPort?: number;
  clock?: Clock;
  /** The instant evidence is judged at; default: the lab scenario's `now` in lab mode, else `clock`. */
  evidenceClock?: Clock;
  /** Modules that add commands and buttons (approvals, schedules), given the running pieces. */
  extensions?: (pieces: BotPieces) => Promise<CoreExtension[]>;
  /** The health and metrics listener (GET /healthz, /readyz, /metrics); the entry point passes OPS_*. */
  ops?: { host: string; port: number; /** How long a /readyz answer is reused (default 5 s; tests use 0). */ readyCacheMs?: number };
}

export interface BotPieces {
  config: Config;
  relay: RelayClient;
  store: Store;
  policy: Policy;
  authorizer: PolicyAuthorizer;
  clock: Clock;
  /** What checks judge by: the lab scenario's `now` in lab mode (one truth on every surface). */
  evidenceClock: Clock;
  logger: Logger;
  lab?: LabRelay;
  adapters: ChatAdapter[];
  metrics: BotMetrics;
  /**
   * Extensions with a life of their own (the scheduler loop): run after the adapters start, and
   * before they stop; `drain` runs once the adapters stopped taking requests (finish in-flight work).
   */
  hooks: { afterStart: Array<() => void | Promise<void>>; beforeStop: Array<() => Promise<void>>; drain: Array<() => Promise<void>> };
}

export interface RunningBot extends BotPieces {
  web?: WebAdapter;
  /** Admission control figures (running, waiting, refused) and event-loop lag, for metrics and the bench. */
  checkQueue: CheckQueue;
  loopLag: LoopLag;
  ops?: OpsServer;
  readiness: ReadinessChecker;
  stop(): Promise<void>;
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  // The policy first: a missing or invalid policy file stops the start before anything is opened.
  const policy = await loadPolicy(config.policyFile);
  await mkdir('data', { recursive: true });
  const lab = config.mode === 'lab' && !config.relay.url ? await startLabRelay(options.labFile ?? config.labScenario, path.join('data', 'relay-audit.jsonl'), logger) : undefined;
  const metrics = new BotMetrics();
  const relay = new MeteredRelayClient(lab ? new HttpRelayClient({ url: lab.relay.url, keyId: lab.keyId, secret: lab.secret, timeoutMs: config.relay.timeoutMs, concurrencyPerHost: config.relay.concurrencyPerHost, logger }) : await createHttpRelayClient(config, logger), metrics);
  const store = meteredStore(await openStore(config.store.databaseUrl, { logger }), metrics);
  metrics.countPlansWith(() => plansByState(store));
  const authorizer = new PolicyAuthorizer(policy, relay);

  const adapters: ChatAdapter[] = [];
  const web = lab && config.web.enabled ? await webAdapter(options, policy, lab, logger) : undefined;
  if (web) adapters.push(web);
  // @slack/bolt (~0.5 s to load) and botbuilder (~0.9 s) are loaded only when their platform is
  // configured: lab mode and a Slack-only or Teams-only bot do not pay for the other one.
  if (config.slack) {
    const { SlackAdapter } = await import('../../adapters/slack/adapter.js');
    adapters.push(new SlackAdapter({ ...config.slack, logger, logLevel: config.logLevel }));
  }
  if (config.teams) {
    const { createTeamsAdapter } = await import('../../adapters/teams/index.js');
    // GET /reports/<check run id>: the full matrix a big cluster's card links to (PUBLIC_BASE_URL).
    const runs = new StoreBackedCoreStore(store);
    const teams = createTeamsAdapter(config, { logger, refs: new StoreConversationRefs(store, clock), reports: (id) => checkReport(runs, id, config.chat.docsBaseUrl) });
    if (teams) adapters.push(teams);
  }

  const hooks: BotPieces['hooks'] = { afterStart: [], beforeStop: [], drain: [] };
  const evidenceClock = options.evidenceClock ?? lab?.scenarioClock ?? clock;
  const pieces: BotPieces = { config, relay, store, policy, authorizer, clock, evidenceClock, logger, ...(lab ? { lab } : {}), adapters, metrics, hooks };
  const extensions = options.extensions ? await options.extensions(pieces) : [];
  const checkQueue = new CheckQueue(config.checks.concurrency, config.checks.queueLimit);
  const lag = new LoopLag();
  const core = drainingCore(meteredCore(createBotCore({ relay, clock, evidenceClock, store: new StoreBackedCoreStore(store), authorizer, logger, eventWindowHours: config.eventWindowHours, maxDcs: config.dcEvidenceMax, extensions, checkQueue, ...(config.chat.docsBaseUrl ? { docsBaseUrl: config.chat.docsBaseUrl } : {}) }), metrics));
  // Once a minute: event-loop lag and the check queue, logged when either says the replica is loaded.
  const loadReport = setInterval(() => {
    const figures = { lag: lag.figures(), checks: checkQueue.figures() };
    if (figures.lag.p99Ms > 100 || figures.checks.waiting > 0 || figures.checks.refused > 0) logger.warn('replica under load', figures);
    lag.reset();
  }, 60_000);
  loadReport.unref();
  const started = new Set<ChatAdapter>();
  const readiness = new ReadinessChecker(readinessProbes({ store, relay: await relayProbeTarget(config, lab), adapters, started, timeoutMs: config.ops.readyTimeoutMs }), {
    timeoutMs: config.ops.readyTimeoutMs,
    cacheMs: options.ops?.readyCacheMs ?? 5_000,
    onResult: (r) => {
      metrics.ready.set(r.ready ? 1 : 0);
      for (const [name, c] of Object.entries(r.checks)) metrics.dependencyUp.set({ dependency: name }, c.ok ? 1 : 0);
    },
  });
  // The ops listener comes up before the adapters: a port clash stops the start before anything
  // answers chat, and /readyz says "not running" until each adapter has started.
  let ops: OpsServer | undefined;
  try {
    ops = options.ops ? await startOpsServer({ host: options.ops.host, port: options.ops.port, metrics, readiness }) : undefined;
  } catch (err) {
    clearInterval(loadReport);
    lag.stop();
    await lab?.relay.close();
    await store.close();
    throw err;
  }
  for (const adapter of adapters) {
    await adapter.start(core);
    started.add(adapter);
  }
  for (const hook of hooks.afterStart) await hook();
  const retention = startRetentionTimer({ store, days: config.store.checkRetentionDays, clock, logger, metrics });

  return {
    ...pieces,
    ...(web ? { web } : {}),
    checkQueue,
    loopLag: lag,
    ...(ops ? { ops } : {}),
    readiness,
    // Graceful: unready first (the load balancer and Kubernetes stop sending), refuse new events,
    // let in-flight checks finish within SHUTDOWN_DRAIN_MS, then timers, adapters, the drain hooks
    // (applies in flight finish or are handed off), the store.
    async stop() {
      ops?.draining();
      const finished = await core.drain(config.shutdownDrainMs);
      if (!finished) logger.warn('shutdown: checks still running at the deadline were cut off', { inFlight: core.inFlight, shutdownDrainMs: config.shutdownDrainMs });
      clearInterval(loadReport);
      lag.stop();
      await retention.stop();
      for (const hook of hooks.beforeStop) await hook().catch((err: unknown) => logger.warn('stop hook failed', { error: (err as Error).message }));
      for (const adapter of adapters) {
        started.delete(adapter);
        await adapter.stop().catch(() => undefined);
      }
      for (const hook of hooks.drain) await hook().catch((err: unknown) => logger.warn('drain hook failed', { error: (err as Error).message }));
      await lab?.relay.close();
      await store.close();
      await ops?.close();
    },
  };
}

async function webAdapter(options: BotOptions, policy: Policy, lab: LabRelay, logger: Logger): Promise<WebAdapter> {
  const personas = policy.people.filter((p) => p.web).map((p) => ({ id: p.web!, label: p.displayName ?? p.name }));
  if (personas.length === 0) personas.push({ id: 'engineer', label: 'Engineer' });
  return new WebAdapter({
    port: options.webPort ?? options.config.web.port,
    personas,
    logger,
    scenarios: { list: await scenarioList(), current: () => lab.scenario(), select: (file) => lab.select(file) },
  });
}
