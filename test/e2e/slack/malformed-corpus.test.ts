import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real bot process (`node bin/triage-bot.mjs`, lab mode, Slack in HTTP mode) against a corpus
// of bodies that are correctly signed but malformed or of types the bot does not handle. Slack's
// Web API is a small HTTP fake in this process (nock cannot reach a child). What must hold:
// no answer is 5xx, a type the bot does not handle is answered at once, the process never dies,
// and a well-formed command afterwards is still acknowledged and answered in the channel.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SECRET = 'corpus-signing-secret-0123456789abcdef';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

interface Shape {
  name: string;
  body: string | Buffer;
  contentType: string;
  /** What the guard must answer. */
  status: number;
}

const payload = (p: unknown) => `payload=${encodeURIComponent(typeof p === 'string' ? p : JSON.stringify(p))}`;
const actionsBody = (over: Record<string, unknown>) => ({
  type: 'block_actions',
  user: { id: 'U0BOB' },
  team: { id: 'T0TEAM' },
  channel: { id: 'C0INCIDENT' },
  response_url: 'http://127.0.0.1:9/hook',
  actions: [{ type: 'button', action_id: 'triage:rerun', value: 'x' }],
  ...over,
});
const mention = (event: Record<string, unknown>) => ({ type: 'event_callback', team_id: 'T0TEAM', event_id: 'Ev1', event: { type: 'app_mention', user: 'U0ALICE', text: 'hi', channel: 'C0INCIDENT', ts: '1.2', ...event } });
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

const CORPUS: Shape[] = [
  { name: 'JSON null', body: 'null', contentType: JSON_TYPE, status: 400 },
  { name: 'payload=null', body: 'payload=null', contentType: FORM, status: 400 },
  { name: 'payload= (empty)', body: 'payload=', contentType: FORM, status: 400 },
  { name: 'payload=123', body: 'payload=123', contentType: FORM, status: 400 },
  { name: 'payload="text"', body: payload('"text"'), contentType: FORM, status: 400 },
  { name: 'payload=[]', body: payload([]), contentType: FORM, status: 400 },
  { name: 'payload not JSON', body: 'payload=%7B%7B', contentType: FORM, status: 400 },
  { name: 'two payload fields', body: `${payload(actionsBody({}))}&${payload(actionsBody({}))}`, contentType: FORM, status: 400 },
  { name: 'JSON array', body: '[]', contentType: JSON_TYPE, status: 400 },
  { name: 'JSON string', body: '"hello"', contentType: JSON_TYPE, status: 400 },
  { name: 'JSON number', body: '42', contentType: JSON_TYPE, status: 400 },
  { name: 'JSON true', body: 'true', contentType: JSON_TYPE, status: 400 },
  { name: 'not JSON', body: '{{{', contentType: JSON_TYPE, status: 400 },
  { name: 'empty JSON body', body: '', contentType: JSON_TYPE, status: 400 },
  { name: 'form sent as text/plain', body: 'command=%2Fmigration-check&text=HV01', contentType: 'text/plain', status: 400 },
  { name: 'nesting 100k deep', body: deep(100_000), contentType: JSON_TYPE, status: 400 },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), contentType: JSON_TYPE, status: 400 },
  { name: 'event: null', body: JSON.stringify({ type: 'event_callback', event: null }), contentType: JSON_TYPE, status: 400 },
  { name: 'event: 5', body: JSON.stringify({ event: 5 }), contentType: JSON_TYPE, status: 400 },
  { name: 'event without type', body: JSON.stringify({ type: 'event_callback', event: {} }), contentType: JSON_TYPE, status: 400 },
  { name: 'reaction_added with item null', body: JSON.stringify({ type: 'event_callback', event_id: 'Ev2', event: { type: 'reaction_added', item: null } }), contentType: JSON_TYPE, status: 200 },
  { name: 'app_mention with item null', body: JSON.stringify(mention({ item: null, user: null })), contentType: JSON_TYPE, status: 400 },
  { name: 'app_mention channel object', body: JSON.stringify(mention({ channel: { id: 5 } })), contentType: JSON_TYPE, status: 400 },
  { name: 'app_mention authorizations null entry', body: JSON.stringify({ ...mention({}), authorizations: [null] }), contentType: JSON_TYPE, status: 400 },
  { name: 'command: null (JSON)', body: JSON.stringify({ command: null }), contentType: JSON_TYPE, status: 400 },
  { name: 'command without user', body: 'command=%2Fmigration-check&text=HV01&channel_id=C1&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fh', contentType: FORM, status: 400 },
  { name: 'command twice', body: 'command=%2Fa&command=%2Fb&user_id=U1&channel_id=C1', contentType: FORM, status: 400 },
  { name: 'block_actions actions null', body: payload(actionsBody({ actions: null })), contentType: FORM, status: 400 },
  { name: 'block_actions actions []', body: payload(actionsBody({ actions: [] })), contentType: FORM, status: 400 },
  { name: 'block_actions actions [null]', body: payload(actionsBody({ actions: [null] })), contentType: FORM, status: 400 },
  { name: 'block_actions user null', body: payload(actionsBody({ user: null })), contentType: FORM, status: 400 },
  { name: 'block_actions team 5', body: payload(actionsBody({ team: 5 })), contentType: FORM, status: 400 },
  { name: 'block_actions no user, team null', body: payload(actionsBody({ user: undefined, team: null })), contentType: FORM, status: 400 },
  { name: '__proto__ payload', body: payload('{"__proto__":{"type":"block_actions"},"actions":1}'), contentType: FORM, status: 400 },
  { name: 'options request (name) without type', body: payload({ name: 'x', value: 'y' }), contentType: FORM, status: 400 },
  { name: 'url_verification without challenge', body: JSON.stringify({ type: 'url_verification' }), contentType: JSON_TYPE, status: 400 },
  { name: 'url_verification challenge object', body: JSON.stringify({ type: 'url_verification', challenge: {} }), contentType: JSON_TYPE, status: 400 },
  // Types the bot has no listener for: answered at once (Bolt would hold them 3 s, then 404).
  ...['view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'dialog_submission', 'interactive_message', 'workflow_step_edit', 'made_up_type'].map(
    (type): Shape => ({ name: `unhandled type ${type}`, body: payload({ type, user: { id: 'U1' }, team: null, view: null }), contentType: FORM, status: 200 }),
  ),
  { name: 'JSON object without a type', body: '{}', contentType: JSON_TYPE, status: 200 },
  { name: 'unknown JSON type', body: JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1 }), contentType: JSON_TYPE, status: 200 },
];

