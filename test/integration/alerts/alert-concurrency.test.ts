import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertIntake, dedupKey } from '../../../src/alerts/alert-intake.js';
import { alertsPolicySchema } from '../../../src/approvals/alert-policy-schema.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import type { CallOptions, RelayClient } from '../../../src/relay/relay-client.js';
import type { OperationName, OpParams, OpResult } from '../../../src/relay/protocol.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { allowAll } from '../../helpers/fakes.js';
import { RecordingAdapter } from '../../helpers/scheduler-harness.js';

// At most maxConcurrentRuns alert-triggered checks at once: ten different alerts arrive together,
// every one is accepted (claimed) and eventually posted, but the relay never sees more than
// maxConcurrentRuns checks' host reads in flight. The lab answers slowly, so runs overlap.

/** Counts host.evidence reads in flight through it. */
class InFlightRelay implements RelayClient {
  inFlight = 0;
  max = 0;
  constructor(private readonly inner: RelayClient) {}
  get description(): string {
    return this.inner.description;
  }
  async call<O extends OperationName>(op: O, params: OpParams<O>, options?: CallOptions): Promise<OpResult<O>> {
    if (op !== 'host.evidence') return this.inner.call(op, params, options);
    this.inFlight += 1;
    this.max = Math.max(this.max, this.inFlight);
    try {
      return await this.inner.call(op, params, options);
    } finally {
      this.inFlight -= 1;
    }
  }
}

let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alert-triggered checks are bounded', () => {
  it('ten distinct alerts: all posted, never more than maxConcurrentRuns checks at once', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerts-'));
    store = await openStore(`sqlite:${path.join(dir, 'triage.db')}`);
    const scenario = generateClusterScenario({ nodes: 20, latency: { hostMs: 40 } });
    const relay = new InFlightRelay(new InProcessRelayClient(new LabBackend(scenario), 'generated'));
    const slack = new RecordingAdapter('slack');
    const policy = alertsPolicySchema.parse({
      sources: [{ name: 'scom', format: 'generic', auth: { hmacSecretEnv: 'UNUSED' } }],
      routes: [{ targets: [{ platform: 'slack', channelId: 'C1' }] }],
      maxConcurrentRuns: 2,
    });
    const intake = new AlertIntake({
      policy,
      store,
      core: { relay, clock: fixedClock(scenario.domain.now), store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 },
      adapters: [slack],
      owner: 'r1',
    });
    const names = scenario.hosts.map((h) => h.name);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => intake.receive(policy.sources[0]!, { fingerprint: `f${i}`, status: 'firing', nodes: [names[2 * i]!, names[2 * i + 1]!], summary: `alert ${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(intake.load.running).toBeLessThanOrEqual(2);
    await intake.idle();
    const alertPosts = slack.posts.filter((p) => p.reply.header.startsWith('Alert ·'));
    expect(alertPosts).toHaveLength(10);
    // Two nodes per check, two checks at once: four host reads at most, not twenty.
    expect(relay.max).toBeGreaterThan(2);
    expect(relay.max).toBeLessThanOrEqual(4);
    expect(intake.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('an alert claimed by a replica that died before posting', () => {
  it('is taken over by the next delivery once the post lease has passed, and posted once', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alerts-'));
    store = await openStore(`sqlite:${path.join(dir, 'triage.db')}`);
    const scenario = generateClusterScenario({ nodes: 2 });
    const now = new Date(scenario.domain.now);
    const slack = new RecordingAdapter('slack');
    const policy = alertsPolicySchema.parse({ sources: [{ name: 'am', format: 'generic', auth: { hmacSecretEnv: 'UNUSED' } }], routes: [{ targets: [{ platform: 'slack', channelId: 'C1' }] }] });
    const intake = new AlertIntake({
      policy,
      store,
      core: { relay: new InProcessRelayClient(new LabBackend(scenario), 'generated'), clock: fixedClock(now), store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 },
      adapters: [slack],
      owner: 'alive',
    });
    const alert = { fingerprint: 'f', status: 'firing' as const, nodes: ['HV01', 'HV02'], summary: 'lm failed' };
    const claim = (at: Date) => ({ key: dedupKey('am', alert), source: 'am', fingerprint: 'f', nodes: ['HV01', 'HV02'], owner: 'dead', now: at, windowMs: 3_600_000 });
    // Claimed 30 s ago by a replica still within its lease: a duplicate.
    expect(await store.claimAlertThread(claim(new Date(now.getTime() - 30_000)))).toBe(true);
    expect((await intake.receive(policy.sources[0]!, alert)).body.outcome).toBe('duplicate');
    // Start over (the row goes), then: claimed 3 min ago and never posted, so taken over.
    await store.pruneAlertThreads(new Date(now.getTime() + 7_200_000));
    expect(await store.claimAlertThread(claim(new Date(now.getTime() - 180_000)))).toBe(true);
    expect((await intake.receive(policy.sources[0]!, alert)).body.outcome).toBe('checking');
    await intake.idle();
    expect((await intake.receive(policy.sources[0]!, alert)).body.outcome).toBe('duplicate');
    expect(slack.posts.filter((p) => p.reply.header.startsWith('Alert ·'))).toHaveLength(1);
  });
});
