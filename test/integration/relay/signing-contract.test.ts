import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { SIGNATURE_HEADERS, signRequest } from '../../../src/relay/signing.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { KEY_ID, rawPost, SECRET, signedPost, SpyBackend, startSpyRelay } from './harness.js';

// Every way a request can break the signing contract, sent over real HTTP: each is a 401 and
// the backend never runs.

const NOW = '2026-03-01T12:00:00Z';
const clock = fixedClock(NOW);
const OP_PATH = '/v1/ops/host.security';
const BODY = JSON.stringify({ node: 'HV01' });

let relay: RunningRelay;
let spy: SpyBackend;
let auditFile: string;

beforeAll(async () => {
  ({ relay, spy, auditFile } = await startSpyRelay({ clock }));
});
afterAll(() => relay.close());
beforeEach(() => {
  spy.calls.length = 0;
});

function headersAt(at: string, overrides: Partial<{ body: string; path: string; secret: string; keyId: string; nonce: string }> = {}): Record<string, string> {
  return signRequest({
    keyId: overrides.keyId ?? KEY_ID,
    secret: overrides.secret ?? SECRET,
    method: 'POST',
    path: overrides.path ?? OP_PATH,
    body: overrides.body ?? BODY,
    clock: fixedClock(at),
    nonce: overrides.nonce,
  });
}

