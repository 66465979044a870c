// The bot's stable vocabulary (docs/findings.md). Codes never change meaning once released:
// scripts, schedules and tests depend on them. Add codes; never rename or repurpose one.
export const FINDING_CODES = [
  'LM_AUTH_FAILURE_EVENT',
  'LM_FAILURE_EVENT_OTHER',
  'MIGRATION_DISABLED',
  'MIGRATION_AUTH_CREDSSP',
  'MIGRATION_AUTH_MISMATCH',
  'DELEGATION_NONE',
  'DELEGATION_UNCONSTRAINED',
  'DELEGATION_KERBEROS_ONLY',
  'DELEGATION_MISSING_MIGRATION_SERVICE',
  'DELEGATION_MISSING_CIFS',
  'RBCD_PRESENT',
  'SPN_MISSING',
  'SPN_DUPLICATE',
  'ENCTYPES_RC4_ONLY',
  'CLOCK_SKEW',
  'DNS_MISMATCH',
  'HARDENING_UPDATE_CORRELATED',
  'INITIATOR_NOT_DELEGATABLE',
  'NODE_UNREACHABLE',
  'DIRECTORY_UNREACHABLE',
  'NODE_UNKNOWN',
  // Added with the engine: an initiator was named but the directory has no such account.
  'INITIATOR_UNKNOWN',
  // Added with issue 14 (docs/findings.md).
  'LOGON_RIGHT_MISSING',
  'INITIATOR_NOT_CHECKED',
  // Added with issue 19: evidence from the domain controllers (docs/findings.md).
  'KDC_DELEGATION_REFUSED',
  'KDC_ETYPE_MISMATCH',
  'KDC_DUPLICATE_SPN',
  'REPLICATION_PENDING',
  'DC_EVIDENCE_UNKNOWN',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];
export type Severity = 'error' | 'warning' | 'info';
export type DirectionStatus = 'ok' | 'blocked' | 'unknown';
export type VerdictStatus = 'healthy' | 'blocked' | 'degraded' | 'unknown';

/** Kinds of move (docs/domain.md "Which moves a finding breaks"). */
export type MoveKind = 'off-box' | 'storage' | 'cluster';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** The node the finding is about; for a directional finding, the source. */
  node?: string;
  /** For a directional finding (source → destination), the destination. */
  peer?: string;
  /** One line of plain English. */
  message: string;
  /** The values the finding rests on, as read. */
  evidence: Record<string, unknown>;
  /** On a finding that blocks a direction: the kinds of move it breaks. */
  breaks?: MoveKind[];
}

export interface Direction {
  from: string;
  to: string;
  status: DirectionStatus;
  /** Codes of the findings that block this direction (status blocked). */
  blockedBy: FindingCode[];
  /** Codes of the findings whose missing evidence leaves this direction unknown. */
  unknownBecause?: FindingCode[];
}

export interface Verdict {
  status: VerdictStatus;
  /** Codes that block at least one direction, most important first. */
  rootCauses: FindingCode[];
  /** True when the bot can propose a fix for at least one root cause. */
  fixable: boolean;
  /** Root causes the bot can fix (delegation, UAC, migration auth type). */
  fixableCauses: FindingCode[];
  /** Root causes that need a person (DNS, clocks, SPNs, unreachable nodes...). */
  manualCauses: FindingCode[];
}

export interface Diagnosis {
  nodes: string[];
  collectedAt: string;
  verdict: Verdict;
  directions: Direction[];
  findings: Finding[];
}

/**
 * Delegation findings: the only causes for which the bot proposes a fix that writes delegation
 * (docs/domain.md "The fix"). Logon rights, network, DNS and the initiator never qualify.
 */
export const DELEGATION_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'DELEGATION_NONE',
  'DELEGATION_UNCONSTRAINED',
  'DELEGATION_KERBEROS_ONLY',
  'DELEGATION_MISSING_MIGRATION_SERVICE',
  'DELEGATION_MISSING_CIFS',
]);

/** Does a delegation finding block at least one direction? Only then may a fix write delegation. */
export function delegationBlocks(d: Pick<Diagnosis, 'directions'>): boolean {
  return d.directions.some((x) => x.status === 'blocked' && x.blockedBy.some((c) => DELEGATION_CODES.has(c)));
}

/** Codes the remediation planner can fix by itself (docs/domain.md "The fix"). */
export const FIXABLE_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'DELEGATION_NONE',
  'DELEGATION_UNCONSTRAINED',
  'DELEGATION_KERBEROS_ONLY',
  'DELEGATION_MISSING_MIGRATION_SERVICE',
  'DELEGATION_MISSING_CIFS',
  'MIGRATION_AUTH_CREDSSP',
  'MIGRATION_AUTH_MISMATCH',
]);
