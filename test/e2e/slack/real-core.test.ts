import { readdirSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { checkLimits } from '../../../adapters/slack/limits.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { expectGolden } from '../../helpers/slack/golden.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, blockActions, eventually, sendSigned, slashCommand, type ApiCall } from '../../helpers/slack/slack-fake.js';
import { MemoryCoreStore, allowAll } from '../../helpers/fakes.js';

// The real core behind the Slack adapter, answering from the shipped lab scenarios: a signed
// /migration-check goes in over HTTP, and what Slack would be asked to show comes out (golden
// files test/fixtures/slack/lab-*.json), every message within Block Kit's limits.

const LAB_DIR = path.resolve(import.meta.dirname, '../../../lab');
const scenarios = readdirSync(LAB_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** Wraps the core so a test can wait until every event it was handed has been fully handled. */
class TrackedCore implements CoreHandler {
  readonly running: Promise<void>[] = [];
  constructor(private readonly inner: CoreHandler) {}
  handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    const p = this.inner.handle(event, adapter);
    this.running.push(p);
    return p;
  }
  async idle(count: number): Promise<void> {
    await eventually(() => expect(this.running.length).toBeGreaterThanOrEqual(count));
    await Promise.all(this.running);
  }
}

let adapter: SlackAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  nock.cleanAll();
});

async function startWith(file: string): Promise<{ api: SlackApiFake; core: TrackedCore; url: string; expectNodes: string[]; initiator?: string }> {
  const scenario = await loadScenario(path.join(LAB_DIR, file));
  const relay = new InProcessRelayClient(new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } }), `lab: ${file}`);
  const core = new TrackedCore(
    createBotCore({ relay, clock: fixedClock(scenario.domain.now), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 }),
  );
  const api = new SlackApiFake();
  api.install();
  adapter = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 0 } });
  await adapter.start(core);
  const nodes = scenario.expect?.nodes ?? scenario.hosts.slice(0, 2).map((h) => h.name);
  return { api, core, url: `http://127.0.0.1:${adapter.address!.port}/slack/events`, expectNodes: nodes, ...(scenario.expect?.initiator ? { initiator: scenario.expect.initiator } : {}) };
}

const RECORD_ID = /cr_[A-Za-z0-9_-]{16}/g;

/** What Slack was asked to show, in order, with the random record ids made stable. */
function transcript(api: SlackApiFake): unknown[] {
  const shown = api.messageCalls.filter((c) => c.method.startsWith('chat.'));
  const messages = shown.map((c: ApiCall) => ({
    method: c.method,
    ...(c.body.thread_ts ? { thread_ts: c.body.thread_ts } : {}),
    ...(c.body.ts ? { ts: c.body.ts } : {}),
    text: c.body.text,
    blocks: JSON.parse(c.body.blocks ?? '[]') as unknown,
  }));
  const ephemeral = api.responses.map((r) => ({ method: 'response_url', ...r.body }));
  return JSON.parse(JSON.stringify([...ephemeral, ...messages]).replace(RECORD_ID, 'cr_RECORD')) as unknown[];
}

function expectWithinLimits(api: SlackApiFake): void {
  for (const c of api.messageCalls.filter((x) => x.method.startsWith('chat.'))) {
    expect(checkLimits({ text: c.body.text ?? '', blocks: JSON.parse(c.body.blocks ?? '[]') }), `${c.method} within limits`).toEqual([]);
  }
  for (const r of api.responses) expect(checkLimits({ text: String(r.body.text ?? ''), blocks: (r.body.blocks ?? []) as never }), 'response within limits').toEqual([]);
}

