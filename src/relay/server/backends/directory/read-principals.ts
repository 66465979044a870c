import type { DirectoryUser } from '../../../protocol.js';
import { RelayError } from '../../../protocol.js';
import { all, buffer, first, int, type DirectorySession } from './connection.js';
import { groupsOfFilter, spnOwnersFilter, userFilter } from './filters.js';
import { stripDollar } from './read-computers.js';
import { domainOf, ridOf, sidToString } from './sid.js';

// directory.spn-owners and directory.user.

const NOT_DELEGATED = 0x100000;
/** Protected Users is well-known by RID in every domain; its name and container may differ. */
const PROTECTED_USERS_RID = 525;

/** For each SPN, the accounts (without `$`) that carry it: more than one is a duplicate. */
export async function spnOwners(session: DirectorySession, base: string, spns: string[]): Promise<Array<{ spn: string; accounts: string[] }>> {
  const entries = await session.search('look up SPN owners', base, spnOwnersFilter(spns), ['sAMAccountName', 'servicePrincipalName']);
  return spns.map((spn) => {
    const wanted = spn.toLowerCase();
    const accounts = entries
      .filter((e) => all(e, 'servicePrincipalName').some((s) => s.toLowerCase() === wanted))
      .map((e) => stripDollar(first(e, 'sAMAccountName') ?? e.dn));
    return { spn, accounts: [...new Set(accounts)].sort() };
  });
}

/**
 * A user by UPN or mail, with every group it belongs to (nested, via IN_CHAIN) and whether one
 * of them is Protected Users (RID 525 of the user's own domain). Groups are searched from the
 * domain root, not LDAP_BASE_DN, because a narrower base would hide memberships.
 */
export async function readUser(session: DirectorySession, domainRoot: string, id: string): Promise<DirectoryUser | null> {
  const entries = await session.search('look up the user', domainRoot, userFilter(id), ['sAMAccountName', 'userPrincipalName', 'mail', 'userAccountControl', 'objectSid'], ['objectSid']);
  const byUpn = entries.filter((e) => first(e, 'userPrincipalName')?.toLowerCase() === id.toLowerCase());
  const candidates = byUpn.length > 0 ? byUpn : entries;
  if (candidates.length === 0) return null;
  if (candidates.length > 1) throw new RelayError('BACKEND_ERROR', `more than one account has the mail address ${id}; use the user principal name`);
  const user = candidates[0]!;
  const sidBuf = buffer(user, 'objectSid');
  const protectedUsersSid = sidBuf ? `${domainOf(sidToString(sidBuf))}-${PROTECTED_USERS_RID}` : null;
  const groups = await session.search('read group memberships', domainRoot, groupsOfFilter(user.dn), ['objectSid'], ['objectSid']);
  const groupSids = groups.map((g) => buffer(g, 'objectSid')).filter((b): b is Buffer => b !== null).map(sidToString);
  const uac = int(user, 'userAccountControl') ?? 0;
  return {
    name: first(user, 'sAMAccountName') ?? user.dn,
    upn: first(user, 'userPrincipalName'),
    mail: first(user, 'mail'),
    userAccountControl: uac,
    sensitive: (uac & NOT_DELEGATED) !== 0,
    protectedUsers: groupSids.some((sid) => sid === protectedUsersSid && ridOf(sid) === PROTECTED_USERS_RID),
    groups: groups.map((g) => g.dn).sort(),
  };
}
