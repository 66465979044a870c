import type { Server } from 'node:http';
import { systemClock, type Clock } from '../../core/clock.js';
import { ApprovalVerifier } from '../approval-token.js';
import { Drain } from './drain.js';
import { FenceRegister } from './fencing.js';
import type { RelayBackend } from '../backend.js';
import { NonceCache } from '../nonce-cache.js';
import { DEFAULT_SKEW_SECONDS } from '../signing.js';
import { FileAuditLog, type AuditSink } from './audit-log.js';
import { createHttpServer, listen, RelayStartError, type TlsOptions } from './http-server.js';
import { RelayMetrics } from './metrics.js';
import { createRequestHandler } from './request-handler.js';

// One call that starts a relay: used by the `triage-relay` entry point, by the bot's lab mode
// (a lab relay on 127.0.0.1 with a random key) and by the tests (a spy backend on a free port).

export interface RelayServerOptions {
  backend: RelayBackend;
  /** key id → secret; several at once during rotation. */
  keys: ReadonlyMap<string, string> | Record<string, string>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: TlsOptions;
  writesEnabled?: boolean;
  /** Verifies approval tokens; required when writes are enabled. */
  approvalKey?: string;
  /** A file path (JSON lines, fsync'd) or any AuditSink. */
  audit: string | AuditSink;
  skewSeconds?: number;
  clock?: Clock;
  maxBodyBytes?: number;
  log?: (message: string) => void;
  /** How long close() lets requests in flight finish before closing their sockets (default 10 s). */
  drainMs?: number;
}

export interface RunningRelay {
  url: string;
  host: string;
  port: number;
  server: Server;
  metrics: RelayMetrics;
  /** Reopens the audit log file, for log rotation (the CLI does this on SIGHUP). */
  reopenAuditLog(): Promise<void>;
  /** Stops listening, waits for in-flight requests, closes the backend and the audit log. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function checkOptions(o: RelayServerOptions, keys: ReadonlyMap<string, string>): void {
  if (keys.size === 0) throw new RelayStartError('no relay keys configured: set RELAY_KEYS=keyid:secret (secret from: openssl rand -hex 32)');
  for (const [id, secret] of keys) {
    if (secret.length < 32) throw new RelayStartError(`the secret of relay key "${id}" is shorter than 32 characters (RELAY_KEYS)`);
  }
  if (o.writesEnabled && !o.approvalKey) {
    throw new RelayStartError('RELAY_WRITES_ENABLED=true needs RELAY_APPROVAL_KEY (the same value as the bot\'s APPROVAL_SIGNING_KEY)');
  }
  if (o.approvalKey && [...keys.values()].includes(o.approvalKey)) {
    throw new RelayStartError('RELAY_APPROVAL_KEY must differ from every request-signing key in RELAY_KEYS');
  }
}

export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  const keys = options.keys instanceof Map ? new Map(options.keys) : new Map(Object.entries(options.keys));
  checkOptions(options, keys);
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const audit = typeof options.audit === 'string' ? new FileAuditLog(options.audit) : options.audit;
  const metrics = new RelayMetrics();
  const log = options.log ?? ((m: string) => console.error(`[triage-relay] ${m}`));
  const handler = createRequestHandler({
    backend: options.backend,
    keys,
    clock,
    skewSeconds: options.skewSeconds ?? DEFAULT_SKEW_SECONDS,
    nonces: new NonceCache(),
    writesEnabled: options.writesEnabled ?? false,
    approvals: options.writesEnabled && options.approvalKey ? new ApprovalVerifier(options.approvalKey, clock) : undefined,
    fences: new FenceRegister(),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
    audit,
    metrics,
  });
  const drain = new Drain();
  const server = createHttpServer(host, options.tls, drain.wrap(handler));
  const port = await listen(server, host, options.port ?? 0);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${port}`;
  return {
    url,
    host,
    port,
    server,
    metrics,
    reopenAuditLog: async () => {
      await audit.reopen?.();
    },
    close: async () => {
      // Stop accepting, close idle keep-alive sockets, refuse what still arrives, finish in-flight work.
      await drain.close(server, options.drainMs ?? 10_000);
      await options.backend.close?.();
      await audit.close();
    },
  };
}
