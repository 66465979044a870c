import { describe, expect, it } from 'vitest';
import { allowedSids, buildRbcdDescriptor } from '../../../../../../src/relay/server/backends/directory/security-descriptor.js';
import { domainOf, ridOf, sidToBuffer, sidToString } from '../../../../../../src/relay/server/backends/directory/sid.js';

// The RBCD descriptor exactly as Samba 4.17 stored it for `samba-tool delegation add-principal
// HV02$ HV01$` (O:BAD:(A;;0xf01ff;;;<HV01's SID>)), read over LDAP from the test DC.
const SAMBA_DESCRIPTOR = Buffer.from(
  '01000480140000000000000000000000240000000102000000000005200000002002000004002c000100000000002400ff010f00' +
    '010500000000000515000000570d4fe2b25569d3e8c228fd50040000',
  'hex',
);
const HV01_SID = 'S-1-5-21-3796831575-3546895794-4247306984-1104';

function ace(type: number, mask: number, sid: string, objectType?: Buffer): Buffer {
  const s = sidToBuffer(sid);
  const extra = objectType ? Buffer.concat([Buffer.from([1, 0, 0, 0]), objectType]) : Buffer.alloc(0);
  const out = Buffer.alloc(8 + extra.length + s.length);
  out.writeUInt8(type, 0);
  out.writeUInt16LE(out.length, 2);
  out.writeUInt32LE(mask, 4);
  extra.copy(out, 8);
  s.copy(out, 8 + extra.length);
  return out;
}

/** A descriptor as Windows can write it: owner, group, and a DACL with object and deny ACEs. */
function windowsStyle(aces: Buffer[]): Buffer {
  const owner = sidToBuffer('S-1-5-32-544');
  const group = sidToBuffer('S-1-5-18');
  const acl = Buffer.alloc(8);
  acl.writeUInt8(4, 0);
  acl.writeUInt16LE(8 + aces.reduce((n, a) => n + a.length, 0), 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(0x8004, 2);
  header.writeUInt32LE(20, 4);
  header.writeUInt32LE(20 + owner.length, 8);
  header.writeUInt32LE(20 + owner.length + group.length, 16);
  return Buffer.concat([header, owner, group, acl, ...aces]);
}

describe('SIDs', () => {
  it('round-trips between the binary and the S-1-5-… form', () => {
    const sid = 'S-1-5-21-3796831575-3546895794-4247306984-525';
    expect(sidToString(sidToBuffer(sid))).toBe(sid);
    expect(ridOf(sid)).toBe(525);
    expect(domainOf(sid)).toBe('S-1-5-21-3796831575-3546895794-4247306984');
    expect(sidToBuffer('S-1-5-32-544').toString('hex')).toBe('01020000000000052000000020020000');
  });

  it('refuses malformed SIDs', () => {
    expect(() => sidToBuffer('S-1-5-21-x')).toThrow(/not a SID/);
    expect(() => sidToString(Buffer.from('0105000000', 'hex'))).toThrow(/truncated/);
  });
});

describe('RBCD security descriptor', () => {
  it('reads the SID a Samba-written descriptor allows', () => {
    expect(allowedSids(SAMBA_DESCRIPTOR)).toEqual([HV01_SID]);
  });

  it('builds byte for byte the descriptor Samba and Windows write', () => {
    expect(buildRbcdDescriptor([HV01_SID]).equals(SAMBA_DESCRIPTOR)).toBe(true);
  });

  it('round-trips several principals, and none', () => {
    const sids = [HV01_SID, 'S-1-5-21-3796831575-3546895794-4247306984-1105'];
    expect(allowedSids(buildRbcdDescriptor(sids))).toEqual(sids);
    expect(allowedSids(buildRbcdDescriptor([]))).toEqual([]);
  });

  it('counts object allow ACEs, and drops a SID that a deny ACE names', () => {
    const guid = Buffer.alloc(16, 7);
    const sd = windowsStyle([
      ace(0x06, 0x100, 'S-1-5-21-1-2-3-1002', guid), // denied (object ACE)
      ace(0x05, 0x100, 'S-1-5-21-1-2-3-1001', guid), // allowed (object ACE)
      ace(0x00, 0xf01ff, 'S-1-5-21-1-2-3-1002'),
      ace(0x00, 0xf01ff, 'S-1-5-21-1-2-3-1003'),
      ace(0x00, 0, 'S-1-5-21-1-2-3-1004'), // grants nothing
    ]);
    expect(allowedSids(sd)).toEqual(['S-1-5-21-1-2-3-1001', 'S-1-5-21-1-2-3-1003']);
  });

  it('throws on a truncated or non-self-relative descriptor instead of guessing', () => {
    expect(() => allowedSids(SAMBA_DESCRIPTOR.subarray(0, 50))).toThrow();
    const absolute = Buffer.from(SAMBA_DESCRIPTOR);
    absolute.writeUInt16LE(0x0004, 2);
    expect(() => allowedSids(absolute)).toThrow(/self-relative/);
  });
});
