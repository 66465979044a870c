import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { checkLimits } from '../../../adapters/slack/limits.js';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { textReply } from '../../../src/core/reply.js';
import { createLogger } from '../../../src/core/logger.js';
import { blockedThreeNodes, cluster64, progress } from '../../helpers/slack/sample-replies.js';
import { API_URL, FakeCore, SIGNING_SECRET, SlackApiFake, appMention, blockActions, eventually, sendSigned, sign, slashCommand, type SlackRequest } from '../../helpers/slack/slack-fake.js';

// The adapter in HTTP mode on loopback, driven by requests signed and encoded exactly as Slack
// sends them; the Web API, response_url hooks and upload host are nock fakes. The core is a
// double here (test/e2e/slack/real-core.test.ts runs the real one).

let api: SlackApiFake;
let core: FakeCore;
let adapter: SlackAdapter;
let url: string;

beforeEach(async () => {
  api = new SlackApiFake();
  api.install();
  core = new FakeCore();
  adapter = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
  await adapter.start(core);
  url = `http://127.0.0.1:${adapter.address!.port}/slack/events`;
});

afterEach(async () => {
  await adapter.stop();
  nock.cleanAll();
});

/** Slack's re-delivery: the same body, signed anew, with x-slack-retry-num. */
async function fetchRetry(target: string, req: SlackRequest): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': req.contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(req.body, ts), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    body: req.body,
  });
  await res.text();
  return res.status;
}

const blocksOf = (body: Record<string, string>): unknown[] => JSON.parse(body.blocks ?? '[]') as unknown[];

const CHECKPOINT = 'cluster-health CHECKPOINT';

/**
 * An explicit "nothing was posted" point: a valid command sent after the requests under test,
 * waited for until the core has finished with it and the adapter's work on it is done. Whatever
 * the earlier requests were going to cause has been dispatched by then; the caller asserts on
 * everything except the checkpoint itself.
 */
async function checkpoint(): Promise<void> {
  core.behaviour = async () => {};
  const res = await sendSigned(url, slashCommand('/cluster-health', 'CHECKPOINT'));
  expect(res.status).toBe(200);
  await eventually(() => expect(core.finished.map((e) => e.text)).toContain(CHECKPOINT));
}

const eventsBesidesCheckpoint = () => core.events.filter((e) => e.text !== CHECKPOINT);

