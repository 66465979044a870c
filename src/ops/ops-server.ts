import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotMetrics } from './metrics.js';
import type { ReadinessChecker } from './readiness.js';

// The bot's operations listener, on its own address and port (OPS_LISTEN_HOST, OPS_PORT), never
// on a chat port: GET /healthz (the process answers), GET /readyz (store, relay and chat up; 503
// with the failing dependency named otherwise), GET /metrics (Prometheus text format).

export interface OpsServer {
  url: string;
  /** Stop answering /readyz with 200 (shutdown has begun), before the listener closes. */
  draining(): void;
  close(): Promise<void>;
}

export async function startOpsServer(options: { host: string; port: number; metrics: BotMetrics; readiness: ReadinessChecker }): Promise<OpsServer> {
  let draining = false;
  const server = http.createServer((req, res) => {
    const target = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(`${JSON.stringify(body)}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'use GET' });
    if (target === '/healthz') return json(200, { status: 'ok' });
    if (target === '/readyz') {
      if (draining) return json(503, { ready: false, checks: { shutdown: { ok: false, detail: 'the bot is shutting down' } } });
      options.readiness.check().then(
        (r) => json(r.ready ? 200 : 503, r),
        (err: unknown) => json(503, { ready: false, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    if (target === '/metrics') {
      options.metrics.exposition().then(
        (text) => res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        (err: unknown) => json(500, { error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    }
    json(404, { error: 'not found: GET /healthz, /readyz or /metrics' });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
        ? new Error(`the health and metrics listener cannot use ${options.host}:${options.port} (${err.code}); set OPS_PORT (0 picks a free port), OPS_LISTEN_HOST, or OPS_ENABLED=false`)
        : err),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    draining: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