describe('Slack adapter with the real core on the shipped lab scenarios', () => {
  it.each(scenarios)('/migration-check on %s', async (file) => {
    const { api, core, url, expectNodes, initiator } = await startWith(file);
    const res = await sendSigned(url, slashCommand('/migration-check', [...expectNodes, ...(initiator ? [`initiator=${initiator}`] : [])].join(' ')));
    expect(res.status).toBe(200);
    await core.idle(1);
    expectWithinLimits(api);
    expect(api.callsOf('chat.postMessage').length).toBeLessThanOrEqual(3);
    expectGolden(`lab-${file.replace(/\.yaml$/, '')}`, transcript(api));
  });

  it('answers the result buttons: re-run posts again, a forged id gets only a refusal', async () => {
    const { api, core, url } = await startWith('default.yaml');
    await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    await core.idle(1);
    const result = api.callsOf('chat.postMessage')[1]!;
    const buttons = (JSON.parse(result.body.blocks!) as Array<{ type: string; elements?: Array<Record<string, unknown>> }>)
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    const rerun = buttons.find((b) => b.action_id === 'triage:rerun')!;
    expect(rerun.value).toMatch(/^cr_[A-Za-z0-9_-]{16}$/);
    const before = api.messageCalls.length;
    const responsesBefore = api.responses.length;

    await sendSigned(url, blockActions([{ ...rerun, block_id: 'b' }], { message: { ts: result.body.ts ?? '1700000002.000100', thread_ts: result.body.thread_ts } }));
    await core.idle(2);
    expect(api.callsOf('chat.postMessage').length).toBeGreaterThan(2);
    expect(api.responses[responsesBefore]!.body.text).toContain('Re-running the check on HV01, HV02');

    const afterRerun = api.messageCalls.length;
    expect(afterRerun).toBeGreaterThan(before);
    await sendSigned(url, blockActions([{ ...rerun, block_id: 'b', value: 'cr_AAAAAAAAAAAAAAAA' }]));
    await core.idle(3);
    expect(api.messageCalls.length).toBe(afterRerun);
    expect(api.responses.at(-1)!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('unknown or forged id') });
  });

  it('tells the person, ephemerally and in one line, what is wrong with bad input', async () => {
    const { api, core, url } = await startWith('default.yaml');
    await sendSigned(url, slashCommand('/migration-check', 'HV01'));
    await sendSigned(url, slashCommand('/migration-check', 'HV01 "HV;02"'));
    await core.idle(2);
    expect(api.messageCalls).toHaveLength(0);
    expect(api.responses.map((r) => r.body.response_type)).toEqual(['ephemeral', 'ephemeral']);
    for (const r of api.responses) expect(String(r.body.text)).toMatch(/Example: .*migration-check HV01 HV02/);
  });

  it('tells the person to invite the bot when it is not a member of the channel', async () => {
    const { api, core, url } = await startWith('default.yaml');
    api.script('chat.postMessage', { status: 200, body: { ok: false, error: 'not_in_channel' } });
    api.script('chat.postEphemeral', { status: 200, body: { ok: false, error: 'not_in_channel' } });
    await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    await core.idle(1);
    const texts = api.responses.map((r) => String(r.body.text));
    expect(texts.at(-1)).toContain('triage-bot is not a member of this channel: invite it with /invite @triage-bot');
    expect(api.responses.every((r) => r.body.response_type === 'ephemeral')).toBe(true);
  });

  it('posts the evidence into the thread on Show evidence, within the limits', async () => {
    const { api, core, url } = await startWith('default.yaml');
    await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02 HV03 HV04'));
    await core.idle(1);
    const result = api.callsOf('chat.postMessage')[1]!;
    const show = (JSON.parse(result.body.blocks!) as Array<{ type: string; elements?: Array<Record<string, unknown>> }>)
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((b) => b.action_id === 'triage:show-evidence')!;
    await sendSigned(url, blockActions([{ ...show, block_id: 'b' }], { message: { ts: result.body.ts ?? '1700000002.000100', thread_ts: result.body.thread_ts } }));
    await core.idle(2);
    const evidence = api.callsOf('chat.postMessage')[2]!.body;
    expect(evidence.thread_ts).toBe(result.body.thread_ts);
    expect(checkLimits({ text: evidence.text!, blocks: JSON.parse(evidence.blocks!) })).toEqual([]);
    expect(evidence.blocks).toContain('HV01');
  });
});

