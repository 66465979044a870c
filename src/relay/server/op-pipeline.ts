import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import { REQUEST_ID_HEADER, REQUEST_ID_RULE, requestIdSchema } from '../../kernel/request-id.js';
import type { RelayBackend } from '../backend.js';
import { withoutApproval, type ApprovalVerifier } from '../approval-token.js';
import type { NonceCache } from '../nonce-cache.js';
import { isOperationName, operations, RelayError, type OperationName, type OpParams } from '../protocol.js';
import { readDeadline, type DeadlineRead } from '../deadline.js';
import { SIGNATURE_HEADERS, verifyRequest } from '../signing.js';
import { enforceWriteLimits } from '../write-limits.js';
import { boundedParams, type AuditRecord } from './audit-log.js';
import type { FenceRegister } from './fencing.js';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './json-limits.js';
import type { KeyPolicy } from './key-policy.js';
import { readBody } from './read-body.js';
import { Refusal } from './refusal.js';

// The checks of one operation request, in the order the contract fixes: signature first (so an
// unauthenticated caller learns nothing and runs nothing), then the operation name, the
// parameters, the write gate and the approval token; only then the backend.

export interface PipelineDeps {
  backend: RelayBackend;
  keys: ReadonlyMap<string, string>;
  clock: Clock;
  skewSeconds: number;
  /** How far ahead of the relay's clock a timestamp may be. */
  futureSkewSeconds?: number;
  /** One shared cache; ignored when `policy` gives each key its own. */
  nonces: NonceCache;
  /** Key scopes, per-key nonce caches and rates, the budget of failed authentications. */
  policy?: KeyPolicy;
  /** Writes the `started` audit line of a write; when it throws, the write does not run. */
  auditStart?: (draft: AuditDraft) => Promise<void>;
  writesEnabled: boolean;
  approvals?: ApprovalVerifier;
  /** Highest lease fencing token seen per plan; a write with a lower one is refused. */
  fences?: FenceRegister;
  maxBodyBytes: number;
  /** Operator log (stderr): where unexpected backend errors go, since callers only get a code. */
  log: Logger;
}

export const OPS_PREFIX = '/v1/ops/';
export const REQUESTER_HEADER = 'x-triage-requester';

/** What the audit line learns as the request moves through the checks. */
export type AuditDraft = Pick<AuditRecord, 'keyId' | 'operation' | 'requester' | 'approvalId'> & Partial<Pick<AuditRecord, 'params' | 'paramsBytes' | 'reason' | 'claimedKeyId' | 'requestId'>>;

export type PipelineOutcome = { ok: true; result: unknown } | { ok: false; refusal: Refusal };

/**
 * The caller's request id (x-triage-request-id): optional and not signed, so it is checked here
 * and never trusted for anything but linking lines. Absent: undefined; malformed: false.
 */
export function requestIdOf(req: IncomingMessage): string | undefined | false {
  const v = req.headers[REQUEST_ID_HEADER];
  if (v === undefined) return undefined;
  const parsed = requestIdSchema.safeParse(v);
  return parsed.success ? parsed.data : false;
}

function requesterOf(req: IncomingMessage): string | null {
  const v = req.headers[REQUESTER_HEADER];
  if (typeof v !== 'string' || v === '') return null;
  return /^[\x21-\x7e][\x20-\x7e]{0,255}$/.test(v) ? v : '(unreadable)';
}

