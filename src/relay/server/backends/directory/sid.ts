// Security identifiers (MS-DTYP 2.4.2): the binary form AD stores in objectSid and inside
// security descriptors, and the S-1-5-21-… string form people and filters use.

/** Parses a binary SID starting at `offset`; returns the string form and its length in bytes. */
export function readSid(buf: Buffer, offset = 0): { sid: string; length: number } {
  if (buf.length < offset + 8) throw new Error('SID is truncated');
  const revision = buf.readUInt8(offset);
  const count = buf.readUInt8(offset + 1);
  const length = 8 + 4 * count;
  if (revision !== 1 || count > 15 || buf.length < offset + length) throw new Error('malformed SID');
  const authority = buf.readUIntBE(offset + 2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(offset + 8 + 4 * i));
  return { sid: ['S', revision, authority, ...subs].join('-'), length };
}

export function sidToString(buf: Buffer): string {
  return readSid(buf).sid;
}

const SID_PATTERN = /^S-1-(\d{1,15})((?:-\d{1,10}){0,15})$/;

export function sidToBuffer(sid: string): Buffer {
  const m = SID_PATTERN.exec(sid);
  if (!m) throw new Error(`not a SID: ${sid}`);
  const subs = m[2] ? m[2].slice(1).split('-').map(Number) : [];
  const authority = Number(m[1]);
  if (authority > 0xffffffffffff || subs.some((s) => s > 0xffffffff)) throw new Error(`SID component out of range: ${sid}`);
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf.writeUInt8(1, 0);
  buf.writeUInt8(subs.length, 1);
  buf.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return buf;
}

export function isSid(value: string): boolean {
  return SID_PATTERN.test(value);
}

/** The last sub-authority: the relative id (RID) of an account or group in its domain. */
export function ridOf(sid: string): number {
  return Number(sid.slice(sid.lastIndexOf('-') + 1));
}

/** The domain part of an account SID (everything but the RID). */
export function domainOf(sid: string): string {
  return sid.slice(0, sid.lastIndexOf('-'));
}
