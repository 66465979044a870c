import { createHmac } from 'node:crypto';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { AlertIntake } from '../../../src/alerts/alert-intake.js';
import { alertsPolicySchema } from '../../../src/approvals/alert-policy-schema.js';
import { sourceSecrets } from '../../../src/alerts/alert-auth.js';
import { startAlertServer, type AlertServer } from '../../../src/alerts/alert-server.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { ensurePostgres, type PgServer } from '../../helpers/postgres.js';
import { allowAll } from '../../helpers/fakes.js';
import { API_URL, SlackApiFake, eventually } from '../../helpers/slack/slack-fake.js';
import { postgresTarget, type SharedTarget } from '../store/targets.js';

// POST /v1/alerts on two bot replicas sharing one PostgreSQL store: an Alertmanager
// notification naming two nodes, delivered to both (as an HA Alertmanager pair does), posts the
// alert and its check in the channel the policy maps the cluster to, once; a storm of 100
// duplicates posts nothing more (the thread is updated); resolved is said once in the thread;
// bad credentials and hostile or unknown names get a 4xx and nothing runs.

const TOKEN = 'am-token-0123456789abcdef0123456789abcdef';
const HMAC_SECRET = 'scom-secret-0123456789abcdef0123456789abcdef';
const env = { ALERTS_AM_TOKEN: TOKEN, ALERTS_SCOM_SECRET: HMAC_SECRET };
const policy = alertsPolicySchema.parse({
  sources: [
    { name: 'alertmanager', format: 'alertmanager', auth: { bearerTokenEnv: 'ALERTS_AM_TOKEN' } },
    { name: 'scom', format: 'generic', auth: { hmacSecretEnv: 'ALERTS_SCOM_SECRET' } },
  ],
  routes: [{ cluster: 'HVCLUSTER01', targets: [{ platform: 'slack', channelId: 'C0INCIDENT' }] }],
  dedupMinutes: 60,
  maxConcurrentRuns: 2,
});

interface Replica {
  store: Store;
  intake: AlertIntake;
  server: AlertServer;
}

let pg: PgServer;
let target: SharedTarget;
let replicas: Replica[] = [];
let api: SlackApiFake;

beforeAll(async () => {
  pg = await ensurePostgres();
});
afterAll(async () => {
  await pg?.stop();
});
afterEach(async () => {
  for (const r of replicas) {
    await r.server.close();
    await r.intake.idle();
    await r.store.close();
  }
  replicas = [];
  await target?.dispose();
  nock.cleanAll();
});

async function startReplicas(count: number): Promise<Replica[]> {
  target = await postgresTarget(pg);
  api = new SlackApiFake();
  api.install();
  const scenario = await loadScenario(path.resolve(import.meta.dirname, '../../../lab/default.yaml'));
  for (let i = 0; i < count; i++) {
    const store = await openStore(target.url);
    const relay = new InProcessRelayClient(new LabBackend(scenario), 'lab: default.yaml');
    const slack = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: 'unused-signing-secret-0000000000', port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 0 } });
    const intake = new AlertIntake({
      policy,
      store,
      core: { relay, clock: fixedClock(scenario.domain.now), store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 },
      adapters: [slack],
      owner: `replica-${i}`,
    });
    const server = await startAlertServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 64 * 1024, sources: sourceSecrets(policy.sources, env), intake, logger: silentLogger });
    replicas.push({ store, intake, server });
  }
  return replicas;
}

function alertmanager(status: 'firing' | 'resolved', nodes = ['HV01', 'HV02']): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="HyperVLiveMigrationFailed", cluster="HVCLUSTER01"}',
    status,
    receiver: 'triage-bot',
    groupLabels: { alertname: 'HyperVLiveMigrationFailed' },
    commonLabels: { alertname: 'HyperVLiveMigrationFailed', cluster: 'HVCLUSTER01', severity: 'critical' },
    commonAnnotations: { summary: 'Live migration failed between Hyper-V nodes' },
    externalURL: 'http://alertmanager.example:9093',
    alerts: nodes.map((n) => ({ status, labels: { instance: `${n}:9182` }, annotations: {}, generatorURL: 'http://prometheus.example:9090/graph?g0.expr=hyperv_lm_failures', fingerprint: `fp-${n}` })),
  };
}

