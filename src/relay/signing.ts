import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../kernel/clock.js';
import type { NonceCache } from './nonce-cache.js';

// Request signing, version 1 (the contract in docs/relay-protocol.md). Every relay request
// carries a key id, a Unix timestamp, a random nonce and an HMAC-SHA256 over
//   v1:<timestamp>:<nonce>:<METHOD>:<path>:<hex sha256 of body>
// so a captured request cannot be altered (method, path, body are covered) or replayed (the
// relay remembers each nonce, per key, for as long as its timestamp could still be accepted).

export const SIGNATURE_HEADERS = {
  keyId: 'x-triage-key-id',
  timestamp: 'x-triage-timestamp',
  nonce: 'x-triage-nonce',
  signature: 'x-triage-signature',
} as const;

export const DEFAULT_SKEW_SECONDS = 300;
/** How far ahead of the relay's clock a timestamp may be (RELAY_FUTURE_SKEW_SECONDS). */
export const DEFAULT_FUTURE_SKEW_SECONDS = 30;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TIMESTAMP = /^\d{1,12}$/;
const HEX_NONCE = /^[0-9a-f]{32,256}$/;
const B64URL_NONCE = /^[A-Za-z0-9_-]{22,256}$/;
const SIGNATURE = /^v1=[0-9a-f]{64}$/;

export interface CanonicalParts {
  timestamp: string;
  nonce: string;
  method: string;
  /** The request target as sent on the request line (path, and query string if any). */
  path: string;
  body: string | Uint8Array;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalString(p: CanonicalParts): string {
  return `v1:${p.timestamp}:${p.nonce}:${p.method.toUpperCase()}:${p.path}:${sha256Hex(p.body)}`;
}

export function computeSignature(secret: string, canonical: string): string {
  return `v1=${createHmac('sha256', secret).update(canonical).digest('hex')}`;
}

/** 16 random bytes or more, hex-encoded (a nonce made only of 0-9a-f is read as hex). */
export function newNonce(bytes = 16): string {
  return randomBytes(Math.max(16, bytes)).toString('hex');
}

/** A fresh random secret for a throwaway key (the bot's embedded lab relay). */
export function randomRelaySecret(): string {
  return randomBytes(32).toString('hex');
}

/** A nonce carries at least 16 random bytes: 32 hex characters, or 22 base64url characters. */
export function nonceIsAcceptable(nonce: string): boolean {
  if (/^[0-9a-f]+$/.test(nonce)) return HEX_NONCE.test(nonce);
  return B64URL_NONCE.test(nonce);
}

export interface SignInput {
  keyId: string;
  secret: string;
  method: string;
  path: string;
  body: string | Uint8Array;
  clock: Clock;
  nonce?: string;
}

/** The four headers that authenticate one request. */
export function signRequest(input: SignInput): Record<string, string> {
  const timestamp = String(Math.floor(input.clock.now().getTime() / 1000));
  const nonce = input.nonce ?? newNonce();
  const canonical = canonicalString({ timestamp, nonce, method: input.method, path: input.path, body: input.body });
  return {
    [SIGNATURE_HEADERS.keyId]: input.keyId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: computeSignature(input.secret, canonical),
  };
}

export type RejectionReason =
  | 'missing_header'
  | 'malformed_header'
  | 'unknown_key'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'short_nonce'
  | 'bad_signature'
  | 'rate_limited'
  | 'replayed_nonce'
  | 'replay_cache_full';

/** Every reason verifyRequest can give, in the order the checks run (docs/relay-protocol.md §2). */
export const REJECTION_REASONS: readonly RejectionReason[] = [
  'missing_header',
  'malformed_header',
  'short_nonce',
  'stale_timestamp',
  'future_timestamp',
  'unknown_key',
  'bad_signature',
  'replayed_nonce',
  'rate_limited',
  'replay_cache_full',
];

/**
 * The one text for an unknown key id and a wrong signature, so a caller cannot probe which key
 * ids exist; the audit line keeps the reason and the claimed key id.
 */
export const NOT_ACCEPTED_MESSAGE = 'key id or signature not accepted';

/** `claimedKeyId`: the well-formed key id the request named, kept for the audit line only. */
export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: RejectionReason; message: string; claimedKeyId?: string };

export interface VerifyInput {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  path: string;
  body: Uint8Array;
  keys: ReadonlyMap<string, string>;
  clock: Clock;
  /** How far in the past a timestamp may be. */
  skewSeconds: number;
  /** How far in the future a timestamp may be; default DEFAULT_FUTURE_SKEW_SECONDS (capped at skewSeconds). */
  futureSkewSeconds?: number;
  /** One cache for every key, or each key its own (so one key cannot fill another's). */
  nonces: NonceCache | ((keyId: string) => NonceCache);
  /** Per-key rate limit, asked once the signature is proven and before the nonce is stored. */
  admit?: (keyId: string) => boolean;
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? undefined : v;
}

