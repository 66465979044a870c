import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_SERVICE } from '../../../src/relay/protocol.js';
import { TEST_APPROVAL, directoryClient, useSamba } from '../../helpers/samba-context.js';
import { createComputer, type SambaConnection } from '../../helpers/samba.js';

// Issue 19 against the real Samba AD DC: dc.list finds the DC by its computer object (0x2000)
// and its site by its server object, and directory.replication reads the delegation attributes
// as that DC holds them, refusing to contact a DC the directory does not list. Owns DCR01–DCR02.

let samba: SambaConnection;

beforeAll(async () => {
  samba = useSamba();
  await createComputer(samba, 'DCR01', { userAccountControl: 0x1000 });
  await createComputer(samba, 'DCR02', { spns: [`${MIGRATION_SERVICE}/DCR02`, `${MIGRATION_SERVICE}/dcr02.${samba.dnsDomain}`] });
}, 120_000);

describe('dc.list', () => {
  it('lists the DC with its site, and no ordinary computer', async () => {
    const { dcs } = await directoryClient(samba).call('dc.list', {});
    expect(dcs.length).toBe(1);
    const [dc] = dcs;
    expect(dc!.site).toBe('Default-First-Site-Name');
    expect(dc!.readOnly).toBe(false);
    expect(dc!.dnsHostName?.toLowerCase().endsWith(`.${samba.dnsDomain}`)).toBe(true);
    expect(dcs.map((d) => d.name)).not.toContain('DCR01');
  });
});

describe('directory.replication', () => {
  it('reads each computer as the DC holds it, and shows a write once the DC carries it', async () => {
    const relay = directoryClient(samba);
    const { dcs } = await relay.call('dc.list', {});
    const dc = dcs[0]!.name;
    const before = await relay.call('directory.replication', { computers: ['DCR01', 'NOSUCH01'], dcs: [dc] });
    expect(before.dcs).toEqual([
      {
        dc,
        ok: true,
        computers: [
          { computer: 'DCR01', found: true, allowedToDelegateTo: [], userAccountControl: 0x1000, allowedToActOnBehalfOf: [] },
          { computer: 'NOSUCH01', found: false, allowedToDelegateTo: [], userAccountControl: null, allowedToActOnBehalfOf: [] },
        ],
      },
    ]);
    const wanted = [`${MIGRATION_SERVICE}/DCR02`, 'cifs/DCR02'];
    await relay.call('directory.apply-delegation', {
      approval: TEST_APPROVAL,
      changes: [{ computer: 'DCR01', expected: { allowedToDelegateTo: [], userAccountControl: 0x1000 }, desired: { allowedToDelegateTo: wanted, userAccountControl: 0x1001000 } }],
    });
    const after = await relay.call('directory.replication', { computers: ['DCR01'], dcs: [dcs[0]!.dnsHostName!] });
    const entry = after.dcs[0]!;
    expect(entry.ok).toBe(true);
    if (!entry.ok) return;
    expect([...entry.computers[0]!.allowedToDelegateTo].sort()).toEqual([...wanted].sort());
    expect(entry.computers[0]!.userAccountControl).toBe(0x1001000);
  });

  it('never contacts a DC the directory does not list: that DC is an UNKNOWN_HOST entry', async () => {
    const { dcs } = await directoryClient(samba).call('directory.replication', { computers: ['DCR01'], dcs: ['evil.example.com', 'DCR01'] });
    expect(dcs).toEqual([
      { dc: 'evil.example.com', ok: false, error: { code: 'UNKNOWN_HOST', message: 'evil.example.com is not a domain controller the directory lists' } },
      { dc: 'DCR01', ok: false, error: { code: 'UNKNOWN_HOST', message: 'DCR01 is not a domain controller the directory lists' } },
    ]);
  });
});
