import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import type { StubHostState } from '../../../tools/pwsh-lab/host-state.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// Every windows operation through the real backend, node-powershell and PowerShell 7, into JEA
// runspaces built from manifests/jea: what the node receives (commands, never script text, on
// the right endpoint, without the approval token), what it changes, and how PowerShell's
// serialization (remoting, then ConvertTo-Json) comes back through the parsers.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;
const LONG = `Live migration failed: ${'x'.repeat(7_980)}`;

function arrange(): StubHostState[] {
  const [hv01, hv02, hv03] = healthyCluster(3);
  const now = Date.now();
  hv01!.events = [
    { LogName: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', Id: 21502, TimeCreated: new Date(now - 2 * 3_600_000).toISOString(), Message: "Échec de la migration dynamique de « web01 » — 仮想マシン 🚫 \"quoted\" \\ back\nslash (0x8009030E)" },
    { LogName: 'Microsoft-Windows-Hyper-V-VMMS-Admin', Id: 20413, TimeCreated: new Date(now - 100 * 3_600_000).toISOString(), Message: 'outside a 72 h window' },
    { LogName: 'Microsoft-Windows-Hyper-V-VMMS-Admin', Id: 20417, TimeCreated: new Date(now - 3 * 3_600_000).toISOString(), Message: LONG },
    { LogName: 'Microsoft-Windows-Hyper-V-Worker-Admin', Id: 18500, TimeCreated: new Date(now - 1 * 3_600_000).toISOString(), Message: 'a log the relay does not read' },
  ];
  hv01!.vms = [
    { Name: 'web01', State: 'Running', IsClustered: false },
    { Name: 'sql (old) 01', State: 'Saved', IsClustered: true },
  ];
  hv01!.hotfixes = [
    { HotFixID: 'KB5021131', InstalledOn: '11/8/2022' },
    { HotFixID: 'KB4598347', InstalledOn: '' },
  ];
  hv02!.vmHost = { ...hv02!.vmHost, VirtualMachineMigrationAuthenticationType: 'CredSSP', VirtualMachineMigrationEnabled: false };
  hv02!.deviceGuard = {};
  hv02!.addresses = ['10.0.0.12', 'fd00::12'];
  hv02!.vms = [];
  hv03!.moveFailure = { Message: "Virtual machine migration operation for 'app03' failed at migration source 'HV03'. (0x8009030E)" };
  hv03!.vms = [{ Name: 'app03', State: 'Running', IsClustered: false }];
  return [hv01!, hv02!, hv03!];
}

let lab: PwshLab;
let client: InProcessRelayClient;
beforeAll(() => {
  if (SKIP_PWSH) return;
  lab = new PwshLab(arrange());
  client = new InProcessRelayClient(lab.backend(2), 'windows (real pwsh)');
}, 120_000);
afterAll(() => lab?.cleanup());

/** Calls op; returns its result and the remote calls the node received for it. */
async function withCalls<T>(call: () => Promise<T>) {
  const before = lab.calls().length;
  const result = await call();
  return { result, calls: lab.calls().slice(before) };
}

describe.skipIf(SKIP_PWSH)('reads', () => {
  it('host.migration-settings: enums by name, on the read endpoint, as one command', async () => {
    const { result, calls } = await withCalls(() => client.call('host.migration-settings', { node: 'HV02' }));
    expect(result).toEqual({ enabled: false, authenticationType: 'CredSSP', maxMigrations: 2, maxStorageMigrations: 2, useAnyNetwork: false, performanceOption: 'Compression' });
    expect(calls).toEqual([{ computerName: 'HV02', configurationName: 'HvLmDiag', commands: [{ name: 'Get-VMHost', parameters: [] }], script: null }]);
  });

  it('host.security: five reads over one session; missing Device Guard data reads as not running; every address; no site known, none reported', async () => {
    const { result, calls } = await withCalls(() => client.call('host.security', { node: 'hv02.lab.test' }));
    expect(result).toEqual({ os: 'Microsoft Windows Server 2025 Datacenter', credentialGuardRunning: false, credentialGuardConfigured: false, clockOffsetSeconds: 0, addresses: ['10.0.0.12', 'fd00::12'] });
    expect(calls.map((c) => c.commands?.[0]?.name)).toEqual(['Get-CimInstance', 'Get-CimInstance', 'Get-TimeStatus', 'Get-CimInstance', 'Get-CimInstance']);
  });

  it('host.events: both migration logs, the window asked, newest first; non-ASCII intact; messages cut at 4,000', async () => {
    const { result, calls } = await withCalls(() => client.call('host.events', { node: 'HV01', sinceHours: 72 }));
    expect(result.events.map((e) => e.id)).toEqual([21502, 20417]);
    expect(result.events[0]!.message).toBe("Échec de la migration dynamique de « web01 » — 仮想マシン 🚫 \"quoted\" \\ back\nslash (0x8009030E)");
    expect(result.events[1]!.message).toBe(LONG.slice(0, 4000));
    expect(Math.abs(Date.parse(result.events[0]!.time) - (Date.now() - 2 * 3_600_000))).toBeLessThan(120_000);
    // $using: reached the node as the parameter's value (NoLanguage accepts a command, not script).
    expect(calls[0]!.commands).toEqual([{ name: 'Get-HvLmEvent', parameters: [{ name: '-Hours', value: null }, { name: null, value: 72 }] }]);
    const wide = await client.call('host.events', { node: 'HV01', sinceHours: 168 });
    expect(wide.events.map((e) => e.id)).toEqual([21502, 20417, 20413]);
  });

  it('host.hotfixes: InstalledOn as PowerShell type data parses it, and an empty one as unknown', async () => {
    expect(await client.call('host.hotfixes', { node: 'HV01' })).toEqual({ hotfixes: [{ id: 'KB5021131', installedOn: '2022-11-08' }, { id: 'KB4598347', installedOn: null }] });
  });

  it('host.vms: states by name; an empty pipeline is an empty list', async () => {
    const { vms } = await client.call('host.vms', { node: 'HV01' });
    expect(vms.map(({ storagePaths: _paths, ...vm }) => vm)).toEqual([{ name: 'web01', state: 'Running', isClustered: false }, { name: 'sql (old) 01', state: 'Saved', isClustered: true }]);
    expect(await client.call('host.vms', { node: 'HV02' })).toEqual({ vms: [] });
  });

  it('host.dns: every name in one remote call, answered from that node with all its addresses', async () => {
    const { result, calls } = await withCalls(() => client.call('host.dns', { node: 'HV01', names: ['HV02', 'hv03.lab.test', 'HV07'] }));
    expect(result).toEqual({
      answers: [
        { name: 'HV02', resolvedTo: 'hv02.lab.test', addresses: ['10.0.0.12'] },
        { name: 'hv03.lab.test', resolvedTo: 'hv03.lab.test', addresses: ['10.0.0.13'] },
        { name: 'HV07', resolvedTo: null, addresses: [] },
      ],
    });
    expect(calls).toEqual([{ computerName: 'HV01', configurationName: 'HvLmDiag', commands: [{ name: 'Resolve-HvLmName', parameters: [{ name: '-Name', value: null }, { name: null, value: ['HV02', 'hv03.lab.test', 'HV07'] }] }], script: null }]);
  });

  it('host.vms: storage paths show a VM on an SMB share', async () => {
    lab.updateHost('HV02', (h) => {
      h.vms = [{ Name: 'sofs-vm', State: 'Off', IsClustered: true, StoragePaths: ['\\\\SOFS01\\VMs\\sofs-vm', '\\\\SOFS01\\VMs\\sofs-vm\\disk0.vhdx'] }];
    });
    expect(await client.call('host.vms', { node: 'HV02' })).toEqual({ vms: [{ name: 'sofs-vm', state: 'Off', isClustered: true, storagePaths: ['\\\\SOFS01\\VMs\\sofs-vm', '\\\\SOFS01\\VMs\\sofs-vm\\disk0.vhdx'] }] });
    lab.updateHost('HV02', (h) => {
      h.vms = [];
    });
  });

  it('cluster.nodes: asked of the cluster name, answered by a node', async () => {
    expect(await client.call('cluster.nodes', { cluster: 'CL01' })).toEqual({ cluster: 'CL01', nodes: ['HV01', 'HV02', 'HV03'] });
  });
});

describe.skipIf(SKIP_PWSH)('writes, on the write endpoint, without the approval token', () => {
  it('host.purge-tickets runs klist -li 0x3e7 purge on that node', async () => {
    const { result, calls } = await withCalls(() => client.call('host.purge-tickets', { node: 'HV01', approval: APPROVAL }));
    expect(result).toEqual({ purged: true });
    expect(lab.purges('HV01')).toHaveLength(1);
    expect(lab.purges('HV02')).toHaveLength(0);
    expect(calls).toEqual([{ computerName: 'HV01', configurationName: 'HvLmFix', commands: [{ name: 'Clear-HvLmMachineTicket', parameters: [] }], script: null }]);
    expect(JSON.stringify(calls)).not.toContain(APPROVAL.slice(0, 20));
  });

  it('host.set-migration-auth changes the setting only from the expected value', async () => {
    const conflict = await client.call('host.set-migration-auth', { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos', approval: APPROVAL }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(RelayError);
    expect(conflict).toMatchObject({ code: 'CONFLICT', details: { current: 'Kerberos' } });
    expect(lab.host('HV01').vmHost.VirtualMachineMigrationAuthenticationType).toBe('Kerberos');

    expect(await client.call('host.set-migration-auth', { node: 'HV02', expected: 'CredSSP', authenticationType: 'Kerberos', approval: APPROVAL })).toEqual({ before: 'CredSSP', after: 'Kerberos' });
    expect(lab.host('HV02').vmHost.VirtualMachineMigrationAuthenticationType).toBe('Kerberos');
    expect(await client.call('host.migration-settings', { node: 'HV02' })).toMatchObject({ authenticationType: 'Kerberos' });
  });

  it('vm.test-migration moves a clustered VM through its cluster role and another with Move-VM', async () => {
    const clustered = await client.call('vm.test-migration', { vm: 'sql (old) 01', source: 'HV01', destination: 'HV02', approval: APPROVAL });
    expect(clustered).toMatchObject({ succeeded: true, message: "Live migration of 'sql (old) 01' to HV02 completed." });
    const plain = await client.call('vm.test-migration', { vm: 'web01', source: 'HV01', destination: 'HV02', approval: APPROVAL });
    expect(plain).toMatchObject({ succeeded: true, message: "Live migration of 'web01' to HV02 completed." });
  });

  it('vm.test-migration reports a failed move with its message and the events logged meanwhile', async () => {
    lab.updateHost('HV03', (h) => {
      h.events = [{ LogName: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', Id: 21502, TimeCreated: new Date(Date.now() + 1_000).toISOString(), Message: "Live migration of 'app03' failed. (0x8009030E)" }];
    });
    const result = await client.call('vm.test-migration', { vm: 'app03', source: 'HV03', destination: 'HV01', approval: APPROVAL });
    expect(result).toMatchObject({ succeeded: false, message: "Virtual machine migration operation for 'app03' failed at migration source 'HV03'. (0x8009030E)" });
    expect(result.events).toEqual([expect.objectContaining({ id: 21502, message: "Live migration of 'app03' failed. (0x8009030E)" })]);
  });
});
