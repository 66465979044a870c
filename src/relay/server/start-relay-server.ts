import type { Server } from 'node:http';
import { systemClock, type Clock } from '../../kernel/clock.js';
import { createLogger, type Logger } from '../../kernel/logger.js';
import { ApprovalVerifier } from '../approval-token.js';
import { Drain } from './drain.js';
import { FenceRegister } from './fencing.js';
import type { RelayBackend } from '../backend.js';
import { NonceCache } from '../nonce-cache.js';
import { DEFAULT_FUTURE_SKEW_SECONDS, DEFAULT_SKEW_SECONDS } from '../signing.js';
import { FileAuditLog, type AuditSink, type FileAuditOptions } from './audit-log.js';
import { createHttpServer, listen, RelayStartError, type TlsOptions } from './http-server.js';
import { DEFAULT_KEY_POLICY, KeyPolicy, type KeyPolicyOptions, type KeyScope } from './key-policy.js';
import { RelayMetrics } from './metrics.js';
import { createRequestHandler } from './request-handler.js';
import { UnauthenticatedLines } from './unauthenticated-lines.js';

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
  /** key id → `read` or `write` (the default for a key not listed). */
  keyScopes?: ReadonlyMap<string, KeyScope> | Record<string, KeyScope>;
  /** A file path (JSON lines, fsync'd) or any AuditSink. */
  audit: string | AuditSink;
  /** Size-based rotation of a file audit log. */
  auditRotation?: FileAuditOptions;
  /** Audit lines a minute for unauthenticated requests; the rest are counted. */
  auditUnauthPerMinute?: number;
  /** Per-key nonce cache and rate, and the budget of failed authentications per address. */
  quotas?: Partial<Omit<KeyPolicyOptions, 'scopes'>>;
  skewSeconds?: number;
  /** How far in the future a timestamp may be (default 30 s). */
  futureSkewSeconds?: number;
  clock?: Clock;
  maxBodyBytes?: number;
  /** Operator log; default: JSON lines on stderr (service triage-relay). */
  logger?: Logger;
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
export const DEFAULT_AUDIT_UNAUTH_PER_MINUTE = 60;

/**
 * A key that stays within its rate must never fill its own nonce cache: each nonce is held for
 * skew + future + 1 seconds, in which a key can make its burst plus rate × that many requests.
 */
function checkQuotas(q: KeyPolicyOptions, skew: number, future: number): void {
  const needed = q.burst + q.ratePerSecond * (skew + Math.min(future, skew) + 1);
  if (needed > q.noncesPerKey) {
    throw new RelayStartError(
      `RELAY_NONCES_PER_KEY (${q.noncesPerKey}) is too small: RELAY_KEY_BURST + RELAY_KEY_RATE_PER_SECOND × (RELAY_SKEW_SECONDS + RELAY_FUTURE_SKEW_SECONDS + 1) = ${needed}; raise it or lower the rate`,
    );
  }
}

/** The audit log fails closed: a relay that cannot write it does not start. */
async function checkAudit(audit: AuditSink): Promise<void> {
  try {
    await audit.check?.();
  } catch (e) {
    const where = audit instanceof FileAuditLog ? ` (RELAY_AUDIT_LOG=${audit.file})` : '';
    throw new RelayStartError(`the audit log cannot be written${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the relay does not run without it`);
  }
}

function checkOptions(o: RelayServerOptions, keys: ReadonlyMap<string, string>): void {
  if (keys.size === 0) throw new RelayStartError('no relay keys configured: set RELAY_KEYS=keyid:secret (secret from: openssl rand -hex 32)');
  for (const [id, secret] of keys) {
    if (secret.length < 32) throw new RelayStartError(`the secret of relay key "${id}" is shorter than 32 characters (RELAY_KEYS)`);
  }
  if (o.writesEnabled && !o.approvalKey) {
    throw new RelayStartError('RELAY_WRITES_ENABLED=true needs RELAY_APPROVAL_KEY (the same value as the bot\'s APPROVAL_SIGNING_KEY)');
  }
  for (const id of Object.keys(o.keyScopes instanceof Map ? Object.fromEntries(o.keyScopes) : (o.keyScopes ?? {}))) {
    if (!keys.has(id)) throw new RelayStartError(`a scope is given for key "${id}", which is not in RELAY_KEYS`);
  }
  if (o.approvalKey && [...keys.values()].includes(o.approvalKey)) {
    throw new RelayStartError('RELAY_APPROVAL_KEY must differ from every request-signing key in RELAY_KEYS');
  }
}

export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  const keys = options.keys instanceof Map ? new Map(options.keys) : new Map(Object.entries(options.keys));
  checkOptions(options, keys);
  const quotas = { ...DEFAULT_KEY_POLICY, ...options.quotas };
  checkQuotas(quotas, options.skewSeconds ?? DEFAULT_SKEW_SECONDS, options.futureSkewSeconds ?? DEFAULT_FUTURE_SKEW_SECONDS);
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const audit = typeof options.audit === 'string' ? new FileAuditLog(options.audit, options.auditRotation) : options.audit;
  await checkAudit(audit);
  const metrics = new RelayMetrics();
  const log = options.logger ?? createLogger('info', undefined, { name: 'triage-relay' });
  const scopes = options.keyScopes instanceof Map ? new Map(options.keyScopes) : new Map(Object.entries(options.keyScopes ?? {}));
  const handler = createRequestHandler({
    backend: options.backend,
    keys,
    clock,
    skewSeconds: options.skewSeconds ?? DEFAULT_SKEW_SECONDS,
    futureSkewSeconds: options.futureSkewSeconds ?? DEFAULT_FUTURE_SKEW_SECONDS,
    nonces: new NonceCache(),
    policy: new KeyPolicy({ ...quotas, scopes }, clock),
    unauthLines: new UnauthenticatedLines(options.auditUnauthPerMinute ?? DEFAULT_AUDIT_UNAUTH_PER_MINUTE),
    writesEnabled: options.writesEnabled ?? false,
    approvals: options.writesEnabled && options.approvalKey ? new ApprovalVerifier(options.approvalKey, clock) : undefined,
    fences: new FenceRegister(),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log,
    audit,
    metrics,
  });
  const drain = new Drain();
  let server: Server;
  let port: number;
  try {
    server = createHttpServer(host, options.tls, drain.wrap(handler));
    port = await listen(server, host, options.port ?? 0);
  } catch (e) {
    // The audit log was opened (and proven writable) above: do not leave it open.
    await audit.close();
    throw e;
  }
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
