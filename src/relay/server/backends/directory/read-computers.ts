import type { Entry } from 'ldapts';
import type { Computer } from '../../../protocol.js';
import { RelayError } from '../../../protocol.js';
import { all, buffer, first, int, type DirectorySession } from './connection.js';
import { computerKey, computersFilter, sidsFilter, type ComputerKey } from './filters.js';
import { allowedSids } from './security-descriptor.js';
import { sidToString } from './sid.js';

// Reads computer objects for a set of host names in ONE search, decodes them, and resolves the
// RBCD descriptors' SIDs to account names in one more search (only when some descriptor is set).

export const COMPUTER_ATTRIBUTES = [
  'sAMAccountName', 'distinguishedName', 'dNSHostName', 'userAccountControl', 'msDS-AllowedToDelegateTo',
  'servicePrincipalName', 'msDS-SupportedEncryptionTypes', 'msDS-AllowedToActOnBehalfOfOtherIdentity', 'objectSid', 'whenChanged',
];
const BINARY_ATTRIBUTES = ['msDS-AllowedToActOnBehalfOfOtherIdentity', 'objectSid'];

/** A computer as read, before RBCD SIDs are turned into names. */
export interface ComputerRecord {
  name: string;
  dn: string;
  dnsHostName: string | null;
  samAccountName: string;
  userAccountControl: number;
  allowedToDelegateTo: string[];
  servicePrincipalNames: string[];
  supportedEncryptionTypes: number | null;
  /** The raw descriptor, kept byte-exact so a write can delete exactly this value. */
  rbcd: Buffer | null;
  rbcdSids: string[];
}

export const stripDollar = (sam: string): string => sam.replace(/\$$/, '');

function decode(entry: Entry): ComputerRecord {
  const sam = first(entry, 'sAMAccountName') ?? '';
  const rbcd = buffer(entry, 'msDS-AllowedToActOnBehalfOfOtherIdentity');
  let rbcdSids: string[] = [];
  try {
    rbcdSids = rbcd ? allowedSids(rbcd) : [];
  } catch {
    throw new RelayError('BACKEND_ERROR', `${stripDollar(sam)}: msDS-AllowedToActOnBehalfOfOtherIdentity is not a valid security descriptor`);
  }
  return {
    name: stripDollar(sam),
    dn: entry.dn,
    dnsHostName: first(entry, 'dNSHostName'),
    samAccountName: sam,
    userAccountControl: int(entry, 'userAccountControl') ?? 0,
    allowedToDelegateTo: all(entry, 'msDS-AllowedToDelegateTo'),
    servicePrincipalNames: all(entry, 'servicePrincipalName'),
    supportedEncryptionTypes: int(entry, 'msDS-SupportedEncryptionTypes'),
    rbcd,
    rbcdSids,
  };
}

function matches(key: ComputerKey, c: ComputerRecord): boolean {
  if (key.dnsHostName && c.dnsHostName?.toLowerCase() === key.dnsHostName) return true;
  return key.samAccountName !== null && c.samAccountName.toUpperCase() === key.samAccountName;
}

export interface FoundComputers {
  /** Requested name → its computer. */
  byName: Map<string, ComputerRecord>;
  /** Each matched object once, in the order of the first name that matched it. */
  records: ComputerRecord[];
  notFound: string[];
}

export async function findComputers(session: DirectorySession, base: string, domainFqdn: string, names: string[]): Promise<FoundComputers> {
  const keys = names.map((n) => computerKey(n, domainFqdn));
  const entries = await session.search('read computer objects', base, computersFilter(keys), COMPUTER_ATTRIBUTES, BINARY_ATTRIBUTES);
  const decoded = entries.map(decode);
  const byName = new Map<string, ComputerRecord>();
  const records: ComputerRecord[] = [];
  const notFound: string[] = [];
  for (const key of keys) {
    // An exact dNSHostName match wins over a sAMAccountName match of the first label.
    const hit = decoded.find((c) => key.dnsHostName !== null && c.dnsHostName?.toLowerCase() === key.dnsHostName) ?? decoded.find((c) => matches(key, c));
    if (!hit) {
      notFound.push(key.requested);
      continue;
    }
    byName.set(key.requested, hit);
    if (!records.includes(hit)) records.push(hit);
  }
  return { byName, records, notFound };
}

/** SID → sAMAccountName (without `$`) for every SID found; one search. */
export async function resolveSids(session: DirectorySession, base: string, sids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(sids)];
  const names = new Map<string, string>();
  if (unique.length === 0) return names;
  const entries = await session.search('resolve RBCD principals', base, sidsFilter(unique), ['sAMAccountName', 'objectSid'], ['objectSid']);
  for (const e of entries) {
    const sid = buffer(e, 'objectSid');
    const sam = first(e, 'sAMAccountName');
    if (sid && sam) names.set(sidToString(sid), stripDollar(sam));
  }
  return names;
}

/** RBCD principals as account names; a SID nobody owns any more stays a SID. */
export function rbcdNames(record: ComputerRecord, names: Map<string, string>): string[] {
  return record.rbcdSids.map((sid) => names.get(sid) ?? sid);
}

export function toComputer(record: ComputerRecord, names: Map<string, string>): Computer {
  return {
    name: record.name,
    distinguishedName: record.dn,
    dnsHostName: record.dnsHostName,
    userAccountControl: record.userAccountControl,
    allowedToDelegateTo: record.allowedToDelegateTo,
    servicePrincipalNames: record.servicePrincipalNames,
    supportedEncryptionTypes: record.supportedEncryptionTypes,
    allowedToActOnBehalfOf: rbcdNames(record, names),
  };
}
