import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../../src/relay/protocol.js';
import { parseEnvelope } from '../../../../src/relay/server/backends/windows/envelope.js';
import * as read from '../../../../src/relay/server/backends/windows/read-results.js';

// Answers PowerShell could give that the relay must refuse (BAD_RESPONSE), never guess at. The
// real scripts do not produce these (test/integration/windows runs them in PowerShell 7); these
// are the shapes a changed script, a different PowerShell or a damaged node could produce.

const settings = { VirtualMachineMigrationEnabled: true, VirtualMachineMigrationAuthenticationType: 'Kerberos', MaximumVirtualMachineMigrations: 2 };

function refused(f: () => unknown): RelayError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RelayError);
    expect((e as RelayError).code).toBe('BAD_RESPONSE');
    return e as RelayError;
  }
  throw new Error('accepted');
}

describe('malformed answers are BAD_RESPONSE', () => {
  it('text that is not JSON, and JSON without the envelope', () => {
    expect(refused(() => parseEnvelope('WARNING: something printed before the JSON', 'host.vms')).message).toContain('not JSON');
    expect(refused(() => parseEnvelope('{"result":[]}', 'host.vms')).message).toContain('unexpected shape');
  });

  it.each([
    ['a boolean written as a string', { ...settings, VirtualMachineMigrationEnabled: 'True' }, 'VirtualMachineMigrationEnabled'],
    ['an enum value that means nothing', { ...settings, VirtualMachineMigrationAuthenticationType: 3 }, 'unknown migration authentication type'],
    ['two hosts where one was expected', [settings, settings], 'unexpected data'],
  ])('%s', (_what, data, message) => {
    expect(refused(() => read.migrationSettings(data)).message).toContain(message);
  });

  it('a time without a zone', () => {
    expect(refused(() => read.hostEvents({ LogName: 'x', Id: 21502, TimeCreated: '2026-11-20T10:00:00', Message: 'local time of unknown zone' })).message).toContain('time zone');
  });

  it('answers for other names than were asked', () => {
    expect(refused(() => read.hostDns({ Query: 'HV03', Name: null, IPAddress: null, NameHost: null }, { node: 'HV01', names: ['HV02'] })).message).toContain('other names');
  });
});
