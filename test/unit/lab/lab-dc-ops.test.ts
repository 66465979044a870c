import { describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { MIGRATION_SERVICE, RelayError } from '../../../src/relay/protocol.js';

// Issue 19: the lab relay answers the DC operations from `domainControllers`, through the
// in-process client (so the protocol's zod schemas check both ends), and a lagging DC carries a
// delegation write only after its lagReads replication reads.

const MIG = MIGRATION_SERVICE;
const SCENARIO = `name: dcs
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
computers:
  - { name: HV01, userAccountControl: 16781312, allowedToDelegateTo: ["${MIG}/HV02"] }
  - { name: HV02 }
hosts:
  - { name: HV01, site: Branch }
  - { name: HV02 }
domainControllers:
  - name: DC01
    hotfixes: [ { id: KB5073381, installedOn: "2026-11-18" } ]
    kdcEvents:
      - { log: Security, id: 4769, time: "2026-11-20T08:00:00Z", status: "0xD", account: "HV01$@LAB.TEST", service: "HV02$", transmittedServices: "alice@LAB.TEST", message: "refused" }
      - { log: Security, id: 4769, time: "2026-11-20T08:00:00Z", status: "0xD", account: "WEB01$@LAB.TEST", service: "SQL01$", message: "not ours" }
      - { log: System, id: 11, time: "2026-11-19T08:00:00Z", message: "There are multiple accounts with name ${MIG}/HV02 of type DS_SERVICE_PRINCIPAL_NAME." }
      - { log: System, id: 14, time: "2026-11-01T08:00:00Z", message: "HV01 outside the window" }
  - name: DC02
    site: Branch
    lagReads: 2
    delegation:
      HV01: { allowedToDelegateTo: [], userAccountControl: 4096 }
  - { name: DC03, reachable: false }
`;

const client = () => {
  const backend = new LabBackend(parseScenario(SCENARIO, 'dcs'));
  return { backend, relay: new InProcessRelayClient(backend, 'dcs') };
};

describe('lab DC reads', () => {
  it('dc.list returns every DC with its site', async () => {
    const { dcs } = await client().relay.call('dc.list', {});
    expect(dcs).toEqual([
      { name: 'DC01', dnsHostName: 'dc01.lab.test', site: 'Default-First-Site-Name', readOnly: false },
      { name: 'DC02', dnsHostName: 'dc02.lab.test', site: 'Branch', readOnly: false },
      { name: 'DC03', dnsHostName: 'dc03.lab.test', site: 'Default-First-Site-Name', readOnly: false },
    ]);
  });

  it('host.security reports the host site', async () => {
    expect((await client().relay.call('host.security', { node: 'HV01' })).site).toBe('Branch');
  });

  it('dc.kdc-events returns only the window events that name an asked principal, newest first', async () => {
    const { events } = await client().relay.call('dc.kdc-events', { dc: 'DC01', sinceHours: 72, names: ['HV01$', `${MIG}/HV02`] });
    expect(events.map((e) => [e.id, e.status, e.account])).toEqual([
      [4769, '0xD', 'HV01$@LAB.TEST'],
      [11, null, null],
    ]);
  });

  it('dc.evidence keeps each part, and a DC that does not answer fails as a whole', async () => {
    const { relay } = client();
    const e = await relay.call('dc.evidence', { dc: 'dc01.lab.test', sinceHours: 24, names: ['HV01$'] });
    expect(e.hotfixes).toEqual({ ok: true, value: { hotfixes: [{ id: 'KB5073381', installedOn: '2026-11-18' }] } });
    expect(e.kdcEvents.ok && e.kdcEvents.value.events.length).toBe(1);
    await expect(relay.call('dc.hotfixes', { dc: 'DC03' })).rejects.toMatchObject({ code: 'HOST_UNREACHABLE' });
    await expect(relay.call('dc.hotfixes', { dc: 'HV01' })).rejects.toBeInstanceOf(RelayError);
  });

  it('directory.replication: a lagging DC keeps its own values, then catches up after lagReads reads', async () => {
    const { relay } = client();
    const read = () => relay.call('directory.replication', { computers: ['HV01'], dcs: ['DC01', 'DC02', 'DC03'] });
    const first = await read();
    expect(first.dcs.map((d) => (d.ok ? d.computers[0]!.allowedToDelegateTo : d.error.code))).toEqual([[`${MIG}/HV02`], [], 'DIRECTORY_UNREACHABLE']);
    const second = await read();
    expect(second.dcs[1]!.ok && second.dcs[1]!.computers[0]!.allowedToDelegateTo).toEqual([]);
    const third = await read();
    expect(third.dcs[1]!.ok && third.dcs[1]!.computers[0]!.allowedToDelegateTo).toEqual([`${MIG}/HV02`]);
  });

  it('a delegation write reaches a lagging DC only after lagReads replication reads', async () => {
    const { relay } = client();
    await relay.call('directory.replication', { computers: ['HV02'], dcs: ['DC02'] });
    await relay.call('directory.replication', { computers: ['HV02'], dcs: ['DC02'] });
    await relay.call('directory.apply-delegation', {
      approval: `${Buffer.from('{}').toString('base64url')}.${'0'.repeat(64)}`,
      changes: [{ computer: 'HV02', expected: { allowedToDelegateTo: [], userAccountControl: 4096 }, desired: { allowedToDelegateTo: [`${MIG}/HV01`], userAccountControl: 16781312 } }],
    });
    const values = async () => {
      const r = await relay.call('directory.replication', { computers: ['HV02'], dcs: ['DC01', 'DC02'] });
      return r.dcs.map((d) => (d.ok ? d.computers[0]!.allowedToDelegateTo.length : -1));
    };
    expect(await values()).toEqual([1, 0]);
    expect(await values()).toEqual([1, 0]);
    expect(await values()).toEqual([1, 1]);
  });
});
