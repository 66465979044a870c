import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import type { Evidence } from '../../../src/diagnostics/evidence.js';
import {
  computer,
  resolves,
  events,
  failDirectory,
  failHost,
  healthyEvidence,
  healthyUser,
  hotfixes,
  lmEvent,
  migration,
  security,
  spnOwners,
  vms,
  withInitiator,
} from '../../helpers/evidence-builder.js';

// What a person reads: one line of plain English naming the nodes (and the direction), with
// the exact values the finding rests on in its evidence.

const THREE = ['HV01', 'HV02', 'HV03'];
const messageOf = (ev: Evidence, code: string) => diagnose(ev).findings.find((f) => f.code === code)?.message;

describe('finding messages', () => {
  it.each<[string, (ev: Evidence) => void, string]>([
    [
      'DELEGATION_MISSING_MIGRATION_SERVICE',
      (ev) => void (computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => v !== 'Microsoft Virtual System Migration Service/hv02.lab.test')),
      'HV01 → HV02: HV01 may not delegate to Microsoft Virtual System Migration Service/hv02.lab.test (FQDN form missing); live migrations fail in this direction; breaks live migrations started off-box or shared-nothing (Move-VM)',
    ],
    [
      'DELEGATION_MISSING_CIFS',
      (ev) => void (computer(ev, 'HV02').allowedToDelegateTo = computer(ev, 'HV02').allowedToDelegateTo.filter((v) => !v.startsWith('cifs/HV03') && v !== 'cifs/hv03.lab.test')),
      'HV02 → HV03: HV02 may not delegate to cifs/HV03 or cifs/hv03.lab.test (short and FQDN forms missing); storage moves and VMs on SMB storage fail in this direction',
    ],
    [
      'DELEGATION_KERBEROS_ONLY',
      (ev) => {
        computer(ev, 'HV03').userAccountControl = 4096;
        computer(ev, 'HV01').allowedToActOnBehalfOf = ['HV03'];
      },
      'HV03 is trusted for Kerberos-only delegation (userAccountControl 0x1000 lacks TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): "Use any authentication protocol" is required on Windows Server 2016 and later, so live migrations from HV03 fail (except to HV01, which grants it RBCD); breaks live migrations started off-box or shared-nothing (Move-VM) and storage moves',
    ],
    [
      'DELEGATION_NONE',
      (ev) => void (computer(ev, 'HV02').allowedToDelegateTo = []),
      'HV02 has no delegation at all (empty msDS-AllowedToDelegateTo, no peer grants it RBCD): live migrations from HV02 fail; breaks live migrations started off-box or shared-nothing (Move-VM) and storage moves',
    ],
    [
      'MIGRATION_AUTH_CREDSSP',
      (ev) => void (migration(ev, 'HV03').authenticationType = 'CredSSP'),
      'HV03 uses CredSSP for live migration while Credential Guard is running: migrations from HV03 fail (switch to Kerberos with constrained delegation); breaks live migrations started off-box or shared-nothing (Move-VM) and moves the cluster starts (Move-ClusterVirtualMachineRole on a node)',
    ],
    [
      'MIGRATION_AUTH_MISMATCH',
      (ev) => void (migration(ev, 'HV02').authenticationType = 'CredSSP'),
      'Nodes use different live-migration authentication: Kerberos on HV01 and HV03; CredSSP on HV02',
    ],
    [
      'SPN_DUPLICATE',
      (ev) => void (spnOwners(ev).find((o) => o.spn.endsWith('/hv03.lab.test'))!.accounts = ['HV03$', 'OLDHV03$']),
      'HV03: Microsoft Virtual System Migration Service/hv03.lab.test is registered on 2 accounts (HV03 and OLDHV03); Kerberos cannot tell them apart, so migrations to HV03 fail; breaks live migrations started off-box or shared-nothing (Move-VM) and moves the cluster starts (Move-ClusterVirtualMachineRole on a node)',
    ],
    [
      'ENCTYPES_RC4_ONLY',
      (ev) => void (computer(ev, 'HV03').supportedEncryptionTypes = 4),
      "HV03: msDS-SupportedEncryptionTypes is 0x4 (RC4; no AES): Kerberos to HV03 fails once the domain controllers refuse RC4. Whether they do was not read: check the KDC events 14/16/27 and Kdcsvc 201–209 in the DCs' System log and the RC4 hardening state of their updates (KB5073381), or add AES (0x18)",
    ],
    [
      'CLOCK_SKEW',
      (ev) => void (security(ev, 'HV03').clockOffsetSeconds = -400),
      'HV03: clock is 400 s behind the domain controller, beyond the 300 s Kerberos limit, so its tickets are rejected; breaks live migrations started off-box or shared-nothing (Move-VM), storage moves and moves the cluster starts (Move-ClusterVirtualMachineRole on a node)',
    ],
    [
      'DNS_MISMATCH',
      (ev) => resolves(ev, 'HV01', 'HV03', ['10.0.0.99'], 'hv99.lab.test'),
      'HV01 → HV03: HV01 resolves HV03 to 10.0.0.99, which is not an address of HV03 (10.0.0.3) (and 1 more lookup of HV03); breaks live migrations started off-box or shared-nothing (Move-VM), storage moves and moves the cluster starts (Move-ClusterVirtualMachineRole on a node)',
    ],
    [
      'INITIATOR_NOT_DELEGATABLE',
      (ev) => withInitiator(ev, healthyUser({ protectedUsers: true })),
      'The initiating account alice@lab.test is a member of Protected Users: its migrations fail in every direction; breaks live migrations started off-box or shared-nothing (Move-VM) and storage moves',
    ],
    [
      'HARDENING_UPDATE_CORRELATED',
      (ev) => {
        events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T01:00:00Z', 'failed (0x8009030E)'));
        hotfixes(ev, 'HV01').push({ id: 'KB5073379', installedOn: '2026-11-19' });
      },
      'HV01: KB5073379 (the Windows Server 2025 cumulative update of 2026-01-13, a Kerberos-hardening month: RC4 default disablement, audit phase: KDC events 201–209 (CVE-2026-20833) (KB5073381)) was installed 2026-11-19, 1 day before the first authentication failure (2026-11-20T01:00:00Z on HV02); check the updates on the domain controllers too',
    ],
    [
      'LM_AUTH_FAILURE_EVENT',
      (ev) => {
        events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T01:00:00Z', "Live migration of 'VM01' failed (0x8009030E)"));
        events(ev, 'HV02').push(lmEvent(22038, '2026-11-20T02:00:00Z', 'Authentication failure'));
      },
      'HV02: 2 live-migration failures in the last 24 h point at authentication (first 2026-11-20T01:00:00Z: event 21502, 0x8009030E SEC_E_NO_CREDENTIALS)',
    ],
    [
      'NODE_UNREACHABLE',
      (ev) => failHost(ev, 'HV02'),
      'HV02 is unreachable (HOST_UNREACHABLE: WinRM cannot reach the host); none of its host checks ran',
    ],
    [
      'DIRECTORY_UNREACHABLE',
      (ev) => failDirectory(ev, 'spnOwners'),
      'The directory could not be read (DIRECTORY_UNREACHABLE: LDAP bind to dc01.lab.test failed); SPN checks are missing',
    ],
  ])('%s', (code, mutate, message) => {
    const ev = healthyEvidence(THREE);
    mutate(ev);
    expect(messageOf(ev, code)).toBe(message);
  });
});

