import type { Evidence } from '../evidence.js';
import type { Finding } from '../findings.js';
import { hasFlag, numberEvidence, UAC } from '../flags.js';
import { finding } from '../make-finding.js';
import { checkClock } from './clock.js';
import { checkDelegationPairs } from './delegation-pairs.js';
import { checkDelegation } from './delegation.js';
import { checkDns } from './dns.js';
import { checkEnctypes } from './enctypes.js';
import { failureEvents } from './events.js';
import { checkMigration } from './migration.js';
import { checkSpns } from './spn.js';

// docs/domain.md "The initiator" (check 11): the account that starts a remote migration must be
// delegatable. A "sensitive" account (NOT_DELEGATED 0x100000) or a Protected Users member gets no
// forwardable S4U ticket, so every direction fails for that person, whatever the hosts look like.
// Without --initiator, when authentication failures are logged and the configuration looks right,
// the person who started the moves is the likely cause: INITIATOR_NOT_CHECKED says how to check.

/** Configuration checks whose errors would explain authentication failures better than the initiator. */
const CONFIGURATION: ReadonlyArray<(evidence: Evidence) => Finding[]> = [checkDelegation, checkDelegationPairs, checkSpns, checkEnctypes, checkClock, checkDns, checkMigration];

export function checkInitiatorNotChecked(evidence: Evidence): Finding[] {
  if (evidence.directory.initiator || !evidence.directory.computers.ok) return [];
  const auth = failureEvents(evidence).filter((e) => e.class === 'auth');
  const first = auth[0];
  if (!first) return [];
  // RC4-only keys are only a warning (DC evidence missing) but explain an authentication failure as well.
  if (CONFIGURATION.some((check) => check(evidence).some((f) => f.severity === 'error' || f.code === 'ENCTYPES_RC4_ONLY'))) return [];
  const message =
    `${auth.length === 1 ? '1 live-migration failure points' : `${auth.length} live-migration failures point`} at authentication (first ${first.event.time} on ${first.node}) while delegation, SPNs, encryption types, clocks and DNS look right, ` +
    'and no initiator was named: the account that started the moves is the likely cause (a member of Protected Users, or "Account is sensitive and cannot be delegated"), or machine tickets issued before a fix (klist -li 0x3e7 purge). ' +
    'Run the check again with --initiator <upn>, or check the account with Get-ADUser <name> -Properties AccountNotDelegated,MemberOf';
  return [finding('INITIATOR_NOT_CHECKED', 'warning', message, { authEvents: auth.length, firstFailure: { node: first.node, id: first.event.id, time: first.event.time, reason: first.reason } })];
}

export function checkInitiator(evidence: Evidence): Finding[] {
  const initiator = evidence.directory.initiator;
  if (!initiator || !initiator.outcome.ok) return [];
  const user = initiator.outcome.value.user;
  if (!user) {
    const message = `The initiating account ${initiator.id} was not found in the directory; whether it can be delegated is unknown`;
    return [finding('INITIATOR_UNKNOWN', 'warning', message, { id: initiator.id })];
  }
  const sensitive = user.sensitive || hasFlag(user.userAccountControl, UAC.NOT_DELEGATED);
  if (!sensitive && !user.protectedUsers) return [];
  const reasons = [
    ...(sensitive ? ['is marked "sensitive and cannot be delegated" (userAccountControl 0x100000)'] : []),
    ...(user.protectedUsers ? ['is a member of Protected Users'] : []),
  ];
  const message = `The initiating account ${user.upn ?? user.name} ${reasons.join(' and ')}: its migrations fail in every direction`;
  const ev = {
    id: initiator.id,
    name: user.name,
    userAccountControl: numberEvidence(user.userAccountControl),
    sensitive,
    protectedUsers: user.protectedUsers,
    protectedUsersGroups: user.groups.filter((g) => /^CN=Protected Users,/i.test(g)),
  };
  return [finding('INITIATOR_NOT_DELEGATABLE', 'error', message, ev)];
}
