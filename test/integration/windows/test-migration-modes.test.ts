import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import type { StubHostState } from '../../../tools/pwsh-lab/host-state.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// Issue 19: the two kinds of test move through the real script in real PowerShell.
// remote-initiated: Move-VM -ComputerName <source> runs in the relay's own process (the relay
// host's Hyper-V module), so no node's write endpoint is called; then the 21502/22038 events of
// both nodes since the start come through their read endpoints. cluster: the source's write role
// moves a cluster role only.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;
const HA = 'Microsoft-Windows-Hyper-V-High-Availability-Admin';
const VMMS = 'Microsoft-Windows-Hyper-V-VMMS-Admin';

function arrange(): StubHostState[] {
  const [hv01, hv02, hv03] = healthyCluster(3);
  const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
  hv01!.vms = [
    { Name: 'web01', State: 'Running', IsClustered: false },
    { Name: 'sql01', State: 'Running', IsClustered: true },
  ];
  // A refusal from two hours ago: not this attempt's, so never in its result.
  hv03!.events = [{ LogName: HA, Id: 21502, TimeCreated: old, Message: 'an older failure' }];
  hv03!.vms = [{ Name: 'app03', State: 'Running', IsClustered: false }];
  hv03!.moveFailure = {
    Message: "Virtual machine migration operation for 'app03' failed at migration source 'HV03'. No credentials are available in the security package (0x8009030E).",
    Event: { LogName: HA, Id: 21502, Message: "Live migration of 'Virtual Machine app03' failed. (0x8009030E)" },
    DestinationEvent: { LogName: VMMS, Id: 22038, Message: 'Failed to perform migration on virtual machine app03 because virtual machine migration initialization failed.' },
  };
  return [hv01!, hv02!, hv03!];
}

let lab: PwshLab;
let client: InProcessRelayClient;
beforeAll(() => {
  if (SKIP_PWSH) return;
  lab = new PwshLab(arrange());
  client = new InProcessRelayClient(lab.backend(1), 'windows (real pwsh)');
}, 120_000);
afterAll(() => lab?.cleanup());

describe.skipIf(SKIP_PWSH)('vm.test-migration modes', () => {
  it('remote-initiated: Move-VM runs on the relay host, no node write endpoint is called, and it says so', async () => {
    const before = lab.calls().length;
    const result = await client.call('vm.test-migration', { vm: 'web01', source: 'HV01', destination: 'HV02', mode: 'remote-initiated', approval: APPROVAL });
    expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: true, message: "Live migration of 'web01' from HV01 to HV02 completed.", events: [] });
    const calls = lab.calls().slice(before);
    // Only the two event reads, one per node, on the read endpoint.
    expect(calls.map((c) => [c.computerName, c.configurationName, c.commands?.[0]?.name])).toEqual([
      ['HV01', 'HvLmDiag', 'Get-HvLmEvent'],
      ['HV02', 'HvLmDiag', 'Get-HvLmEvent'],
    ]);
  });

  it('remote-initiated failure: the message, and the 21502 of the source and the 22038 of the destination logged during the attempt only', async () => {
    const result = await client.call('vm.test-migration', { vm: 'app03', source: 'HV03', destination: 'HV01', mode: 'remote-initiated', approval: APPROVAL });
    expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: false });
    expect(result.message).toContain('(0x8009030E)');
    expect(result.events.map((e) => [e.log, e.id, e.message])).toEqual([
      [HA, 21502, "Live migration of 'Virtual Machine app03' failed. (0x8009030E)"],
      [VMMS, 22038, 'Failed to perform migration on virtual machine app03 because virtual machine migration initialization failed.'],
    ]);
  });

  it('remote-initiated on a source the relay cannot reach fails the move with the reason, not the relay', async () => {
    const result = await client.call('vm.test-migration', { vm: 'web01', source: 'HV09', destination: 'HV02', mode: 'remote-initiated', approval: APPROVAL });
    expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: false });
    expect(result.message).toContain("The operation on computer 'HV09' failed");
    expect(result.message).toContain('events unknown from HV09');
  });

  it('cluster: moves a cluster role with -Kind Cluster on the source write endpoint', async () => {
    const before = lab.calls().length;
    const result = await client.call('vm.test-migration', { vm: 'sql01', source: 'HV01', destination: 'HV02', mode: 'cluster', approval: APPROVAL });
    expect(result).toMatchObject({ mode: 'cluster', succeeded: true, message: "Live migration of 'sql01' to HV02 completed." });
    const calls = lab.calls().slice(before);
    expect(calls[0]).toMatchObject({ computerName: 'HV01', configurationName: 'HvLmFix' });
    expect(calls[0]!.commands![0]!.name).toBe('Test-HvLmMigration');
    expect(calls[0]!.commands![0]!.parameters).toContainEqual({ name: null, value: 'Cluster' });
    expect(calls.slice(1).map((c) => [c.computerName, c.configurationName])).toEqual([['HV02', 'HvLmDiag']]);
  });

  it('cluster: near miss, a VM that is not a cluster role is not moved', async () => {
    const result = await client.call('vm.test-migration', { vm: 'web01', source: 'HV01', destination: 'HV02', mode: 'cluster', approval: APPROVAL });
    expect(result).toMatchObject({ mode: 'cluster', succeeded: false, message: "'web01' is not a clustered VM on this node: a cluster move needs a cluster role." });
  });
});

describe.skipIf(SKIP_PWSH)('a relay host without Hyper-V management tools', () => {
  it('fails the off-box move with PowerShell saying Move-VM is missing', async () => {
    const bare = new PwshLab(arrange(), { relayHyperVTools: false });
    try {
      const result = await new InProcessRelayClient(bare.backend(1), 'bare').call('vm.test-migration', { vm: 'web01', source: 'HV01', destination: 'HV02', mode: 'remote-initiated', approval: APPROVAL });
      expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: false });
      expect(result.message).toMatch(/Move-VM|Hyper-V/);
    } finally {
      bare.cleanup();
    }
  }, 120_000);
});
