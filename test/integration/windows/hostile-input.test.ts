import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import type { OperationName } from '../../../src/relay/protocol.js';
import type { WindowsBackend } from '../../../src/relay/server/backends/windows/index.js';
import { DoubleHarness } from '../../helpers/pwsh-double/double-harness.js';
import { healthyHost } from '../../helpers/pwsh-double/fixtures.js';

// Hostile strings cannot reach PowerShell's command text: protocol validation refuses them
// before the pool (no process even starts), and a valid but odd value only ever travels inside
// the base64 string, which is the one variable part of a command.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;
const HOSTILE = [
  "HV01'; Remove-Item C:\\ -Recurse; '",
  'HV01"; Stop-Computer; "',
  'HV01$(Stop-Computer)',
  '$(Stop-Computer)',
  'HV01`nStop-Computer',
  'HV01\nStop-Computer',
  'HV01\r\n\r\nStop-Computer',
  'HV01\u0000',
  'HV01;Stop-Computer',
  'HV01 | Stop-Computer',
  'HV01&calc',
  '@{a=1}',
  "HV01' -ConfigurationName Microsoft.PowerShell '",
  'HV01)(cn=*',
  'HV01*',
  'ＨＶ０１',
  'HV01\u2019',
  'HV01 ',
  '',
  'A'.repeat(300),
];

function hostileCalls(value: string): Array<[OperationName, Record<string, unknown>]> {
  return [
    ['host.migration-settings', { node: value }],
    ['host.security', { node: value }],
    ['host.events', { node: value, sinceHours: 24 }],
    ['host.hotfixes', { node: value }],
    ['host.dns', { node: 'HV01', names: ['HV02', value] }],
    ['host.vms', { node: value }],
    ['cluster.nodes', { cluster: value }],
    ['host.purge-tickets', { node: value, approval: APPROVAL }],
    ['host.set-migration-auth', { node: 'HV01', expected: value, authenticationType: 'Kerberos', approval: APPROVAL }],
    ['vm.test-migration', { vm: 'web01', source: 'HV01', destination: value, approval: APPROVAL }],
    ['vm.test-migration', { vm: 'web01', source: value, destination: 'HV02', approval: APPROVAL }],
    // VM names may hold spaces, so "HV01 " is a valid (odd) VM name: it is shown below to travel base64 only.
    ...(value === 'HV01 ' ? [] : ([['vm.test-migration', { vm: value, source: 'HV01', destination: 'HV02', approval: APPROVAL }]] as Array<[OperationName, Record<string, unknown>]>)),
  ];
}

let harness: DoubleHarness;
let backend: WindowsBackend;
let client: InProcessRelayClient;
beforeAll(() => {
  harness = new DoubleHarness({ hosts: { HV01: { ...healthyHost('HV01', ['HV02']), testMigrations: { 'web (old) 01.b': { Succeeded: true, DurationMs: 900, Message: 'ok', Events: [] } } } } });
  backend = harness.backend(2);
  client = new InProcessRelayClient(backend, 'windows (pwsh double)');
});
afterAll(() => harness.cleanup());

describe('hostile parameters', () => {
  const cases = HOSTILE.flatMap((value) => hostileCalls(value).map(([op, params]) => ({ op, params, value: JSON.stringify(value).slice(0, 40) })));

  it('the corpus covers every windows operation', () => {
    expect(new Set(cases.map((c) => c.op)).size).toBe(10);
    expect(cases.length).toBeGreaterThanOrEqual(200);
  });

  it.each(cases)('$op with $value is refused by the protocol (client) and by the backend itself', async ({ op, params }) => {
    await expect(client.call(op, params as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(backend.handle(op, params as never, {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('none of them reached PowerShell: no process was started, no command received', () => {
    expect(harness.starts()).toBe(0);
    expect(harness.calls()).toEqual([]);
  });
});

describe('a valid but odd value', () => {
  it('travels only base64-encoded; the command text is otherwise the fixed script', async () => {
    const vm = 'web (old) 01.b';
    const result = await client.call('vm.test-migration', { vm, source: 'HV01', destination: 'hv02.contoso.com', approval: APPROVAL });
    expect(result).toMatchObject({ succeeded: true, durationMs: 900 });
    const [call] = harness.calls();
    expect(call!.params).toEqual({ vm, source: 'HV01', destination: 'hv02.contoso.com' });
    expect(call!.command).not.toContain('web (old)');
    expect(call!.command).not.toContain('hv02.contoso.com');
    const lines = call!.command!.split('\n');
    expect(lines.at(-1)).toMatch(/^\} -ParamsB64 '[A-Za-z0-9+/=]+'$/);
    expect(lines.at(-1)).toBe(`} -ParamsB64 '${call!.paramsB64}'`);
  });
});
