import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import type { OperationName } from '../../../src/relay/protocol.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { APPROVAL_KEY, signedPost, SpyBackend, startSpyRelay } from './harness.js';

// The write gate over HTTP: writes need the relay's switch on and a single-use token bound to
// the exact plan; the backend runs exactly once for a good token and never otherwise.

const clock = fixedClock('2026-03-01T12:00:00Z');
const PARAMS = { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos' } as const;
const OP: OperationName = 'host.set-migration-auth';

function token(over: Partial<{ key: string; op: OperationName; params: Record<string, unknown>; ttlSeconds: number; at: string; id: string }> = {}): string {
  return mintApprovalToken({
    key: over.key ?? APPROVAL_KEY,
    id: over.id ?? 'apr-42',
    op: over.op ?? OP,
    params: over.params ?? PARAMS,
    ttlSeconds: over.ttlSeconds ?? 600,
    clock: fixedClock(over.at ?? '2026-03-01T12:00:00Z'),
  });
}

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

/** The backend calls that are the write itself (not the relay's write-limit reads before it). */
const writes = () => spy.calls.filter((c) => c.ctx.purpose !== 'write-limits');

async function expectForbidden(params: Record<string, unknown>, fragment: string): Promise<void> {
  const answer = await signedPost(relay.url, OP, params, { clock });
  expect(answer.status).toBe(403);
  expect(answer.json.error?.code).toBe('FORBIDDEN');
  expect(answer.json.error?.message).toContain(fragment);
  expect(spy.calls).toHaveLength(0);
}

describe('writes', () => {
  it('are refused with 403 when the relay runs with writes disabled, even with a valid token', async () => {
    const { relay: off, spy: offSpy } = await startSpyRelay({ clock, writesEnabled: false, approvalKey: APPROVAL_KEY });
    try {
      const answer = await signedPost(off.url, OP, { ...PARAMS, approval: token() }, { clock });
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(answer.json.error?.message).toMatch(/writes are disabled.*RELAY_WRITES_ENABLED/);
      expect(offSpy.calls).toHaveLength(0);
    } finally {
      await off.close();
    }
  });

  it('without a token are a 400 naming the approval field', async () => {
    const answer = await signedPost(relay.url, OP, PARAMS, { clock });
    expect(answer.status).toBe(400);
    expect(answer.json.error?.message).toContain('approval: is required');
    expect(spy.calls).toHaveLength(0);
  });

  it('with a malformed token are a 400', async () => {
    const answer = await signedPost(relay.url, OP, { ...PARAMS, approval: 'not-a-token' }, { clock });
    expect(answer.status).toBe(400);
    expect(spy.calls).toHaveLength(0);
  });

  it('with a token signed by another key are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ key: 'someone-else-'.repeat(4) }) }, 'bad signature');
  });

  it('with an expired token are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ at: '2026-03-01T11:00:00Z', ttlSeconds: 3599 }) }, 'expired');
  });

  it('with a token whose expiry is more than a day away are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ ttlSeconds: 2 * 24 * 3600 }) }, 'too far');
  });

  it('with a token for another plan (other node) are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ params: { ...PARAMS, node: 'HV02' } }) }, 'does not match the approved plan');
  });

  it('with a token for other expected current values are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ params: { ...PARAMS, expected: 'Kerberos' } }) }, 'does not match the approved plan');
  });

  it('with a token issued for another operation are a 403', async () => {
    await expectForbidden({ ...PARAMS, approval: token({ op: 'host.purge-tickets', params: { node: 'HV01' } }) }, 'issued for host.purge-tickets');
  });

  it('with a valid token run the backend once, and the same token replayed is a 403', async () => {
    const approval = token({ id: 'apr-77' });
    const first = await signedPost(relay.url, OP, { ...PARAMS, approval }, { clock, headers: { 'x-triage-requester': 'slack:U123' } });
    expect(first.status).toBe(200);
    expect(first.json.result).toEqual({ before: 'CredSSP', after: 'Kerberos' });
    expect(writes()).toHaveLength(1);
    expect(writes()[0]!.ctx).toMatchObject({ approvalId: 'apr-77', requester: 'slack:U123' });
    expect(writes()[0]!.params).toEqual({ ...PARAMS, approval });

    const replay = await signedPost(relay.url, OP, { ...PARAMS, approval }, { clock });
    expect(replay.status).toBe(403);
    expect(replay.json.error?.message).toContain('already used');
    expect(writes()).toHaveLength(1);

    const audit = readFileSync(auditFile, 'utf8');
    expect(audit).not.toContain(approval);
    expect(audit).not.toContain(approval.split('.')[1]!);
    expect(audit).toContain('"approvalId":"apr-77"');
    expect(audit).toContain('"approval":"[approval token]"');
  });

  it('a token binds the exact delegation plan, including the expected current values', async () => {
    const change = {
      computer: 'HV01',
      expected: { allowedToDelegateTo: ['cifs/HV02'], userAccountControl: 4096 },
      desired: { allowedToDelegateTo: ['cifs/HV02', 'Microsoft Virtual System Migration Service/HV02'], userAccountControl: 16781312 },
    };
    const op: OperationName = 'directory.apply-delegation';
    const approval = mintApprovalToken({ key: APPROVAL_KEY, id: 'apr-9', op, params: { changes: [change] }, ttlSeconds: 600, clock });
    const tampered = { ...change, expected: { ...change.expected, allowedToDelegateTo: [] } };
    expect((await signedPost(relay.url, op, { changes: [tampered], approval }, { clock })).status).toBe(403);
    // Key order in the JSON does not matter: the hash is over canonical JSON.
    const reordered = { desired: change.desired, expected: change.expected, computer: change.computer };
    expect((await signedPost(relay.url, op, { approval, changes: [reordered] }, { clock })).status).toBe(200);
    expect(writes()).toHaveLength(1);
  });
});
