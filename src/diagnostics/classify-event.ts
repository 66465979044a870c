import type { HostEvent } from '../relay/protocol.js';

// Live-migration failure events and what they point at (DOMAIN.md §1 HRESULT table, §2).
// 21502 is a generic wrapper, so its class comes from the inner HRESULT or text. 22038 is the
// runbook's "authentication failure" claim (unverified): without an HRESULT it is classed as
// authentication but says so. Events are evidence only: they never decide a direction.

export type EventClass = 'auth' | 'other';

export interface ClassifiedEvent {
  event: HostEvent;
  class: EventClass;
  /** Why: the HRESULT, the event id or the words that decided it. */
  reason: string;
  hresults: string[];
}

/** Event ids that report a failed (or refused) live migration. */
export const LM_FAILURE_EVENT_IDS: ReadonlySet<number> = new Set([21502, 22038, 21024, 21501, 21125, 20413, 20406, 280]);

export const AUTH_HRESULTS: Readonly<Record<string, string>> = {
  '0x8009030E': 'SEC_E_NO_CREDENTIALS',
  '0x8009030D': 'SEC_E_UNKNOWN_CREDENTIALS',
  '0x80090322': 'SEC_E_WRONG_PRINCIPAL',
  '0x80070005': 'E_ACCESSDENIED',
};

export const OTHER_HRESULTS: Readonly<Record<string, string>> = {
  '0x8007274D': 'connection refused (network)',
  '0x8007274C': 'connection timed out (network)',
  '0x80072746': 'connection reset (network)',
  '0x8007271D': 'socket access denied (firewall or antivirus)',
};

/** Failures whose id alone says the cause is not authentication. */
const OTHER_BY_ID: Readonly<Record<number, string>> = {
  21501: 'migration limit reached (capacity)',
  20413: 'configuration could not be registered at the destination (system drive letters differ)',
  21125: 'destination configuration setup failed (virtual switch)',
  20406: 'WinRM connectivity',
  280: 'WinRM connectivity',
};

const AUTH_WORDS = /authenticat|security context|kerberos|no credentials|credentials are|logon failure|access is denied|target principal name/i;
const NETWORK_WORDS = /network|timed out|no connection could be made|connection attempt failed|forcibly closed|unreachable/i;

export function hresultsOf(message: string): string[] {
  return [...new Set([...message.matchAll(/0x([0-9a-f]{8})\b/gi)].map((m) => `0x${m[1]!.toUpperCase()}`))];
}

export function isLmFailure(event: HostEvent): boolean {
  return LM_FAILURE_EVENT_IDS.has(event.id);
}

export function classifyEvent(event: HostEvent): ClassifiedEvent {
  const hresults = hresultsOf(event.message);
  const make = (cls: EventClass, reason: string): ClassifiedEvent => ({ event, class: cls, reason, hresults });
  const byId = OTHER_BY_ID[event.id];
  const auth = hresults.find((h) => AUTH_HRESULTS[h]);
  if (byId && event.id !== 20406 && event.id !== 280) return make('other', `event ${event.id}: ${byId}`);
  if (auth) return make('auth', `${auth} ${AUTH_HRESULTS[auth]}`);
  const other = hresults.find((h) => OTHER_HRESULTS[h]);
  if (other) return make('other', `${other} ${OTHER_HRESULTS[other]}`);
  if (byId) return make('other', `event ${event.id}: ${byId}`);
  const words = AUTH_WORDS.exec(event.message);
  if (words) return make('auth', `text mentions "${words[0]}"`);
  const net = NETWORK_WORDS.exec(event.message);
  if (net) return make('other', `text mentions "${net[0]}"`);
  if (event.id === 22038) return make('auth', 'event 22038 (the runbook calls it an authentication failure; unverified)');
  return make('other', `event ${event.id} names no authentication cause`);
}