interface FakeApi {
  server: Server;
  url: string;
  calls: Array<{ path: string; body: string }>;
}

async function startFakeApi(): Promise<FakeApi> {
  const calls: FakeApi['calls'] = [];
  let ts = 1_700_000_000;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body });
      const method = (req.url ?? '').replace(/^\/api\//, '');
      const answer = method === 'auth.test' ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM' } : method === 'chat.postMessage' ? { ok: true, channel: 'C0INCIDENT', ts: `${(ts += 1)}.000100` } : { ok: true };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function send(url: string, body: string | Buffer, contentType: string): Promise<{ status: number; ms: number }> {
  const ts = Math.floor(Date.now() / 1000);
  const started = Date.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signBytes(Buffer.from(body), ts) }, body });
  await res.text();
  return { status: res.status, ms: Date.now() - started };
}

/** Signs the exact bytes (the corpus has a body that is not valid UTF-8). */
function signBytes(body: Buffer, ts: number): string {
  return `v0=${createHmac('sha256', SECRET).update(Buffer.concat([Buffer.from(`v0:${ts}:`), body])).digest('hex')}`;
}

let api: FakeApi;
let child: ChildProcess;
let stderr = '';
let url: string;
let exited: { code: number | null; signal: string | null } | undefined;

beforeAll(async () => {
  api = await startFakeApi();
  const dir = mkdtempSync(path.join(tmpdir(), 'slack-corpus-'));
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(policy, 'channels: { slack: ["*"] }\nroles: { viewer: ["*"], operator: [], approver: [] }\n');
  const port = await freePort();
  child = spawn(process.execPath, [path.join(ROOT, 'bin/triage-bot.mjs')], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      TRIAGE_MODE: 'lab',
      LAB_SCENARIO: path.join(ROOT, 'lab/default.yaml'),
      POLICY_FILE: policy,
      DATABASE_URL: 'sqlite::memory:',
      WEB_ENABLED: 'false',
      // Other tests start bots at the same time: a free port for the health listener.
      OPS_PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-corpus',
      SLACK_MODE: 'http',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_PORT: String(port),
      SLACK_LISTEN_HOST: '127.0.0.1',
      SLACK_API_URL: `${api.url}/api/`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const until = Date.now() + 45_000;
  // The start banner's line: "slack:       connected (HTTP on …)".
  while (!/slack:\s+connected/.test(stdout)) {
    if (exited) throw new Error(`the bot exited at start: ${stderr}`);
    if (Date.now() > until) throw new Error(`the bot did not start: ${stdout} ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = `http://127.0.0.1:${port}/slack/events`;
}, 60_000);

afterAll(async () => {
  if (child && !exited) child.kill('SIGKILL');
  await new Promise<void>((r) => api?.server.close(() => r()));
});

describe('the bot process under signed malformed Slack requests', { timeout: 90_000 }, () => {
  it('answers every shape without a 5xx, unhandled types at once, and never dies', async () => {
    const seen: string[] = [];
    for (const shape of CORPUS) {
      const ts = Math.floor(Date.now() / 1000);
      const bytes = Buffer.isBuffer(shape.body) ? shape.body : Buffer.from(shape.body);
      const started = Date.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': shape.contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signBytes(bytes, ts) }, body: bytes });
      await res.text();
      const ms = Date.now() - started;
      seen.push(`${shape.name}: ${res.status} in ${ms} ms`);
      expect(res.status, shape.name).toBeLessThan(500);
      expect(res.status, shape.name).toBe(shape.status);
      // Unhandled types and refusals are answered at once, never after Bolt's 3 s wait.
      expect(ms, shape.name).toBeLessThan(1500);
      expect(exited, `${shape.name} ended the process: ${stderr.slice(-2000)}`).toBeUndefined();
    }
    console.log(`signed malformed corpus: ${CORPUS.length} shapes\n  ${seen.join('\n  ')}`);
    expect(stderr).not.toMatch(/uncaught exception|unhandled promise rejection/);
  });

  it('refuses a 5 MB body with 413 and an unsigned one with 401, and still serves', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': JSON_TYPE, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signBytes(big, ts) }, body: big }).catch((err: unknown) => ({ status: -1, err }));
    expect(res.status).toBe(413);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: 'null' });
    expect(unsigned.status).toBe(401);
    expect(exited).toBeUndefined();
  });

  it('still acknowledges a well-formed /migration-check and posts its result in the channel', async () => {
    const form = new URLSearchParams({ command: '/migration-check', text: 'HV01 HV02', user_id: 'U0ALICE', user_name: 'alice', channel_id: 'C0INCIDENT', team_id: 'T0TEAM', response_url: `${api.url}/hooks/1` });
    const res = await send(url, form.toString(), FORM);
    expect(res.status).toBe(200);
    const until = Date.now() + 30_000;
    while (!api.calls.some((c) => c.path === '/api/chat.postMessage' && c.body.includes('HV01'))) {
      if (Date.now() > until) throw new Error(`no result posted; API calls: ${api.calls.map((c) => c.path).join(', ')}; stderr: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(exited).toBeUndefined();
  });

  it('stops on SIGTERM: exits 0 and takes no more requests', async () => {
    const exit = new Promise<number | null>((resolve) => (exited ? resolve(exited.code) : child.once('exit', (code) => resolve(code))));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const after = await fetch(url, { method: 'POST', body: 'null' }).then((r) => r.status, () => 'refused');
    expect(after).toBe('refused');
    expect(stderr).not.toMatch(/uncaught exception|unhandled promise rejection/);
  });
});
