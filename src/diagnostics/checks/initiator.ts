import type { Evidence } from '../evidence.js';
import type { Finding } from '../findings.js';
import { hasFlag, numberEvidence, UAC } from '../flags.js';
import { finding } from '../make-finding.js';

// DOMAIN.md §1 check 11: the account that starts a remote migration must be delegatable. A
// "sensitive" account (NOT_DELEGATED 0x100000) or a Protected Users member gets no forwardable
// S4U ticket, so every direction fails for that person, whatever the hosts look like.

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
