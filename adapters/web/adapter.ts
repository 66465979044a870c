import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TargetGoneError } from '../../src/core/target-gone.js';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import type { Actor, ChatAdapter, CoreHandler, InboundEvent } from '../../src/core/events.js';
import type { Logger } from '../../src/core/logger.js';
import type { Reply } from '../../src/core/reply.js';
import { ChannelState, type WebMessage } from './channel-state.js';

// The lab console: a third adapter like Slack and Teams (transport and rendering only). It binds
// to loopback only, accepts JSON only (no form posts from other sites), checks the Host header
// (no DNS rebinding), and pushes every change to the browsers over server-sent events.

export interface Persona {
  id: string;
  label: string;
}

export interface WebAdapterOptions {
  port: number;
  personas: Persona[];
  logger: Logger;
  channels?: string[];
  /** Lab scenarios the page can switch between, and the switch itself. */
  scenarios?: { list: string[]; current: () => string; select: (file: string) => Promise<void> };
}

const PUBLIC = new URL('./public/', import.meta.url);
const STATIC: Record<string, string> = { '/': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css' };
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

const commandBody = z.object({ persona: z.string().max(32), channelId: z.string().max(64), threadId: z.string().max(64).optional(), text: z.string().min(1).max(2000) }).strict();
const actionBody = z.object({ persona: z.string().max(32), messageId: z.string().max(64), action: z.string().max(64), recordId: z.string().max(128), value: z.string().max(200).optional() }).strict();
const scenarioBody = z.object({ file: z.string().max(200) }).strict();

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class WebAdapter implements ChatAdapter {
  readonly platform = 'web' as const;
  readonly state = new ChannelState();
  private server?: Server;
  private core?: CoreHandler;

  constructor(private readonly options: WebAdapterOptions) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    return `http://127.0.0.1:${address?.port ?? this.options.port}`;
  }

  async start(core: CoreHandler): Promise<void> {
    this.core = core;
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.state.bus.emit('close');
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  async post(ref: ConversationRef, reply: Reply): Promise<MessageRef> {
    const m = this.state.post(ref, reply, reply.ephemeral ? ref.extra?.persona : undefined);
    return { conversation: ref, messageId: m.id };
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    // The console keeps messages in memory: one from before a restart is gone for good.
    if (!this.state.update(ref.messageId, reply)) throw new TargetGoneError('web', `the lab console has no message ${ref.messageId} (it restarted since)`);
  }

  async postEphemeral(ref: ConversationRef, actor: Actor, reply: Reply): Promise<void> {
    this.state.post(ref, { ...reply, ephemeral: true }, actor.id);
  }

  private persona(id: string): Persona {
    const p = this.options.personas.find((x) => x.id === id);
    if (!p) throw new HttpError(400, `unknown persona "${id}"`);
    return p;
  }

  private event(personaId: string, conversation: ConversationRef, base: Pick<InboundEvent, 'kind' | 'text' | 'action' | 'message'>): InboundEvent {
    const p = this.persona(personaId);
    const actor: Actor = { platform: 'web', id: p.id, displayName: p.label };
    let acked = false;
    return {
      ...base,
      actor,
      conversation,
      ack: async (reply?: Reply) => {
        if (acked) return;
        acked = true;
        if (reply) this.state.post(conversation, { ...reply, ephemeral: true }, p.id);
      },
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(req.headers.host ?? '')) throw new HttpError(421, 'the lab console answers only on 127.0.0.1');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET') return await this.get(url, res);
      if (req.method === 'POST') return await this.postRoute(url.pathname, req, res);
      throw new HttpError(405, 'method not allowed');
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) this.options.logger.error('web console request failed', { error: (err as Error).message });
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
    }
  }

  private async get(url: URL, res: ServerResponse): Promise<void> {
    const file = STATIC[url.pathname];
    if (file) {
      const body = await readFile(new URL(file, PUBLIC));
      res.writeHead(200, { 'content-type': TYPES[file.split('.').pop()!]!, 'cache-control': 'no-store' }).end(body);
      return;
    }
    const persona = url.searchParams.get('persona') ?? this.options.personas[0]!.id;
    if (url.pathname === '/api/state') return sendJson(res, 200, this.snapshot(this.persona(persona).id));
    if (url.pathname === '/api/events') return this.stream(this.persona(persona).id, res);
    const attachment = /^\/api\/attachments\/(m\d+)\/(\d+)$/.exec(url.pathname);
    if (attachment) return this.attachment(attachment[1]!, Number(attachment[2]), persona, res);
    throw new HttpError(404, 'not found');
  }

  private snapshot(persona: string) {
    return {
      personas: this.options.personas,
      channels: this.options.channels ?? ['incident'],
      scenario: this.options.scenarios?.current(),
      scenarios: this.options.scenarios?.list ?? [],
      messages: this.state.list(persona).map(view),
    };
  }

  private stream(persona: string, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const onChange = (change: { type: string; message: WebMessage }) => {
      if (change.message.visibleTo && change.message.visibleTo !== persona) return;
      res.write(`event: ${change.type}\ndata: ${JSON.stringify(view(change.message))}\n\n`);
    };
    const onClose = () => res.end();
    this.state.bus.on('change', onChange);
    this.state.bus.once('close', onClose);
    res.on('close', () => {
      this.state.bus.off('change', onChange);
      this.state.bus.off('close', onClose);
    });
  }

  private attachment(id: string, index: number, persona: string, res: ServerResponse): void {
    const m = this.state.get(id);
    const a = m && (!m.visibleTo || m.visibleTo === persona) ? m.reply.attachments?.[index] : undefined;
    if (!a) throw new HttpError(404, 'no such attachment');
    res.writeHead(200, { 'content-type': a.mimeType, 'content-disposition': `attachment; filename="${a.filename.replace(/[^\w.-]/g, '_')}"` }).end(a.content);
  }

  private async postRoute(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send JSON');
    const body = await readJson(req);
    if (path === '/api/command') {
      const b = parse(commandBody, body);
      const conversation: ConversationRef = { platform: 'web', channelId: b.channelId, ...(b.threadId ? { threadId: b.threadId } : {}), extra: { persona: b.persona } };
      const text = b.text.trim().replace(/^\/|^@triage\s+/i, '');
      const event = this.event(b.persona, conversation, { kind: b.text.trim().startsWith('@') ? 'mention' : 'command', text });
      this.state.post(conversation, { header: this.persona(b.persona).label, verdict: { status: 'info', text: b.text } });
      this.dispatch(event);
      return sendJson(res, 202, { accepted: true });
    }
    if (path === '/api/action') {
      const b = parse(actionBody, body);
      const m = this.state.get(b.messageId);
      if (!m) throw new HttpError(404, 'no such message');
      const conversation: ConversationRef = { platform: 'web', channelId: m.channelId, threadId: m.threadId ?? m.id, extra: { persona: b.persona } };
      const event = this.event(b.persona, conversation, {
        kind: 'action',
        text: '',
        action: { name: b.action, recordId: b.recordId, ...(b.value ? { value: b.value } : {}) },
        message: { conversation, messageId: m.id },
      });
      this.dispatch(event);
      return sendJson(res, 202, { accepted: true });
    }
    if (path === '/api/scenario' && this.options.scenarios) {
      const { file } = parse(scenarioBody, body);
      if (!this.options.scenarios.list.includes(file)) throw new HttpError(400, `unknown scenario "${file}"`);
      await this.options.scenarios.select(file);
      this.state.post({ platform: 'web', channelId: 'incident' }, { header: 'Lab', verdict: { status: 'info', text: `Lab scenario switched to ${file}.` } });
      return sendJson(res, 200, { scenario: file });
    }
    throw new HttpError(404, 'not found');
  }

  private dispatch(event: InboundEvent): void {
    this.core!.handle(event, this).catch((err: unknown) => this.options.logger.error('core failed', { error: (err as Error).message }));
  }
}

function view(m: WebMessage) {
  return { id: m.id, channelId: m.channelId, threadId: m.threadId, time: m.time, ephemeral: Boolean(m.visibleTo), html: m.html };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, `invalid request: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return r.data;
}

const BODY_LIMIT = 16_384;

/**
 * The JSON body. Past the limit the rest is still read and dropped (up to 64 MB), then 413 is
 * answered: stopping mid-body would reset the connection and the browser would never see why.
 */
async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 2 ** 20) {
      req.destroy();
      break;
    }
    if (size <= BODY_LIMIT) chunks.push(chunk as Buffer);
  }
  if (size > BODY_LIMIT) throw new HttpError(413, `request too large: the console accepts at most ${BODY_LIMIT} bytes`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