describe('Slack adapter over HTTP', () => {
  it('turns a signed /migration-check into a command event and acks at once while the core works', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    core.behaviour = async (event, a) => {
      await event.ack(textReply('Checking HV01, HV02…', { ephemeral: true }));
      await gate;
      await a.post(event.conversation, blockedThreeNodes);
    };
    const res = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(1000);
    console.log(`http mode: slash command acked in ${res.ms} ms while the core was still working`);
    await eventually(() => expect(core.events).toHaveLength(1));
    const event = core.events[0]!;
    expect(event.kind).toBe('command');
    expect(event.text).toBe('migration-check HV01 HV02');
    expect(event.actor).toMatchObject({ platform: 'slack', id: 'U0ALICE' });
    expect(event.conversation).toEqual({ platform: 'slack', channelId: 'C0INCIDENT' });
    // The "running" note goes only to the person, through response_url.
    await eventually(() => expect(api.responses).toHaveLength(1));
    expect(api.responses[0]!.path).toBe('/commands/T0TEAM/1234/abcd');
    expect(api.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'ℹ️ triage-bot — Info: Checking HV01, HV02…' });
    expect(api.messageCalls).toHaveLength(0);
    release();
    await eventually(() => expect(api.callsOf('chat.postMessage')).toHaveLength(1));
    const posted = api.callsOf('chat.postMessage')[0]!.body;
    expect(posted.channel).toBe('C0INCIDENT');
    expect(blocksOf(posted)).toEqual(renderBlocks(blockedThreeNodes).blocks);
  });

  it('answers a slash command that is not ours at once, without the core', async () => {
    const res = await sendSigned(url, slashCommand('/deploy', 'prod'));
    expect(res.status).toBe(200);
    await eventually(() => expect(api.responses).toHaveLength(1));
    expect(api.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('triage-bot does not know /deploy') });
    expect(core.events).toHaveLength(0);
  });

  it('maps /cluster-health with and without an argument', async () => {
    await sendSigned(url, slashCommand('/cluster-health', 'CLU-PROD'));
    await sendSigned(url, slashCommand('/cluster-health', ''));
    await eventually(() => expect(core.events.map((e) => e.text)).toEqual(['cluster-health CLU-PROD', 'cluster-health']));
  });

  it('refuses a bad signature, or a body changed after signing, with 401 and posts nothing', async () => {
    const req = slashCommand('/migration-check', 'HV01 HV02');
    const now = Math.floor(Date.now() / 1000);
    const wrong = await sendSigned(url, req, { signature: `v0=${'0'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    const otherSecret = await sendSigned(url, req, { signature: sign(req.body, now, 'not-the-signing-secret') });
    expect(otherSecret.status).toBe(401);
    const tampered = await sendSigned(url, { ...req, body: req.body.replace('U0ALICE', 'U0MALLORY') }, { timestamp: now, signature: sign(req.body, now) });
    expect(tampered.status).toBe(401);
    await checkpoint();
    expect(eventsBesidesCheckpoint()).toHaveLength(0);
    expect(api.messageCalls).toHaveLength(0);
    expect(api.responses).toHaveLength(0);
  });

  it('logs a bad signature as one warn line without a stack, and a burst of them as one line a while', async () => {
    const lines: string[] = [];
    const logged = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, logger: createLogger('info', (l) => lines.push(l)) });
    await logged.start(core);
    try {
      const at = `http://127.0.0.1:${logged.address!.port}/slack/events`;
      const req = slashCommand('/migration-check', 'HV01 HV02');
      lines.splice(0); // the start line
      for (let i = 0; i < 5; i++) expect((await sendSigned(at, req, { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'slack: request refused: bad or missing signature (401)', remote: '127.0.0.1' });
      expect(lines[0]).not.toContain(SIGNING_SECRET);
      expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
    } finally {
      await logged.stop();
    }
  });

  it('refuses a timestamp older than five minutes with 401', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { timestamp: stale });
    expect(res.status).toBe(401);
    await checkpoint();
    expect(eventsBesidesCheckpoint()).toHaveLength(0);
    expect(api.messageCalls).toHaveLength(0);
    expect(api.responses).toHaveLength(0);
  });

  it('refuses a timestamp more than five minutes in the future with 401, both directions, and accepts one just inside', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Bolt alone checks only the past: without the adapter's own check this one is a 200.
    const ahead = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { timestamp: now + 5 * 60 + 30 });
    expect(ahead.status).toBe(401);
    const farAhead = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { timestamp: now + 3600 });
    expect(farAhead.status).toBe(401);
    const behind = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { timestamp: now - 5 * 60 - 30 });
    expect(behind.status).toBe(401);
    expect(core.events).toHaveLength(0);

    // The near misses: 4½ minutes either way are inside Slack's window and reach the core.
    core.behaviour = async (event) => event.ack(textReply('ok', { ephemeral: true }));
    expect((await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { timestamp: now + 270 })).status).toBe(200);
    expect((await sendSigned(url, slashCommand('/migration-check', 'HV03 HV04'), { timestamp: now - 270 })).status).toBe(200);
    await eventually(() => expect(core.events).toHaveLength(2));
  });

  it('turns a button click into an action event carrying only the record id', async () => {
    const button = (renderBlocks(blockedThreeNodes).blocks.find((b) => b.type === 'actions') as unknown as { elements: Array<Record<string, unknown>> }).elements[0]!;
    const res = await sendSigned(url, blockActions([{ ...button, block_id: 'b1' }], { message: { ts: '1700000009.000100', thread_ts: '1700000001.000100' } }));
    expect(res.status).toBe(200);
    await eventually(() => expect(core.events).toHaveLength(1));
    const event = core.events[0]!;
    expect(event.kind).toBe('action');
    expect(event.action).toEqual({ name: 'propose-fix', recordId: 'chk_01HV3K9Z' });
    expect(event.actor.id).toBe('U0BOB');
    expect(event.conversation).toEqual({ platform: 'slack', channelId: 'C0INCIDENT', threadId: '1700000001.000100' });
    expect(event.message).toEqual({ conversation: { platform: 'slack', channelId: 'C0INCIDENT', threadId: '1700000001.000100' }, messageId: '1700000009.000100' });
  });

  it('passes the chosen value of a select menu with its record id', async () => {
    const select = renderBlocks(blockedThreeNodes).blocks.find((b) => b.type === 'actions' && (b as { block_id?: string }).block_id) as unknown as { block_id: string; elements: Array<Record<string, unknown>> };
    const click = { type: 'static_select', action_id: select.elements[0]!.action_id, block_id: select.block_id, selected_option: { text: { type: 'plain_text', text: 'VM-SQL01' }, value: 'vm-sql01' } };
    await sendSigned(url, blockActions([click]));
    await eventually(() => expect(core.events).toHaveLength(1));
    expect(core.events[0]!.action).toEqual({ name: 'test-migration', recordId: 'chk_01HV3K9Z', value: 'vm-sql01' });
  });

  // The refusal of a forged id is the core's (test/e2e/slack/real-core.test.ts drives the real
  // core with one). What the adapter owes: the id reaches the core untouched, and whatever the core
  // acknowledges goes only to the person who clicked, not into the channel.
  it('passes a forged record id to the core as it came, and shows the core\'s answer only to the clicker', async () => {
    const answer = 'The core answered this click.';
    core.behaviour = async (event) => event.ack(textReply(answer, { ephemeral: true, status: 'error' }));
    const forged = { type: 'button', action_id: 'triage:propose-fix', block_id: 'b1', value: 'chk_forged_by_mallory', text: { type: 'plain_text', text: 'Propose fix' } };
    await sendSigned(url, blockActions([forged]));
    await eventually(() => expect(api.responses).toHaveLength(1));
    expect(core.events[0]!.action).toEqual({ name: 'propose-fix', recordId: 'chk_forged_by_mallory' });
    expect(api.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining(answer) });
    await checkpoint();
    expect(api.messageCalls).toHaveLength(0);
  });

  it('does not pass a button that is not ours to the core, and says so', async () => {
    await sendSigned(url, blockActions([{ type: 'button', action_id: 'rm -rf', block_id: 'b1', value: 'x', text: { type: 'plain_text', text: 'x' } }]));
    await eventually(() => expect(api.responses).toHaveLength(1));
    expect(api.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('not one triage-bot knows') });
    expect(core.events).toHaveLength(0);
  });

  it('turns an @mention into a mention event and answers it ephemerally in its thread', async () => {
    core.behaviour = async (event) => event.ack(textReply('Usage: migration-check <node> <node>', { ephemeral: true }));
    const res = await sendSigned(url, appMention('<@UBOT> migration-check HV01 HV02', { thread_ts: '1700000000.000001' }));
    expect(res.status).toBe(200);
    await sendSigned(url, appMention('<@UBOT>'));
    await eventually(() => expect(core.events.map((e) => [e.kind, e.text])).toEqual([['mention', 'migration-check HV01 HV02'], ['mention', 'help']]));
    expect(core.events[0]!.conversation).toEqual({ platform: 'slack', channelId: 'C0INCIDENT', threadId: '1700000000.000001' });
    await eventually(() => expect(api.callsOf('chat.postEphemeral')).toHaveLength(2));
    expect(api.callsOf('chat.postEphemeral')[0]!.body).toMatchObject({ channel: 'C0INCIDENT', user: 'U0ALICE', thread_ts: '1700000000.000001' });
  });

  it('runs a re-delivered event (same event_id) only once', async () => {
    const mention = appMention('<@UBOT> migration-check HV01 HV02');
    await sendSigned(url, mention);
    const retry = await fetchRetry(url, mention);
    expect(retry).toBe(200);
    await checkpoint();
    expect(core.events.map((e) => e.text)).toEqual(['migration-check HV01 HV02', CHECKPOINT]);
  });

  it('survives a core that throws: the person is told, the next command still works', async () => {
    core.behaviour = async (event) => {
      if (event.text.includes('BOOM')) throw new Error('database is on fire');
    };
    await sendSigned(url, slashCommand('/migration-check', 'BOOM HV02'));
    await eventually(() => expect(api.responses).toHaveLength(1));
    expect(api.responses[0]!.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('Something went wrong on our side') });
    expect(JSON.stringify(api.responses[0]!.body)).not.toContain('database is on fire');
    const next = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    expect(next.status).toBe(200);
    await eventually(() => expect(core.events).toHaveLength(2));
  });

  it('posts in a thread and attaches a large result as files through files.uploadV2', async () => {
    const ref = await adapter.post({ platform: 'slack', channelId: 'C0INCIDENT', threadId: '1700000000.000001' }, cluster64);
    const post = api.callsOf('chat.postMessage')[0]!.body;
    expect(post.thread_ts).toBe('1700000000.000001');
    expect(checkLimits({ text: post.text!, blocks: blocksOf(post) as never })).toEqual([]);
    expect(api.callsOf('files.getUploadURLExternal').map((c) => c.body.filename)).toEqual(['direction-matrix.csv']);
    expect(api.uploads).toHaveLength(1);
    const complete = api.callsOf('files.completeUploadExternal')[0]!.body;
    expect(complete).toMatchObject({ channel_id: 'C0INCIDENT', thread_ts: '1700000000.000001' });
    expect(ref.messageId).toMatch(/^\d+\.\d+$/);
    // An edit carrying the same file does not upload it again.
    await adapter.update(ref, cluster64);
    expect(api.callsOf('files.getUploadURLExternal')).toHaveLength(1);
  });

  it('uploads the attachments a Reply carries, and tells an ephemeral reader they are not shown', async () => {
    const reply = { header: 'Audit trail · plan pl_1', verdict: { status: 'info' as const, text: 'Attached.' }, attachments: [{ filename: 'audit-pl_1.jsonl', mimeType: 'application/jsonl', content: '{"step":"proposed"}\n' }] };
    await adapter.post({ platform: 'slack', channelId: 'C0INCIDENT' }, reply);
    expect(api.callsOf('files.getUploadURLExternal').map((c) => c.body.filename)).toEqual(['audit-pl_1.jsonl']);
    expect(api.callsOf('files.completeUploadExternal')[0]!.body.thread_ts).toBe('1700000001.000100');
    await adapter.postEphemeral({ platform: 'slack', channelId: 'C0INCIDENT' }, { platform: 'slack', id: 'U0ALICE' }, reply);
    expect(api.callsOf('chat.postEphemeral')[0]!.body.blocks).toContain('Not shown: audit-pl_1.jsonl');
    expect(api.callsOf('files.getUploadURLExternal')).toHaveLength(1);
  });

  it('coalesces rapid edits of one message: one in flight, the latest wins', async () => {
    const ref = await adapter.post({ platform: 'slack', channelId: 'C0INCIDENT' }, progress);
    api.script('chat.update', { status: 200, body: { ok: true }, delayMs: 150 });
    const edits = Array.from({ length: 10 }, (_, i) => ({ ...progress, verdict: { status: 'pending' as const, text: `Collecting evidence: ${i + 1} of 10` } }));
    await Promise.all(edits.map((e) => adapter.update(ref, e)));
    const updates = api.callsOf('chat.update');
    expect(updates).toHaveLength(2);
    expect(updates[0]!.body.text).toContain('1 of 10');
    expect(updates[1]!.body.text).toContain('10 of 10');
    expect(adapter.droppedUpdates).toBe(8);
  });

  it('waits out a 429 for its Retry-After, then retries', async () => {
    api.script('chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } });
    const started = Date.now();
    const ref = await adapter.post({ platform: 'slack', channelId: 'C0INCIDENT' }, blockedThreeNodes);
    const calls = api.callsOf('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(ref.messageId).toMatch(/^\d+\.\d+$/);
  });
});

