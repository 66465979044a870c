import { createHmac } from 'node:crypto';
import nock from 'nock';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';

// Test doubles for Slack's side of the wire: the Web API (nock at SLACK_API_URL's host), the
// response_url hooks and the file upload host; and requests signed exactly as Slack signs them.

export const API_HOST = 'https://slack.test';
export const API_URL = `${API_HOST}/api/`;
export const HOOKS_HOST = 'https://hooks.slack.test';
export const FILES_HOST = 'https://files.slack.test';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export interface ApiCall {
  method: string;
  body: Record<string, string>;
  at: number;
}

type Scripted = { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number };

function formBody(raw: unknown): Record<string, string> {
  if (typeof raw === 'string') return Object.fromEntries(new URLSearchParams(raw));
  return (raw ?? {}) as Record<string, string>;
}

/** A recording fake of the Web API, response_url hooks and upload URLs. */
export class SlackApiFake {
  readonly calls: ApiCall[] = [];
  readonly responses: Array<{ path: string; body: Record<string, unknown> }> = [];
  readonly uploads: string[] = [];
  /** The bytes of each upload, as text (same order as uploads). */
  readonly uploadBodies: string[] = [];
  private readonly scripted = new Map<string, Scripted[]>();
  private ts = 1_700_000_000;
  /** What apps.connections.open hands out (Socket Mode tests). */
  socketUrl = 'ws://127.0.0.1:9/unused';

  install(): void {
    nock(API_HOST)
      .persist()
      .post(/^\/api\/[a-zA-Z.]+$/)
      .reply(async (uri, raw) => {
        const method = uri.replace('/api/', '');
        const body = formBody(raw);
        this.calls.push({ method, body, at: Date.now() });
        const next = this.scripted.get(method)?.shift();
        if (next) {
          if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
          return [next.status, JSON.stringify(next.body), { 'content-type': 'application/json', ...next.headers }];
        }
        return [200, JSON.stringify(this.ok(method, body)), { 'content-type': 'application/json' }];
      });
    nock(HOOKS_HOST)
      .persist()
      .post(/.*/)
      .reply((uri, raw) => {
        this.responses.push({ path: uri, body: (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> });
        return [200, 'ok'];
      });
    nock(FILES_HOST)
      .persist()
      .post(/^\/upload\/v1\/.+$/)
      .reply((uri, body) => {
        this.uploads.push(uri);
        this.uploadBodies.push(typeof body === 'string' ? body : JSON.stringify(body));
        return [200, 'OK - 1234'];
      });
  }

  /** The next call of `method` gets this answer instead of the default. */
  script(method: string, answer: Scripted): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), answer]);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Calls other than the auth.test made at start. */
  get messageCalls(): ApiCall[] {
    return this.calls.filter((c) => c.method !== 'auth.test');
  }

  private ok(method: string, body: Record<string, string>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: this.socketUrl };
      case 'usergroups.list':
        return { ok: true, usergroups: [{ id: 'S0ONCALL', handle: 'oncall', users: ['U0ALICE', 'U0BOB'] }, { id: 'S0HYPERV', handle: 'hyperv-admins', users: ['U0ALICE'] }] };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0TEAM', user: 'triage-bot' };
      case 'chat.postMessage':
        this.ts += 1;
        return { ok: true, channel: body.channel, ts: `${this.ts}.000100` };
      case 'chat.update':
        return { ok: true, channel: body.channel, ts: body.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.ts}.000200` };
      case 'files.getUploadURLExternal': {
        const id = `F${this.calls.length}`;
        return { ok: true, upload_url: `${FILES_HOST}/upload/v1/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return { ok: true, files: JSON.parse(body.files ?? '[]') };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackRequest {
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
}

export function slashCommand(command: string, text: string, opts: { user?: string; channel?: string; responsePath?: string } = {}): SlackRequest {
  const form = new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: 'T0TEAM',
    team_domain: 'contoso',
    channel_id: opts.channel ?? 'C0INCIDENT',
    channel_name: 'incident-hyperv',
    user_id: opts.user ?? 'U0ALICE',
    user_name: 'alice',
    command,
    text,
    api_app_id: 'A0TRIAGE',
    is_enterprise_install: 'false',
    response_url: `${HOOKS_HOST}${opts.responsePath ?? '/commands/T0TEAM/1234/abcd'}`,
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
  });
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}

/** Interactivity: Slack sends `payload=<JSON>` form-encoded. */
export function blockActions(actions: unknown[], opts: { message?: { ts: string; thread_ts?: string }; ephemeral?: boolean; user?: string } = {}): SlackRequest {
  const message = opts.message ?? { ts: '1700000001.000100' };
  const payload = {
    type: 'block_actions',
    user: { id: opts.user ?? 'U0BOB', username: 'bob', name: 'bob', team_id: 'T0TEAM' },
    api_app_id: 'A0TRIAGE',
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    container: { type: 'message', message_ts: message.ts, channel_id: 'C0INCIDENT', is_ephemeral: opts.ephemeral ?? false },
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
    team: { id: 'T0TEAM', domain: 'contoso' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'C0INCIDENT', name: 'incident-hyperv' },
    ...(opts.ephemeral ? {} : { message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', text: 'result', ...message } }),
    state: { values: {} },
    response_url: `${HOOKS_HOST}/actions/T0TEAM/5678/efgh`,
    actions: actions.map((a) => ({ action_ts: '1700000002.000000', ...(a as object) })),
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
}

let eventCounter = 0;

export function appMention(text: string, opts: { thread_ts?: string; user?: string } = {}): SlackRequest {
  eventCounter += 1;
  const event = { type: 'app_mention', user: opts.user ?? 'U0ALICE', text, ts: '1700000005.000100', channel: 'C0INCIDENT', event_ts: '1700000005.000100', ...(opts.thread_ts ? { thread_ts: opts.thread_ts } : {}) };
  const body = {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: 'T0TEAM',
    api_app_id: 'A0TRIAGE',
    event,
    type: 'event_callback',
    event_id: `Ev0MENTION${eventCounter}`,
    event_time: 1700000005,
    authorizations: [{ enterprise_id: null, team_id: 'T0TEAM', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

export async function sendSigned(url: string, req: SlackRequest, opts: { timestamp?: number; signature?: string } = {}): Promise<{ status: number; ms: number; text: string }> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const started = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': req.contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': opts.signature ?? sign(req.body, timestamp) },
    body: req.body,
  });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - started, text };
}

/** A core double: records events and runs a per-test behaviour. */
export class FakeCore implements CoreHandler {
  readonly events: InboundEvent[] = [];
  /** Events whose handling has finished (returned or thrown): a checkpoint for "nothing more happened". */
  readonly finished: InboundEvent[] = [];
  constructor(public behaviour: (event: InboundEvent, adapter: ChatAdapter) => Promise<void> = async () => {}) {}

  async handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    this.events.push(event);
    try {
      await this.behaviour(event, adapter);
    } finally {
      this.finished.push(event);
    }
  }
}

/** Polls until `check` passes or the time is up (async side effects after the HTTP ack). */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
