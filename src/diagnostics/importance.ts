import { FINDING_CODES, type FindingCode } from './findings.js';

// Tie-break order for root causes and blockedBy lists: what stops everything first (unknown
// node, initiator, migration off), then delegation (the usual cause, and fixable), then what a
// person must fix, then what merely leaves directions unknown.
const ORDER: FindingCode[] = [
  'NODE_UNKNOWN',
  'INITIATOR_NOT_DELEGATABLE',
  'MIGRATION_DISABLED',
  'LOGON_RIGHT_MISSING',
  'KDC_DELEGATION_REFUSED',
  'DELEGATION_NONE',
  'DELEGATION_KERBEROS_ONLY',
  'DELEGATION_UNCONSTRAINED',
  'DELEGATION_MISSING_MIGRATION_SERVICE',
  'MIGRATION_AUTH_CREDSSP',
  'SPN_MISSING',
  'SPN_DUPLICATE',
  'ENCTYPES_RC4_ONLY',
  'KDC_ETYPE_MISMATCH',
  'KDC_DUPLICATE_SPN',
  'CLOCK_SKEW',
  'DNS_MISMATCH',
  'DIRECTORY_UNREACHABLE',
  'NODE_UNREACHABLE',
  'INITIATOR_UNKNOWN',
];

const rank = (code: FindingCode): number => {
  const i = ORDER.indexOf(code);
  return i >= 0 ? i : ORDER.length + FINDING_CODES.indexOf(code);
};

export function byImportance(a: FindingCode, b: FindingCode): number {
  return rank(a) - rank(b);
}
