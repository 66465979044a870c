import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from 'ldapts';
import type { Computer, DelegationValues, OpParams } from '../../../src/relay/protocol.js';
import { MIGRATION_SERVICE, RelayError } from '../../../src/relay/protocol.js';
import { buildRbcdDescriptor } from '../../../src/relay/server/backends/directory/security-descriptor.js';
import { sidToString } from '../../../src/relay/server/backends/directory/sid.js';
import { TEST_APPROVAL, directoryClient, useSamba } from '../../helpers/samba-context.js';
import {
  computerDn,
  createComputer,
  delegation,
  sambaTool,
  sambaVersionAtLeast,
  setRbcdDescriptorAsSystem,
  withAdmin,
  type DelegationShow,
  type SambaConnection,
} from '../../helpers/samba.js';

// directory.apply-delegation against a real Samba AD DC: the fix lands as planned (checked with
// `samba-tool delegation show`), and every way it can go wrong writes nothing. This file owns
// the computers HV11–HV19.

const MIG = MIGRATION_SERVICE;
const PROTOCOL_TRANSITION = 0x1000000;
const UNCONSTRAINED = 0x80000;
let samba: SambaConnection;

const sorted = (values: string[]): string[] => [...values].sort((a, b) => a.localeCompare(b));

/** docs/domain.md "The fix": for every peer D, migration service and cifs, short and FQDN. */
function required(source: string, peers: string[]): string[] {
  return peers.filter((p) => p !== source).flatMap((d) => [`${MIG}/${d}`, `${MIG}/${d.toLowerCase()}.lab.test`, `cifs/${d}`, `cifs/${d.toLowerCase()}.lab.test`]);
}

const valuesOf = (c: Computer): DelegationValues => ({ allowedToDelegateTo: c.allowedToDelegateTo, userAccountControl: c.userAccountControl, allowedToActOnBehalfOf: c.allowedToActOnBehalfOf });

/** The plan the remediation module would make: full KCD to the peers, protocol transition on, unconstrained off. */
async function plan(names: string[], peers = names): Promise<OpParams<'directory.apply-delegation'>> {
  const { computers } = await directoryClient(samba).call('directory.computers', { names });
  return {
    approval: TEST_APPROVAL,
    changes: computers.map((c) => ({
      computer: c.name,
      expected: valuesOf(c),
      desired: { allowedToDelegateTo: required(c.name, peers), userAccountControl: (c.userAccountControl | PROTOCOL_TRANSITION) & ~UNCONSTRAINED },
    })),
  };
}

