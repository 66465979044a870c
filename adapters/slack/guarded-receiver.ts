import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenOptions } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';
import { AfterAcks } from './after-acks.js';
import { judgeSlackBody } from './request-guard.js';

// Slack's HTTP endpoint: a Bolt receiver whose ack never waits. It owns the socket: it reads the
// body (413 past the limit), verifies the v0 signature as Bolt's verifySlackRequest does (401),
// judges the body (request-guard.ts: 400 for a malformed body, 200 at once for a type triage-bot
// does not handle) and answers 200 at once for the three kinds it passes on. Only then, one event
// per turn of the event loop and once a turn brought no new request (after-acks.ts), is Bolt's processing (app.processEvent: middleware,
// listeners, respond) given the validated fields, with an ack that has nothing left to send. So
// the answer to a burst of commands is not queued behind Bolt's per-request work, and no request
// from outside can reach code that throws outside a handler. Every listener triage-bot has calls
// a bare ack() (adapter.ts), so answering before the listener runs changes no reply.
// stop() drains: no new connections, idle keep-alive sockets closed at once, requests in flight
// get their answer (with `connection: close`) until the deadline, then every socket is closed.

export interface GuardedReceiverOptions {
  signingSecret: string;
  endpoint?: string;
  log: Logger;
  /** Largest body read; bigger ones get 413 (Bolt's own default is 4 MB). */
  bodyLimit?: number;
  /** How long stop() lets requests in flight finish. */
  drainMs?: number;
}

