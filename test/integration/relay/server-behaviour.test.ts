import http from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { signRequest } from '../../../src/relay/signing.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { APPROVAL_KEY, KEY_ID, rawPost, SECRET, signedPost, SpyBackend, startSpyRelay } from './harness.js';

// What a caller and an operator see from the relay: the audit line on disk before the answer,
// no secret in it, stable error codes with fitting statuses, health and metrics endpoints.

let relay: RunningRelay;
let spy: SpyBackend;
let auditFile: string;

beforeAll(async () => {
  ({ relay, spy, auditFile } = await startSpyRelay({ writesEnabled: true, approvalKey: APPROVAL_KEY, maxBodyBytes: 64 * 1024 }));
});
afterAll(() => relay.close());
beforeEach(() => {
  spy.calls.length = 0;
  spy.hook = undefined;
});

/** Posts a signed request and reads the audit file the moment the response headers arrive. */
function postAndReadAuditOnResponse(op: string, params: unknown, requester: string, secret = SECRET): Promise<{ status: number; auditAtResponse: string }> {
  const body = JSON.stringify(params);
  const p = `/v1/ops/${op}`;
  const u = new URL(relay.url);
  const headers = { ...signRequest({ keyId: KEY_ID, secret, method: 'POST', path: p, body, clock: systemClock }), 'content-type': 'application/json', 'x-triage-requester': requester };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, method: 'POST', path: p, headers }, (res) => {
      const auditAtResponse = readFileSync(auditFile, 'utf8');
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, auditAtResponse }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The last line about a request (a write's outcome line; its `started` line comes before). */
function lineFor(audit: string, requester: string): Record<string, unknown> | undefined {
  const line = audit.trim().split('\n').filter((l) => l.includes(`"requester":"${requester}"`)).pop();
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}

describe('audit log', () => {
  it('holds the line of a successful write before the response arrives, without any secret', async () => {
    const params = { node: 'HV01' };
    const approval = mintApprovalToken({ key: APPROVAL_KEY, id: 'apr-audit-1', op: 'host.purge-tickets', params, ttlSeconds: 300, clock: systemClock });
    const { status, auditAtResponse } = await postAndReadAuditOnResponse('host.purge-tickets', { ...params, approval }, 'teams:alice-1');
    expect(status).toBe(200);
    const line = lineFor(auditAtResponse, 'teams:alice-1');
    expect(line).toMatchObject({
      keyId: KEY_ID,
      operation: 'host.purge-tickets',
      params: { node: 'HV01', approval: '[approval token]' },
      requester: 'teams:alice-1',
      approvalId: 'apr-audit-1',
      outcome: 'ok',
      status: 200,
      errorCode: null,
    });
    const lines = auditAtResponse.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requester === 'teams:alice-1');
    expect(lines.map((l) => l.outcome)).toEqual(['started', 'ok']);
    expect(typeof line?.durationMs).toBe('number');
    expect(Date.parse(String(line?.time))).not.toBeNaN();
    for (const secret of [SECRET, APPROVAL_KEY, approval, approval.split('.')[1]!]) expect(auditAtResponse).not.toContain(secret);
  });

  it('holds the line of a refused (401) request before the response arrives', async () => {
    const { status, auditAtResponse } = await postAndReadAuditOnResponse('host.security', { node: 'HV01' }, 'slack:U-denied', 'w'.repeat(40));
    expect(status).toBe(401);
    expect(lineFor(auditAtResponse, 'slack:U-denied')).toMatchObject({ keyId: null, outcome: 'denied', reason: 'bad_signature', errorCode: 'UNAUTHORIZED' });
    expect(auditAtResponse).not.toContain('w'.repeat(40));
  });

  it('holds the line of an invalid (400) request before the response arrives, hostile value safely encoded', async () => {
    const { status, auditAtResponse } = await postAndReadAuditOnResponse('host.security', { node: 'HV01\n{"forged":true}' }, 'slack:U-bad');
    expect(status).toBe(400);
    const line = lineFor(auditAtResponse, 'slack:U-bad');
    expect(line).toMatchObject({ outcome: 'invalid', errorCode: 'BAD_REQUEST', params: { node: 'HV01\n{"forged":true}' } });
    expect(auditAtResponse.split('\n').some((l) => l.startsWith('{"forged"'))).toBe(false);
  });
});

