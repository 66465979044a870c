import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { ENCTYPE, hasFlag, numberEvidence } from '../flags.js';
import { finding } from '../make-finding.js';

// docs/domain.md "Encryption types" (check 9): an explicit msDS-SupportedEncryptionTypes with
// RC4/DES but no AES (0x18) breaks tickets once the KDC refuses RC4 (the Nov 2022 and 2026 RC4
// hardening). Whether the DCs refuse it is DC evidence this bot does not read yet, so the finding
// is a warning that says what to check on the DCs, never a block. Unset (null or 0) means the
// domain default applies, which is not this finding.

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
    const message =
      `${n.node}: msDS-SupportedEncryptionTypes is ${ev.hex} (${names.join(', ')}; no AES): Kerberos to ${n.node} fails once the domain controllers refuse RC4. ` +
      'Whether they do was not read: check the KDC events 14/16/27 and Kdcsvc 201–209 in the DCs\' System log and the RC4 hardening state of their updates (KB5073381), or add AES (0x18)';
    return [finding('ENCTYPES_RC4_ONLY', 'warning', message, { supportedEncryptionTypes: ev, types: names, dcEvidence: null }, { node: n.node })];
  });
}
