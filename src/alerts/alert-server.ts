import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import { readBody } from '../relay/server/read-body.js';
import { authenticate, type SourceSecret } from './alert-auth.js';
import type { AlertIntake, IntakeAnswer } from './alert-intake.js';
import { parseAlertPayload } from './payloads.js';

// POST /v1/alerts?source=<name>: the bot's own listener for alerts, apart from every chat port
// (off unless ALERTS_PORT is set). Order of the gates: path and method, the source, the size
// limit, authentication of the exact bytes, JSON, the source's schema; only then the intake.
// Every refusal is a 4xx with one JSON sentence, and nothing runs.

export interface AlertServerOptions {
  host: string;
  port: number;
  /** PEM files; both set = HTTPS. Plain HTTP only on a loopback address. */
  tlsCert?: string;
  tlsKey?: string;
  maxBodyBytes: number;
  sources: SourceSecret[];
  intake: AlertIntake;
  logger: Logger;
}

export interface AlertServer {
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startAlertServer(o: AlertServerOptions): Promise<AlertServer> {
  const tls = o.tlsCert && o.tlsKey;
  if (!tls && !LOOPBACK.test(o.host)) throw new Error(`ALERTS_LISTEN_HOST ${o.host} is not a loopback address: set ALERTS_TLS_CERT and ALERTS_TLS_KEY (alerts carry bearer tokens)`);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(o, req, res).catch((err: unknown) => {
      o.logger.error('alert request failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) send(res, 500, { outcome: 'refused', message: 'internal error; the details are in the bot log' });
    });
  };
  const server: Server = tls ? createHttpsServer({ cert: await readFile(o.tlsCert!), key: await readFile(o.tlsKey!) }, handler) : createHttpServer(handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `${tls ? 'https' : 'http'}://${host}:${port}/v1/alerts`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(o: AlertServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://alerts.invalid');
  if (url.pathname !== '/v1/alerts') return send(res, 404, refusal('not found: alerts go to POST /v1/alerts?source=<name>'));
  if (req.method !== 'POST') return send(res, 405, refusal('use POST'), { allow: 'POST' });
  const name = url.searchParams.get('source') ?? '';
  const secret = o.sources.find((s) => s.source.name === name);
  // An unknown source and a bad secret get the same answer: the listener does not say which sources exist.
  if (!secret) {
    req.resume();
    return send(res, 401, refusal('unknown source or missing credentials: POST /v1/alerts?source=<name> with that source\'s token or signature'));
  }
  const body = await readBody(req, o.maxBodyBytes);
  if (!body.ok) return send(res, body.problem === 'too-large' ? 413 : 400, refusal(body.problem === 'too-large' ? `the body is larger than ${o.maxBodyBytes} bytes` : 'the request was aborted'));
  const auth = authenticate(secret, req.headers, body.body);
  if (!auth.ok) {
    o.logger.warn('alert refused: authentication failed', { source: name });
    return send(res, 401, refusal(auth.message));
  }
  if (!/^application\/(.+\+)?json\b/i.test(String(req.headers['content-type'] ?? ''))) return send(res, 415, refusal('send Content-Type: application/json'));
  let json: unknown;
  try {
    json = JSON.parse(body.body.toString('utf8'));
  } catch {
    return send(res, 400, refusal('the body is not JSON'));
  }
  const parsed = parseAlertPayload(secret.source.format, json);
  if (!parsed.ok) return send(res, 400, refusal(parsed.message));
  const answers: IntakeAnswer[] = [];
  for (const alert of parsed.alerts) answers.push(await o.intake.receive(secret.source, alert));
  const worst = answers.reduce((a, b) => (b.status > a.status ? b : a));
  o.logger.info('alert received', { source: name, outcome: worst.body.outcome, status: worst.status });
  send(res, worst.status, worst.body);
}

function refusal(message: string): IntakeAnswer['body'] {
  return { outcome: 'refused', message };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(status === 429 ? { 'retry-after': '30' } : {}), ...headers });
  res.end(text);
}
