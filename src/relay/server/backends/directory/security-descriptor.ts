import { readSid, sidToBuffer } from './sid.js';

// msDS-AllowedToActOnBehalfOfOtherIdentity (RBCD) holds a self-relative SECURITY_DESCRIPTOR
// (MS-DTYP 2.4.6). The KDC grants S4U2proxy to a principal the DACL allows, so what the bot
// needs from it is the set of SIDs it allows: allow ACEs, minus SIDs that a deny ACE names
// (deny wins in the canonical ACE order Windows writes).

const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const ACCESS_ALLOWED = 0x00;
const ACCESS_DENIED = 0x01;
const ACCESS_ALLOWED_OBJECT = 0x05;
const ACCESS_DENIED_OBJECT = 0x06;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;
/** What Set-ADComputer -PrincipalsAllowedToDelegateToAccount and Samba write: full control. */
const RBCD_ACCESS_MASK = 0x000f01ff;
const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';
const ACL_REVISION_DS = 4;

function aceSid(buf: Buffer, ace: number, type: number): string {
  if (type === ACCESS_ALLOWED || type === ACCESS_DENIED) return readSid(buf, ace + 8).sid;
  const flags = buf.readUInt32LE(ace + 8);
  let at = ace + 12;
  if (flags & ACE_OBJECT_TYPE_PRESENT) at += 16;
  if (flags & ACE_INHERITED_OBJECT_TYPE_PRESENT) at += 16;
  return readSid(buf, at).sid;
}

/** The SIDs the descriptor's DACL allows, in ACE order. Throws on a malformed descriptor. */
export function allowedSids(sd: Buffer): string[] {
  if (sd.length < 20 || sd.readUInt8(0) !== 1) throw new Error('not a self-relative security descriptor');
  const control = sd.readUInt16LE(2);
  if (!(control & SE_SELF_RELATIVE)) throw new Error('security descriptor is not self-relative');
  const daclOffset = sd.readUInt32LE(16);
  if (!(control & SE_DACL_PRESENT) || daclOffset === 0) return [];
  if (sd.length < daclOffset + 8) throw new Error('DACL is truncated');
  const aclSize = sd.readUInt16LE(daclOffset + 2);
  const count = sd.readUInt16LE(daclOffset + 4);
  const end = daclOffset + aclSize;
  if (sd.length < end) throw new Error('DACL is truncated');
  const allowed: string[] = [];
  const denied = new Set<string>();
  let ace = daclOffset + 8;
  for (let i = 0; i < count; i++) {
    if (ace + 4 > end) throw new Error('ACE is truncated');
    const type = sd.readUInt8(ace);
    const size = sd.readUInt16LE(ace + 2);
    if (size < 4 || ace + size > end) throw new Error('ACE size is out of bounds');
    if (type === ACCESS_ALLOWED || type === ACCESS_ALLOWED_OBJECT) {
      if (sd.readUInt32LE(ace + 4) !== 0) allowed.push(aceSid(sd, ace, type));
    } else if (type === ACCESS_DENIED || type === ACCESS_DENIED_OBJECT) {
      denied.add(aceSid(sd, ace, type));
    }
    ace += size;
  }
  return [...new Set(allowed)].filter((sid) => !denied.has(sid));
}

/** The descriptor Windows writes for RBCD: owner BUILTIN\Administrators, one allow ACE per SID. */
export function buildRbcdDescriptor(sids: string[]): Buffer {
  const owner = sidToBuffer(BUILTIN_ADMINISTRATORS);
  const aces = sids.map((sid) => {
    const s = sidToBuffer(sid);
    const ace = Buffer.alloc(8 + s.length);
    ace.writeUInt8(ACCESS_ALLOWED, 0);
    ace.writeUInt8(0, 1);
    ace.writeUInt16LE(ace.length, 2);
    ace.writeUInt32LE(RBCD_ACCESS_MASK, 4);
    s.copy(ace, 8);
    return ace;
  });
  const aclSize = 8 + aces.reduce((n, a) => n + a.length, 0);
  const acl = Buffer.alloc(8);
  acl.writeUInt8(ACL_REVISION_DS, 0);
  acl.writeUInt16LE(aclSize, 2);
  acl.writeUInt16LE(aces.length, 4);
  const header = Buffer.alloc(20);
  header.writeUInt8(1, 0);
  header.writeUInt16LE(SE_SELF_RELATIVE | SE_DACL_PRESENT, 2);
  header.writeUInt32LE(20, 4); // owner right after the header
  header.writeUInt32LE(20 + owner.length, 16); // DACL after the owner; no group, no SACL
  return Buffer.concat([header, owner, acl, ...aces]);
}
