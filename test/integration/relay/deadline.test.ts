import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { deadlineHeaders } from '../../../src/relay/deadline.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { signRequest } from '../../../src/relay/signing.js';
import { APPROVAL_KEY, KEY_ID, rawPost, SECRET, SpyBackend, startSpyRelay } from './harness.js';

// Deadlines over HTTP: a request carries the instant its caller stops waiting, MAC'd with the
// key and bound to the request's nonce. Past it, the relay starts nothing (and audits why); a
// deadline that was altered is refused as unauthenticated.

const clock = fixedClock('2026-03-01T12:00:00Z');
const OP = 'host.purge-tickets';
let relay: RunningRelay;
let spy: SpyBackend;
let auditFile: string;

beforeAll(async () => {
  ({ relay, spy, auditFile } = await startSpyRelay({ clock, writesEnabled: true, approvalKey: APPROVAL_KEY }));
});
afterAll(() => relay.close());
beforeEach(() => {
  spy.calls.length = 0;
});

function post(deadlineOffsetMs: number, tamper?: (h: Record<string, string>) => void) {
  const params = { node: 'HV01' };
  const body = JSON.stringify({ ...params, approval: mintApprovalToken({ key: APPROVAL_KEY, id: 'pl_deadline', op: OP, params, ttlSeconds: 600, clock }) });
  const path = `/v1/ops/${OP}`;
  const signed = signRequest({ keyId: KEY_ID, secret: SECRET, method: 'POST', path, body, clock });
  const headers = { ...signed, ...deadlineHeaders(SECRET, signed['x-triage-nonce']!, clock.now().getTime() + deadlineOffsetMs) };
  tamper?.(headers);
  return rawPost(relay.url, path, body, headers);
}

const lastAudit = () => JSON.parse(readFileSync(auditFile, 'utf8').trim().split('\n').at(-1)!) as { outcome: string; reason?: string; errorCode: string | null };

describe('request deadlines', () => {
  it('runs a request whose deadline is ahead', async () => {
    expect((await post(5_000)).status).toBe(200);
    // The write limits' AD read, then the write.
    expect(spy.calls.map((c) => c.op)).toEqual(['directory.computers', OP]);
  });

  it('starts nothing once the deadline has passed: 504 TIMEOUT, audited', async () => {
    const answer = await post(-1);
    expect(answer.status).toBe(504);
    expect(answer.json.error?.code).toBe('TIMEOUT');
    expect(answer.json.error?.message).toContain("the caller's deadline passed before the relay could start; nothing was done");
    expect(spy.calls).toHaveLength(0);
    expect(lastAudit()).toMatchObject({ outcome: 'denied', reason: 'deadline_passed', errorCode: 'TIMEOUT' });
  });

  it('refuses a deadline moved after signing, or one without its MAC, as unauthenticated', async () => {
    const moved = await post(-1, (h) => (h['x-triage-deadline'] = String(clock.now().getTime() + 60_000)));
    expect(moved.status).toBe(401);
    expect(moved.json.error?.message).toContain('the deadline signature does not match');
    const bare = await post(5_000, (h) => delete h['x-triage-deadline-signature']);
    expect(bare.status).toBe(401);
    expect(spy.calls).toHaveLength(0);
    expect(lastAudit()).toMatchObject({ outcome: 'denied', reason: 'bad_deadline' });
  });
});
