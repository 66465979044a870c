import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from 'ldapts';
import { buildRbcdDescriptor } from '../../../src/relay/server/backends/directory/security-descriptor.js';
import { sidToString } from '../../../src/relay/server/backends/directory/sid.js';
import { MIGRATION_SERVICE, RelayError } from '../../../src/relay/protocol.js';
import { directoryClient, useSamba } from '../../helpers/samba-context.js';
import {
  addDuplicateSpn,
  addSpn,
  computerDn,
  createComputer,
  delegation,
  setRbcdDescriptorAsSystem,
  withAdmin,
  type SambaConnection,
} from '../../helpers/samba.js';

// directory.computers and directory.spn-owners against a real Samba AD DC, through the
// in-process relay client (so the protocol's validation applies both ways). The DC is shared
// by every test file of the run: this file owns the computers HV01–HV04 and HV03B.

const MIG = MIGRATION_SERVICE;
const ORPHAN_SID = 'S-1-5-21-1111111111-2222222222-3333333333-4444';
let samba: SambaConnection;

async function sidOf(name: string): Promise<string> {
  return withAdmin(samba, async (c) => {
    const { searchEntries } = await c.search(computerDn(samba, name), { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    return sidToString(searchEntries[0]!.objectSid as Buffer);
  });
}

beforeAll(async () => {
  samba = useSamba();
  // Independent computers are arranged in parallel: samba-tool's writes serialise on the DC's
  // database lock, but its ~0.4 s Python start-up does not.
  await Promise.all([
    (async () => {
      // HV01: "use any authentication protocol" to HV02, AES enabled.
      await createComputer(samba, 'HV01', { spns: [`${MIG}/HV01`, `${MIG}/hv01.lab.test`, 'HOST/HV01', 'HOST/hv01.lab.test'], supportedEncryptionTypes: 0x1c });
      for (const spn of [`${MIG}/HV02`, `${MIG}/hv02.lab.test`, 'cifs/HV02', 'cifs/hv02.lab.test']) await delegation.addService(samba, 'HV01', spn);
      await delegation.forAnyProtocol(samba, 'HV01', true);
    })(),
    (async () => {
      // HV02: "Kerberos only" (list filled, no protocol transition); RBCD is added below.
      await createComputer(samba, 'HV02', { spns: [`${MIG}/HV02`, `${MIG}/hv02.lab.test`] });
      await delegation.addService(samba, 'HV02', `${MIG}/HV01`);
    })(),
    (async () => {
      // HV03: unconstrained delegation, RC4 only; its migration SPN also sits on HV03B.
      await createComputer(samba, 'HV03', { spns: [`${MIG}/HV03`], supportedEncryptionTypes: 0x4 });
      await delegation.forAnyService(samba, 'HV03', true);
      await createComputer(samba, 'HV03B');
      await addDuplicateSpn(samba, computerDn(samba, 'HV03B'), `${MIG}/HV03`);
    })(),
    (async () => {
      // HV04: never had its dNSHostName written; one SPN added the way an admin would.
      await createComputer(samba, 'HV04', { dnsHostName: null });
      await addSpn(samba, 'HV04', 'HOST/HV04');
    })(),
  ]);
  // HV02's RBCD descriptor, of our own making, granting HV01 and HV03.
  const descriptor = buildRbcdDescriptor([await sidOf('HV01'), await sidOf('HV03')]);
  await setRbcdDescriptorAsSystem(samba, computerDn(samba, 'HV02'), descriptor);
  // HV04 grants a principal that no longer exists.
  await setRbcdDescriptorAsSystem(samba, computerDn(samba, 'HV04'), buildRbcdDescriptor([ORPHAN_SID]));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('directory.computers on Samba', () => {
  it('reads every requested node in one search and decodes what AD holds', async () => {
    const search = vi.spyOn(Client.prototype, 'search');
    const relay = directoryClient(samba);
    const started = Date.now();
    const r = await relay.call('directory.computers', { names: ['HV01', 'hv02.lab.test', 'HV03', 'hv04.lab.test', 'HV99', 'hv05.other.test'] });

    const computerSearches = search.mock.calls.filter(([, opts]) => String(opts?.filter).includes('(objectCategory=computer)'));
    expect(computerSearches).toHaveLength(1);
    expect(computerSearches[0]![1]?.paged).toEqual({ pageSize: 500 });
    expect(r.domain).toEqual({ fqdn: 'lab.test', netbios: 'LAB' });
    expect(r.notFound).toEqual(['HV99', 'hv05.other.test']);
    expect(Math.abs(Date.parse(r.currentTime!) - started)).toBeLessThan(60_000);
    expect(r.computers.map((c) => c.name)).toEqual(['HV01', 'HV02', 'HV03', 'HV04']);

    const [hv01, hv02, hv03, hv04] = r.computers;
    expect(hv01).toMatchObject({ distinguishedName: 'CN=HV01,CN=Computers,DC=lab,DC=test', dnsHostName: 'hv01.lab.test', userAccountControl: 0x1001000, supportedEncryptionTypes: 0x1c, allowedToActOnBehalfOf: [] });
    expect([...hv01!.allowedToDelegateTo].sort()).toEqual([`${MIG}/HV02`, `${MIG}/hv02.lab.test`, 'cifs/HV02', 'cifs/hv02.lab.test'].sort());
    expect([...hv01!.servicePrincipalNames].sort()).toEqual(['HOST/HV01', 'HOST/hv01.lab.test', `${MIG}/HV01`, `${MIG}/hv01.lab.test`].sort());
    // Kerberos only: a list but no TRUSTED_TO_AUTH_FOR_DELEGATION; RBCD decoded to names.
    expect(hv02).toMatchObject({ userAccountControl: 0x1000, allowedToDelegateTo: [`${MIG}/HV01`], supportedEncryptionTypes: null });
    expect([...hv02!.allowedToActOnBehalfOf].sort()).toEqual(['HV01', 'HV03']);
    expect(hv03!.userAccountControl & 0x80000).toBe(0x80000);
    expect(hv03!.supportedEncryptionTypes).toBe(0x4);
    expect(hv04!.dnsHostName).toBeNull();
    expect(hv04!.servicePrincipalNames).toEqual(['HOST/HV04']);
    expect(hv04!.allowedToActOnBehalfOf).toEqual([ORPHAN_SID]); // unresolved SIDs stay visible
  });

  it('writes an RBCD descriptor Samba itself reads back as the same principals', async () => {
    const shown = await delegation.show(samba, 'HV02$');
    expect(shown.allowedToActOnBehalfOf.sort()).toEqual([computerDn(samba, 'HV01'), computerDn(samba, 'HV03')]);
    expect(shown.trustedToAuthForDelegation).toBe(false);
  });
});

describe('directory.spn-owners on Samba', () => {
  it('finds a duplicate migration SPN and the single owner of a healthy one, in one search', async () => {
    const search = vi.spyOn(Client.prototype, 'search');
    const r = await directoryClient(samba).call('directory.spn-owners', { spns: [`${MIG}/HV03`, `${MIG}/hv01.lab.test`, `${MIG}/HV99`] });
    expect(r.owners).toEqual([
      { spn: `${MIG}/HV03`, accounts: ['HV03', 'HV03B'] },
      { spn: `${MIG}/hv01.lab.test`, accounts: ['HV01'] },
      { spn: `${MIG}/HV99`, accounts: [] },
    ]);
    expect(search.mock.calls.filter(([, o]) => String(o?.filter).includes('servicePrincipalName'))).toHaveLength(1);
  });
});

describe('hostile input never reaches LDAP', () => {
  const hostileNames = ['*', 'HV01)(objectClass=*', 'HV01*', 'HV01\\2a', 'HV01\u0000', '(|(cn=*))', 'HV01$', 'ΗV01', 'HV01 ', 'a'.repeat(254), "HV01'; whoami"];
  const hostileSpns = ['cifs/*', `${MIG}/HV01)(cn=*`, 'ldap/HV01', 'cifs/HV01\u0000', `${MIG}/`];
  const hostileIds = ['*@lab.test', 'alice)(mail=*@lab.test', 'alice', 'alice@lab.test\u0000'];

  it('answers BAD_REQUEST before any LDAP traffic', async () => {
    const search = vi.spyOn(Client.prototype, 'search');
    const bind = vi.spyOn(Client.prototype, 'bind');
    const relay = directoryClient(samba);
    const calls = [
      ...hostileNames.map((n) => relay.call('directory.computers', { names: ['HV01', n] })),
      ...hostileSpns.map((s) => relay.call('directory.spn-owners', { spns: [s] })),
      ...hostileIds.map((id) => relay.call('directory.user', { id })),
    ];
    const results = await Promise.allSettled(calls);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RelayError);
      expect(((r as PromiseRejectedResult).reason as RelayError).code).toBe('BAD_REQUEST');
    }
    expect(bind).not.toHaveBeenCalled();
    expect(search).not.toHaveBeenCalled();
  });
});

describe('reaching the DC', () => {
  it('upgrades ldap:// with StartTLS and verifies the certificate', async () => {
    const r = await directoryClient(samba, { url: `ldap://${samba.host}:389`, startTls: true }).call('directory.computers', { names: ['HV01'] });
    expect(r.computers.map((c) => c.name)).toEqual(['HV01']);
  });

  it('reports a wrong bind password as DIRECTORY_UNREACHABLE naming the setting', async () => {
    const relay = directoryClient(samba, { reader: { dn: samba.reader.dn, password: 'wrong-password' } });
    await expect(relay.call('directory.computers', { names: ['HV01'] })).rejects.toMatchObject({ code: 'DIRECTORY_UNREACHABLE', message: expect.stringMatching(/LDAP_BIND_PASSWORD/) });
  });

  it('refuses a DC whose certificate the configured CA did not sign', async () => {
    const relay = directoryClient(samba, { caFile: undefined });
    await expect(relay.call('directory.computers', { names: ['HV01'] })).rejects.toMatchObject({ code: 'DIRECTORY_UNREACHABLE', message: expect.stringMatching(/not trusted.*LDAP_CA_FILE/) });
  });

  it('gets no simple bind over plain LDAP from a DC left at its defaults, even when plain is allowed', async () => {
    const relay = directoryClient(samba, { url: `ldap://${samba.host}:389`, allowPlain: true });
    await expect(relay.call('directory.computers', { names: ['HV01'] })).rejects.toMatchObject({ code: 'DIRECTORY_UNREACHABLE', message: expect.stringMatching(/refused the relay's bind \(StrongAuthRequired/) });
  });

  it('reports a DC that does not answer as DIRECTORY_UNREACHABLE', async () => {
    const relay = directoryClient(samba, { url: 'ldaps://127.0.0.1:1' });
    await expect(relay.call('directory.computers', { names: ['HV01'] })).rejects.toMatchObject({ code: 'DIRECTORY_UNREACHABLE', message: expect.stringMatching(/cannot reach the directory at 127\.0\.0\.1:1/) });
  });
});
