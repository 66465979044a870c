import type { HostEvent } from '../relay/protocol.js';

// Live-migration failure events and what they point at (docs/domain.md "Events and HRESULT
// classes", docs/findings.md "HRESULT classes"). The classes follow KB4558514 (Troubleshoot live
// migration issues), not keywords: 21502 is a generic wrapper, so its class comes from the inner
// HRESULT, then from the event id, then from the words of the text. 22038 is the runbook's
// "authentication failure" claim (unverified): without an HRESULT it is classed as authentication
// but says so. Only `auth` events point at Kerberos delegation; `logon-right` is a user-rights
// policy on the destination, `dns` a name or migration-network problem, `network` a connection
// fault. Events never clear a direction; only a logon-right failure blocks one (the moves into
// the node that refused the logon).

export type EventClass = 'auth' | 'logon-right' | 'dns' | 'network' | 'other';

export interface ClassifiedEvent {
  event: HostEvent;
  class: EventClass;
  /** Why: the HRESULT, the event id or the words that decided it. */
  reason: string;
  hresults: string[];
}

export interface HresultClass {
  name: string;
  class: EventClass;
  meaning: string;
}

/**
 * THE HRESULT → class table (the only one: docs/findings.md lists it from here). Order matters
 * when one event carries several codes: the first listed wins, so a logon-right, DNS or network
 * cause named next to an authentication symptom is the one reported.
 */
export const HRESULT_CLASSES: Readonly<Record<string, HresultClass>> = {
  '0x80070569': { name: 'ERROR_LOGON_TYPE_NOT_GRANTED', class: 'logon-right', meaning: 'the user has not been granted the requested logon type ("Log on as a service" of NT VIRTUAL MACHINE\\Virtual Machines)' },
  '0x8007052F': { name: 'ERROR_ACCOUNT_RESTRICTION', class: 'logon-right', meaning: 'account restrictions (a logon-rights policy) prevent the sign-in' },
  '0x80090322': { name: 'SEC_E_WRONG_PRINCIPAL', class: 'dns', meaning: 'the target principal name is incorrect: the name reached another host, or a cross-cluster move used the wrong migration network' },
  '0x8007274D': { name: 'WSAECONNREFUSED', class: 'network', meaning: 'connection refused (TCP 6600 not listening, or blocked)' },
  '0x8007274C': { name: 'WSAETIMEDOUT', class: 'network', meaning: 'connection timed out' },
  '0x80072746': { name: 'WSAECONNRESET', class: 'network', meaning: 'connection reset by the remote host' },
  '0x8007271D': { name: 'WSAEACCES', class: 'network', meaning: 'socket access forbidden (firewall or antivirus)' },
  '0x8009030E': { name: 'SEC_E_NO_CREDENTIALS', class: 'auth', meaning: 'no credentials (CredSSP started off-box, or "Kerberos only" delegation)' },
  '0x8009030D': { name: 'SEC_E_UNKNOWN_CREDENTIALS', class: 'auth', meaning: 'credentials not recognized (needs Kerberos and constrained delegation)' },
  '0x80070005': { name: 'E_ACCESSDENIED', class: 'auth', meaning: 'access denied (SPN or delegation)' },
};

/** Event ids that report a failed (or refused) live migration. */
export const LM_FAILURE_EVENT_IDS: ReadonlySet<number> = new Set([21502, 22038, 21024, 21501, 21125, 20413, 20406, 280]);

/** Failures whose id alone says the cause (the inner HRESULT does not override these three). */
const BY_ID: Readonly<Record<number, { class: EventClass; reason: string; final: boolean }>> = {
  21501: { class: 'other', reason: 'migration limit reached (capacity)', final: true },
  20413: { class: 'other', reason: 'configuration could not be registered at the destination (system drive letters differ)', final: true },
  21125: { class: 'other', reason: 'destination configuration setup failed (virtual switch)', final: true },
  20406: { class: 'network', reason: 'WinRM connectivity', final: false },
  280: { class: 'network', reason: 'WinRM connectivity', final: false },
};

/** Words, when no HRESULT decided: the most specific first. */
const WORDS: Array<[RegExp, EventClass]> = [
  [/not been granted the requested logon type|account restrictions are preventing/i, 'logon-right'],
  [/target principal name is incorrect/i, 'dns'],
  [/authenticat|security context|kerberos|no credentials|credentials are|access is denied/i, 'auth'],
  [/network|timed out|no connection could be made|connection attempt failed|forcibly closed|unreachable/i, 'network'],
];

export function hresultsOf(message: string): string[] {
  return [...new Set([...message.matchAll(/0x([0-9a-f]{8})\b/gi)].map((m) => `0x${m[1]!.toUpperCase()}`))];
}

export function isLmFailure(event: HostEvent): boolean {
  return LM_FAILURE_EVENT_IDS.has(event.id);
}

/** The first listed HRESULT of the table the message names. */
function tableHresult(hresults: string[]): string | undefined {
  return Object.keys(HRESULT_CLASSES).find((h) => hresults.includes(h));
}

export function classifyEvent(event: HostEvent): ClassifiedEvent {
  const hresults = hresultsOf(event.message);
  const make = (cls: EventClass, reason: string): ClassifiedEvent => ({ event, class: cls, reason, hresults });
  const byId = BY_ID[event.id];
  if (byId?.final) return make(byId.class, `event ${event.id}: ${byId.reason}`);
  const h = tableHresult(hresults);
  if (h) return make(HRESULT_CLASSES[h]!.class, `${h} ${HRESULT_CLASSES[h]!.name}`);
  if (byId) return make(byId.class, `event ${event.id}: ${byId.reason}`);
  for (const [words, cls] of WORDS) {
    const m = words.exec(event.message);
    if (m) return make(cls, `text mentions "${m[0]}"`);
  }
  if (event.id === 22038) return make('auth', 'event 22038 (the runbook calls it an authentication failure; unverified)');
  return make('other', `event ${event.id} names no authentication cause`);
}

/** Which kind of move an event reports, from its words (KB4558514 texts; "storage migration" for storage moves). */
export function moveKindOf(event: HostEvent): 'storage' | 'vm' {
  return /storage migration|storage move|moving the storage/i.test(event.message) ? 'storage' : 'vm';
}

/** The host the text names as source or destination of the failed move ('failed at migration destination "HV02"'). */
export function namedHost(event: HostEvent, side: 'source' | 'destination'): string | undefined {
  const m = new RegExp(`migration ${side} ['"\u201c\u2018]([A-Za-z0-9.-]+)['"\u201d\u2019]`, 'i').exec(event.message);
  return m?.[1];
}
