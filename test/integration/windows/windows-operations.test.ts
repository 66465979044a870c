import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError, type OperationName } from '../../../src/relay/protocol.js';
import { buildInvocation } from '../../../src/relay/server/backends/windows/invocation.js';
import { defaultScriptsDir, SCRIPT_SPECS, type WindowsOperation } from '../../../src/relay/server/backends/windows/script-catalog.js';
import { DoubleHarness } from '../../helpers/pwsh-double/double-harness.js';
import { healthyHost } from '../../helpers/pwsh-double/fixtures.js';

// Every windows operation through the real backend, node-powershell and the pwsh double: the
// exact script file and decoded parameters reach "PowerShell", and PowerShell's JSON (quirks
// included) becomes the protocol's result.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;
const hv01 = healthyHost('HV01', ['HV02', 'HV03']);
const fixture = {
  hosts: {
    // Windows PowerShell 5.1 style: "\/Date(ms)\/", enums as numbers, one-element lists as objects.
    HV01: {
      ...hv01,
      deviceGuard: { SecurityServicesRunning: 1, SecurityServicesConfigured: [1, 2] },
      timeStatus: { Source: 'DC01.contoso.com', OffsetSeconds: -2.5 },
      events: [
        { LogName: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', Id: 21502, TimeCreated: { hoursAgo: 2 }, Message: "Live migration of 'Virtual Machine web01' failed. 0x8009030E" },
        { LogName: 'Microsoft-Windows-Hyper-V-VMMS-Admin', Id: 20413, TimeCreated: { hoursAgo: 100 }, Message: 'too old for a 72 h window' },
      ],
      hotfixes: [{ HotFixID: 'KB5021131', InstalledOn: '11/8/2022' }],
      dns: {
        hv02: { Name: 'hv02.contoso.com', IPAddress: '10.0.0.12', NameHost: 'hv02.contoso.com' },
        'hv03.contoso.com': { Name: 'hv03.contoso.com', IPAddress: '10.0.0.12', NameHost: 'hv02.contoso.com' },
      },
      vms: [{ Name: 'web01', State: 2 }, { Name: 'sql (old) 01', State: 3 }],
      testMigrations: { web01: { Succeeded: false, DurationMs: 5120, Message: 'Virtual machine migration operation failed at migration source.', Events: [{ LogName: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', Id: 21502, TimeCreated: { hoursAgo: 0 }, Message: '0x8009030E' }] } },
    },
    // PowerShell 7 style: ISO dates with seven fractional digits, enums as names, CredSSP, no CG.
    HV02: {
      ...healthyHost('HV02', ['HV01']),
      dateStyle: 'iso',
      vmHost: { VirtualMachineMigrationEnabled: false, VirtualMachineMigrationAuthenticationType: 'CredSSP', MaximumVirtualMachineMigrations: 4, MaximumStorageMigrations: null, UseAnyNetworkForMigration: true },
      os: { Caption: 'Microsoft Windows Server 2022 Standard ', Version: '10.0.20348' },
      deviceGuard: { SecurityServicesRunning: null, SecurityServicesConfigured: [] },
      events: [
        { LogName: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', Id: 21502, TimeCreated: { hoursAgo: 3 }, Message: 'a' },
        { LogName: 'Microsoft-Windows-Hyper-V-VMMS-Admin', Id: 20417, TimeCreated: { hoursAgo: 1 }, Message: null },
      ],
      hotfixes: [
        { HotFixID: 'KB5037754', InstalledOn: '4/9/2024' },
        { HotFixID: 'KB4598347', InstalledOn: '' },
        { HotFixID: 'KB5008380', InstalledOn: '20211109' },
        { HotFixID: 'KB4586781', InstalledOn: '01d6b6f7a4b5c000' },
      ],
      vms: [],
    },
  },
  clusters: {
    CL01: [{ Name: 'HV01', State: 0, Cluster: 'CL01' }, { Name: 'HV02', State: 1, Cluster: 'CL01' }],
    SOLO: [{ Name: 'HV09', State: 0, Cluster: 'SOLO.contoso.com' }],
  },
};

let harness: DoubleHarness;
let client: InProcessRelayClient;
beforeAll(() => {
  harness = new DoubleHarness(fixture);
  client = new InProcessRelayClient(harness.backend(2), 'windows (pwsh double)');
});
afterAll(() => harness.cleanup());

const script = (op: WindowsOperation) => readFileSync(path.join(defaultScriptsDir(), SCRIPT_SPECS[op].file), 'utf8').replace(/\n$/, '');

/** Calls op and returns the result with the one command the double received for it. */
async function callOnce<O extends OperationName>(op: O, params: Record<string, unknown>) {
  const before = harness.calls().length;
  const result = await client.call(op, params as never);
  const calls = harness.calls().slice(before);
  expect(calls).toHaveLength(1);
  return { result, call: calls[0]! };
}

const cases: Array<{ op: WindowsOperation; params: Record<string, unknown>; sent: Record<string, unknown>; endpoint: string; result: unknown }> = [
  { op: 'host.migration-settings', params: { node: 'HV01' }, sent: { node: 'HV01' }, endpoint: 'HvLmDiag', result: { enabled: true, authenticationType: 'Kerberos', maxMigrations: 2, maxStorageMigrations: 2, useAnyNetwork: false } },
  { op: 'host.security', params: { node: 'hv01.contoso.com' }, sent: { node: 'hv01.contoso.com' }, endpoint: 'HvLmDiag', result: { os: 'Microsoft Windows Server 2025 Datacenter', credentialGuardRunning: true, credentialGuardConfigured: true, clockOffsetSeconds: -2.5 } },
  { op: 'host.hotfixes', params: { node: 'HV01' }, sent: { node: 'HV01' }, endpoint: 'HvLmDiag', result: { hotfixes: [{ id: 'KB5021131', installedOn: '2022-11-08' }] } },
  { op: 'host.dns', params: { node: 'HV01', names: ['HV02', 'hv03.contoso.com', 'HV07'] }, sent: { node: 'HV01', names: ['HV02', 'hv03.contoso.com', 'HV07'] }, endpoint: 'HvLmDiag', result: { answers: [{ name: 'HV02', resolvedTo: 'hv02.contoso.com' }, { name: 'hv03.contoso.com', resolvedTo: 'hv02.contoso.com' }, { name: 'HV07', resolvedTo: null }] } },
  { op: 'host.vms', params: { node: 'HV01' }, sent: { node: 'HV01' }, endpoint: 'HvLmDiag', result: { vms: [{ name: 'web01', state: 'Running' }, { name: 'sql (old) 01', state: 'Off' }] } },
  { op: 'cluster.nodes', params: { cluster: 'CL01' }, sent: { cluster: 'CL01' }, endpoint: 'HvLmDiag', result: { cluster: 'CL01', nodes: ['HV01', 'HV02'] } },
  { op: 'host.purge-tickets', params: { node: 'HV01', approval: APPROVAL }, sent: { node: 'HV01' }, endpoint: 'HvLmFix', result: { purged: true } },
  { op: 'host.set-migration-auth', params: { node: 'HV02', expected: 'CredSSP', authenticationType: 'Kerberos', approval: APPROVAL }, sent: { node: 'HV02', expected: 'CredSSP', authenticationType: 'Kerberos' }, endpoint: 'HvLmFix', result: { before: 'CredSSP', after: 'Kerberos' } },
  { op: 'vm.test-migration', params: { vm: 'web01', source: 'HV01', destination: 'HV02', approval: APPROVAL }, sent: { vm: 'web01', source: 'HV01', destination: 'HV02' }, endpoint: 'HvLmFix', result: expect.objectContaining({ succeeded: false, durationMs: 5120, message: 'Virtual machine migration operation failed at migration source.' }) },
];

describe('every windows operation', () => {
  it.each(cases)('$op sends its own script with exactly the decoded parameters and parses the answer', async ({ op, params, sent, endpoint, result }) => {
    const { result: got, call } = await callOnce(op, params);
    expect(got).toEqual(result);
    expect(call).toMatchObject({ ok: true, op, script: SCRIPT_SPECS[op].file, endpoint, params: sent });
    expect(JSON.parse(Buffer.from(call.paramsB64!, 'base64').toString('utf8'))).toEqual({ endpoint, params: sent });
    expect(call.command).toBe(buildInvocation(script(op), call.paramsB64!).replace(/\n$/, ''));
    expect(call.command).not.toContain(APPROVAL.slice(0, 20));
  });

  it('host.events reads both migration logs for the window asked, oldest first', async () => {
    const { result, call } = await callOnce('host.events', { node: 'HV01', sinceHours: 72 });
    expect(call.params).toEqual({ node: 'HV01', sinceHours: 72 });
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ log: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', id: 21502, message: expect.stringContaining('0x8009030E') });
    expect(Math.abs(Date.parse(result.events[0]!.time) - (Date.now() - 2 * 3_600_000))).toBeLessThan(60_000);
    const wide = await client.call('host.events', { node: 'HV01', sinceHours: 168 });
    expect(wide.events.map((e) => e.id)).toEqual([20413, 21502]);
  });
});

describe('PowerShell quirks', () => {
  it('reads enums as names, a missing optional as absent, and no Credential Guard from null and empty lists', async () => {
    expect(await client.call('host.migration-settings', { node: 'HV02' })).toEqual({ enabled: false, authenticationType: 'CredSSP', maxMigrations: 4, useAnyNetwork: true });
    expect(await client.call('host.security', { node: 'HV02' })).toMatchObject({ os: 'Microsoft Windows Server 2022 Standard', credentialGuardRunning: false, credentialGuardConfigured: false });
  });

  it('reads PowerShell 7 ISO dates with seven fractional digits and null messages', async () => {
    const { events } = await client.call('host.events', { node: 'HV02', sinceHours: 24 });
    expect(events.map((e) => [e.id, e.message])).toEqual([[21502, 'a'], [20417, '']]);
    for (const e of events) expect(e.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('reads every InstalledOn form of Win32_QuickFixEngineering', async () => {
    expect(await client.call('host.hotfixes', { node: 'HV02' })).toEqual({
      hotfixes: [
        { id: 'KB5037754', installedOn: '2024-04-09' },
        { id: 'KB4598347', installedOn: null },
        { id: 'KB5008380', installedOn: '2021-11-09' },
        { id: 'KB4586781', installedOn: '2020-11-10' },
      ],
    });
  });

  it('reads an empty pipeline (null) as an empty list and a one-node cluster written as an object', async () => {
    expect(await client.call('host.vms', { node: 'HV02' })).toEqual({ vms: [] });
    expect(await client.call('cluster.nodes', { cluster: 'SOLO' })).toEqual({ cluster: 'SOLO.contoso.com', nodes: ['HV09'] });
  });

  it('answers a compare-and-set miss with CONFLICT and the current value, changing nothing', async () => {
    const error = await client
      .call('host.set-migration-auth', { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos', approval: APPROVAL })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { current: 'Kerberos' } });
  });
});