describe('which moves a blocking finding breaks', () => {
  it('names the clustered VMs the cluster can still move, and the kind of move the events show failing', () => {
    const ev = healthyEvidence();
    computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => v !== 'Microsoft Virtual System Migration Service/HV02');
    vms(ev, 'HV01', [{ name: 'VM01', state: 'Running', isClustered: true }, { name: 'VM09', state: 'Running', isClustered: false }]);
    vms(ev, 'HV02', [{ name: 'VM02', state: 'Running', isClustered: true }]); // on the destination: not moved by HV01 → HV02
    events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T06:00:00Z', "Virtual machine migration operation for 'VM09' failed at migration source 'HV01'. Storage migration for 'VM09' failed (0x8009030E)"));
    const f = diagnose(ev).findings.find((x) => x.code === 'DELEGATION_MISSING_MIGRATION_SERVICE')!;
    expect(f.breaks).toEqual(['off-box']);
    expect(f.message).toMatch(
      /; breaks live migrations started off-box or shared-nothing \(Move-VM\); the cluster can still move VM01 \(Move-ClusterVirtualMachineRole run on a node\); VM09 is not clustered, so only Move-VM can move it; the failure events show storage migrations failing$/,
    );
  });

  it('says nothing about cluster moves for a finding that breaks them too, and nothing at all on a finding that blocks nothing', () => {
    const ev = healthyEvidence();
    migration(ev, 'HV02').enabled = false;
    vms(ev, 'HV02', [{ name: 'VM02', state: 'Running', isClustered: true }]);
    computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => v !== 'cifs/HV02');
    const d = diagnose(ev);
    const disabled = d.findings.find((x) => x.code === 'MIGRATION_DISABLED')!;
    expect(disabled.breaks).toEqual(['off-box', 'cluster']);
    expect(disabled.message).not.toMatch(/can still move/);
    const cifs = d.findings.find((x) => x.code === 'DELEGATION_MISSING_CIFS')!;
    expect(cifs.breaks).toBeUndefined();
    expect(cifs.message).not.toMatch(/breaks/);
  });
});

describe('finding evidence', () => {
  it('keeps the exact values read: uac as number and hex, the list, the event text', () => {
    const ev = healthyEvidence();
    computer(ev, 'HV01').userAccountControl = 4096;
    events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T01:00:00Z', "Live migration of 'VM01' failed (0x8009030E)"));
    const d = diagnose(ev);
    expect(d.findings.find((f) => f.code === 'DELEGATION_KERBEROS_ONLY')!.evidence).toEqual({
      userAccountControl: { value: 4096, hex: '0x1000' },
      allowedToDelegateTo: computer(ev, 'HV01').allowedToDelegateTo,
      rbcdGrantedBy: [],
    });
    expect(d.findings.find((f) => f.code === 'LM_AUTH_FAILURE_EVENT')!.evidence).toEqual({
      count: 1,
      windowHours: 24,
      events: [
        {
          log: 'Microsoft-Windows-Hyper-V-High-Availability-Admin',
          id: 21502,
          time: '2026-11-20T01:00:00Z',
          message: "Live migration of 'VM01' failed (0x8009030E)",
          hresults: ['0x8009030E'],
          reason: '0x8009030E SEC_E_NO_CREDENTIALS',
          class: 'auth',
        },
      ],
    });
  });
});
