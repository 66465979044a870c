import { describe, expect, it } from 'vitest';
import { lookupNames, namesToLookUp } from '../../../src/diagnostics/collect.js';
import { findComputer } from '../../../src/diagnostics/facts.js';
import type { Computer, OpResult } from '../../../src/relay/protocol.js';

// The matching rules the checks share, now served from an index built once per directory answer
// (issue 18): the first computer in the answer wins, a dNSHostName match beats an account-name
// match for a node given as an FQDN, and each node asks for every peer's names but its own.

const computer = (name: string, dnsHostName: string | null): Computer => ({
  name,
  distinguishedName: `CN=${name.replace(/\$$/, '')},OU=Hyper-V,DC=contoso,DC=com`,
  dnsHostName,
  userAccountControl: 4096,
  allowedToDelegateTo: [],
  servicePrincipalNames: [],
  supportedEncryptionTypes: null,
  allowedToActOnBehalfOf: [],
});

const directory = (computers: Computer[]): OpResult<'directory.computers'> => ({ domain: { fqdn: 'contoso.com', netbios: 'CONTOSO' }, computers }) as unknown as OpResult<'directory.computers'>;

describe('findComputer', () => {
  it('matches by dNSHostName for an FQDN (case and trailing dot ignored), else by account name; the first match wins', () => {
    const first = computer('HV01$', 'hv01.contoso.com');
    const second = computer('hv01', 'other.contoso.com');
    const renamed = computer('HVX$', 'HV02.contoso.com.');
    const list = [first, second, renamed];
    expect(findComputer(list, 'hv01')).toBe(first);
    expect(findComputer(list, 'OTHER.contoso.com')).toBe(second);
    expect(findComputer(list, 'hv02.CONTOSO.com')).toBe(renamed);
    // An FQDN no dNSHostName matches falls back to its first label as an account name.
    expect(findComputer(list, 'HV01.elsewhere.net')).toBe(first);
    expect(findComputer(list, 'HV03')).toBeUndefined();
  });
});

describe('namesToLookUp', () => {
  const dir = directory([computer('HV01$', 'hv01.contoso.com'), computer('HV02$', null), computer('HV03$', 'hv03.corp.contoso.com')]);
  const nodes = ['HV01', 'hv02', 'HV03.corp.contoso.com'];

  it('gives each node every peer as given, short and FQDN, never its own names, each once', () => {
    const names = namesToLookUp(nodes, dir);
    // hv02 and HV02 are one name (case-insensitive): asked once, in the form first met.
    expect(names('HV01')).toEqual(['hv02', 'hv02.contoso.com', 'HV03.corp.contoso.com', 'HV03']);
    expect(names('HV03')).toEqual(['HV01', 'hv01.contoso.com', 'hv02', 'hv02.contoso.com']);
    expect(names('hv02.contoso.com')).toEqual(['HV01', 'hv01.contoso.com', 'HV03.corp.contoso.com', 'HV03']);
  });

  it('without a directory answer asks for the names as given and their short forms', () => {
    expect(lookupNames(nodes, 'HV01', undefined)).toEqual(['hv02', 'HV03.corp.contoso.com', 'HV03']);
  });
});
