import type { Evidence } from '../evidence.js';
import type { Finding } from '../findings.js';
import { checkClock } from './clock.js';
import { checkDelegationPairs } from './delegation-pairs.js';
import { checkDelegation } from './delegation.js';
import { checkDns } from './dns.js';
import { checkEnctypes } from './enctypes.js';
import { checkEvents } from './events.js';
import { checkHardening } from './hardening.js';
import { checkInitiator, checkInitiatorNotChecked } from './initiator.js';
import { checkKdc } from './kdc.js';
import { checkMigration } from './migration.js';
import { checkReachability } from './reachability.js';
import { checkDcEvidence, checkReplication } from './replication.js';
import { checkSpns } from './spn.js';

export type Check = (evidence: Evidence) => Finding[];

/** Every check family, each a pure function of the evidence. */
export const CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['reachability', checkReachability],
  ['migration', checkMigration],
  ['delegation', checkDelegation],
  ['delegation-pairs', checkDelegationPairs],
  ['spn', checkSpns],
  ['enctypes', checkEnctypes],
  ['clock', checkClock],
  ['dns', checkDns],
  ['initiator', checkInitiator],
  ['initiator-not-checked', checkInitiatorNotChecked],
  ['events', checkEvents],
  ['hardening', checkHardening],
  ['kdc', checkKdc],
  ['replication', checkReplication],
  ['dc-evidence', checkDcEvidence],
];

export function runChecks(evidence: Evidence): Finding[] {
  return CHECKS.flatMap(([, check]) => check(evidence));
}
