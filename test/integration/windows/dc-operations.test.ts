import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import type { StubHostState } from '../../../tools/pwsh-lab/host-state.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// The DC reads (issue 19) through the real windows backend, node-powershell and PowerShell 7,
// into a JEA runspace built from manifests/jea/HvLmDcDiag.pssc and HvLmDcReader.psrc: the role's
// fixed hashtable filter, the names compared with the events' EventData, one command per call on
// the DC endpoint, and what comes back through the parsers.

const MIG = 'Microsoft Virtual System Migration Service';

function domainController(): StubHostState {
  const [base] = healthyCluster(1);
  const now = Date.now();
  const ago = (h: number) => new Date(now - h * 3_600_000).toISOString();
  const security = (id: number, hours: number, data: Record<string, string>, message = `event ${id}`) => ({ LogName: 'Security', ProviderName: 'Microsoft-Windows-Security-Auditing', Id: id, TimeCreated: ago(hours), Message: message, EventData: data });
  const kdc = (id: number, hours: number, message: string) => ({ LogName: 'System', ProviderName: 'Microsoft-Windows-Kerberos-Key-Distribution-Center', Id: id, TimeCreated: ago(hours), Message: message });
  return {
    ...base!,
    name: 'DC01',
    fqdn: 'dc01.lab.test',
    cluster: undefined,
    vms: [],
    hotfixes: [{ HotFixID: 'KB5073379', InstalledOn: '20261118' }],
    events: [
      security(4769, 2, { TargetUserName: 'HV01$@LAB.TEST', ServiceName: 'HV02$', Status: '0xd', TransmittedServices: 'alice@LAB.TEST' }, 'A Kerberos service ticket was requested. Failure Code: 0xD'),
      security(4769, 3, { TargetUserName: 'HV01$@LAB.TEST', ServiceName: 'HV02$', Status: '0x0' }, 'success: not a failure'),
      security(4769, 4, { TargetUserName: 'WEB01$@LAB.TEST', ServiceName: 'SQL01$', Status: '0xd' }, 'names nobody asked for'),
      security(4771, 5, { TargetUserName: 'HV02$', ServiceName: 'krbtgt/LAB.TEST', Status: '0x18' }, 'bad password (0x18): not a code the bot reads'),
      security(4768, 200, { TargetUserName: 'HV01$', ServiceName: 'krbtgt', Status: '0x25' }, 'outside the window'),
      kdc(27, 1, `While processing a TGS request for the target server ${MIG}/hv02.lab.test, the account HV02$@LAB.TEST did not have a suitable key`),
      kdc(11, 6, 'The duplicate name is MSSQLSvc/web01.lab.test:1433 (of type DS_SERVICE_PRINCIPAL_NAME).'),
      { LogName: 'System', ProviderName: 'Service Control Manager', Id: 7036, TimeCreated: ago(1), Message: 'HV01 mentioned by another provider' },
    ],
  };
}

let lab: PwshLab;
let client: InProcessRelayClient;
beforeAll(() => {
  if (SKIP_PWSH) return;
  lab = new PwshLab([domainController()]);
  client = new InProcessRelayClient(lab.backend(1), 'windows (real pwsh)');
}, 180_000);
afterAll(() => lab?.cleanup());

describe.skipIf(SKIP_PWSH)('DC reads in real PowerShell', () => {
  it('dc.kdc-events: only failures with the read codes naming an asked principal, and KDC events naming one, newest first; one command on the DC endpoint', async () => {
    const before = lab.calls().length;
    const { events } = await client.call('dc.kdc-events', { dc: 'DC01', sinceHours: 72, names: ['HV01$', 'HV02$', `${MIG}/hv02.lab.test`] });
    expect(events.map((e) => [e.log, e.id, e.status, e.account, e.service])).toEqual([
      ['System', 27, null, null, null],
      ['Security', 4769, '0xD', 'HV01$@LAB.TEST', 'HV02$'],
    ]);
    expect(events[1]!.transmittedServices).toBe('alice@LAB.TEST');
    const calls = lab.calls().slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ computerName: 'DC01', configurationName: 'HvLmDcDiag', script: null });
    expect(calls[0]!.commands?.[0]?.name).toBe('Get-HvLmKdcEvent');
  });

  it('dc.hotfixes: the DC\'s updates', async () => {
    expect(await client.call('dc.hotfixes', { dc: 'dc01.lab.test' })).toEqual({ hotfixes: [{ id: 'KB5073379', installedOn: '2026-11-18' }] });
  });

  it('dc.evidence: both parts in one remote call', async () => {
    const before = lab.calls().length;
    const e = await client.call('dc.evidence', { dc: 'DC01', sinceHours: 24, names: ['HV01$'] });
    expect(e.hotfixes).toEqual({ ok: true, value: { hotfixes: [{ id: 'KB5073379', installedOn: '2026-11-18' }] } });
    expect(e.kdcEvents.ok && e.kdcEvents.value.events.map((x) => x.id)).toEqual([4769]);
    expect(lab.calls().slice(before)).toHaveLength(1);
  });

  it('a principal outside the allow-list is refused before it reaches the DC (the role\'s ValidatePattern is the second line)', async () => {
    const before = lab.calls().length;
    await expect(client.call('dc.kdc-events', { dc: 'DC01', sinceHours: 24, names: ['HV01$; Stop-Computer'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(lab.calls()).toHaveLength(before);
  });
});

// A DC team that registers the reader endpoint under its own name: JEA_DC_CONFIGURATION_NAME
// (createWindowsBackend's jeaDcConfigurationName) is the name the relay asks for.
describe.skipIf(SKIP_PWSH)('the DC endpoint under another name', () => {
  let renamed: PwshLab;
  beforeAll(() => {
    renamed = new PwshLab([{ ...domainController(), endpoints: ['Contoso-DcDiag'] }], { endpointAliases: { 'Contoso-DcDiag': 'HvLmDcDiag' } });
  }, 180_000);
  afterAll(() => renamed?.cleanup());

  it('reads the DC through the configured name, and says which name it asked for when the DC does not have it', async () => {
    const configured = new InProcessRelayClient(renamed.backend(1, {}, 'Contoso-DcDiag'), 'windows (real pwsh)');
    expect(await configured.call('dc.hotfixes', { dc: 'DC01' })).toEqual({ hotfixes: [{ id: 'KB5073379', installedOn: '2026-11-18' }] });
    expect(renamed.calls().at(-1)).toMatchObject({ computerName: 'DC01', configurationName: 'Contoso-DcDiag' });
    const byDefault = new InProcessRelayClient(renamed.backend(1), 'windows (real pwsh)');
    await expect(byDefault.call('dc.hotfixes', { dc: 'DC01' })).rejects.toThrow(/HvLmDcDiag/);
  });
});
