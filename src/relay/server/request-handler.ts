import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AuditSink } from './audit-log.js';
import type { RelayMetrics } from './metrics.js';
import { OPS_PREFIX, requestIdOf, runOperation, type AuditDraft, type PipelineDeps } from './op-pipeline.js';
import { Refusal } from './refusal.js';
import type { UnauthenticatedLines } from './unauthenticated-lines.js';

// Routes: GET /healthz, GET /metrics, POST /v1/ops/<name>. Every operation request ends the
// same way: one audit line flushed to disk, then metrics, then the answer.

export interface HandlerDeps extends PipelineDeps {
  audit: AuditSink;
  metrics: RelayMetrics;
  /** Decides which unauthenticated refusals get an audit line (the rest are counted). */
  unauthLines?: UnauthenticatedLines;
}

function send(res: ServerResponse, status: number, body: unknown, close = false, retryAfter?: number): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

export function createRequestHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const target = req.url ?? '';
    if (target.startsWith(OPS_PREFIX)) {
      void handleOperation(req, res, deps);
      return;
    }
    req.resume();
    if (req.method === 'GET' && target === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('ok\n');
    } else if (req.method === 'GET' && target === '/metrics') {
      deps.metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        () => send(res, 500, Refusal.fromCode('INTERNAL', 'metrics could not be collected', 'failed').body()),
      );
    } else {
      send(res, 404, Refusal.fromCode('NOT_FOUND', 'no such endpoint; operations are POST /v1/ops/<name>', 'invalid').body());
    }
  };
}

async function handleOperation(req: IncomingMessage, res: ServerResponse, deps: HandlerDeps): Promise<void> {
  const started = performance.now();
  const time = deps.clock.now().toISOString();
  const draft: AuditDraft = { keyId: null, operation: '', requester: null, approvalId: null };
  const remote = req.socket.remoteAddress ?? null;
  // Lines about this request carry the caller's request id, once it proved well-formed.
  const id = requestIdOf(req);
  const log = id ? deps.log.child({ requestId: id }) : deps.log;
  const pipeline: PipelineDeps = {
    ...deps,
    log,
    auditStart: (d) => deps.audit.append({ time, ...d, outcome: 'started', status: 0, errorCode: null, durationMs: Math.round((performance.now() - started) * 1000) / 1000, remote }),
  };
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  let outcome;
  try {
    outcome = await runOperation(req, pipeline, draft, abort.signal);
  } catch (e) {
    log.error('relay request failed unexpectedly', { error: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) });
    outcome = { ok: false as const, refusal: Refusal.fromBackendError(e) };
  }
  const refusal = outcome.ok ? undefined : outcome.refusal;
  const status = refusal?.status ?? 200;
  const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
  if (refusal?.reason && refusal.outcome === 'denied' && (status === 401 || status === 429)) deps.metrics.reject(refusal.reason);
  else if (refusal && (status === 400 || status === 403 || status === 404 || status === 405 || status === 413)) deps.metrics.reject(refusal.reason ?? refusal.code.toLowerCase());

  // Unauthenticated refusals are sampled (RELAY_AUDIT_UNAUTH_PER_MINUTE), so they cannot fill the disk.
  const unauthenticated = draft.keyId === null && refusal !== undefined && (status === 401 || status === 429);
  const sample = unauthenticated && deps.unauthLines ? deps.unauthLines.take(deps.clock.now().getTime()) : { write: true, notLogged: deps.unauthLines?.drain() ?? 0 };
  if (!sample.write && refusal) {
    deps.metrics.observe(draft.operation, refusal.outcome, durationMs / 1000);
    send(res, status, refusal.body(), false, refusal.retryAfterSeconds);
    return;
  }
  try {
    await deps.audit.append({
      time,
      ...draft,
      outcome: refusal?.outcome ?? 'ok',
      status,
      errorCode: refusal?.code ?? null,
      ...(refusal?.reason ? { reason: refusal.reason } : {}),
      durationMs,
      remote,
      ...(sample.notLogged > 0 ? { unauthenticatedNotLogged: sample.notLogged } : {}),
    });
  } catch (e) {
    // No audit line, no answer with data: the caller gets a 500 and the operator the reason.
    log.error('audit log write failed; the caller got 500', { operation: draft.operation, error: e instanceof Error ? e.message : String(e) });
    deps.metrics.observe(draft.operation, 'failed', durationMs / 1000);
    send(res, 500, Refusal.fromCode('INTERNAL', 'the relay could not write its audit log', 'failed').body());
    return;
  }
  deps.metrics.observe(draft.operation, refusal?.outcome ?? 'ok', durationMs / 1000);
  if (outcome.ok) send(res, 200, { ok: true, result: outcome.result });
  else send(res, status, refusal!.body(), status === 413, refusal!.retryAfterSeconds);
}
