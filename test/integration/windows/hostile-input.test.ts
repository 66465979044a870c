import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { vmNameSchema, type OperationName } from '../../../src/relay/protocol.js';
import { PwshPool, type WindowsBackend } from '../../../src/relay/server/backends/windows/index.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// Hostile strings cannot reach PowerShell's command text: protocol validation refuses them
// before the pool (no process even starts), and a valid but odd value only ever travels inside
// the base64 string, which is the one variable part of a command; on the node it arrives as a
// parameter's value, never as code.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;
const BASE = [
  "HV01'; Remove-Item C:\\ -Recurse; '",
  'HV01"; Stop-Computer; "',
  'HV01$(Stop-Computer)',
  '$(Stop-Computer)',
  'HV01`nStop-Computer',
  'HV01\nStop-Computer',
  'HV01\r\n\r\nStop-Computer',
  "HV01' -ConfigurationName Microsoft.PowerShell '",
  '} ; Stop-Computer ; & {',
  "'} -ParamsB64 'eyJ9'",
  'HV01)(cn=*',
  'ＨＶ０１',
  'НV01', // Cyrillic Н
  'HV01 ',
  ' HV01',
  '',
  'A'.repeat(300),
  `${'a'.repeat(63)}.${'b'.repeat(64)}`,
];
const INJECTIONS = [
  "'", '"', '`', '$(whoami)', '${env:PATH}', '$env:COMPUTERNAME', '$null', ';', '|', '&', '&&', '||', '\n', '\r', '\r\n',
  '\t', '\u0000', '\u001b[2J', '@(1)', '@{a=1}', '{', '}', '(', ')', '[a]', '<', '>', '2>&1', '*', '?', '#', '<#', '%', '!',
  '\\', '/', ',', '=', ':', '\u2018', '\u2019', '\u201c', '\u00a0', '\u200b', '\u202e', '\u2013', ' ', '..', '-', '.-',
];
const HOSTILE = [...new Set([...BASE, ...INJECTIONS.flatMap((inj) => [`HV01${inj}`, `${inj}HV01`])])];

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
    // Issue 19: the off-box move runs Move-VM in the relay's own process: its names and the mode.
    ['vm.test-migration', { vm: 'web01', source: value, destination: 'HV02', mode: 'remote-initiated', approval: APPROVAL }],
    ['vm.test-migration', { vm: 'web01', source: 'HV01', destination: value, mode: 'remote-initiated', approval: APPROVAL }],
    ['vm.test-migration', { vm: 'web01', source: 'HV01', destination: 'HV02', mode: value, approval: APPROVAL }],
    // Issue 19: the DC reads.
    ['dc.kdc-events', { dc: value, sinceHours: 24, names: ['HV01$'] }],
    ['dc.kdc-events', { dc: 'DC01', sinceHours: 24, names: ['HV01$', value] }],
    ['dc.hotfixes', { dc: value }],
    ['dc.evidence', { dc: 'DC01', sinceHours: 24, names: [value] }],
    // VM names may hold spaces, dots, hyphens and parentheses, so e.g. "HV01 (" is a valid (odd)
    // VM name; those travel base64 only (shown below) and are checked to hold nothing else.
    ...(vmNameSchema.safeParse(value).success
      ? []
      : ([
          ['vm.test-migration', { vm: value, source: 'HV01', destination: 'HV02', approval: APPROVAL }],
          ['vm.test-migration', { vm: value, source: 'HV01', destination: 'HV02', mode: 'remote-initiated', approval: APPROVAL }],
        ] as Array<[OperationName, Record<string, unknown>]>)),
  ];
}

let lab: PwshLab;
let backend: WindowsBackend;
let client: InProcessRelayClient;
const sent: string[] = [];
beforeAll(() => {
  if (SKIP_PWSH) return;
  const hosts = healthyCluster(2);
  lab = new PwshLab(hosts);
  backend = lab.backend(2);
  client = new InProcessRelayClient(backend, 'windows (real pwsh)');
  // Every command text the backend hands to PowerShell, as written to its stdin.
  const run = PwshPool.prototype.run;
  vi.spyOn(PwshPool.prototype, 'run').mockImplementation(function (this: PwshPool, command: string, signal?: AbortSignal) {
    sent.push(command);
    return run.call(this, command, signal);
  });
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  await lab?.cleanup();
});