async function post(r: Replica, body: unknown, opts: { source?: string; auth?: string; signature?: string; contentType?: string; raw?: string } = {}) {
  const text = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  if (opts.auth !== undefined) headers.authorization = opts.auth;
  if (opts.signature !== undefined) headers['x-triage-signature'] = opts.signature;
  const res = await fetch(`${r.server.url}?source=${opts.source ?? 'alertmanager'}`, { method: 'POST', headers, body: text });
  return { status: res.status, body: (await res.json()) as { outcome: string; message: string; seen?: number } };
}

const topLevelPosts = () => api.callsOf('chat.postMessage').filter((c) => !c.body.thread_ts);
const threadPosts = (ts: string) => api.callsOf('chat.postMessage').filter((c) => c.body.thread_ts === ts);

describe('POST /v1/alerts across two replicas sharing PostgreSQL', () => {
  it('an Alertmanager notification naming two nodes posts one check in the mapped channel, once', async () => {
    const [a, b] = await startReplicas(2);
    const answers = await Promise.all([post(a!, alertmanager('firing'), { auth: `Bearer ${TOKEN}` }), post(b!, alertmanager('firing'), { auth: `Bearer ${TOKEN}` })]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 202]);
    expect(answers.map((x) => x.body.outcome).sort()).toEqual(['checking', 'duplicate']);
    await Promise.all(replicas.map((r) => r.intake.idle()));

    const top = topLevelPosts();
    expect(top).toHaveLength(1);
    expect(top[0]!.body.channel).toBe('C0INCIDENT');
    expect(top[0]!.body.text).toContain('Live migration failed between Hyper-V nodes');
    expect(top[0]!.body.blocks).toContain('http://prometheus.example:9090/graph');
    const alertTs = `${1_700_000_001}.000100`;
    const inThread = threadPosts(alertTs);
    // The check's parent and its result, in the alert's thread, with the usual buttons.
    expect(inThread.length).toBeGreaterThanOrEqual(2);
    const result = inThread.find((c) => (c.body.blocks ?? '').includes('triage:rerun'))!;
    expect(result.body.blocks).toContain('HV01');
    expect(result.body.blocks).toContain('triage:show-evidence');
    // Run by the bot's own identity, named (not a broken mention).
    expect(result.body.blocks).toContain('Run by alert from alertmanager');
  });

  it('a storm of 100 duplicate deliveries posts one thread and updates it; resolved is said once', async () => {
    const [a, b] = await startReplicas(2);
    const storm = Array.from({ length: 100 }, (_, i) => post(i % 2 ? a! : b!, alertmanager('firing'), { auth: `Bearer ${TOKEN}` }));
    const answers = await Promise.all(storm);
    expect(answers.filter((x) => x.body.outcome === 'checking')).toHaveLength(1);
    expect(answers.filter((x) => x.body.outcome === 'duplicate')).toHaveLength(99);
    await Promise.all(replicas.map((r) => r.intake.idle()));
    // Later deliveries update the alert's message with the count (at 1-2-5 steps: 200 is one).
    const later = await Promise.all(Array.from({ length: 100 }, (_, i) => post(i % 2 ? a! : b!, alertmanager('firing'), { auth: `Bearer ${TOKEN}` })));
    expect(Math.max(...later.map((x) => x.body.seen ?? 0))).toBe(200);
    await eventually(() => expect(api.callsOf('chat.update').some((c) => (c.body.text ?? '').includes('Seen 200 times'))).toBe(true));
    expect(topLevelPosts()).toHaveLength(1);
    const alertTs = topLevelPosts()[0]!.body.ts ?? `${1_700_000_001}.000100`;
    const before = threadPosts(alertTs).length;

    const resolved = await Promise.all([post(a!, alertmanager('resolved'), { auth: `Bearer ${TOKEN}` }), post(b!, alertmanager('resolved'), { auth: `Bearer ${TOKEN}` })]);
    expect(resolved.map((x) => x.body.outcome).sort()).toEqual(['not-posted', 'resolved']);
    const after = threadPosts(alertTs);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.body.text).toContain('Resolved: alertmanager says');
    expect(topLevelPosts()).toHaveLength(1);
  });

  it('refuses bad credentials, hostile and unknown names, oversize and malformed bodies with a 4xx, and runs nothing', async () => {
    const [a] = await startReplicas(1);
    const generic = { source: 'scom', summary: 'Event 21502 on HV01', fingerprint: 'scom-1', nodes: ['HV01', 'HV02'] };
    const sign = (text: string, secret = HMAC_SECRET) => `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
    const cases: Array<[string, () => Promise<{ status: number; body: { outcome: string; message: string } }>, number, RegExp]> = [
      ['no token', () => post(a!, alertmanager('firing')), 401, /Bearer/],
      ['wrong token', () => post(a!, alertmanager('firing'), { auth: 'Bearer not-the-token-0123456789abcdef0123456789' }), 401, /not valid/],
      ['unknown source', () => post(a!, alertmanager('firing'), { source: 'nagios', auth: `Bearer ${TOKEN}` }), 401, /unknown source/],
      ['token of another source', () => post(a!, generic, { source: 'scom', auth: `Bearer ${TOKEN}` }), 401, /x-triage-signature/],
      ['bad signature', () => post(a!, generic, { source: 'scom', signature: sign(JSON.stringify(generic), 'another-secret-0123456789abcdef0123456789') }), 401, /does not match/],
      ['hostile node name', () => post(a!, { ...generic, nodes: ['HV01', 'HV02;Remove-Item C:\\'] }, { source: 'scom', signature: sign(JSON.stringify({ ...generic, nodes: ['HV01', 'HV02;Remove-Item C:\\'] })) }), 400, /not a valid node or cluster name/],
      ['unknown node', () => post(a!, { ...generic, cluster: 'HVCLUSTER01', nodes: ['HV01', 'HV99'] }, { source: 'scom', signature: sign(JSON.stringify({ ...generic, cluster: 'HVCLUSTER01', nodes: ['HV01', 'HV99'] })) }), 422, /unknown node HV99/],
      ['no route', () => post(a!, { ...generic, nodes: ['HV01', 'HV99'] }, { source: 'scom', signature: sign(JSON.stringify({ ...generic, nodes: ['HV01', 'HV99'] })) }), 422, /no route in the policy file/],
      ['not the schema', () => post(a!, { version: '3', alerts: [] }, { auth: `Bearer ${TOKEN}` }), 400, /not a valid alertmanager payload/],
      ['not JSON', () => post(a!, null, { auth: `Bearer ${TOKEN}`, raw: '{"version":' }), 400, /not JSON/],
      ['not declared JSON', () => post(a!, alertmanager('firing'), { auth: `Bearer ${TOKEN}`, contentType: 'text/plain' }), 415, /application\/json/],
      ['too large', () => post(a!, null, { auth: `Bearer ${TOKEN}`, raw: JSON.stringify({ ...alertmanager('firing'), pad: 'x'.repeat(70 * 1024) }) }), 413, /larger than/],
    ];
    for (const [name, pending, status, message] of cases) {
      const got = await pending();
      expect(got.status, name).toBe(status);
      expect(got.body.message, name).toMatch(message);
      expect(JSON.stringify(got.body), name).not.toMatch(/at .*\.ts:\d+/);
    }
    await a!.intake.idle();
    expect(api.callsOf('chat.postMessage'), 'nothing posted').toHaveLength(0);
  });
});
