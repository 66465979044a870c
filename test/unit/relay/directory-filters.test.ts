import { describe, expect, it } from 'vitest';
import { AndFilter, BerReader, BerWriter, EqualityFilter, FilterParser, OrFilter, type Filter } from 'ldapts';
import {
  bitAnd,
  computerKey,
  computersFilter,
  groupsOfFilter,
  spnOwnersFilter,
  userFilter,
} from '../../../src/relay/server/backends/directory/filters.js';
import { operations } from '../../../src/relay/protocol.js';

// Filters are ldapts objects: a value is an octet string inside the BER, never filter syntax.
// Hostile names are stopped earlier by the protocol schemas (see the integration tests); these
// tests show the second line: even a value that got through could not change a filter's shape.

/** What the DC receives, decoded back: the filter as the server will see it. */
function onTheWire(filter: Filter): Filter {
  const writer = new BerWriter();
  filter.write(writer);
  return FilterParser.parse(new BerReader(writer.buffer));
}

describe('directory filters', () => {
  it('looks all requested computers up in one filter: short names by sAMAccountName, FQDNs by dNSHostName', () => {
    const keys = ['HV01', 'hv02.lab.test', 'hv03.other.test'].map((n) => computerKey(n, 'lab.test'));
    expect(computersFilter(keys).toString()).toBe(
      '(&(objectCategory=computer)(|(sAMAccountName=HV01$)(sAMAccountName=HV02$)(dNSHostName=hv02.lab.test)(dNSHostName=hv03.other.test)))',
    );
  });

  it('does not match a foreign FQDN by its first label (hv03.other.test is not our HV03)', () => {
    expect(computerKey('hv03.other.test', 'lab.test')).toEqual({ requested: 'hv03.other.test', samAccountName: null, dnsHostName: 'hv03.other.test' });
    expect(computerKey('hv03.sub.lab.test', 'lab.test').samAccountName).toBeNull();
  });

  it('keeps tricky but valid values verbatim: spaces in SPNs, quote, plus and percent in UPNs', () => {
    const spn = 'Microsoft Virtual System Migration Service/hv02.lab.test';
    expect(spnOwnersFilter([spn, 'cifs/HV02']).toString()).toBe(`(|(servicePrincipalName=${spn})(servicePrincipalName=cifs/HV02))`);
    const upn = "o'brien+ops%1@lab.test";
    expect(operations['directory.user'].params.safeParse({ id: upn }).success).toBe(true);
    expect(userFilter(upn).toString()).toBe(`(&(objectCategory=person)(objectClass=user)(|(userPrincipalName=${upn})(mail=${upn})))`);
  });

  it('escapes filter metacharacters that reach a builder, and the DC receives them as one equality value', () => {
    const hostile = "*)(|(objectClass=*))(cn=\\\0";
    const filter = userFilter(hostile);
    expect(filter.toString()).toContain('(userPrincipalName=\\2a\\29\\28|\\28objectClass=\\2a\\29\\29\\28cn=\\5c\\00)');
    const wire = onTheWire(filter);
    expect(wire).toBeInstanceOf(AndFilter);
    const alternatives = (wire as AndFilter).filters[2] as OrFilter;
    expect(alternatives).toBeInstanceOf(OrFilter);
    expect(alternatives.filters).toHaveLength(2);
    const upn = alternatives.filters[0] as EqualityFilter;
    expect(upn).toBeInstanceOf(EqualityFilter);
    expect(upn.value).toBe(hostile);
  });

  it('builds IN_CHAIN and BIT_AND as extensible matches, the DN escaped as a value', () => {
    expect(groupsOfFilter('CN=O\\, Brien (ops),CN=Users,DC=lab,DC=test').toString()).toBe(
      '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=O\\5c, Brien \\28ops\\29,CN=Users,DC=lab,DC=test))',
    );
    expect(bitAnd('userAccountControl', 0x80000).toString()).toBe('(userAccountControl:1.2.840.113556.1.4.803:=524288)');
  });
});