describe.skipIf(SKIP_PWSH)('hostile parameters', () => {
  const cases = HOSTILE.flatMap((value) => hostileCalls(value).map(([op, params]) => ({ op, params, value })));
  const ops = [...new Set(cases.map((c) => c.op))];

  it('the corpus has over 100 values and covers every windows operation', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(100);
    expect(ops).toHaveLength(13);
  });

  it('the only values let through as VM names are made of the characters VM names allow', () => {
    const allowed = HOSTILE.filter((v) => vmNameSchema.safeParse(v).success);
    for (const v of allowed) expect(v).toMatch(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/);
  });

  it.each(ops)('%s refuses every hostile value, in the protocol (client) and in the backend itself', async (op) => {
    const accepted: string[] = [];
    for (const c of cases.filter((x) => x.op === op)) {
      const viaClient = await client.call(op, c.params as never).then(() => 'accepted', (e: { code?: string }) => e.code);
      const direct = await backend.handle(op, c.params as never, {}).then(() => 'accepted', (e: { code?: string }) => e.code);
      if (viaClient !== 'BAD_REQUEST' || direct !== 'BAD_REQUEST') accepted.push(`${JSON.stringify(c.params)} → ${viaClient}/${direct}`);
    }
    expect(accepted).toEqual([]);
  });

  it('none of them reached PowerShell: no process was started, no command received', () => {
    expect(lab.starts()).toBe(0);
    expect(sent).toEqual([]);
    expect(lab.calls()).toEqual([]);
  });
});

describe.skipIf(SKIP_PWSH)('a valid but odd value', () => {
  /** Arranges a VM of that name on HV01 and moves it to HV02; returns the command text and what HV01 received. */
  async function move(vm: string, destination = 'HV02') {
    lab.updateHost('HV01', (h) => {
      h.vms = [{ Name: vm, State: 'Running', IsClustered: false }];
    });
    const sentBefore = sent.length;
    const callsBefore = lab.calls().length;
    const result = await client.call('vm.test-migration', { vm, source: 'HV01', destination, approval: APPROVAL });
    return { result, commands: sent.slice(sentBefore), calls: lab.calls().slice(callsBefore) };
  }

  it('travels only base64-encoded and reaches the node as the value of -VMName', async () => {
    const vm = 'web (old) 01.b';
    const { result, commands, calls } = await move(vm, 'hv02.lab.test');
    expect(result).toMatchObject({ succeeded: true, message: `Live migration of '${vm}' to hv02.lab.test completed.` });
    expect(commands).toHaveLength(1);
    expect(commands[0]).not.toContain('web (old)');
    expect(commands[0]).not.toContain('hv02.lab.test');
    const lines = commands[0]!.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\} -ParamsB64 '[A-Za-z0-9+/=]+'$/);
    expect(calls).toEqual([
      {
        computerName: 'HV01',
        configurationName: 'HvLmFix',
        commands: [{ name: 'Test-HvLmMigration', parameters: [{ name: '-VMName', value: null }, { name: null, value: vm }, { name: '-DestinationHost', value: null }, { name: null, value: 'hv02.lab.test' }] }],
        script: null,
      },
    ]);
  });

  it('so do the corpus values that are valid VM names', async () => {
    const odd = HOSTILE.filter((v) => vmNameSchema.safeParse(v).success);
    expect(odd.length).toBeGreaterThan(3);
    for (const vm of odd) {
      const { result, commands, calls } = await move(vm);
      expect(result.succeeded).toBe(true);
      expect(commands[0]).not.toContain(vm);
      expect(calls[0]!.commands![0]!.parameters[1]).toEqual({ name: null, value: vm });
    }
  });
});
