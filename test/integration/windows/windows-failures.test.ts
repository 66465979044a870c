import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { DoubleHarness } from '../../helpers/pwsh-double/double-harness.js';
import { healthyHost } from '../../helpers/pwsh-double/fixtures.js';

// What the backend does when PowerShell or the host misbehaves: unexpected output is
// BAD_RESPONSE (never a guess), WinRM and JEA refusals are HOST_UNREACHABLE with a message of
// our own, and the pool keeps serving afterwards.

const ok = healthyHost('HV01', ['HV02']);
const fixture = {
  hosts: {
    HV01: ok,
    NOTJSON: { ...ok, raw: { 'host.migration-settings': 'WARNING: something printed before the JSON' } },
    WRONGTYPE: { ...ok, raw: { 'host.migration-settings': '{"ok":true,"data":{"VirtualMachineMigrationEnabled":"True","VirtualMachineMigrationAuthenticationType":1,"MaximumVirtualMachineMigrations":2}}' } },
    AUTH3: { ...ok, vmHost: { ...(ok.vmHost as object), VirtualMachineMigrationAuthenticationType: 3 } },
    NOZONE: { ...ok, events: [{ Id: 21502, TimeCreated: '2026-11-20T10:00:00', Message: 'local time of unknown zone' }] },
    TWOHOSTS: { ...ok, raw: { 'host.migration-settings': JSON.stringify({ ok: true, data: [ok.vmHost, ok.vmHost] }) } },
    WRONGDNS: { ...ok, raw: { 'host.dns': JSON.stringify({ ok: true, data: { Query: 'HV03', Name: null, IPAddress: null, NameHost: null } }) } },
    SHAPE: { ...ok, raw: { 'host.vms': '{"result":[]}' } },
    DENIED: { ...ok, failure: 'access-denied' },
    NOCMD: { ...ok, failure: 'command-not-found' },
    STDERR: { ...ok, failure: 'stderr' },
  },
};

let harness: DoubleHarness;
let client: InProcessRelayClient;
beforeAll(() => {
  harness = new DoubleHarness(fixture);
  client = new InProcessRelayClient(harness.backend(1), 'windows (pwsh double)');
});
afterAll(() => harness.cleanup());

async function failure(promise: Promise<unknown>): Promise<RelayError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RelayError);
  return error as RelayError;
}

describe('malformed output is BAD_RESPONSE', () => {
  it.each([
    ['text that is not JSON', 'NOTJSON', 'not JSON'],
    ['a boolean written as a string', 'WRONGTYPE', 'VirtualMachineMigrationEnabled'],
    ['an enum value that means nothing', 'AUTH3', 'unknown migration authentication type'],
    ['two hosts where one was expected', 'TWOHOSTS', 'unexpected data'],
  ])('%s', async (_what, node, message) => {
    const e = await failure(client.call('host.migration-settings', { node }));
    expect(e.code).toBe('BAD_RESPONSE');
    expect(e.message).toContain(message);
  });

  it('a time without a zone', async () => {
    const e = await failure(client.call('host.events', { node: 'NOZONE', sinceHours: 24 }));
    expect(e).toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringContaining('time zone') });
  });

  it('answers for other names than were asked', async () => {
    const e = await failure(client.call('host.dns', { node: 'WRONGDNS', names: ['HV02'] }));
    expect(e).toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringContaining('other names') });
  });

  it('JSON without the envelope', async () => {
    expect(await failure(client.call('host.vms', { node: 'SHAPE' }))).toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('remote failures', () => {
  it('an unknown host is HOST_UNREACHABLE with our own message, not WinRM text', async () => {
    const e = await failure(client.call('host.vms', { node: 'HV99' }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toBe('HV99: could not connect over WinRM to the JEA endpoint HvLmDiag');
  });

  it('access denied by the endpoint is HOST_UNREACHABLE naming the endpoint', async () => {
    const e = await failure(client.call('host.purge-tickets', { node: 'DENIED', approval: `${'a'.repeat(20)}.${'0'.repeat(64)}` }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toContain('access to the JEA endpoint HvLmFix was denied');
  });

  it('a command missing from the role is BACKEND_ERROR', async () => {
    const e = await failure(client.call('host.migration-settings', { node: 'NOCMD' }));
    expect(e).toMatchObject({ code: 'BACKEND_ERROR', message: 'NOCMD: the JEA endpoint HvLmDiag could not run host.migration-settings (CommandNotFoundException)' });
  });

  it('an error PowerShell writes on stderr is BACKEND_ERROR without its text', async () => {
    const e = await failure(client.call('host.vms', { node: 'STDERR' }));
    expect(e.code).toBe('BACKEND_ERROR');
    expect(e.message).not.toContain('Bogus');
  });

  it('the same process still answers after all of the above', async () => {
    expect(await client.call('host.vms', { node: 'HV01' })).toEqual({ vms: [{ name: 'hv01-vm1', state: 'Running' }] });
    expect(harness.starts()).toBe(1);
  });
});