const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export class GuardedHttpReceiver implements Receiver {
  private app?: App;
  /** Requests received; the work queue waits for a turn in which this did not move. */
  private arrived = 0;
  private arrivedSeen = 0;
  private readonly afterAcks = new AfterAcks({
    quiet: () => {
      const quiet = this.arrived === this.arrivedSeen;
      this.arrivedSeen = this.arrived;
      return quiet;
    },
  });
  private readonly endpoint: string;
  private readonly bodyLimit: number;
  private server?: Server;
  private draining = false;
  private readonly open = new Set<ServerResponse>();
  /** Answers by reason (`400 payload is not an object` …), for the log and tests. */
  readonly refused = new Map<string, number>();
  /** Bad signatures are logged one line at a time, at most one line per 10 s (anyone can send them). */
  private badSignatures = { loggedAt: -Infinity, notLogged: 0 };

  constructor(private readonly options: GuardedReceiverOptions) {
    this.endpoint = options.endpoint ?? '/slack/events';
    this.bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(listen: ListenOptions): Promise<Server> {
    if (this.server) throw new Error('the Slack receiver is already started');
    const server = createServer((req, res) => this.onRequest(req, res));
    // Slow or half-sent requests must not hold sockets (Slack sends small bodies at once).
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
      this.options.log.debug('slack: malformed HTTP from a client', { error: err.message });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.options.log.error('slack: HTTP server error', { error: err.message }));
    this.server = server;
    this.draining = false;
    return server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const res of this.open) if (!res.headersSent) res.setHeader('connection', 'close');
    const deadline = Date.now() + (this.options.drainMs ?? 5000);
    while (this.open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (this.open.size > 0) this.options.log.warn('slack: requests still open at the drain deadline; closing them', { open: this.open.size });
    server.closeAllConnections();
    await closed;
    this.server = undefined;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.arrived++;
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    if (this.draining) res.setHeader('connection', 'close');
    this.handle(req, res).catch((err: unknown) => {
      this.options.log.error('slack: request guard failed', { error: err instanceof Error ? err.message : String(err) });
      answer(res, 400);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.endpoint || req.method !== 'POST') return answer(res, 404);
    if (this.draining) return answer(res, 503);
    const raw = await readBody(req, this.bodyLimit);
    if (raw === 'too-large') {
      this.count('413 body too large');
      res.setHeader('connection', 'close');
      return answer(res, 413);
    }
    const text = raw.toString('utf8');
    const contentType = single(req.headers['content-type']);
    // Slack does not sign its ssl_check probe; the guard answers it without reading anything else.
    if (!(contentType === 'application/x-www-form-urlencoded' && /^ssl_check=1(&|$)/.test(text)) && !this.signed(req, raw)) {
      this.count('401 signature');
      this.logBadSignature(req);
      return answer(res, 401);
    }
    const verdict = judgeSlackBody(text, contentType);
    if (verdict.action === 'answer') {
      this.count(`${verdict.status} ${verdict.reason}`);
      if (verdict.status === 400) this.options.log.warn('slack: signed request refused', { reason: verdict.reason });
      return answer(res, verdict.status, verdict.body, verdict.contentType);
    }
    answer(res, 200);
    const event: ReceiverEvent = {
      body: verdict.value,
      // Already answered: a listener's ack() has nothing left to send.
      ack: async () => undefined,
      ...retryOf(req),
    };
    await this.afterAcks.turn();
    await this.process(event, verdict.kind);
  }

  /** Bolt's routing, middleware and listeners for an acknowledged request; never throws. */
  private async process(event: ReceiverEvent, kind: string): Promise<void> {
    try {
      if (!this.app) throw new Error('the receiver was started without an app');
      await this.app.processEvent(event);
    } catch (err) {
      // A listener that throws after a validated request is our bug, not Slack's: it is logged,
      // and Slack (answered 200) does not retry the same request into the same bug.
      this.options.log.error('slack: a listener failed on a validated request', { kind, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret, over the
   * body's exact bytes, compared in constant time; and a timestamp within five minutes either way.
   * This is what Bolt's verifySlackRequest checks, done once: Bolt compares with tsscmp, which
   * draws a random key and hashes both sides again (a constant-time compare for runtimes without
   * one), about 50 µs of an ack's CPU in a burst, half of what a bare server spends per request;
   * Node has crypto.timingSafeEqual. Bolt also hashes the body as a string, which a body that is
   * not valid UTF-8 does not survive; the bytes do.
   */
  private signed(req: IncomingMessage, raw: Buffer): boolean {
    const signature = single(req.headers['x-slack-signature']);
    const stamp = single(req.headers['x-slack-request-timestamp']);
    if (!signature || !stamp || !/^\d{1,12}$/.test(stamp)) return false;
    if (Math.abs(Date.now() / 1000 - Number(stamp)) > 300) return false;
    const expected = Buffer.from(`v0=${createHmac('sha256', this.options.signingSecret).update(`v0:${stamp}:`).update(raw).digest('hex')}`);
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private logBadSignature(req: IncomingMessage): void {
    const now = Date.now();
    if (now - this.badSignatures.loggedAt < 10_000) {
      this.badSignatures.notLogged += 1;
      return;
    }
    const notLogged = this.badSignatures.notLogged;
    this.badSignatures = { loggedAt: now, notLogged: 0 };
    this.options.log.warn('slack: request refused: bad or missing signature (401)', { remote: req.socket.remoteAddress ?? 'unknown', ...(notLogged > 0 ? { notLoggedSince: notLogged } : {}) });
  }

  private count(reason: string): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }
}

/** Slack's redelivery headers, as Bolt's own receiver reads them. */
function retryOf(req: IncomingMessage): Pick<ReceiverEvent, 'retryNum' | 'retryReason'> {
  const num = Number.parseInt(single(req.headers['x-slack-retry-num']) ?? '', 10);
  const reason = single(req.headers['x-slack-retry-reason']);
  return { ...(Number.isFinite(num) ? { retryNum: num } : {}), ...(reason ? { retryReason: reason } : {}) };
}

function single(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function answer(res: ServerResponse, status: number, body?: string, contentType?: string): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, contentType ? { 'content-type': contentType } : {});
  res.end(body);
}

/**
 * The whole body, or 'too-large' once it passes the limit. The rest of a too-large body is read
 * and dropped (up to 16 × the limit), so the client finishes sending and can read the 413.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * 16) req.destroy();
    });
    req.once('end', () => resolve(size > limit ? 'too-large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('close', () => {
      if (!req.complete) resolve('too-large');
    });
    req.once('error', reject);
  });
}
