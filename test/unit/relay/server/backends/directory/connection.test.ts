import { describe, expect, it } from 'vitest';
import { all, checkTransport, dnToDomain, generalizedTime, int } from '../../../../../../src/relay/server/backends/directory/connection.js';
import { DirectoryBackend } from '../../../../../../src/relay/server/backends/directory/directory-backend.js';

const reader = { dn: 'CN=svc,DC=lab,DC=test', password: 'x' };

describe('directory transport rules', () => {
  it('accepts LDAPS, and ldap:// only with StartTLS or the explicit plain opt-in', () => {
    expect(() => checkTransport({ url: 'ldaps://dc1.lab.test', reader })).not.toThrow();
    expect(() => checkTransport({ url: 'ldap://dc1.lab.test', reader, startTls: true })).not.toThrow();
    expect(() => checkTransport({ url: 'ldap://127.0.0.1', reader, allowPlain: true })).not.toThrow();
  });

  it('refuses plain ldap:// at start, naming the settings that fix it', () => {
    expect(() => new DirectoryBackend({ url: 'ldap://dc1.lab.test', reader })).toThrow(/LDAP_STARTTLS=true.*LDAP_ALLOW_PLAIN/);
    expect(() => checkTransport({ url: 'http://dc1.lab.test', reader })).toThrow(/ldaps:\/\//);
  });
});

describe('directory value decoding', () => {
  it('normalises single and multi values to arrays', () => {
    expect(all({ dn: 'x', a: 'one' }, 'a')).toEqual(['one']);
    expect(all({ dn: 'x', a: ['one', 'two'] }, 'a')).toEqual(['one', 'two']);
    expect(all({ dn: 'x' }, 'a')).toEqual([]);
  });

  it('reads 32-bit flags even when printed signed', () => {
    expect(int({ dn: 'x', uac: '16781312' }, 'uac')).toBe(0x1001000);
    expect(int({ dn: 'x', uac: '-2147483648' }, 'uac')).toBe(0x80000000);
    expect(int({ dn: 'x' }, 'uac')).toBeNull();
  });

  it('turns RootDSE currentTime and the naming context into ISO time and a DNS name', () => {
    expect(generalizedTime('20261125215411.0Z')).toBe('2026-11-25T21:54:11.000Z');
    expect(generalizedTime('garbage')).toBeNull();
    expect(dnToDomain('DC=Lab,DC=Test')).toBe('lab.test');
  });
});