/** Zod issues as "field.path: message", values never echoed (they may be hostile or secret). */
export function describeIssues(op: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => {
    const where = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    const message = /received undefined$/.test(i.message) ? 'is required' : i.message;
    // Unknown keys are caller text: keep them printable and short.
    return `${where || '(body)'}: ${message.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `invalid parameters for ${op}: ${parts.join('; ')}${more}`;
}

/**
 * The params as the audit log may keep them: the approval token left out. Its approval id goes
 * in `approvalId` only once the token verified, so a forged token cannot plant an id in the log.
 */
function auditParams(params: unknown): unknown {
  if (params === null || typeof params !== 'object' || Array.isArray(params) || !('approval' in params)) return params;
  return { ...(params as Record<string, unknown>), approval: '[approval token]' };
}

export async function runOperation(req: IncomingMessage, deps: PipelineDeps, draft: AuditDraft, signal: AbortSignal): Promise<PipelineOutcome> {
  const target = req.url ?? '';
  const name = target.slice(OPS_PREFIX.length).split('?')[0] ?? '';
  draft.operation = name.slice(0, 128);
  draft.requester = requesterOf(req);
  const requestId = requestIdOf(req);
  if (requestId) draft.requestId = requestId;
  const fail = (refusal: Refusal): PipelineOutcome => ({ ok: false, refusal });
  const remote = req.socket.remoteAddress ?? 'unknown';

  const body = await readBody(req, deps.maxBodyBytes);
  if (!body.ok) {
    return fail(body.problem === 'too-large'
      ? new Refusal(413, 'BAD_REQUEST', `request body is larger than ${deps.maxBodyBytes} bytes`, 'invalid', 'body_too_large')
      : new Refusal(400, 'BAD_REQUEST', 'request body was cut off', 'invalid', 'aborted'));
  }
  const policy = deps.policy;
  const auth = verifyRequest({
    headers: req.headers, method: req.method ?? '', path: target, body: body.body, keys: deps.keys, clock: deps.clock,
    skewSeconds: deps.skewSeconds, futureSkewSeconds: deps.futureSkewSeconds, nonces: policy?.noncesOf ?? deps.nonces, admit: policy?.admit,
  });
  if (!auth.ok) {
    if (auth.claimedKeyId !== undefined) draft.claimedKeyId = auth.claimedKeyId;
    if (auth.reason === 'rate_limited') return fail(new Refusal(429, 'RATE_LIMITED', auth.message, 'denied', auth.reason, undefined, 1));
    // Past its budget of failed authentications an address gets 429 (and, with sampling, no audit
    // line); a correctly signed request from the same address is still served.
    if (policy && !policy.failedAuthentication(remote)) {
      return fail(new Refusal(429, 'RATE_LIMITED', 'too many unauthenticated requests from this address; try again later', 'denied', 'unauthenticated_rate', undefined, policy.unauthenticatedWaitSeconds(remote)));
    }
    return fail(new Refusal(401, 'UNAUTHORIZED', `request not authenticated: ${auth.message}`, 'denied', auth.reason));
  }
  draft.keyId = auth.keyId;
  const deadline = readDeadline(req.headers, deps.keys.get(auth.keyId) ?? '', String(req.headers[SIGNATURE_HEADERS.nonce]));
  if (deadline.kind === 'bad') return fail(new Refusal(401, 'UNAUTHORIZED', `request not authenticated: ${deadline.message}`, 'denied', 'bad_deadline'));

  if (requestId === false) {
    return fail(Refusal.fromCode('BAD_REQUEST', `malformed ${REQUEST_ID_HEADER} header: ${REQUEST_ID_RULE}; nothing was done`, 'invalid', 'bad_request_id'));
  }
  if (req.method !== 'POST') return fail(new Refusal(405, 'BAD_REQUEST', 'operations are called with POST', 'invalid', 'method'));
  if (!isOperationName(name)) {
    const shown = /^[a-z][a-z.-]{0,63}$/.test(name) ? ` ${name}` : '';
    return fail(Refusal.fromCode('NOT_FOUND', `unknown operation${shown}`, 'invalid', 'unknown_operation'));
  }
  if (operations[name].write && policy?.scopeOf(auth.keyId) === 'read') {
    return fail(Refusal.fromCode('FORBIDDEN', `key ${auth.keyId} may only read (RELAY_KEYS scope read); ${name} is a write; nothing was changed`, 'denied', 'key_scope'));
  }
  const text = body.body.toString('utf8');
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) {
    return fail(Refusal.fromCode('BAD_REQUEST', `invalid parameters for ${name}: the body nests deeper than ${MAX_BODY_DEPTH} levels`, 'invalid', 'too_deep'));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.body.length === 0 ? '{}' : text);
  } catch {
    return fail(Refusal.fromCode('BAD_REQUEST', `invalid parameters for ${name}: the body is not valid JSON`, 'invalid', 'bad_json'));
  }
  Object.assign(draft, boundedParams(auditParams(raw)));

  const spec = operations[name];
  const parsed = spec.params.safeParse(raw);
  if (!parsed.success) {
    // Well-formed values outside what a fix may change (protocol.ts withinWriteLimits): 403.
    const limit = parsed.error.issues.every((i) => i.code === 'custom' && (i.params as { writeLimit?: boolean } | undefined)?.writeLimit === true);
    const what = describeIssues(name, parsed.error).replace(/^invalid parameters for [^:]+: /, '');
    if (limit) return fail(new Refusal(403, 'FORBIDDEN', `write refused by the relay's write limits (${name}): ${what}; nothing was changed`, 'denied', 'write_limit'));
    return fail(Refusal.fromCode('BAD_REQUEST', describeIssues(name, parsed.error), 'invalid', 'bad_params'));
  }
  const params = parsed.data as Record<string, unknown>;

  // The caller's deadline: no work starts past it (not even the write limits' AD reads, and the
  // approval token stays unspent), and host/LDAP work is aborted when it passes (the signal also
  // aborts when the caller hangs up).
  const work = deadlineSignal(deadline, deps.clock.now().getTime(), signal);
  if (!work) return fail(Refusal.fromCode('TIMEOUT', "the caller's deadline passed before the relay could start; nothing was done", 'denied', 'deadline_passed'));
  try {
    if (spec.write) {
      const refusal = checkWrite(name, params, deps);
      if (refusal instanceof Refusal) return fail(refusal);
      draft.approvalId = refusal;
      const held = await beforeWrite(name, params, deps, draft, work.signal);
      if (held) return fail(held);
    }
    // Backends compare with the wall clock (it keeps moving through a freeze); the relay's clock may be a test's.
    const wallDeadline = deadline.kind === 'ok' ? Date.now() + (deadline.deadlineMs - deps.clock.now().getTime()) : undefined;
    return await dispatch(name, params, deps, draft, work.signal, wallDeadline);
  } finally {
    work.done();
  }
}

