import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { NonceCache } from '../../../src/relay/nonce-cache.js';
import { canonicalString, computeSignature, nonceIsAcceptable, SIGNATURE_HEADERS, signRequest, verifyRequest } from '../../../src/relay/signing.js';

// The worked example printed in docs/relay-protocol.md ("Worked example"). If this test fails,
// either the code or the document is wrong, and callers in other languages would break.
const EXAMPLE = {
  secret: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  keyId: 'bot',
  timestamp: '1767225600',
  nonce: '4f1c2a9be07d3c5a8e6b1d2f3a4c5e6f',
  method: 'POST',
  path: '/v1/ops/host.security',
  body: '{"node":"HV01"}',
  bodyHash: '606c8838600c4e03dea0c3a8e0d80976af03c58134e157f33623ed72873b96b6',
  canonical: 'v1:1767225600:4f1c2a9be07d3c5a8e6b1d2f3a4c5e6f:POST:/v1/ops/host.security:606c8838600c4e03dea0c3a8e0d80976af03c58134e157f33623ed72873b96b6',
  signature: 'v1=e4692e9e82c6fdc82f724d514e1198fc5cc81f98442dabaedf7a66720e695af6',
};

describe('the documented worked example', () => {
  it('is the one printed in docs/relay-protocol.md', () => {
    const doc = readFileSync(new URL('../../../docs/relay-protocol.md', import.meta.url), 'utf8');
    for (const value of [EXAMPLE.secret, EXAMPLE.nonce, EXAMPLE.body, `sha256(body)     = ${EXAMPLE.bodyHash}`, `canonical string = ${EXAMPLE.canonical}`, `signature        = ${EXAMPLE.signature}`, `x-triage-signature: ${EXAMPLE.signature}`]) {
      expect(doc).toContain(value);
    }
  });

  it('recomputes with plain node:crypto, independent of our helpers', () => {
    expect(createHash('sha256').update(EXAMPLE.body).digest('hex')).toBe(EXAMPLE.bodyHash);
    const canonical = `v1:${EXAMPLE.timestamp}:${EXAMPLE.nonce}:${EXAMPLE.method}:${EXAMPLE.path}:${EXAMPLE.bodyHash}`;
    expect(canonical).toBe(EXAMPLE.canonical);
    expect(`v1=${createHmac('sha256', EXAMPLE.secret).update(canonical).digest('hex')}`).toBe(EXAMPLE.signature);
  });

  it('matches what the relay code computes and accepts', () => {
    expect(canonicalString(EXAMPLE)).toBe(EXAMPLE.canonical);
    expect(computeSignature(EXAMPLE.secret, EXAMPLE.canonical)).toBe(EXAMPLE.signature);
    const clock = fixedClock('2026-01-01T00:00:00Z');
    expect(signRequest({ ...EXAMPLE, clock })).toEqual({
      [SIGNATURE_HEADERS.keyId]: 'bot',
      [SIGNATURE_HEADERS.timestamp]: EXAMPLE.timestamp,
      [SIGNATURE_HEADERS.nonce]: EXAMPLE.nonce,
      [SIGNATURE_HEADERS.signature]: EXAMPLE.signature,
    });
    const headers = signRequest({ ...EXAMPLE, clock });
    const result = verifyRequest({ headers, method: 'POST', path: EXAMPLE.path, body: Buffer.from(EXAMPLE.body), keys: new Map([['bot', EXAMPLE.secret]]), clock, skewSeconds: 300, nonces: new NonceCache() });
    expect(result).toEqual({ ok: true, keyId: 'bot' });
  });
});

describe('signing rules', () => {
  it('upper-cases the method and hashes an empty body as the hash of nothing', () => {
    expect(canonicalString({ timestamp: '1', nonce: 'n', method: 'post', path: '/p', body: '' })).toBe('v1:1:n:POST:/p:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts nonces of at least 16 bytes, hex or base64url', () => {
    expect(nonceIsAcceptable('a'.repeat(32))).toBe(true);
    expect(nonceIsAcceptable('a'.repeat(31))).toBe(false);
    expect(nonceIsAcceptable('A_-z'.repeat(5) + 'Zq')).toBe(true);
    expect(nonceIsAcceptable('A_-z'.repeat(5) + 'Z')).toBe(false);
    expect(nonceIsAcceptable('abc+/=abc+/=abc+/=abc+/=')).toBe(false);
    expect(nonceIsAcceptable('x'.repeat(257))).toBe(false);
  });

  it('does not burn a nonce on a request whose signature is wrong', () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const nonces = new NonceCache();
    const keys = new Map([['bot', EXAMPLE.secret]]);
    const forged = signRequest({ ...EXAMPLE, secret: 'f'.repeat(64), clock });
    const base = { method: 'POST', path: EXAMPLE.path, body: Buffer.from(EXAMPLE.body), keys, clock, skewSeconds: 300, nonces };
    expect(verifyRequest({ ...base, headers: forged })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyRequest({ ...base, headers: signRequest({ ...EXAMPLE, clock }) })).toEqual({ ok: true, keyId: 'bot' });
    expect(verifyRequest({ ...base, headers: signRequest({ ...EXAMPLE, clock }) })).toMatchObject({ ok: false, reason: 'replayed_nonce' });
  });

  it('rejects a header sent twice', () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const headers: Record<string, string | string[]> = signRequest({ ...EXAMPLE, clock });
    headers[SIGNATURE_HEADERS.nonce] = [EXAMPLE.nonce, EXAMPLE.nonce];
    const result = verifyRequest({ headers, method: 'POST', path: EXAMPLE.path, body: Buffer.from(EXAMPLE.body), keys: new Map([['bot', EXAMPLE.secret]]), clock, skewSeconds: 300, nonces: new NonceCache() });
    expect(result).toMatchObject({ ok: false, reason: 'missing_header' });
  });

  it('holds a nonce until the end of the last second its timestamp passes, past edge and future edge', () => {
    const keys = new Map([['bot', EXAMPLE.secret]]);
    const nonces = new NonceCache();
    const signedAt = (iso: string) => signRequest({ ...EXAMPLE, clock: fixedClock(iso) });
    const check = (headers: Record<string, string>, nowIso: string) =>
      verifyRequest({ headers, method: 'POST', path: EXAMPLE.path, body: Buffer.from(EXAMPLE.body), keys, clock: fixedClock(nowIso), skewSeconds: 300, futureSkewSeconds: 30, nonces });
    const old = signedAt('2026-01-01T00:00:00Z');
    expect(check(old, '2026-01-01T00:05:00.000Z')).toEqual({ ok: true, keyId: 'bot' });
    expect(check(old, '2026-01-01T00:05:00.999Z')).toMatchObject({ ok: false, reason: 'replayed_nonce' });
    expect(check(old, '2026-01-01T00:05:01.000Z')).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    const ahead = signRequest({ ...EXAMPLE, nonce: 'b'.repeat(32), clock: fixedClock('2026-01-01T00:00:30Z') });
    expect(check(ahead, '2026-01-01T00:00:00Z')).toEqual({ ok: true, keyId: 'bot' });
    expect(check(ahead, '2026-01-01T00:05:30.999Z')).toMatchObject({ ok: false, reason: 'replayed_nonce' });
    const tooFar = signRequest({ ...EXAMPLE, nonce: 'c'.repeat(32), clock: fixedClock('2026-01-01T00:00:31Z') });
    expect(check(tooFar, '2026-01-01T00:00:00Z')).toMatchObject({ ok: false, reason: 'future_timestamp', claimedKeyId: 'bot' });
  });
});
