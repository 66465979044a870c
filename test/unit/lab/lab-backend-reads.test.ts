import { describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { OPERATION_NAMES, RelayError } from '../../../src/relay/protocol.js';

// Every read answers from the scenario, through the in-process client, so the protocol's zod
// schemas check both the parameters and what the lab answers.

const SCENARIO = `name: reads
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
clusters: [ { name: HVCLUSTER01, nodes: [HV01, HV02, HV03] } ]
computers:
  - name: HV01
    userAccountControl: 16781312
    allowedToDelegateTo: ["Microsoft Virtual System Migration Service/HV02", "cifs/hv02.lab.test"]
    supportedEncryptionTypes: 24
  - name: HV02
    distinguishedName: CN=HV02,OU=Hosts,DC=lab,DC=test
    allowedToActOnBehalfOf: [HV01]
  - name: HV02-OLD
    dnsHostName: null
    servicePrincipalNames: ["Microsoft Virtual System Migration Service/hv02.lab.test"]
users:
  - { name: alice, upn: alice@lab.test, mail: alice@example.com, userAccountControl: 512, memberOf: ["CN=Protected Users,CN=Users,DC=lab,DC=test"] }
  - { name: bob, upn: bob@lab.test, userAccountControl: 1049088 }
hosts:
  - name: HV01
    os: Windows Server 2025 Datacenter
    credentialGuard: true
    clockOffsetSeconds: -12.5
    migration: { enabled: true, authenticationType: Kerberos, maxMigrations: 4 }
    dns: { HV02: hv02.lab.test, HV03: null, hv03.lab.test: { addresses: [10.0.1.13, 'fd00::13'] }, HV04: { addresses: [10.0.0.12], ptr: hv05.lab.test } }
    hotfixes: [ { id: KB5073381, installedOn: "2026-11-18" }, { id: KB5066835 } ]
    events:
      - { id: 21502, time: "2026-11-20T08:00:00Z", message: "newest (0x8009030E)" }
      - { id: 21502, time: "2026-11-19T10:00:00Z", message: "yesterday" }
      - { id: 21502, time: "2026-11-10T10:00:00Z", message: "ten days ago" }
    vms: [ { name: SQL01 }, { name: FS01, state: Off } ]
  - name: HV02
    migration: { enabled: false, authenticationType: CredSSP, maxMigrations: 2 }
  - name: HV03
    reachable: false
`;

function relay(text = SCENARIO) {
  return new InProcessRelayClient(new LabBackend(parseScenario(text, 'reads.yaml')), 'lab: reads');
}

async function failure(p: Promise<unknown>): Promise<RelayError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof RelayError)) throw new Error(`expected a RelayError, got ${String(err)}`);
  return err;
}

