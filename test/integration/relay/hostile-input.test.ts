import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { operations, type OperationName } from '../../../src/relay/protocol.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { frame, HOSTILE_VALUES, type SlotKind } from './hostile-corpus.js';
import { APPROVAL_KEY, signedPost, SpyBackend, startSpyRelay } from './harness.js';

// Every parameter that reaches PowerShell or LDAP, in every operation, gets the whole hostile
// corpus over real HTTP. Writes are enabled and each write carries a valid approval token minted
// for exactly the hostile parameters, so the only thing between the value and the backend is
// the relay's validation: every answer must be a 400 that names the field, and the backend
// must never run.

const change = {
  computer: 'HV01',
  expected: { allowedToDelegateTo: ['cifs/HV02'], userAccountControl: 4096, allowedToActOnBehalfOf: ['HV02'] },
  desired: { allowedToDelegateTo: ['Microsoft Virtual System Migration Service/HV02'], userAccountControl: 16781312, allowedToActOnBehalfOf: ['HV02'] },
};

const VALID: Record<OperationName, Record<string, unknown>> = {
  'host.migration-settings': { node: 'HV01' },
  'host.security': { node: 'HV01' },
  'host.events': { node: 'HV01', sinceHours: 24 },
  'host.hotfixes': { node: 'HV01' },
  'host.dns': { node: 'HV01', names: ['HV02'] },
  'host.vms': { node: 'HV01' },
  'host.evidence': { node: 'HV01', sinceHours: 24, names: ['HV02'] },
  'cluster.nodes': { cluster: 'CL01' },
  'directory.computers': { names: ['HV01'] },
  'directory.spn-owners': { spns: ['Microsoft Virtual System Migration Service/HV01'] },
  'directory.user': { id: 'alice@contoso.com' },
  'directory.apply-delegation': { changes: [change] },
  'host.purge-tickets': { node: 'HV01' },
  'host.set-migration-auth': { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos' },
  'vm.test-migration': { vm: 'web01', source: 'HV01', destination: 'HV02' },
  'dc.list': {},
  'dc.kdc-events': { dc: 'DC01', sinceHours: 24, names: ['HV01$'] },
  'dc.hotfixes': { dc: 'DC01' },
  'dc.evidence': { dc: 'DC01', sinceHours: 24, names: ['Microsoft Virtual System Migration Service/HV02'] },
  'directory.replication': { computers: ['HV01'], dcs: ['DC01'] },
};

interface Slot {
  op: OperationName;
  path: Array<string | number>;
  kind: SlotKind;
}

const SLOTS: Slot[] = [
  ...(['host.migration-settings', 'host.security', 'host.events', 'host.hotfixes', 'host.dns', 'host.vms', 'host.purge-tickets', 'host.set-migration-auth'] as const).map(
    (op): Slot => ({ op, path: ['node'], kind: 'host' }),
  ),
  { op: 'host.dns', path: ['names', 0], kind: 'host' },
  { op: 'cluster.nodes', path: ['cluster'], kind: 'host' },
  { op: 'directory.computers', path: ['names', 0], kind: 'host' },
  { op: 'directory.spn-owners', path: ['spns', 0], kind: 'spn' },
  { op: 'directory.user', path: ['id'], kind: 'user' },
  { op: 'directory.apply-delegation', path: ['changes', 0, 'computer'], kind: 'host' },
  { op: 'directory.apply-delegation', path: ['changes', 0, 'expected', 'allowedToDelegateTo', 0], kind: 'spn' },
  { op: 'directory.apply-delegation', path: ['changes', 0, 'desired', 'allowedToDelegateTo', 0], kind: 'spn' },
  { op: 'directory.apply-delegation', path: ['changes', 0, 'expected', 'allowedToActOnBehalfOf', 0], kind: 'host' },
  { op: 'directory.apply-delegation', path: ['changes', 0, 'desired', 'allowedToActOnBehalfOf', 0], kind: 'host' },
  { op: 'host.set-migration-auth', path: ['expected'], kind: 'enum' },
  { op: 'host.set-migration-auth', path: ['authenticationType'], kind: 'enum' },
  { op: 'vm.test-migration', path: ['vm'], kind: 'vm' },
  { op: 'vm.test-migration', path: ['source'], kind: 'host' },
  { op: 'vm.test-migration', path: ['destination'], kind: 'host' },
  // Issue 19: the move's kind picks a branch of the script; only the two names pass.
  { op: 'vm.test-migration', path: ['mode'], kind: 'enum' },
  // Issue 19: every DC name and principal name that reaches the DC role's scripts or a per-DC LDAP read.
  { op: 'dc.kdc-events', path: ['dc'], kind: 'host' },
  { op: 'dc.kdc-events', path: ['names', 0], kind: 'spn' },
  { op: 'dc.hotfixes', path: ['dc'], kind: 'host' },
  { op: 'dc.evidence', path: ['dc'], kind: 'host' },
  { op: 'dc.evidence', path: ['names', 0], kind: 'spn' },
  { op: 'directory.replication', path: ['computers', 0], kind: 'host' },
  { op: 'directory.replication', path: ['dcs', 0], kind: 'host' },
];

function fieldName(path: Array<string | number>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
}

function place(op: OperationName, path: Array<string | number>, value: unknown): Record<string, unknown> {
  const params = structuredClone(VALID[op]);
  let at: Record<string | number, unknown> = params;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return params;
}

function withToken(op: OperationName, params: Record<string, unknown>): Record<string, unknown> {
  if (!operations[op].write) return params;
  return { ...params, approval: mintApprovalToken({ key: APPROVAL_KEY, id: 'apr-hostile', op, params, ttlSeconds: 600, clock: systemClock }) };
}

let relay: RunningRelay;
let spy: SpyBackend;

beforeAll(async () => {
  ({ relay, spy } = await startSpyRelay({ writesEnabled: true, approvalKey: APPROVAL_KEY }));
});
afterAll(() => relay.close());

describe('hostile input never reaches a backend', () => {
  it('the corpus has at least 100 values for every slot', () => {
    for (const slot of SLOTS) expect(HOSTILE_VALUES.filter((h) => !h.legalIn?.includes(slot.kind)).length).toBeGreaterThanOrEqual(100);
  });

  it('every operation with valid parameters reaches the backend exactly once (the control)', async () => {
    for (const op of Object.keys(VALID) as OperationName[]) {
      const answer = await signedPost(relay.url, op, withToken(op, VALID[op]));
      expect(answer.status, `${op}: ${answer.text}`).toBe(200);
    }
    // Each write is preceded by the relay's own directory read of its write limits.
    const checks = (ops: string[]) => ops.flatMap((op) => (operations[op as OperationName].write ? ['directory.computers (write limits)', op] : [op]));
    expect(spy.calls.map((c) => (c.ctx.purpose === 'write-limits' ? `${c.op} (write limits)` : c.op))).toEqual(checks(Object.keys(VALID)));
    spy.calls.length = 0;
  });

  for (const slot of SLOTS) {
    const field = fieldName(slot.path);
    it(`${slot.op} ${field}: every hostile value is a 400 naming the field`, async () => {
      const failures: string[] = [];
      const values = HOSTILE_VALUES.filter((h) => !h.legalIn?.includes(slot.kind));
      for (let i = 0; i < values.length; i += 16) {
        await Promise.all(
          values.slice(i, i + 16).map(async (h) => {
            const value = frame(slot.kind, h.value);
            const answer = await signedPost(relay.url, slot.op, withToken(slot.op, place(slot.op, slot.path, value)));
            const message = answer.json.error?.message ?? '';
            if (answer.status !== 400 || answer.json.error?.code !== 'BAD_REQUEST') failures.push(`${h.label}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
            else if (!message.includes(field)) failures.push(`${h.label}: message does not name ${field}: ${message}`);
            else if (typeof h.value === 'string' && h.value.length >= 4 && message.includes(h.value)) failures.push(`${h.label}: message echoes the value`);
          }),
        );
      }
      expect(failures).toEqual([]);
      expect(spy.calls).toHaveLength(0);
    });
  }
});
