import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import { MAX_ACTIVITY_BYTES, utf16Bytes } from '../../../adapters/teams/card-size.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { checkReport } from '../../../src/core/check-report.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { allowAll } from '../../helpers/fakes.js';
import { bigClusterScenario } from '../../helpers/slack/big-cluster.js';
import { SERVICE_URL, channelMention, decodedPath, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';

// `cluster-health BIG64` on Teams through the real core and a real (SQLite) store, the Bot
// Framework connector faked with nock. With PUBLIC_BASE_URL set, the 64-node result is a summary
// with a "Full matrix" button, and the page it opens is served by the bot's own endpoint from the
// stored check run (issue 20: at most 3 messages, the full matrix as a page the bot serves).

const BASE = 'https://triage.example.test';
const ROOT = '1700000000064';

interface Call {
  method: string;
  path: string;
  body: { attachments?: Array<{ content: { body?: unknown[]; actions?: Array<{ type: string; title: string; url?: string }> } }> };
}

let adapter: TeamsAdapter | undefined;
let store: Store | undefined;
afterEach(async () => {
  await adapter?.stop();
  await store?.close().catch(() => undefined);
  adapter = undefined;
  store = undefined;
  nock.cleanAll();
});

function fakeConnector(): Call[] {
  const calls: Call[] = [];
  const record = (method: string) =>
    function (uri: string, body: unknown): [number, object] {
      calls.push({ method, path: decodedPath(uri), body: body as Call['body'] });
      return [200, { id: `m${calls.length}` }];
    };
  nock(SERVICE_URL.replace(/\/amer\/$/, '')).persist().post(/\/amer\/v3\/conversations\/.*/).reply(record('POST')).put(/\/amer\/v3\/conversations\/.*/).reply(record('PUT'));
  return calls;
}

async function start(publicBaseUrl?: string) {
  const scenario = parseScenario(bigClusterScenario(64), 'big-cluster.yaml');
  const relay = new InProcessRelayClient(new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } }), 'lab: big-cluster.yaml');
  store = await openStore('sqlite::memory:');
  const runs = new StoreBackedCoreStore(store);
  const core = createBotCore({ relay, clock: fixedClock(scenario.domain.now), store: runs, authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 });
  const calls = fakeConnector();
  // Wired as src/app/start-bot.ts wires it: the report is the stored check run.
  adapter = new TeamsAdapter({
    auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }),
    appId: '',
    port: 0,
    host: '127.0.0.1',
    reports: (id) => checkReport(runs, id),
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  });
  await adapter.start(core);
  await postActivity(adapter.port, channelMention('cluster-health BIG64', { id: ROOT }));
  await adapter.idle();
  for (const c of calls) {
    expect(utf16Bytes(c.body)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
    for (const a of c.body.attachments ?? []) expect(cardProblems(a.content)).toEqual([]);
  }
  return { calls, runs, port: adapter.port };
}

const reportButtons = (calls: Call[]) => calls.flatMap((c) => c.body.attachments ?? []).flatMap((a) => a.content.actions ?? []).filter((a) => a.type === 'Action.OpenUrl');

describe('Teams, 64 nodes, PUBLIC_BASE_URL set', () => {
  it('posts at most 3 messages and links the full matrix to a page the bot serves', async () => {
    const { calls, runs, port } = await start(BASE);
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.length).toBeLessThanOrEqual(3);
    // No grid or table parts: nothing says "part 2 of"; the findings that did not fit say where they are.
    const shown = JSON.stringify(calls.map((c) => c.body));
    expect(shown).not.toContain('(part 2 of');
    expect(shown).toContain('More findings, with their evidence, are on the report page');
    expect(shown).toContain('N07 cannot migrate out at all; nothing can migrate into N33.');

    const buttons = reportButtons(calls);
    expect(buttons.length).toBeGreaterThan(0);
    const id = /^https:\/\/triage\.example\.test\/reports\/(cr_[a-z0-9]{16})$/.exec(buttons.at(-1)!.url!)?.[1];
    expect(id, buttons.at(-1)!.url).toBeDefined();
    expect(buttons.every((b) => b.title === 'Full matrix')).toBe(true);

    const res = await fetch(`http://127.0.0.1:${port}/reports/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<h1>Cluster health · BIG64</h1>');
    // Every source a row, every direction a cell: N07 cannot migrate out (63), nothing into N33 (63, one shared).
    expect(html.match(/<th scope="row">/g)).toHaveLength(64);
    expect(html.match(/<td class="cell-/g)).toHaveLength(64 * 63);
    expect(html.match(/<td class="cell-blocked"/g)).toHaveLength(125);
    expect(html).toContain('title="N07 → N01: blocked"');
    expect(html).toContain('title="N01 → N33: blocked"');
    expect(html).toContain('title="N01 → N02: ok"');
    // And every finding of the stored run, by code.
    const run = await runs.getCheckRun(id!);
    expect(run!.diagnosis.findings.length).toBeGreaterThan(0);
    for (const f of run!.diagnosis.findings) expect(html).toContain(f.code);
  });

  it('answers an unknown or malformed id with 404 and a store failure with 500, never a stack', async () => {
    const { port } = await start(BASE);
    for (const path of ['/reports/cr_aaaaaaaaaaaaaaaa', '/reports/..%2F..%2Fetc%2Fpasswd', '/reports/%E0%A4%A', '/reports/']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body).not.toMatch(/\bat \S+ \(|Error/);
    }
    expect((await fetch(`http://127.0.0.1:${port}/reports/cr_aaaaaaaaaaaaaaaa`, { method: 'POST' })).status).toBe(405);
    await store!.close();
    const broken = await fetch(`http://127.0.0.1:${port}/reports/cr_aaaaaaaaaaaaaaaa`);
    expect(broken.status).toBe(500);
    const text = await broken.text();
    expect(text).toBe('The report could not be read. Try again later.');
  });
});

describe('Teams, 64 nodes, no PUBLIC_BASE_URL', () => {
  it('keeps the monospace grid card and offers no link', async () => {
    const { calls } = await start();
    expect(reportButtons(calls)).toEqual([]);
    expect(JSON.stringify(calls.map((c) => c.body))).toContain('Directions, all 64 nodes');
  });
});
