import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { createLogger } from '../../../src/kernel/logger.js';
import { signedPost, startSpyRelay } from './harness.js';

// x-triage-request-id (docs/relay-protocol.md): optional, not signed, checked with zod. A
// well-formed id is written in the audit line; a malformed one is refused before any work; a
// client that does not send one (older bots) is served as before, its audit line without the field.

let relay: RunningRelay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

const auditLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the x-triage-request-id header', () => {
  it('is written in the audit line when well-formed, and absent from it when the caller sent none', async () => {
    const started = await startSpyRelay();
    relay = started.relay;
    const id = '6f1c3a52-8d1e-4c1b-9a57-0b2f7d7e9c10';
    expect((await signedPost(relay.url, 'host.security', { node: 'HV01' }, { headers: { 'x-triage-request-id': id } })).status).toBe(200);
    expect((await signedPost(relay.url, 'host.security', { node: 'HV02' })).status).toBe(200);
    const [withId, without] = auditLines(started.auditFile);
    expect(withId).toMatchObject({ operation: 'host.security', outcome: 'ok', requestId: id });
    expect(without).toMatchObject({ operation: 'host.security', outcome: 'ok' });
    expect(without).not.toHaveProperty('requestId');
  });

  it('is not part of the signature: changing it does not break a signed request', async () => {
    const started = await startSpyRelay();
    relay = started.relay;
    // signedPost signs first and adds the header after, as a proxy could.
    const answer = await signedPost(relay.url, 'host.security', { node: 'HV01' }, { headers: { 'x-triage-request-id': 'proxy-added-id-0001' } });
    expect(answer.status).toBe(200);
  });

  it('refuses a malformed id with 400 before the backend runs, saying which header', async () => {
    const spy = await startSpyRelay();
    relay = spy.relay;
    for (const bad of ['short', 'has spaces in it', '"quoted-request-id"', 'x'.repeat(200)]) {
      const answer = await signedPost(relay.url, 'host.security', { node: 'HV01' }, { headers: { 'x-triage-request-id': bad } });
      expect(answer.status, bad).toBe(400);
      expect(answer.json.error?.message).toMatch(/^malformed x-triage-request-id header: a request id is 8-128/);
    }
    expect(spy.spy.calls).toHaveLength(0);
    const lines = auditLines(spy.auditFile);
    expect(lines.map((l) => [l.status, l.reason, l.requestId])).toEqual(Array.from({ length: 4 }, () => [400, 'bad_request_id', undefined]));
  });

  it('binds the relay\'s own log lines about the request to the id', async () => {
    const lines: string[] = [];
    const started = await startSpyRelay({ logger: createLogger('info', (l) => lines.push(l), { name: 'triage-relay' }), audit: { append: async () => { throw new Error('disk full'); }, close: async () => undefined } });
    relay = started.relay;
    const answer = await signedPost(relay.url, 'host.security', { node: 'HV01' }, { headers: { 'x-triage-request-id': 'incident-42-abcdef' } });
    expect(answer.status).toBe(500);
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'error', service: 'triage-relay', requestId: 'incident-42-abcdef', msg: expect.stringMatching(/audit log write failed/), error: 'disk full' })]);
  });
});
