import { AndFilter, EqualityFilter, ExtensibleFilter, OrFilter, type Filter } from 'ldapts';
import { shortName } from '../../../../kernel/node-name.js';

// Every LDAP filter the directory backend sends, built from ldapts filter objects. A value from a
// request only ever becomes the value of an equality or extensible match: it is BER-encoded as
// an octet string, never parsed as filter syntax, so `*`, `(`, `)`, `\` and NUL in it cannot
// change the filter's shape (and `toString()` escapes them for logs). No string concatenation.

/** LDAP_MATCHING_RULE_BIT_AND and LDAP_MATCHING_RULE_IN_CHAIN [MS-ADTS 3.1.1.3.4.4]. */
export const BIT_AND = '1.2.840.113556.1.4.803';
export const IN_CHAIN = '1.2.840.113556.1.4.1941';

export const eq = (attribute: string, value: string): Filter => new EqualityFilter({ attribute, value });

/** `(attribute:1.2.840.113556.1.4.803:=bits)`: every bit of `bits` is set. */
export function bitAnd(attribute: string, bits: number): Filter {
  return new ExtensibleFilter({ matchType: attribute, rule: BIT_AND, value: String(bits >>> 0) });
}

/** `(attribute:1.2.840.113556.1.4.1941:=dn)`: the link chain from the entry reaches `dn`. */
export function inChain(attribute: string, dn: string): Filter {
  return new ExtensibleFilter({ matchType: attribute, rule: IN_CHAIN, value: dn });
}

function or(filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : new OrFilter({ filters });
}

/** How a requested host name is matched: sAMAccountName of its short form, dNSHostName of an FQDN. */
export interface ComputerKey {
  requested: string;
  samAccountName: string | null;
  dnsHostName: string | null;
}

/**
 * A short name matches `sAMAccountName=NAME$`. An FQDN matches `dNSHostName`, and also
 * `sAMAccountName` of its first label when it lies in our own DNS domain (an object whose
 * dNSHostName was never written is still found; one in another domain is not mistaken for it).
 */
export function computerKey(requested: string, domainFqdn: string): ComputerKey {
  const lower = requested.toLowerCase();
  if (!lower.includes('.')) return { requested, samAccountName: `${shortName(requested)}$`, dnsHostName: null };
  const inDomain = lower.endsWith(`.${domainFqdn.toLowerCase()}`) && lower.split('.').length === domainFqdn.split('.').length + 1;
  return { requested, samAccountName: inDomain ? `${shortName(requested)}$` : null, dnsHostName: lower };
}

/** `(&(objectCategory=computer)(|(sAMAccountName=HV01$)(dNSHostName=hv02.contoso.com)…))`. */
export function computersFilter(keys: ComputerKey[]): Filter {
  const alternatives: Filter[] = [];
  for (const k of keys) {
    if (k.samAccountName) alternatives.push(eq('sAMAccountName', k.samAccountName));
    if (k.dnsHostName) alternatives.push(eq('dNSHostName', k.dnsHostName));
  }
  return new AndFilter({ filters: [eq('objectCategory', 'computer'), or(alternatives)] });
}

/** `(|(servicePrincipalName=spn1)(servicePrincipalName=spn2)…)`: exact matches, no wildcards. */
export function spnOwnersFilter(spns: string[]): Filter {
  return or(spns.map((spn) => eq('servicePrincipalName', spn)));
}

/** A person by UPN or mail. */
export function userFilter(id: string): Filter {
  return new AndFilter({
    filters: [eq('objectCategory', 'person'), eq('objectClass', 'user'), or([eq('userPrincipalName', id), eq('mail', id)])],
  });
}

/** Every group `memberDn` belongs to, directly or through nested groups. */
export function groupsOfFilter(memberDn: string): Filter {
  return new AndFilter({ filters: [eq('objectClass', 'group'), inChain('member', memberDn)] });
}

/** Accounts by SID (AD accepts the S-1-… string form in an objectSid equality match). */
export function sidsFilter(sids: string[]): Filter {
  return or(sids.map((sid) => eq('objectSid', sid)));
}

/** Accounts by sAMAccountName. */
export function accountsFilter(samAccountNames: string[]): Filter {
  return or(samAccountNames.map((name) => eq('sAMAccountName', name)));
}

/** The crossRef of a naming context, which carries the domain's NetBIOS name. */
export function crossRefFilter(namingContext: string): Filter {
  return new AndFilter({ filters: [eq('objectClass', 'crossRef'), eq('nCName', namingContext)] });
}

/** Domain controllers: computers with SERVER_TRUST_ACCOUNT (0x2000) or, for an RODC, PARTIAL_SECRETS_ACCOUNT (0x4000000). */
export function domainControllersFilter(): Filter {
  return new AndFilter({ filters: [eq('objectCategory', 'computer'), or([bitAnd('userAccountControl', 0x2000), bitAnd('userAccountControl', 0x4000000)])] });
}

/** The server objects under CN=Sites (one per DC, in its site's CN=Servers). */
export function serversFilter(): Filter {
  return eq('objectClass', 'server');
}
