import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { canonicalJson } from '../../../src/relay/canonical-json.js';
import { ApprovalVerifier, encodeApprovalToken, mintApprovalToken, peekApprovalId, planHash } from '../../../src/relay/approval-token.js';
import { approvalTokenSchema } from '../../../src/relay/protocol.js';

// The approval-token example printed in docs/relay-protocol.md, recomputed.
const KEY = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const PARAMS = { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos' };
const DOC = {
  canonical: '{"op":"host.set-migration-auth","params":{"authenticationType":"Kerberos","expected":"CredSSP","node":"HV01"}}',
  planHash: '9d77422c60e78a5a8fac57029cf4f34c3f3296a500683a3e68325b3a100ead31',
  token:
    'eyJpZCI6ImFwci0yMDI2MDEwMS0wMDAxIiwib3AiOiJob3N0LnNldC1taWdyYXRpb24tYXV0aCIsInBsYW5IYXNoIjoiOWQ3NzQyMmM2MGU3OGE1YThmYWM1NzAyOWNmNGYzNGMzZjMyOTZhNTAwNjgzYTNlNjgzMjViM2ExMDBlYWQzMSIsImV4cCI6MTc2NzIyNzQwMCwianRpIjoiOWQyZjZjMWU4YjdhNGQzYzJiMWEwZjllOGQ3YzZiNWEifQ.3e8e6ad5a799fbd895b206a20ffa53868da8d88b0b1fc9df2a9ca6a55ce21529',
};

describe('approval tokens', () => {
  it('example is the one printed in docs/relay-protocol.md', () => {
    const doc = readFileSync(new URL('../../../docs/relay-protocol.md', import.meta.url), 'utf8');
    expect(doc).toContain(`approval key \`${KEY}\``);
    expect(doc).toContain(`canonical JSON = ${DOC.canonical}`);
    expect(doc).toContain(`planHash       = ${DOC.planHash}`);
    expect(doc).toContain(`token          = ${DOC.token}`);
  });

  it('recompute the documented example', () => {
    expect(canonicalJson({ op: 'host.set-migration-auth', params: PARAMS })).toBe(DOC.canonical);
    expect(planHash('host.set-migration-auth', { ...PARAMS, approval: 'ignored' })).toBe(DOC.planHash);
    const token = encodeApprovalToken(KEY, { id: 'apr-20260101-0001', op: 'host.set-migration-auth', planHash: DOC.planHash, exp: 1767227400, jti: '9d2f6c1e8b7a4d3c2b1a0f9e8d7c6b5a' });
    expect(token).toBe(DOC.token);
    expect(approvalTokenSchema.safeParse(token).success).toBe(true);
    const verifier = new ApprovalVerifier(KEY, fixedClock('2026-01-01T00:00:00Z'));
    expect(verifier.verify(token, 'host.set-migration-auth', PARAMS).id).toBe('apr-20260101-0001');
  });

  it('hash canonical JSON: key order does not matter, values do', () => {
    expect(planHash('host.purge-tickets', { node: 'HV01' })).not.toBe(planHash('host.purge-tickets', { node: 'HV02' }));
    expect(planHash('host.set-migration-auth', { authenticationType: 'Kerberos', node: 'HV01', expected: 'CredSSP' })).toBe(DOC.planHash);
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":null,"d":1}]}');
  });

  it('are single use, expire, and are bound to the operation and the plan', () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const verifier = new ApprovalVerifier(KEY, clock);
    const mint = (params = PARAMS, ttlSeconds = 60): string => mintApprovalToken({ key: KEY, id: 'apr-1', op: 'host.set-migration-auth', params, ttlSeconds, clock });
    const t = mint();
    expect(peekApprovalId(t)).toBe('apr-1');
    expect(() => verifier.verify(t, 'host.purge-tickets', PARAMS)).toThrow(/issued for host.set-migration-auth/);
    expect(() => verifier.verify(t, 'host.set-migration-auth', { ...PARAMS, expected: 'Kerberos' })).toThrow(/does not match the approved plan/);
    expect(verifier.verify(t, 'host.set-migration-auth', PARAMS).id).toBe('apr-1');
    expect(() => verifier.verify(t, 'host.set-migration-auth', PARAMS)).toThrow(/already used/);
    const late = mint();
    clock.advance(60_000);
    expect(() => verifier.verify(late, 'host.set-migration-auth', PARAMS)).toThrow(/expired/);
    expect(() => verifier.verify(late.replace(/.$/, late.endsWith('a') ? 'b' : 'a'), 'host.set-migration-auth', PARAMS)).toThrow(/bad signature/);
  });

  it('cannot be minted for a read', () => {
    expect(() => mintApprovalToken({ key: KEY, id: 'x', op: 'host.security', params: { node: 'HV01' }, ttlSeconds: 60, clock: fixedClock('2026-01-01T00:00:00Z') })).toThrow(/read/);
  });
});
