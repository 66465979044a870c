import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../kernel/clock.js';
import { canonicalJson } from './canonical-json.js';
import { NonceCache } from './nonce-cache.js';
import { operations, RelayError, type OperationName } from './protocol.js';
import { sha256Hex } from './signing.js';

// Single-use approval tokens for relay writes. The bot mints one when a plan is approved; the
// relay accepts a write only with a token that is signed with the approval key (separate from
// the request-signing keys), unexpired, for this operation, bound to the hash of the exact
// parameters (which carry the expected current values) and not used before.
//   token   = base64url(JSON payload) + "." + hex HMAC-SHA256(approvalKey, base64url part)
//   payload = { id, op, planHash, exp (Unix seconds), jti, fence? (lease fencing token) }

export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export const approvalPayloadSchema = z
  .object({
    id: z.string().min(1).max(128),
    op: z.string().max(64),
    planHash: z.string().regex(/^[0-9a-f]{64}$/),
    exp: z.number().int().positive(),
    jti: z.string().min(16).max(128),
    /** The bot's lease fencing token for this plan; the relay refuses one lower than it has seen. */
    fence: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();
export type ApprovalPayload = z.infer<typeof approvalPayloadSchema>;

/** Parameters of a write as the plan hash sees them: everything except the token itself. */
export function withoutApproval(params: Record<string, unknown>): Record<string, unknown> {
  const { approval: _approval, ...rest } = params;
  return rest;
}

/** sha256 (hex) of the canonical JSON of `{ op, params }`, the approval field left out. */
export function planHash(op: OperationName, params: Record<string, unknown>): string {
  return sha256Hex(canonicalJson({ op, params: withoutApproval(params) }));
}

function mac(key: string, encodedPayload: string): string {
  return createHmac('sha256', key).update(encodedPayload).digest('hex');
}

export interface MintInput {
  key: string;
  /** The approval's id, recorded in the relay's audit log. */
  id: string;
  op: OperationName;
  params: Record<string, unknown>;
  /** Seconds from now until the token expires. */
  ttlSeconds: number;
  clock: Clock;
  /** The fencing token of the lease the write runs under (issue 16). */
  fence?: number;
}

export function mintApprovalToken(input: MintInput): string {
  if (!operations[input.op].write) throw new Error(`${input.op} is a read: it needs no approval token`);
  const payload: ApprovalPayload = {
    id: input.id,
    op: input.op,
    planHash: planHash(input.op, input.params),
    exp: Math.floor(input.clock.now().getTime() / 1000) + Math.max(1, Math.floor(input.ttlSeconds)),
    jti: randomBytes(16).toString('hex'),
    ...(input.fence !== undefined ? { fence: input.fence } : {}),
  };
  return encodeApprovalToken(input.key, payload);
}

/** The token for a given payload (mint picks exp and jti; tests and docs fix them). */
export function encodeApprovalToken(key: string, payload: ApprovalPayload): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${encoded}.${mac(key, encoded)}`;
}

/** Reads the payload without checking it: for audit lines only, never for decisions. */
export function peekApprovalId(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const json: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    const id = (json as { id?: unknown }).id;
    return typeof id === 'string' ? id.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}

function forbidden(message: string): RelayError {
  return new RelayError('FORBIDDEN', `approval token refused: ${message}`);
}

/** Relay side: verifies tokens and remembers each token id (jti) until it expires. */
export class ApprovalVerifier {
  private readonly used: NonceCache;

  constructor(
    private readonly key: string,
    private readonly clock: Clock,
    capacity = 100_000,
  ) {
    this.used = new NonceCache(capacity);
  }

  /** Returns the verified payload, or throws RelayError FORBIDDEN. Consumes the token. */
  verify(token: string, op: OperationName, params: Record<string, unknown>): ApprovalPayload {
    const dot = token.indexOf('.');
    const encoded = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(mac(this.key, encoded));
    if (dot < 1 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw forbidden('bad signature');
    let payload: ApprovalPayload;
    try {
      payload = approvalPayloadSchema.parse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    } catch {
      throw forbidden('unreadable payload');
    }
    const nowMs = this.clock.now().getTime();
    const expMs = payload.exp * 1000;
    if (expMs <= nowMs) throw forbidden('expired');
    if (expMs - nowMs > MAX_TOKEN_LIFETIME_SECONDS * 1000) throw forbidden('expiry is too far in the future');
    if (payload.op !== op) throw forbidden(`issued for ${payload.op}, not ${op}`);
    if (payload.planHash !== planHash(op, params)) throw forbidden('the request does not match the approved plan');
    const outcome = this.used.remember(payload.jti, expMs, nowMs);
    if (outcome === 'seen') throw forbidden('already used');
    if (outcome === 'full') throw forbidden('too many live approvals; try again later');
    return payload;
  }
}
