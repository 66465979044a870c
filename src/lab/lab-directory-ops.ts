import { type Computer, type OpParams, type OpResult } from '../relay/protocol.js';
import type { LabState } from './lab-state.js';

// Directory reads, answered from the lab state as the LDAP backend would answer them: one
// query for many names, notFound for names without a computer object.

const NOT_DELEGATED = 0x100000;

export function computers(state: LabState, p: OpParams<'directory.computers'>): OpResult<'directory.computers'> {
  state.requireDirectory();
  const found: Computer[] = [];
  const notFound: string[] = [];
  for (const name of p.names) {
    const c = state.findComputer(name);
    if (!c) notFound.push(name);
    else if (!found.includes(c)) found.push(c);
  }
  return {
    domain: { fqdn: state.domain.fqdn, netbios: state.domain.netbios },
    computers: found.map(copyComputer),
    notFound,
    currentTime: state.now.toISOString(),
  };
}

/** Every account holding each SPN (SPNs compare case-insensitively in AD). */
export function spnOwners(state: LabState, p: OpParams<'directory.spn-owners'>): OpResult<'directory.spn-owners'> {
  state.requireDirectory();
  const owners = new Map<string, string[]>();
  for (const c of state.computers) {
    for (const spn of new Set(c.servicePrincipalNames.map((x) => x.toLowerCase()))) {
      owners.set(spn, [...(owners.get(spn) ?? []), c.name]);
    }
  }
  return { owners: p.spns.map((spn) => ({ spn, accounts: owners.get(spn.toLowerCase()) ?? [] })) };
}

/** A user by UPN or mail; Protected Users by group name, sensitive by NOT_DELEGATED. */
export function user(state: LabState, p: OpParams<'directory.user'>): OpResult<'directory.user'> {
  state.requireDirectory();
  const id = p.id.toLowerCase();
  const u = state.users.find((x) => x.upn?.toLowerCase() === id || x.mail?.toLowerCase() === id);
  if (!u) return { user: null };
  return {
    user: {
      name: u.name,
      upn: u.upn ?? null,
      mail: u.mail ?? null,
      userAccountControl: u.userAccountControl,
      sensitive: (u.userAccountControl & NOT_DELEGATED) !== 0,
      protectedUsers: u.memberOf.some((dn) => /^CN=Protected Users,/i.test(dn)),
      groups: [...u.memberOf],
    },
  };
}

/** A copy the caller may change without changing the lab (cheaper than structuredClone). */
function copyComputer(c: Computer): Computer {
  return {
    ...c,
    allowedToDelegateTo: [...c.allowedToDelegateTo],
    servicePrincipalNames: [...c.servicePrincipalNames],
    allowedToActOnBehalfOf: [...c.allowedToActOnBehalfOf],
  };
}