async function sidOf(dn: string): Promise<string> {
  return withAdmin(samba, async (c) => {
    const { searchEntries } = await c.search(dn, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    return sidToString(searchEntries[0]!.objectSid as Buffer);
  });
}

async function shows(...names: string[]): Promise<DelegationShow[]> {
  return Promise.all(names.map((n) => delegation.show(samba, `${n}$`)));
}

async function applyFails(params: OpParams<'directory.apply-delegation'>, account: 'writer' | 'reader' = 'writer'): Promise<RelayError> {
  const relay = directoryClient(samba, account === 'reader' ? { writer: { dn: samba.reader.dn, password: samba.reader.password } } : {});
  const err = await relay.call('directory.apply-delegation', params).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(RelayError);
  return err as RelayError;
}

beforeAll(async () => {
  samba = useSamba();
  await createComputer(samba, 'HV11', { spns: [`${MIG}/HV11`, `${MIG}/hv11.lab.test`] });
  await delegation.addService(samba, 'HV11', `${MIG}/HV12`); // Kerberos only, one value of eight
  await delegation.addService(samba, 'HV11', 'cifs/OLD01'); // a stale value the fix removes
  await createComputer(samba, 'HV12', { spns: [`${MIG}/HV12`], userAccountControl: 0x1000 | UNCONSTRAINED });
  for (const name of ['HV13', 'HV14', 'HV15', 'HV16', 'HV17', 'HV18']) await createComputer(samba, name);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('directory.apply-delegation on Samba', () => {
  it('applies the planned fix in one modify per computer, and AD holds exactly the plan', async () => {
    const params = await plan(['HV11', 'HV12']);
    const modify = vi.spyOn(Client.prototype, 'modify');
    const result = await directoryClient(samba).call('directory.apply-delegation', params);
    expect(modify.mock.calls.map(([dn]) => dn)).toEqual([computerDn(samba, 'HV11'), computerDn(samba, 'HV12')]);

    const [hv11, hv12] = await shows('HV11', 'HV12');
    expect(sorted(hv11!.allowedToDelegateTo)).toEqual(sorted(required('HV11', ['HV12'])));
    expect(sorted(hv12!.allowedToDelegateTo)).toEqual(sorted(required('HV12', ['HV11'])));
    for (const s of [hv11!, hv12!]) expect(s).toMatchObject({ trustedToAuthForDelegation: true, trustedForDelegation: false });

    expect(result.applied.map((a) => a.computer)).toEqual(['HV11', 'HV12']);
    expect(sorted(result.applied[0]!.before.allowedToDelegateTo)).toEqual(sorted([`${MIG}/HV12`, 'cifs/OLD01']));
    expect(result.applied[0]!.before.userAccountControl).toBe(0x1000);
    expect(result.applied[1]!.before.userAccountControl).toBe(0x1000 | UNCONSTRAINED);
    expect(sorted(result.applied[0]!.after.allowedToDelegateTo)).toEqual(sorted(hv11!.allowedToDelegateTo));
    expect(result.applied.map((a) => a.after.userAccountControl)).toEqual([0x1000 | PROTOCOL_TRANSITION, 0x1000 | PROTOCOL_TRANSITION]);
  });

  it('answers CONFLICT with the current values and writes nothing when AD changed after the plan', async () => {
    const params = await plan(['HV13', 'HV14']);
    await delegation.addService(samba, 'HV14', 'cifs/SNEAKY'); // an admin, between plan and approval
    const before = await shows('HV13', 'HV14');

    const err = await applyFails(params);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/HV14 \(msDS-AllowedToDelegateTo\).*nothing was written/);
    const current = (err.details as { current: Array<{ computer: string } & DelegationValues> }).current;
    expect(current.find((c) => c.computer === 'HV14')!.allowedToDelegateTo).toEqual(['cifs/SNEAKY']);
    expect(await shows('HV13', 'HV14')).toEqual(before);
  });

  it('sees a userAccountControl change underneath as a conflict too', async () => {
    const params = await plan(['HV13']);
    await delegation.forAnyService(samba, 'HV13', true);
    const err = await applyFails(params);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/HV13 \(userAccountControl\)/);
    expect((await shows('HV13'))[0]).toMatchObject({ trustedForDelegation: true, trustedToAuthForDelegation: false, allowedToDelegateTo: [] });
  });

  it('rolls back the computers already written when the DC refuses a later one', async () => {
    const writerSid = await sidOf(samba.writer.dn);
    await sambaTool(samba, 'dsacl', 'set', `--objectdn=${computerDn(samba, 'HV16')}`, `--sddl=(D;;WP;;;${writerSid})`);
    const params = await plan(['HV15', 'HV16']);
    const before = await shows('HV15', 'HV16');

    const err = await applyFails(params);
    expect(err.code).toBe('BACKEND_ERROR');
    expect(err.message).toMatch(/refused to change the delegation of HV16 .*HV15 had been written and was rolled back/);
    expect(await shows('HV15', 'HV16')).toEqual(before);
  });

  it('cannot write with the least-privilege read account', async () => {
    const params = await plan(['HV17']);
    const err = await applyFails(params, 'reader');
    expect(err.code).toBe('BACKEND_ERROR');
    expect(err.message).toMatch(/InsufficientAccess/);
    expect((await shows('HV17'))[0]).toMatchObject({ trustedToAuthForDelegation: false, allowedToDelegateTo: [] });
  });

  it('refuses to touch userAccountControl bits other than the delegation ones', async () => {
    const params = await plan(['HV17']);
    params.changes[0]!.desired.userAccountControl |= 0x2; // ACCOUNTDISABLE
    const err = await applyFails(params);
    expect(err.code).toBe('BAD_REQUEST');
    expect((await shows('HV17'))[0]!.allowedToDelegateTo).toEqual([]);
  });

  it('fixes KCD on a computer whose RBCD names a user, leaving RBCD out of a change that did not ask about it', async () => {
    await setRbcdDescriptorAsSystem(samba, computerDn(samba, 'HV18'), buildRbcdDescriptor([await sidOf(samba.writer.dn)]));
    const params = await plan(['HV18'], ['HV18', 'HV17']);
    delete params.changes[0]!.expected.allowedToActOnBehalfOf;
    const result = await directoryClient(samba).call('directory.apply-delegation', params);
    const after = result.applied[0]!.after;
    expect(Object.keys(after).sort()).toEqual(['allowedToDelegateTo', 'userAccountControl']);
    expect(sorted(after.allowedToDelegateTo)).toEqual(sorted(required('HV18', ['HV17'])));
    expect(after.userAccountControl).toBe(0x1000 | PROTOCOL_TRANSITION);
    expect((await shows('HV18'))[0]!.allowedToActOnBehalfOf).toEqual([samba.writer.dn]);
  });

  it('refuses an RBCD change that does not say what it expects now', async () => {
    const params = await plan(['HV17']);
    delete params.changes[0]!.expected.allowedToActOnBehalfOf;
    params.changes[0]!.desired.allowedToActOnBehalfOf = ['HV15'];
    expect((await applyFails(params)).code).toBe('BAD_REQUEST');
  });

  it('writes RBCD as one descriptor with the KCD change, or not at all', async () => {
    const params = await plan(['HV17'], ['HV17', 'HV15']);
    params.changes[0]!.desired.allowedToActOnBehalfOf = ['HV15'];
    const relay = directoryClient(samba);
    if (await sambaVersionAtLeast(4, 19)) {
      await relay.call('directory.apply-delegation', params);
      expect((await shows('HV17'))[0]!.allowedToActOnBehalfOf).toEqual([computerDn(samba, 'HV15')]);
      return;
    }
    // Samba before 4.19 lets only the DC itself write msDS-AllowedToActOnBehalfOfOtherIdentity.
    // The refusal must leave the KCD half of the same modify unwritten as well.
    const err = await applyFails(params);
    expect(err.code).toBe('BACKEND_ERROR');
    expect(err.message).toMatch(/HV17.*Nothing was written/);
    expect((await shows('HV17'))[0]).toMatchObject({ allowedToDelegateTo: [], allowedToActOnBehalfOf: [], trustedToAuthForDelegation: false });
  });
});
