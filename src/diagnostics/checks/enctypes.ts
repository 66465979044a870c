import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { ENCTYPE, hasFlag, numberEvidence } from '../flags.js';
import { finding } from '../make-finding.js';

// DOMAIN.md §1 check 9: an explicit msDS-SupportedEncryptionTypes with RC4/DES but no AES
// (0x18) breaks tickets after the Nov 2022 and 2026 KDC hardening. Unset (null or 0) means
// the domain default applies, which is not this finding.

const NAMES: Array<[number, string]> = [
  [0x1, 'DES-CRC'],
  [0x2, 'DES-MD5'],
  [0x4, 'RC4'],
  [0x8, 'AES128'],
  [0x10, 'AES256'],
  [0x20, 'AES256-SK'],
];

export function isRc4Only(value: number | null): value is number {
  return value !== null && hasFlag(value, ENCTYPE.DES_RC4_MASK) && !hasFlag(value, ENCTYPE.AES_MASK);
}

export function checkEnctypes(evidence: Evidence): Finding[] {
  return factsOf(evidence).nodes.flatMap((n) => {
    const value = n.computer?.supportedEncryptionTypes ?? null;
    if (!isRc4Only(value)) return [];
    const names = NAMES.filter(([bit]) => hasFlag(value, bit)).map(([, name]) => name);
    const ev = numberEvidence(value);
    const message = `${n.node}: msDS-SupportedEncryptionTypes is ${ev.hex} (${names.join(', ')}; no AES): Kerberos between ${n.node} and its peers fails under the RC4/DES hardening`;
    return [finding('ENCTYPES_RC4_ONLY', 'error', message, { supportedEncryptionTypes: ev, types: names }, { node: n.node })];
  });
}
