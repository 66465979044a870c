import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { systemClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import type { Computer, DelegationValues, OperationName } from '../../../src/relay/protocol.js';
import { signRequest } from '../../../src/relay/signing.js';
import { sambaRelayEnv, useSamba } from '../../helpers/samba-context.js';
import type { SambaConnection } from '../../helpers/samba.js';
import { createComputer, delegation, deleteComputer, withAdmin } from '../../helpers/samba-tool.js';
import { rawPost, tempDir, type RawAnswer } from './harness.js';
import { ROOT, secret, startRelayProcess, type RelayProcess } from './relay-process.js';

// Issue 17, point 4: with a VALID approval token, the relay itself refuses every write outside
// what a delegation fix may change. Each relay is its own `triage-relay` process reached over HTTP
// only; the same refusals hold on the lab backend (scenario AD) and on lab-directory (the real
// Samba DC). Every refusal is a 403 `write_limit`, leaves AD exactly as it was, and has a near
// miss that the relay accepts.

const MIG = 'Microsoft Virtual System Migration Service';
const KEY = { keyId: 'bot', secret: secret() };
const APPROVAL_KEY = secret();
const relays: RelayProcess[] = [];
afterAll(async () => Promise.all(relays.map((r) => r.stop())));

interface Target {
  url: string;
  audit: string;
}

function post(t: Target, op: OperationName, params: Record<string, unknown>, id = 'apr-limits'): Promise<RawAnswer> {
  const approval = mintApprovalToken({ key: APPROVAL_KEY, id, op, params, ttlSeconds: 600, clock: systemClock });
  const body = JSON.stringify({ ...params, approval });
  const p = `/v1/ops/${op}`;
  return rawPost(t.url, p, body, signRequest({ ...KEY, method: 'POST', path: p, body, clock: systemClock }));
}

async function computers(t: Target, ...names: string[]): Promise<Computer[]> {
  const body = JSON.stringify({ names });
  const p = '/v1/ops/directory.computers';
  const answer = await rawPost(t.url, p, body, signRequest({ ...KEY, method: 'POST', path: p, body, clock: systemClock }));
  expect(answer.status, answer.text).toBe(200);
  return (answer.json.result as { computers: Computer[] }).computers;
}

function valuesOf(c: Computer, rbcd = false): DelegationValues {
  return { allowedToDelegateTo: [...c.allowedToDelegateTo], userAccountControl: c.userAccountControl, ...(rbcd ? { allowedToActOnBehalfOf: [...c.allowedToActOnBehalfOf] } : {}) };
}

/** Sends a write that must be refused by the write limits, and proves nothing changed. */
async function expectRefused(t: Target, op: OperationName, params: Record<string, unknown>, names: string[], fragment: string | RegExp): Promise<void> {
  const before = await computers(t, ...names);
  const answer = await post(t, op, params);
  expect(answer.status, answer.text).toBe(403);
  expect(answer.json.error?.code).toBe('FORBIDDEN');
  expect(answer.json.error?.message).toMatch(typeof fragment === 'string' ? new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : fragment);
  expect(answer.json.error?.message).toMatch(/nothing was changed$/);
  expect(await computers(t, ...names)).toEqual(before);
  const lines = readFileSync(t.audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.filter((l) => l.operation === op).pop()).toMatchObject({ operation: op, outcome: 'denied', status: 403, reason: 'write_limit' });
}

const change = (computer: string, expected: DelegationValues, desired: DelegationValues) => ({ changes: [{ computer, expected, desired }] });

describe('write limits on the lab backend (scenario AD)', { timeout: 120_000 }, () => {
  let t: Target;

  beforeAll(async () => {
    // The default lab plus a file server (no migration SPN) and a DC that even carries one.
    const scenario = parse(readFileSync(path.join(ROOT, 'lab/default.yaml'), 'utf8')) as { computers: Array<Record<string, unknown>> };
    scenario.computers.push(
      { name: 'FS01', dnsHostName: 'fs01.lab.test', servicePrincipalNames: ['HOST/FS01', 'HOST/fs01.lab.test', 'cifs/FS01', 'cifs/fs01.lab.test'] },
      { name: 'DC01', dnsHostName: 'dc01.lab.test', userAccountControl: 0x82000, servicePrincipalNames: ['HOST/DC01', 'ldap/dc01.lab.test', `${MIG}/DC01`, `${MIG}/dc01.lab.test`] },
    );
    const dir = tempDir('relay-limits-lab-');
    const file = path.join(dir, 'scenario.yaml');
    writeFileSync(file, stringify(scenario));
    const audit = path.join(dir, 'audit.jsonl');
    const r = await startRelayProcess({ LAB_SCENARIO: file, RELAY_KEYS: `bot:${KEY.secret}`, RELAY_WRITES_ENABLED: 'true', RELAY_APPROVAL_KEY: APPROVAL_KEY, RELAY_AUDIT_LOG: audit });
    relays.push(r);
    t = { url: r.url, audit };
  });

  it('refuses setting 0x80000 (unconstrained delegation), with a valid token', async () => {
    const [hv01] = await computers(t, 'HV01');
    const v = valuesOf(hv01!);
    await expectRefused(t, 'directory.apply-delegation', change('HV01', v, { ...v, userAccountControl: v.userAccountControl | 0x80000 }), ['HV01'], 'sets 0x80000 (unconstrained delegation): the relay only sets 0x1000000 and clears 0x80000');
  });

  it('refuses clearing 0x1000000 and changing any other userAccountControl bit', async () => {
    const [hv01] = await computers(t, 'HV01');
    const v = valuesOf(hv01!);
    expect(v.userAccountControl & 0x1000000).not.toBe(0);
    await expectRefused(t, 'directory.apply-delegation', change('HV01', v, { ...v, userAccountControl: v.userAccountControl & ~0x1000000 }), ['HV01'], 'changes bits 0x1000000');
    await expectRefused(t, 'directory.apply-delegation', change('HV01', v, { ...v, userAccountControl: v.userAccountControl | 0x2 }), ['HV01'], 'changes bits 0x2');
  });

  it('near miss: setting 0x1000000 (the Kerberos-only fix of HV02) is written', async () => {
    const [hv02] = await computers(t, 'HV02');
    const v = valuesOf(hv02!);
    expect(v.userAccountControl).toBe(0x1000);
    const answer = await post(t, 'directory.apply-delegation', change('HV02', v, { ...v, userAccountControl: 0x1001000 }));
    expect(answer.status, answer.text).toBe(200);
    expect((await computers(t, 'HV02'))[0]!.userAccountControl).toBe(0x1001000);
  });

  it('refuses adding an SPN of a computer that is not a Hyper-V host, of a DC, of the computer itself, or of a host name that is not the host\'s', async () => {
    const [hv01] = await computers(t, 'HV01');
    const v = valuesOf(hv01!);
    const adding = (spn: string) => change('HV01', v, { ...v, allowedToDelegateTo: [...v.allowedToDelegateTo, spn] });
    await expectRefused(t, 'directory.apply-delegation', adding('HOST/FS01'), ['HV01', 'FS01'], 'FS01 (the host of the added SPN HOST/FS01) is not a Hyper-V host');
    await expectRefused(t, 'directory.apply-delegation', adding('cifs/DC01'), ['HV01'], 'is a domain controller');
    await expectRefused(t, 'directory.apply-delegation', adding(`${MIG}/dc01.lab.test`), ['HV01', 'DC01'], 'DC01 (the host of the added SPN');
    await expectRefused(t, 'directory.apply-delegation', adding(`${MIG}/DC01`), ['HV01'], 'is a domain controller');
    await expectRefused(t, 'directory.apply-delegation', adding(`${MIG}/hv01.lab.test`), ['HV01'], 'an added SPN must point at another Hyper-V host, not the computer itself');
    await expectRefused(t, 'directory.apply-delegation', adding('cifs/hv02.attacker.test'), ['HV01'], 'does not name HV02 by its short or DNS name');
  });

  it('near miss: cifs of a file server (not a DC) is written, for VM storage on its SMB share', async () => {
    const [hv01] = await computers(t, 'HV01');
    const v = valuesOf(hv01!);
    const answer = await post(t, 'directory.apply-delegation', change('HV01', v, { ...v, allowedToDelegateTo: [...v.allowedToDelegateTo, 'cifs/FS01', 'cifs/fs01.lab.test'] }));
    expect(answer.status, answer.text).toBe(200);
    expect((await computers(t, 'HV01'))[0]!.allowedToDelegateTo).toEqual(expect.arrayContaining(['cifs/FS01', 'cifs/fs01.lab.test']));
  });

  it('near miss: adding the missing FQDN migration SPN of another Hyper-V host is written', async () => {
    const [hv01] = await computers(t, 'HV01');
    const v = valuesOf(hv01!);
    expect(v.allowedToDelegateTo).not.toContain(`${MIG}/hv03.lab.test`);
    const answer = await post(t, 'directory.apply-delegation', change('HV01', v, { ...v, allowedToDelegateTo: [...v.allowedToDelegateTo, `${MIG}/hv03.lab.test`] }));
    expect(answer.status, answer.text).toBe(200);
    expect((await computers(t, 'HV01'))[0]!.allowedToDelegateTo).toContain(`${MIG}/hv03.lab.test`);
  });

  it('refuses any change to a computer that is not a Hyper-V host, or that is a DC (stated, or hidden in `expected`)', async () => {
    const [fs01, dc01] = await computers(t, 'FS01', 'DC01');
    const f = valuesOf(fs01!);
    await expectRefused(t, 'directory.apply-delegation', change('FS01', f, { ...f, allowedToDelegateTo: [`${MIG}/HV02`] }), ['FS01'], 'FS01 (the computer to change) is not a Hyper-V host');
    const d = valuesOf(dc01!);
    await expectRefused(t, 'directory.apply-delegation', change('DC01', d, { ...d, allowedToDelegateTo: [`${MIG}/HV02`] }), ['DC01'], 'the relay never changes a domain controller');
    // `expected` lies about the DC bit: the compare-and-swap would catch it, the write limits first.
    const lying = { ...d, userAccountControl: 0x1000 };
    await expectRefused(t, 'directory.apply-delegation', change('DC01', lying, { ...lying, allowedToDelegateTo: [`${MIG}/HV02`] }), ['DC01'], 'DC01 (the computer to change) is a domain controller');
    await expectRefused(t, 'host.purge-tickets', { node: 'FS01' }, ['FS01'], 'FS01 (the node to change) is not a Hyper-V host');
  });

  it('refuses RBCD that grants anything but another Hyper-V host; near miss: granting one is written', async () => {
    const [hv04] = await computers(t, 'HV04');
    const v = valuesOf(hv04!, true);
    const granting = (name: string) => change('HV04', v, { ...v, allowedToActOnBehalfOf: [...v.allowedToActOnBehalfOf!, name] });
    await expectRefused(t, 'directory.apply-delegation', granting('FS01'), ['HV04'], 'FS01 (an RBCD grantee) is not a Hyper-V host');
    await expectRefused(t, 'directory.apply-delegation', granting('DC01'), ['HV04'], 'DC01 (an RBCD grantee) is a domain controller');
    await expectRefused(t, 'directory.apply-delegation', granting('HV04'), ['HV04'], 'RBCD may grant only other Hyper-V hosts');
    const answer = await post(t, 'directory.apply-delegation', granting('HV02'));
    expect(answer.status, answer.text).toBe(200);
    expect((await computers(t, 'HV04'))[0]!.allowedToActOnBehalfOf).toContain('HV02');
  });
});

describe('write limits on lab-directory (the real Samba DC)', { timeout: 120_000 }, () => {
  let samba: SambaConnection;
  let t: Target;
  let dcName: string;
  const names = ['WLHV01', 'WLHV02', 'WLFS01'];

  beforeAll(async () => {
    samba = useSamba();
    for (const n of names) await deleteComputer(samba, n);
    for (const n of ['WLHV01', 'WLHV02']) await createComputer(samba, n, { spns: [`${MIG}/${n}`, `${MIG}/${n.toLowerCase()}.${samba.dnsDomain}`] });
    await createComputer(samba, 'WLFS01', { spns: ['cifs/WLFS01'] });
    dcName = await withAdmin(samba, async (c) => {
      const { searchEntries } = await c.search(`OU=Domain Controllers,${samba.baseDn}`, { filter: '(objectClass=computer)', attributes: ['sAMAccountName'] });
      return String(searchEntries[0]!.sAMAccountName).replace(/\$$/, '');
    });
    const dir = tempDir('relay-limits-samba-');
    const audit = path.join(dir, 'audit.jsonl');
    const r = await startRelayProcess({
      RELAY_BACKEND: 'lab-directory',
      LAB_SCENARIO: path.join(ROOT, 'lab/default.yaml'),
      RELAY_KEYS: `bot:${KEY.secret}`,
      RELAY_WRITES_ENABLED: 'true',
      RELAY_APPROVAL_KEY: APPROVAL_KEY,
      RELAY_AUDIT_LOG: audit,
      ...sambaRelayEnv(samba),
    });
    relays.push(r);
    t = { url: r.url, audit };
  });
  afterAll(async () => {
    for (const n of names) await deleteComputer(samba, n);
  });

  it('refuses unconstrained delegation, delegation to a file server\'s HOST service, a change of the DC\'s own object and RBCD to a file server; AD unchanged', async () => {
    const before = await Promise.all([...names.map((n) => delegation.show(samba, `${n}$`)), delegation.show(samba, `${dcName}$`)]);
    const [hv01, dc] = await computers(t, 'WLHV01', dcName);
    const v = valuesOf(hv01!);
    await expectRefused(t, 'directory.apply-delegation', change('WLHV01', v, { ...v, userAccountControl: v.userAccountControl | 0x80000 }), ['WLHV01'], 'sets 0x80000');
    await expectRefused(t, 'directory.apply-delegation', change('WLHV01', v, { ...v, allowedToDelegateTo: ['HOST/WLFS01'] }), ['WLHV01', 'WLFS01'], 'WLFS01 (the host of the added SPN HOST/WLFS01) is not a Hyper-V host');
    const d = valuesOf(dc!);
    expect(d.userAccountControl & 0x2000).toBe(0x2000);
    await expectRefused(t, 'directory.apply-delegation', change(dcName, d, { ...d, allowedToDelegateTo: [`${MIG}/WLHV02`] }), [dcName], 'the relay never changes a domain controller');
    const lying = { ...d, userAccountControl: 0x1000 };
    await expectRefused(t, 'directory.apply-delegation', change(dcName, lying, { ...lying, allowedToDelegateTo: [`${MIG}/WLHV02`] }), [dcName], `${dcName} (the computer to change) is a domain controller`);
    const [hv02] = await computers(t, 'WLHV02');
    const r = valuesOf(hv02!, true);
    await expectRefused(t, 'directory.apply-delegation', change('WLHV02', r, { ...r, allowedToActOnBehalfOf: ['WLFS01'] }), ['WLHV02'], 'WLFS01 (an RBCD grantee) is not a Hyper-V host');
    await expectRefused(t, 'directory.apply-delegation', change('WLHV02', r, { ...r, allowedToActOnBehalfOf: [dcName] }), ['WLHV02'], 'is a domain controller');
    expect(await Promise.all([...names.map((n) => delegation.show(samba, `${n}$`)), delegation.show(samba, `${dcName}$`)])).toEqual(before);
  });

  it('near miss: the real fix (migration and cifs SPNs of the other host, protocol transition on) is written to AD', async () => {
    const [hv01, hv02] = await computers(t, 'WLHV01', 'WLHV02');
    const v = valuesOf(hv01!);
    const fqdn = `wlhv02.${samba.dnsDomain}`;
    const fix = change('WLHV01', v, { allowedToDelegateTo: [`${MIG}/WLHV02`, `${MIG}/${fqdn}`, 'cifs/WLHV02'], userAccountControl: v.userAccountControl | 0x1000000 });
    const answer = await post(t, 'directory.apply-delegation', fix);
    expect(answer.status, answer.text).toBe(200);
    const shown = await delegation.show(samba, 'WLHV01$');
    expect(shown.trustedToAuthForDelegation).toBe(true);
    expect(shown.trustedForDelegation).toBe(false);
    expect([...shown.allowedToDelegateTo].sort()).toEqual([`${MIG}/WLHV02`, `${MIG}/${fqdn}`, 'cifs/WLHV02'].sort());
    // RBCD's near miss is on the lab backend above: Samba before 4.19 lets only the DC itself
    // write msDS-AllowedToActOnBehalfOfOtherIdentity (test/integration/directory/apply-delegation.test.ts).
    expect(hv02!.allowedToActOnBehalfOf).toEqual([]);
  });
});