/**
 * A write's `started` line goes to disk before any backend acts (no line, no write); then the
 * write limits that need AD (write-limits.ts) are checked through the backend's own reads.
 */
async function beforeWrite(op: OperationName, params: Record<string, unknown>, deps: PipelineDeps, draft: AuditDraft, signal: AbortSignal): Promise<Refusal | undefined> {
  try {
    await deps.auditStart?.(draft);
  } catch (e) {
    deps.log.error('audit log write failed before a write; nothing was run', { operation: op, error: e instanceof Error ? e.message : String(e) });
    return Refusal.fromCode('INTERNAL', 'the relay could not write its audit log, so it ran nothing; nothing was changed', 'failed', 'audit_unwritable');
  }
  try {
    await enforceWriteLimits(op, params, deps.backend, signal);
    return undefined;
  } catch (e) {
    if (signal.aborted && !(e instanceof RelayError)) {
      return Refusal.fromCode('TIMEOUT', "the caller's deadline passed (or it hung up) before the relay could check the write; nothing was changed", 'denied', 'deadline_passed');
    }
    const refusal = Refusal.fromBackendError(e);
    return refusal.code === 'FORBIDDEN' ? new Refusal(403, 'FORBIDDEN', refusal.message, 'denied', 'write_limit') : refusal;
  }
}

/** Writes pass only when enabled on this relay and carrying a valid, unused token for this exact plan. */
function checkWrite(op: OperationName, params: Record<string, unknown>, deps: PipelineDeps): Refusal | string {
  if (!deps.writesEnabled || !deps.approvals) {
    return Refusal.fromCode('FORBIDDEN', 'writes are disabled on this relay (RELAY_WRITES_ENABLED=false); nothing was changed', 'denied', 'writes_disabled');
  }
  try {
    const approval = deps.approvals.verify(String(params.approval), op, withoutApproval(params));
    if (deps.fences && !deps.fences.admit(approval.id, approval.fence)) {
      return Refusal.fromCode('FORBIDDEN', `stale fencing token ${approval.fence} for plan ${approval.id}: another replica has taken this plan over; nothing was changed`, 'denied', 'stale_fence');
    }
    return approval.id;
  } catch (e) {
    const message = e instanceof RelayError ? e.message : 'approval token refused';
    return Refusal.fromCode('FORBIDDEN', message, 'denied', 'approval');
  }
}

async function dispatch(op: OperationName, params: Record<string, unknown>, deps: PipelineDeps, draft: AuditDraft, signal: AbortSignal, deadlineMs?: number): Promise<PipelineOutcome> {
  if (!deps.backend.supports(op)) {
    return { ok: false, refusal: Refusal.fromCode('NOT_FOUND', `operation ${op} is not available on the ${deps.backend.name} backend`, 'invalid', 'unsupported') };
  }
  try {
    const result = await deps.backend.handle(op, params as OpParams<typeof op>, {
      requester: draft.requester ?? undefined,
      approvalId: draft.approvalId ?? undefined,
      signal,
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    });
    if (deps.backend.resultsConform === true) return { ok: true, result };
    const checked = operations[op].result.safeParse(result);
    if (!checked.success) {
      return { ok: false, refusal: Refusal.fromCode('BACKEND_ERROR', `the ${deps.backend.name} backend answered ${op} with data that does not match the protocol`, 'failed') };
    }
    return { ok: true, result: checked.data };
  } catch (e) {
    // Work stopped because the caller's deadline passed or it hung up: say so, not "internal error".
    if (signal.aborted && !(e instanceof RelayError)) {
      return { ok: false, refusal: Refusal.fromCode('TIMEOUT', "the caller's deadline passed (or it hung up) while the relay worked on it", 'failed', 'deadline_passed') };
    }
    if (!(e instanceof RelayError)) deps.log.error('unexpected error in the backend', { backend: deps.backend.name, operation: op, error: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) });
    return { ok: false, refusal: Refusal.fromBackendError(e) };
  }
}

/**
 * The signal backend work runs under (aborted when the caller hangs up or the deadline passes),
 * or undefined when the deadline has already passed. `done` clears its timer and listener at
 * once: a pending timer per request would hold memory for as long as callers' timeouts.
 */
function deadlineSignal(deadline: DeadlineRead, nowMs: number, signal: AbortSignal): { signal: AbortSignal; done: () => void } | undefined {
  if (deadline.kind !== 'ok') return { signal, done: () => undefined };
  const left = deadline.deadlineMs - nowMs;
  if (left <= 0) return undefined;
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, left);
  signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}
