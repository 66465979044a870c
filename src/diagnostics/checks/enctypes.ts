import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { ENCTYPE, hasFlag, numberEvidence } from '../flags.js';
import { finding, listText } from '../make-finding.js';
import { etypeEvents } from './kdc.js';
import { kdcEventsOf } from './dc-facts.js';

// docs/domain.md "Encryption types" (check 9): an explicit msDS-SupportedEncryptionTypes with
// RC4/DES but no AES (0x18) breaks tickets once the KDC refuses RC4 (the Nov 2022 and 2026 RC4
// hardening). It blocks only with evidence that the DCs do refuse it: a KDC etype event (14/16/
// 26/27, or failure 0xE) naming the node (issue 19). Without that it is a warning that says what
// to check on the DCs. Unset (null or 0) means the domain default applies, which is not this finding.

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
  const kdc = kdcEventsOf(evidence);
  const dcsRead = evidence.dcs ? Object.values(evidence.dcs.perDc).filter((r) => r.kdcEvents.ok).map((r) => r.dc) : [];
  return factsOf(evidence).nodes.flatMap((n) => {
    const value = n.computer?.supportedEncryptionTypes ?? null;
    if (!isRc4Only(value)) return [];
    const names = NAMES.filter(([bit]) => hasFlag(value, bit)).map(([, name]) => name);
    const ev = numberEvidence(value);
    const refused = etypeEvents(n, kdc);
    if (refused.length > 0) {
      const dcs = [...new Set(refused.map((e) => e.dc))];
      const message =
        `${n.node}: msDS-SupportedEncryptionTypes is ${ev.hex} (${names.join(', ')}; no AES) and the KDC on ${listText(dcs)} refused it (event ${refused[0]!.id}, ${refused[0]!.time}): ` +
        `Kerberos to ${n.node} fails. Add AES (0x18) to msDS-SupportedEncryptionTypes of ${n.node}`;
      const dcEvidence = refused.slice(0, 20).map((e) => ({ dc: e.dc, id: e.id, time: e.time, status: e.status, message: e.message }));
      return [finding('ENCTYPES_RC4_ONLY', 'error', message, { supportedEncryptionTypes: ev, types: names, dcEvidence }, { node: n.node })];
    }
    const unread = dcsRead.length > 0
      ? `The KDC events of ${listText(dcsRead)} name no refusal of it in the window: check the DCs' RC4 hardening state (KB5073381) before it is enforced, or add AES (0x18)`
      : 'Whether they do was not read: check the KDC events 14/16/27 and Kdcsvc 201–209 in the DCs\' System log and the RC4 hardening state of their updates (KB5073381), or add AES (0x18)';
    const message = `${n.node}: msDS-SupportedEncryptionTypes is ${ev.hex} (${names.join(', ')}; no AES): Kerberos to ${n.node} fails once the domain controllers refuse RC4. ${unread}`;
    return [finding('ENCTYPES_RC4_ONLY', 'warning', message, { supportedEncryptionTypes: ev, types: names, dcEvidence: dcsRead.length > 0 ? [] : null }, { node: n.node })];
  });
}