function reject(reason: RejectionReason, message: string, claimedKeyId?: string): VerifyResult {
  return claimedKeyId === undefined ? { ok: false, reason, message } : { ok: false, reason, message, claimedKeyId };
}

// HMAC'd for an unknown key id so that answer takes as long as a wrong signature.
const NO_SUCH_KEY_SECRET = randomBytes(32).toString('hex');

/**
 * The last moment (ms) a request signed at `ts` can still pass the timestamp check: the check
 * compares whole seconds, so `ts + skew` is accepted until the END of that second. A nonce must be
 * held at least this long, or it could be replayed in the window's last second.
 */
export function acceptedUntilMs(ts: number, skewSeconds: number): number {
  return (ts + skewSeconds + 1) * 1000;
}

/**
 * Checks one request against the signing contract. The nonce is remembered only once the
 * signature is proven, so unsigned traffic cannot fill the replay cache or burn a caller's nonce.
 * Messages are safe to return to the caller: they never include a secret or the expected value.
 */
export function verifyRequest(input: VerifyInput): VerifyResult {
  const values: Record<string, string> = {};
  for (const name of Object.values(SIGNATURE_HEADERS)) {
    const v = header(input.headers, name);
    if (v === undefined || v === '') return reject('missing_header', `missing or repeated ${name} header`);
    values[name] = v;
  }
  const keyId = values[SIGNATURE_HEADERS.keyId]!;
  const timestamp = values[SIGNATURE_HEADERS.timestamp]!;
  const nonce = values[SIGNATURE_HEADERS.nonce]!;
  const signature = values[SIGNATURE_HEADERS.signature]!;
  if (!KEY_ID.test(keyId)) return reject('malformed_header', `malformed ${SIGNATURE_HEADERS.keyId} header`);
  if (!TIMESTAMP.test(timestamp)) return reject('malformed_header', `${SIGNATURE_HEADERS.timestamp} must be Unix seconds`, keyId);
  if (!SIGNATURE.test(signature)) return reject('malformed_header', `${SIGNATURE_HEADERS.signature} must be v1= followed by 64 hex digits`, keyId);
  if (!nonceIsAcceptable(nonce)) {
    return reject('short_nonce', `${SIGNATURE_HEADERS.nonce} must carry at least 16 random bytes (32 hex or 22 base64url characters)`, keyId);
  }
  const nowSeconds = Math.floor(input.clock.now().getTime() / 1000);
  const ts = Number(timestamp);
  const future = Math.min(input.futureSkewSeconds ?? DEFAULT_FUTURE_SKEW_SECONDS, input.skewSeconds);
  // Time before key: the answer for a stale request is the same whether the key id exists or not.
  if (nowSeconds - ts > input.skewSeconds) {
    return reject('stale_timestamp', `timestamp is more than ${input.skewSeconds} s behind the relay's clock`, keyId);
  }
  if (ts - nowSeconds > future) return reject('future_timestamp', `timestamp is more than ${future} s ahead of the relay's clock`, keyId);
  const secret = input.keys.get(keyId);
  const expected = Buffer.from(computeSignature(secret ?? NO_SUCH_KEY_SECRET, canonicalString({ timestamp, nonce, method: input.method, path: input.path, body: input.body })));
  const given = Buffer.from(signature);
  const matches = given.length === expected.length && timingSafeEqual(given, expected);
  if (secret === undefined) return reject('unknown_key', NOT_ACCEPTED_MESSAGE, keyId);
  if (!matches) return reject('bad_signature', NOT_ACCEPTED_MESSAGE, keyId);
  const nonces = typeof input.nonces === 'function' ? input.nonces(keyId) : input.nonces;
  const nowMs = input.clock.now().getTime();
  // A replay is refused before it can spend the key's rate: replaying one captured request must
  // not throttle the key it was signed with.
  if (nonces.has(nonce, nowMs)) return reject('replayed_nonce', 'nonce was already used', keyId);
  if (input.admit && !input.admit(keyId)) return reject('rate_limited', 'too many requests for this key; slow down and retry', keyId);
  const remembered = nonces.remember(nonce, acceptedUntilMs(ts, input.skewSeconds), nowMs);
  if (remembered === 'seen') return reject('replayed_nonce', 'nonce was already used', keyId);
  if (remembered === 'full') return reject('replay_cache_full', 'too many requests from this key inside the replay window; try again shortly', keyId);
  return { ok: true, keyId };
}