describe('answers and status codes', () => {
  it('passes a compare-and-swap conflict through as 409 with the current values', async () => {
    spy.hook = () => {
      throw new RelayError('CONFLICT', 'HV01 changed since the plan was made', { current: { userAccountControl: 4096 } });
    };
    const answer = await signedPost(relay.url, 'host.security', { node: 'HV01' });
    expect(answer.status).toBe(409);
    expect(answer.json).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'HV01 changed since the plan was made', details: { current: { userAccountControl: 4096 } } } });
  });

  it('maps backend errors to their statuses (unreachable host 502, timeout 504)', async () => {
    spy.hook = () => {
      throw new RelayError('HOST_UNREACHABLE', 'HV01 did not answer WinRM');
    };
    expect((await signedPost(relay.url, 'host.security', { node: 'HV01' })).status).toBe(502);
    spy.hook = () => {
      throw new RelayError('TIMEOUT', 'HV01 took too long');
    };
    expect((await signedPost(relay.url, 'host.security', { node: 'HV01' })).status).toBe(504);
  });

  it('hides an unexpected backend exception behind a 500 without its text', async () => {
    spy.hook = () => {
      throw new Error('password=hunter2 in a stack trace');
    };
    const answer = await signedPost(relay.url, 'host.security', { node: 'HV01' });
    expect(answer.status).toBe(500);
    expect(answer.json.error?.code).toBe('INTERNAL');
    expect(answer.text).not.toContain('hunter2');
  });

  it('refuses a backend result that does not match the protocol with 502 BACKEND_ERROR', async () => {
    const bad = new SpyBackend();
    bad.handle = (async () => ({ enabled: 'yes' })) as SpyBackend['handle'];
    const { relay: r } = await startSpyRelay({ backend: bad });
    try {
      const answer = await signedPost(r.url, 'host.migration-settings', { node: 'HV01' });
      expect(answer.status).toBe(502);
      expect(answer.json.error?.code).toBe('BACKEND_ERROR');
    } finally {
      await r.close();
    }
  });

  it('answers 404 for an unknown operation and 405 for GET, after authentication', async () => {
    const unknown = await signedPost(relay.url, 'host.format-disk', { node: 'HV01' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.code).toBe('NOT_FOUND');
    const p = '/v1/ops/host.security';
    const get = await rawPost(relay.url, p, '', signRequest({ keyId: KEY_ID, secret: SECRET, method: 'GET', path: p, body: '', clock: systemClock }), 'GET');
    expect(get.status).toBe(405);
    expect(spy.calls).toHaveLength(0);
  });

  it('answers 400 for a signed body that is not JSON', async () => {
    const p = '/v1/ops/host.security';
    const answer = await rawPost(relay.url, p, '{node:', signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: p, body: '{node:', clock: systemClock }));
    expect(answer.status).toBe(400);
    expect(answer.json.error?.message).toContain('not valid JSON');
  });

  it('refuses a body over the size limit with 413 and runs nothing', async () => {
    const body = JSON.stringify({ names: Array.from({ length: 20_000 }, () => 'HV01') });
    const p = '/v1/ops/directory.computers';
    const answer = await rawPost(relay.url, p, body, signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', path: p, body, clock: systemClock }));
    expect(answer.status).toBe(413);
    expect(spy.calls).toHaveLength(0);
  });

  it('serves /healthz without details and /metrics in Prometheus text format', async () => {
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    await signedPost(relay.url, 'host.security', { node: 'HV01' });
    const metrics = await fetch(`${relay.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('# TYPE triage_relay_requests_total counter');
    expect(text).toMatch(/triage_relay_request_duration_seconds_count\{op="host.security"\} \d+/);
    expect(text).toMatch(/triage_relay_requests_total\{op="unknown",outcome="invalid"\} 1/);
    expect(text).not.toContain('host.format-disk');
  });

  it('answers 500 and withholds the result when the audit line cannot be written', async () => {
    const failing = { append: () => Promise.reject(new Error('disk full')), close: async () => {} };
    const { relay: r, spy: s } = await startSpyRelay({ audit: failing });
    try {
      const answer = await signedPost(r.url, 'host.security', { node: 'HV01' });
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the relay could not write its audit log' } });
      expect(answer.text).not.toContain('Windows Server');
      expect(s.calls).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});
