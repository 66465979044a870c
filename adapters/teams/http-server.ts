import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CloudAdapter, Request, Response, TurnContext } from 'botbuilder';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { withSdkConsole } from './sdk-console.js';

// A tiny Node http front for CloudAdapter.process (no express or restify): POST /api/messages
// with a JSON body, and GET /reports/<check run id> (the full matrix a big cluster's card links
// to: this is the endpoint Teams users can reach); everything else is 404. The shim gives
// process() the four methods it uses.

/** The report page of a check run id, or undefined when there is no such run. */
export type ReportPages = (id: string) => Promise<string | undefined>;

// The page is static: no script, no frames, nothing fetched; only its own inline style.
const REPORT_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, no-store',
} as const;

const REPORT_PATH = /^\/reports\/([^/]+)$/;

const MAX_BODY_BYTES = 1_048_576;

/** The least an activity must be before botbuilder sees it (it validates the rest itself). */
const activityShape = z.looseObject({ type: z.string().min(1) });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function responseShim(res: ServerResponse): Response {
  const shim = {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
      return shim;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
      return shim;
    },
    send(body?: unknown) {
      if (body === undefined) return shim;
      if (typeof body === 'string' || Buffer.isBuffer(body)) res.write(body);
      else {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.write(JSON.stringify(body));
      }
      return shim;
    },
    end() {
      res.end();
      return shim;
    },
  };
  return shim as unknown as Response;
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(message);
}

function serveReport(res: ServerResponse, method: string | undefined, id: string, reports: ReportPages, logger: Logger): void {
  if (method !== 'GET' && method !== 'HEAD') return reply(res, 405, 'Use GET');
  reports(id)
    .then((page) => {
      if (page === undefined) return reply(res, 404, 'No such report (it may have been removed by retention).');
      res.writeHead(200, REPORT_HEADERS);
      res.end(method === 'HEAD' ? undefined : page);
    })
    .catch((err: unknown) => {
      // The reader gets a plain sentence; the reason goes to the log, never a stack to the page.
      logger.error('teams: report page failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) reply(res, 500, 'The report could not be read. Try again later.');
      else res.end();
    });
}

export function createMessagesServer(cloud: CloudAdapter, logic: (context: TurnContext) => Promise<void>, logger: Logger = silentLogger, reports?: ReportPages): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const report = reports ? REPORT_PATH.exec(path) : null;
    if (report && reports) return serveReport(res, req.method, decodeSafely(report[1]!), reports, logger);
    if (path !== '/api/messages') return reply(res, 404, 'Not found');
    if (req.method !== 'POST') return reply(res, 405, 'Use POST');
    readBody(req)
      .then(async (raw) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          return reply(res, 400, 'Body is not JSON');
        }
        const shape = activityShape.safeParse(parsed);
        if (!shape.success) return reply(res, 400, 'Body is not a Bot Framework activity (no type)');
        const body = shape.data as Record<string, unknown>;
        const request: Request = { body, headers: req.headers as Request['headers'], method: req.method };
        await withSdkConsole(logger, () => cloud.process(request, responseShim(res), logic));
      })
      .catch((err: unknown) => {
        if (!res.headersSent) reply(res, err instanceof Error && err.message === 'body too large' ? 413 : 500, 'Request failed');
        else res.end();
      });
  });
}

function decodeSafely(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