function lastAudit(): Record<string, unknown> {
  const lines = readFileSync(auditFile, 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

async function expectRejected(send: Promise<{ status: number; json: { ok: boolean; error?: { code: string; message: string } } }>, reason: string): Promise<void> {
  const answer = await send;
  expect(answer.status).toBe(401);
  expect(answer.json.ok).toBe(false);
  expect(answer.json.error?.code).toBe('UNAUTHORIZED');
  expect(spy.calls).toHaveLength(0);
  const audit = lastAudit();
  expect(audit).toMatchObject({ outcome: 'denied', status: 401, reason, errorCode: 'UNAUTHORIZED' });
  expect(audit).not.toHaveProperty('params');
}

describe('signing contract over HTTP', () => {
  it('accepts a correctly signed request (the baseline every rejection below departs from)', async () => {
    const answer = await rawPost(relay.url, OP_PATH, BODY, headersAt(NOW));
    expect(answer.status).toBe(200);
    expect(answer.json.ok).toBe(true);
    expect(spy.calls).toHaveLength(1);
    expect(lastAudit()).toMatchObject({ keyId: KEY_ID, operation: 'host.security', outcome: 'ok', params: { node: 'HV01' } });
  });

  for (const name of Object.values(SIGNATURE_HEADERS)) {
    it(`rejects a request without ${name}`, async () => {
      const headers = headersAt(NOW);
      delete headers[name];
      await expectRejected(rawPost(relay.url, OP_PATH, BODY, headers), 'missing_header');
    });
  }

  it('rejects an unknown key id even with a well-formed signature', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt(NOW, { keyId: 'intruder' })), 'unknown_key');
  });

  it('rejects a signature made with another secret', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt(NOW, { secret: 'x'.repeat(48) })), 'bad_signature');
  });

  it('rejects a signature that is well-formed hex but altered in one digit', async () => {
    const headers = headersAt(NOW);
    const sig = headers[SIGNATURE_HEADERS.signature]!;
    headers[SIGNATURE_HEADERS.signature] = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headers), 'bad_signature');
  });

  it('rejects a timestamp 301 s behind the relay clock', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt('2026-03-01T11:54:59Z')), 'stale_timestamp');
  });

  it('rejects a timestamp 301 s ahead of the relay clock, and one 31 s ahead (RELAY_FUTURE_SKEW_SECONDS=30)', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt('2026-03-01T12:05:01Z')), 'future_timestamp');
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt('2026-03-01T12:00:31Z')), 'future_timestamp');
  });

  it('accepts timestamps exactly 300 s behind and exactly 30 s ahead (both limits inclusive)', async () => {
    expect((await rawPost(relay.url, OP_PATH, BODY, headersAt('2026-03-01T11:55:00Z'))).status).toBe(200);
    expect((await rawPost(relay.url, OP_PATH, BODY, headersAt('2026-03-01T12:00:30Z'))).status).toBe(200);
    expect(spy.calls).toHaveLength(2);
  });

  it('rejects a replayed request (same nonce) and runs the backend only for the first', async () => {
    const headers = headersAt(NOW);
    expect((await rawPost(relay.url, OP_PATH, BODY, headers)).status).toBe(200);
    spy.calls.length = 0;
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headers), 'replayed_nonce');
  });

  it('rejects a body changed after signing', async () => {
    const headers = headersAt(NOW);
    await expectRejected(rawPost(relay.url, OP_PATH, JSON.stringify({ node: 'HV02' }), headers), 'bad_signature');
  });

  it('rejects a request sent to another operation than the one signed', async () => {
    const headers = headersAt(NOW);
    await expectRejected(rawPost(relay.url, '/v1/ops/host.vms', BODY, headers), 'bad_signature');
  });

  it('rejects a nonce shorter than 16 bytes (30 hex characters)', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt(NOW, { nonce: 'ab'.repeat(15) })), 'short_nonce');
  });

  it('rejects a nonce shorter than 16 bytes (21 base64url characters)', async () => {
    await expectRejected(rawPost(relay.url, OP_PATH, BODY, headersAt(NOW, { nonce: 'Zz_-Zz_-Zz_-Zz_-Zz_-Z' })), 'short_nonce');
  });

  it('accepts a 22-character base64url nonce', async () => {
    expect((await rawPost(relay.url, OP_PATH, BODY, headersAt(NOW, { nonce: 'Zz_-Zz_-Zz_-Zz_-Zz_-Zq' }))).status).toBe(200);
  });

  it('authenticates before anything else: unknown operation and broken JSON are still a 401 when unsigned', async () => {
    await expectRejected(rawPost(relay.url, '/v1/ops/no.such-op', '{', {}), 'missing_header');
    await expectRejected(rawPost(relay.url, OP_PATH, '{not json', headersAt(NOW, { secret: 'y'.repeat(40) })), 'bad_signature');
  });

  it('counts each rejection reason in /metrics', async () => {
    const text = await (await fetch(`${relay.url}/metrics`)).text();
    expect(text).toMatch(/triage_relay_rejections_total\{reason="bad_signature"\} [1-9]/);
    expect(text).toMatch(/triage_relay_rejections_total\{reason="stale_timestamp"\} 1\n/);
    expect(text).toMatch(/triage_relay_rejections_total\{reason="future_timestamp"\} 2\n/);
    expect(text).toMatch(/triage_relay_requests_total\{op="host.security",outcome="ok"\} [1-9]/);
  });
});

describe('key rotation', () => {
  it('accepts requests signed with either of two active keys, and not with a retired one', async () => {
    const oldSecret = 'old-'.repeat(10);
    const newSecret = 'new-'.repeat(10);
    const { relay: r, spy: s } = await startSpyRelay({ keys: { 'bot-2025': oldSecret, 'bot-2026': newSecret } });
    try {
      expect((await signedPost(r.url, 'host.security', { node: 'HV01' }, { keyId: 'bot-2025', secret: oldSecret })).status).toBe(200);
      expect((await signedPost(r.url, 'host.security', { node: 'HV01' }, { keyId: 'bot-2026', secret: newSecret })).status).toBe(200);
      expect((await signedPost(r.url, 'host.security', { node: 'HV01' }, { keyId: 'bot-2024', secret: 'retired-'.repeat(5) })).status).toBe(401);
      expect(s.calls).toHaveLength(2);
    } finally {
      await r.close();
    }
  });
});