describe('LabBackend host reads', () => {
  it('supports every operation of the protocol', () => {
    const backend = new LabBackend(parseScenario(SCENARIO, 'reads.yaml'));
    expect(OPERATION_NAMES.filter((op) => !backend.supports(op))).toEqual([]);
  });

  it('answers migration settings and security from the host, by short name or FQDN', async () => {
    const r = relay();
    expect(await r.call('host.migration-settings', { node: 'HV02' })).toEqual({ enabled: false, authenticationType: 'CredSSP', maxMigrations: 2 });
    expect(await r.call('host.security', { node: 'hv01.lab.test' })).toEqual({
      os: 'Windows Server 2025 Datacenter',
      credentialGuardRunning: true,
      credentialGuardConfigured: true,
      clockOffsetSeconds: -12.5,
      addresses: ['10.0.0.11'], // none in the scenario: the lab assigns 10.0.0.11 to the first host
    });
  });

  it('returns the events of the window before the pinned now, newest first', async () => {
    const r = relay();
    const day = await r.call('host.events', { node: 'HV01', sinceHours: 24 });
    expect(day.events.map((e) => e.message)).toEqual(['newest (0x8009030E)', 'yesterday']);
    expect(day.events[0]).toEqual({ log: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', id: 21502, time: '2026-11-20T08:00:00Z', message: 'newest (0x8009030E)' });
    expect((await r.call('host.events', { node: 'HV01', sinceHours: 2 })).events).toHaveLength(1);
    expect((await r.call('host.events', { node: 'HV01', sinceHours: 24 * 14 })).events).toHaveLength(3);
  });

  it('returns hotfixes, VMs, and DNS answers from the table or the peer dNSHostName', async () => {
    const r = relay();
    expect((await r.call('host.hotfixes', { node: 'HV01' })).hotfixes).toEqual([
      { id: 'KB5073381', installedOn: '2026-11-18' },
      { id: 'KB5066835', installedOn: null },
    ]);
    expect((await r.call('host.vms', { node: 'HV01' })).vms).toEqual([
      { name: 'SQL01', state: 'Running' },
      { name: 'FS01', state: 'Off' },
    ]);
    const dns = await r.call('host.dns', { node: 'HV01', names: ['HV02', 'hv02.lab.test', 'HV03', 'hv03.lab.test', 'HV04', 'HV09'] });
    expect(dns.answers).toEqual([
      { name: 'HV02', resolvedTo: 'hv02.lab.test', addresses: ['10.0.0.12'] },
      { name: 'hv02.lab.test', resolvedTo: 'hv02.lab.test', addresses: ['10.0.0.12'] },
      { name: 'HV03', resolvedTo: null, addresses: [] },
      { name: 'hv03.lab.test', resolvedTo: null, addresses: ['10.0.1.13', 'fd00::13'] }, // no lab host owns 10.0.1.13: no PTR
      { name: 'HV04', resolvedTo: 'hv05.lab.test', addresses: ['10.0.0.12'] },
      { name: 'HV09', resolvedTo: null, addresses: [] },
    ]);
    const fromPeer = await r.call('host.dns', { node: 'HV02', names: ['HV01', 'hv01.lab.test', 'HV03'] });
    expect(fromPeer.answers.map((a) => a.resolvedTo)).toEqual(['hv01.lab.test', 'hv01.lab.test', 'hv03.lab.test']);
  });

  it('fails every read of an unreachable host with HOST_UNREACHABLE, and of a stranger with UNKNOWN_HOST', async () => {
    const r = relay();
    for (const op of ['host.migration-settings', 'host.security', 'host.hotfixes', 'host.vms'] as const) {
      expect((await failure(r.call(op, { node: 'HV03' }))).code).toBe('HOST_UNREACHABLE');
    }
    expect((await failure(r.call('host.events', { node: 'HV03', sinceHours: 24 }))).code).toBe('HOST_UNREACHABLE');
    expect((await failure(r.call('host.dns', { node: 'HV03', names: ['HV01'] }))).code).toBe('HOST_UNREACHABLE');
    const stranger = await failure(r.call('host.security', { node: 'HV09' }));
    expect(stranger.code).toBe('UNKNOWN_HOST');
    expect(stranger.message).toBe('HV09 is not a host of this lab');
  });

  it('lists cluster nodes, refuses an unknown cluster, and needs one node up', async () => {
    const r = relay();
    expect(await r.call('cluster.nodes', { cluster: 'hvcluster01' })).toEqual({ cluster: 'HVCLUSTER01', nodes: ['HV01', 'HV02', 'HV03'] });
    expect((await failure(r.call('cluster.nodes', { cluster: 'HVCLUSTER09' }))).code).toBe('UNKNOWN_HOST');
    const allDown = SCENARIO.replace('  - name: HV01\n    os:', '  - name: HV01\n    reachable: false\n    os:').replace('  - name: HV02\n    migration', '  - name: HV02\n    reachable: false\n    migration');
    expect((await failure(relay(allDown).call('cluster.nodes', { cluster: 'HVCLUSTER01' }))).code).toBe('HOST_UNREACHABLE');
  });
});

describe('LabBackend directory reads', () => {
  it('reads computers by short name or FQDN in one query, with defaults filled and notFound', async () => {
    const res = await relay().call('directory.computers', { names: ['HV01', 'hv02.lab.test', 'HV03', 'hv01.lab.test'] });
    expect(res.domain).toEqual({ fqdn: 'lab.test', netbios: 'LAB' });
    expect(res.currentTime).toBe('2026-11-20T09:00:00.000Z');
    expect(res.notFound).toEqual(['HV03']);
    expect(res.computers.map((c) => c.name)).toEqual(['HV01', 'HV02']);
    expect(res.computers[0]).toEqual({
      name: 'HV01',
      distinguishedName: 'CN=HV01,CN=Computers,DC=lab,DC=test',
      dnsHostName: 'hv01.lab.test',
      userAccountControl: 16781312,
      allowedToDelegateTo: ['Microsoft Virtual System Migration Service/HV02', 'cifs/hv02.lab.test'],
      servicePrincipalNames: [
        'HOST/HV01',
        'HOST/hv01.lab.test',
        'Microsoft Virtual System Migration Service/HV01',
        'Microsoft Virtual System Migration Service/hv01.lab.test',
      ],
      supportedEncryptionTypes: 24,
      allowedToActOnBehalfOf: [],
    });
    expect(res.computers[1]).toMatchObject({
      distinguishedName: 'CN=HV02,OU=Hosts,DC=lab,DC=test',
      userAccountControl: 4096,
      supportedEncryptionTypes: null,
      allowedToActOnBehalfOf: ['HV01'],
    });
  });

  it('finds every owner of an SPN, case-insensitively', async () => {
    const res = await relay().call('directory.spn-owners', {
      spns: ['Microsoft Virtual System Migration Service/HV02.LAB.TEST', 'HOST/hv01.lab.test', 'cifs/hv09.lab.test'],
    });
    expect(res.owners).toEqual([
      { spn: 'Microsoft Virtual System Migration Service/HV02.LAB.TEST', accounts: ['HV02', 'HV02-OLD'] },
      { spn: 'HOST/hv01.lab.test', accounts: ['HV01'] },
      { spn: 'cifs/hv09.lab.test', accounts: [] },
    ]);
  });

  it('reads users by UPN or mail, with Protected Users and sensitive derived', async () => {
    const r = relay();
    expect((await r.call('directory.user', { id: 'alice@example.com' })).user).toEqual({
      name: 'alice',
      upn: 'alice@lab.test',
      mail: 'alice@example.com',
      userAccountControl: 512,
      sensitive: false,
      protectedUsers: true,
      groups: ['CN=Protected Users,CN=Users,DC=lab,DC=test'],
    });
    expect((await r.call('directory.user', { id: 'BOB@lab.test' })).user).toMatchObject({ name: 'bob', mail: null, sensitive: true, protectedUsers: false });
    expect((await r.call('directory.user', { id: 'nobody@lab.test' })).user).toBeNull();
  });

  it('fails every directory operation with DIRECTORY_UNREACHABLE when the directory is down', async () => {
    const r = relay(`${SCENARIO}directory: { reachable: false }\n`);
    expect((await failure(r.call('directory.computers', { names: ['HV01'] }))).code).toBe('DIRECTORY_UNREACHABLE');
    expect((await failure(r.call('directory.spn-owners', { spns: ['HOST/HV01'] }))).code).toBe('DIRECTORY_UNREACHABLE');
    expect((await failure(r.call('directory.user', { id: 'alice@lab.test' }))).code).toBe('DIRECTORY_UNREACHABLE');
    // Host reads do not depend on the directory.
    expect((await r.call('host.migration-settings', { node: 'HV01' })).enabled).toBe(true);
  });

  it('never lets a caller change the scenario through an answer', async () => {
    const r = relay();
    const first = await r.call('directory.computers', { names: ['HV01'] });
    first.computers[0]!.allowedToDelegateTo.push('cifs/evil.lab.test');
    const again = await r.call('directory.computers', { names: ['HV01'] });
    expect(again.computers[0]!.allowedToDelegateTo).toHaveLength(2);
  });
});
