import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { NonceCache } from './nonce-cache.js';

// Request signing, version 1 (the contract in docs/relay-protocol.md). Every relay request
// carries a key id, a Unix timestamp, a random nonce and an HMAC-SHA256 over
//   v1:<timestamp>:<nonce>:<METHOD>:<path>:<hex sha256 of body>
// so a captured request cannot be altered (method, path, body are covered) or replayed (the
// relay remembers nonces for as long as their timestamp is inside the accepted window).

export const SIGNATURE_HEADERS = {
  keyId: 'x-triage-key-id',
  timestamp: 'x-triage-timestamp',
  nonce: 'x-triage-nonce',
  signature: 'x-triage-signature',
} as const;

export const DEFAULT_SKEW_SECONDS = 300;
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
  | 'short_nonce'
  | 'bad_signature'
  | 'replayed_nonce'
  | 'replay_cache_full';

export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: RejectionReason; message: string };

export interface VerifyInput {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  path: string;
  body: Uint8Array;
  keys: ReadonlyMap<string, string>;
  clock: Clock;
  skewSeconds: number;
  nonces: NonceCache;
}

function header(headers: VerifyInput['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? undefined : v;
}

function reject(reason: RejectionReason, message: string): VerifyResult {
  return { ok: false, reason, message };
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
  if (!TIMESTAMP.test(timestamp)) return reject('malformed_header', `${SIGNATURE_HEADERS.timestamp} must be Unix seconds`);
  if (!SIGNATURE.test(signature)) return reject('malformed_header', `${SIGNATURE_HEADERS.signature} must be v1= followed by 64 hex digits`);
  if (!nonceIsAcceptable(nonce)) {
    return reject('short_nonce', `${SIGNATURE_HEADERS.nonce} must carry at least 16 random bytes (32 hex or 22 base64url characters)`);
  }
  const secret = input.keys.get(keyId);
  if (secret === undefined) return reject('unknown_key', 'unknown key id');
  const nowSeconds = Math.floor(input.clock.now().getTime() / 1000);
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > input.skewSeconds) {
    return reject('stale_timestamp', `timestamp is more than ${input.skewSeconds} s away from the relay's clock`);
  }
  const expected = Buffer.from(computeSignature(secret, canonicalString({ timestamp, nonce, method: input.method, path: input.path, body: input.body })));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reject('bad_signature', 'signature does not match');
  const remembered = input.nonces.remember(nonce, (ts + input.skewSeconds) * 1000, input.clock.now().getTime());
  if (remembered === 'seen') return reject('replayed_nonce', 'nonce was already used');
  if (remembered === 'full') return reject('replay_cache_full', 'too many requests inside the replay window; try again shortly');
  return { ok: true, keyId };
}
