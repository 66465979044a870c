import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import type { Evidence } from '../../../src/diagnostics/evidence.js';
import { FINDING_CODES, type Finding, type FindingCode } from '../../../src/diagnostics/findings.js';
import {
  MVSMS,
  computer,
  dnsAnswer,
  events,
  failDirectory,
  failHost,
  healthyEvidence,
  healthyUser,
  hotfixes,
  lmEvent,
  migration,
  removeComputer,
  security,
  peerAnswers,
  resolves,
  spnOwners,
  vms,
  withInitiator,
} from '../../helpers/evidence-builder.js';

// For every finding code: a perturbation of a healthy cluster that raises it, and a near miss
// (the closest healthy-looking variation) that must not. Every case starts from the same
// healthy two-node baseline (HV01, HV02 in lab.test) unless it names its nodes.

type Mutate = (ev: Evidence) => void;
interface Case {
  code: FindingCode;
  raise: [string, Mutate, Partial<Finding>?];
  /** A change to what the rule looks at that must not raise it (or, with a pattern, no finding like it). */
  nearMiss: [string, Mutate, Partial<Finding>?];
  nodes?: string[];
}

const without = (list: string[], value: string) => {
  const i = list.indexOf(value);
  if (i < 0) throw new Error(`test setup: ${value} not in list`);
  list.splice(i, 1);
};

/** The user typed `given` for `node`: re-key the evidence as collection would have. */
function typedAs(ev: Evidence, node: string, given: string): void {
  ev.nodes = ev.nodes.map((n) => (n === node ? given : n));
  ev.hosts[given] = { ...ev.hosts[node]!, node: given };
  delete ev.hosts[node];
  for (const n of ev.nodes) if (n !== given) dnsAnswer(ev, n, node).name = given;
}

/** KB4558514's logon-type failure, as a 21502 logged on the source would carry it. */
const LOGON_TYPE_TEXT =
  "Live migration of 'Virtual Machine VM01' failed.\n\nVirtual machine migration operation for 'VM01' failed at migration destination 'HV02'.\n\n" +
  'Failed to create Planned Virtual Machine at migration destination: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)';

const CASES: Case[] = [
  {
    code: 'LM_AUTH_FAILURE_EVENT',
    raise: ['21502 with 0x8009030E', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', "Live migration of 'VM01' failed. Failed to authenticate the connection at the source host: no suitable credentials available. (0x8009030E)")), { severity: 'error', node: 'HV01' }],
    nearMiss: ['21502 with 0x8007274D (network)', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', "Live migration of 'VM01' failed. The connection could not be made (0x8007274D)"))],
  },
  {
    code: 'LM_AUTH_FAILURE_EVENT',
    raise: ['21502 whose text names Kerberos, no HRESULT', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T07:00:00Z', "Live migration of 'VM02' failed at migration source: Kerberos ticket not available")), { node: 'HV02' }],
    nearMiss: ['the same auth event, but 25 h old (outside the 24 h window)', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-19T08:00:00Z', 'failed (0x8009030E)'))],
  },
  {
    code: 'LM_AUTH_FAILURE_EVENT',
    raise: ['21502 with 0x80070005 (access denied)', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed at migration source: General access denied error (0x80070005)'))],
    nearMiss: ['21502 with 0x80070569, "Logon failure: the user has not been granted the requested logon type" (a user-rights policy)', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', LOGON_TYPE_TEXT))],
  },
  {
    code: 'LM_AUTH_FAILURE_EVENT',
    raise: ['21502 with 0x8009030D', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'The credentials supplied to the package were not recognized (0x8009030D)'))],
    nearMiss: ['21502 with 0x80090322, the target principal name is incorrect (DNS / migration network)', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'The target principal name is incorrect. (0x80090322)'))],
  },
  {
    code: 'LM_AUTH_FAILURE_EVENT',
    raise: ['re-check after a fix started at 07:30: an auth failure at 08:00, after it', (ev) => {
      ev.eventsSince = '2026-11-20T07:30:00Z';
      events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'failed (0x8009030E)'));
    }],
    nearMiss: ['the same re-check, the failure at 07:00, before the fix (it describes the old configuration)', (ev) => {
      ev.eventsSince = '2026-11-20T07:30:00Z';
      events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T07:00:00Z', 'failed (0x8009030E)'));
    }],
  },
  {
    code: 'LOGON_RIGHT_MISSING',
    raise: [
      '21502 on HV01 with 0x80070569 at migration destination HV02',
      (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', LOGON_TYPE_TEXT)),
      { severity: 'error', node: 'HV02', evidence: expect.objectContaining({ right: 'SeServiceLogonRight', events: [expect.objectContaining({ loggedOn: 'HV01', nodeFrom: 'event text' })] }) },
    ],
    nearMiss: ['the same event with 0x8009030E instead', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', LOGON_TYPE_TEXT.replace('Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)', 'No credentials are available in the security package (0x8009030E)')))],
  },
  {
    code: 'LOGON_RIGHT_MISSING',
    raise: ['0x8007052F account restriction logged on HV02, naming no host', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Failed to write VHD attachment: Account restrictions are preventing this user from signing in. (0x8007052F)')), { node: 'HV02' }],
    nearMiss: ['0x8007052E (wrong password), the code beside it', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Failed to write VHD attachment: The user name or password is incorrect. (0x8007052E)'))],
  },
  {
    code: 'LM_FAILURE_EVENT_OTHER',
    raise: ['21502 with 0x8007274D', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8007274D)')), { severity: 'warning', node: 'HV01' }],
    nearMiss: ['21502 with 0x8009030E', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8009030E)'))],
  },
  {
    code: 'LM_FAILURE_EVENT_OTHER',
    raise: ['21501 migration limit reached', (ev) => events(ev, 'HV02').push(lmEvent(21501, '2026-11-20T08:00:00Z', 'The migration limit was reached'))],
    nearMiss: ['20417 (migration done with a long blackout) is no failure', (ev) => events(ev, 'HV02').push(lmEvent(20417, '2026-11-20T08:00:00Z', 'Live migration completed with a long blackout', 'Microsoft-Windows-Hyper-V-VMMS-Admin'))],
  },
  {
    code: 'MIGRATION_DISABLED',
    raise: ['VirtualMachineMigrationEnabled false', (ev) => void (migration(ev, 'HV02').enabled = false), { severity: 'error', node: 'HV02' }],
    nearMiss: ['the migration settings of HV02 could not be read (unknown is not disabled)', (ev) => failHost(ev, 'HV02', ['migration'])],
  },
  {
    code: 'MIGRATION_AUTH_CREDSSP',
    raise: ['CredSSP with Credential Guard running → error', (ev) => void (migration(ev, 'HV01').authenticationType = 'CredSSP'), { severity: 'error', node: 'HV01' }],
    nearMiss: [
      'CredSSP with Credential Guard off is no error',
      (ev) => {
        migration(ev, 'HV01').authenticationType = 'CredSSP';
        security(ev, 'HV01').credentialGuardRunning = false;
      },
      { severity: 'error' },
    ],
  },
  {
    code: 'MIGRATION_AUTH_CREDSSP',
    raise: [
      'CredSSP without Credential Guard → warning',
      (ev) => {
        migration(ev, 'HV01').authenticationType = 'CredSSP';
        security(ev, 'HV01').credentialGuardRunning = false;
      },
      { severity: 'warning', node: 'HV01' },
    ],
    nearMiss: ['Kerberos without Credential Guard', (ev) => void (security(ev, 'HV01').credentialGuardRunning = false)],
  },
  {
    code: 'MIGRATION_AUTH_MISMATCH',
    raise: ['HV02 on CredSSP, HV01 on Kerberos', (ev) => void (migration(ev, 'HV02').authenticationType = 'CredSSP'), { severity: 'warning' }],
    nearMiss: [
      'both on CredSSP (consistent, if unwise)',
      (ev) => {
        migration(ev, 'HV01').authenticationType = 'CredSSP';
        migration(ev, 'HV02').authenticationType = 'CredSSP';
      },
    ],
  },
  {
    code: 'DELEGATION_NONE',
    raise: [
      'empty list, uac 4096, no RBCD',
      (ev) => {
        computer(ev, 'HV01').allowedToDelegateTo = [];
        computer(ev, 'HV01').userAccountControl = 4096;
      },
      { severity: 'error', node: 'HV01' },
    ],
    nearMiss: [
      'empty list, but HV02 grants HV01 RBCD',
      (ev) => {
        computer(ev, 'HV01').allowedToDelegateTo = [];
        computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
      },
    ],
  },
  {
    code: 'DELEGATION_NONE',
    nodes: ['HV01', 'HV02', 'HV03'],
    raise: [
      'empty list, only HV02 of its two peers grants HV01 RBCD',
      (ev) => {
        computer(ev, 'HV01').allowedToDelegateTo = [];
        computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
      },
      { severity: 'error', node: 'HV01', evidence: expect.objectContaining({ rbcdGrantedBy: ['HV02'], noDelegationTo: ['HV03'] }) },
    ],
    nearMiss: [
      'empty list, both peers grant HV01 RBCD',
      (ev) => {
        computer(ev, 'HV01').allowedToDelegateTo = [];
        computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
        computer(ev, 'HV03').allowedToActOnBehalfOf = ['HV01'];
      },
    ],
  },
  {
    code: 'DELEGATION_UNCONSTRAINED',
    raise: ['uac 0x81000 (TRUSTED_FOR_DELEGATION)', (ev) => void (computer(ev, 'HV01').userAccountControl = 0x81000), { severity: 'error', node: 'HV01' }],
    nearMiss: ['uac 0x1041000 (SMARTCARD_REQUIRED 0x40000, the bit beside TRUSTED_FOR_DELEGATION)', (ev) => void (computer(ev, 'HV01').userAccountControl = 0x1041000)],
  },
  {
    code: 'DELEGATION_KERBEROS_ONLY',
    raise: ['list filled, uac 4096', (ev) => void (computer(ev, 'HV01').userAccountControl = 4096), { severity: 'error', node: 'HV01', evidence: expect.objectContaining({ userAccountControl: { value: 4096, hex: '0x1000' } }) }],
    nearMiss: [
      'uac 4096 with an empty list, HV02 granting HV01 RBCD',
      (ev) => {
        computer(ev, 'HV01').userAccountControl = 4096;
        computer(ev, 'HV01').allowedToDelegateTo = [];
        computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
      },
    ],
  },
  {
    code: 'DELEGATION_MISSING_MIGRATION_SERVICE',
    raise: [
      'list has the FQDN form but not the short one',
      (ev) => without(computer(ev, 'HV01').allowedToDelegateTo, `${MVSMS}/HV02`),
      { severity: 'error', node: 'HV01', peer: 'HV02', evidence: expect.objectContaining({ missing: ['short'], missingSpns: [`${MVSMS}/HV02`] }) },
    ],
    nearMiss: [
      'list lacks both forms, but HV02 grants HV01 RBCD',
      (ev) => {
        without(computer(ev, 'HV01').allowedToDelegateTo, `${MVSMS}/HV02`);
        without(computer(ev, 'HV01').allowedToDelegateTo, `${MVSMS}/hv02.lab.test`);
        computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01$'];
      },
    ],
  },
  {
    code: 'DELEGATION_MISSING_MIGRATION_SERVICE',
    raise: [
      'list has the short form but not the FQDN one',
      (ev) => without(computer(ev, 'HV01').allowedToDelegateTo, `${MVSMS}/hv02.lab.test`),
      { peer: 'HV02', evidence: expect.objectContaining({ missing: ['FQDN'] }) },
    ],
    nearMiss: ['the FQDN form in other letter case', (ev) => {
      const list = computer(ev, 'HV01').allowedToDelegateTo;
      list[list.indexOf(`${MVSMS}/hv02.lab.test`)] = `${MVSMS}/HV02.LAB.TEST`;
    }],
  },
  {
    code: 'DELEGATION_MISSING_CIFS',
    raise: ['no cifs/hv02.lab.test', (ev) => without(computer(ev, 'HV01').allowedToDelegateTo, 'cifs/hv02.lab.test'), { severity: 'warning', node: 'HV01', peer: 'HV02' }],
    nearMiss: ['cifs present, one HOST entry removed from the SPNs instead', (ev) => without(computer(ev, 'HV01').servicePrincipalNames, 'HOST/HV01')],
  },
  {
    code: 'DELEGATION_MISSING_CIFS',
    raise: [
      'HV01 migrates over SMB (performance option SMB) and lacks cifs/hv02.lab.test → error',
      (ev) => {
        migration(ev, 'HV01').performanceOption = 'SMB';
        without(computer(ev, 'HV01').allowedToDelegateTo, 'cifs/hv02.lab.test');
      },
      { severity: 'error', node: 'HV01', peer: 'HV02', breaks: ['off-box', 'storage'], evidence: expect.objectContaining({ smbLiveMigration: true }) },
    ],
    nearMiss: [
      'performance option Compression, the same cifs entry missing: no error',
      (ev) => {
        migration(ev, 'HV01').performanceOption = 'Compression';
        without(computer(ev, 'HV01').allowedToDelegateTo, 'cifs/hv02.lab.test');
      },
      { severity: 'error' },
    ],
  },
  {
    code: 'DELEGATION_MISSING_CIFS',
    raise: [
      "VM01 on HV01 keeps its disks on \\\\SOFS01\\VMs, HV01 lacks cifs/SOFS01",
      (ev) => vms(ev, 'HV01', [{ name: 'VM01', state: 'Running', storagePaths: ['\\\\sofs01.lab.test\\VMs\\VM01\\VM01.vhdx'] }]),
      { severity: 'error', node: 'HV01', evidence: expect.objectContaining({ server: 'SOFS01', missingSpns: ['cifs/SOFS01', 'cifs/sofs01.lab.test'] }) },
    ],
    nearMiss: ['VM01 on a cluster shared volume (C:\\ClusterStorage\\Volume1)', (ev) => vms(ev, 'HV01', [{ name: 'VM01', state: 'Running', storagePaths: ['C:\\ClusterStorage\\Volume1\\VM01\\VM01.vhdx'] }])],
  },
  {
    code: 'RBCD_PRESENT',
    raise: ['HV02 grants HV01', (ev) => void (computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01']), { severity: 'info', node: 'HV01', peer: 'HV02' }],
    nearMiss: ['HV02 grants some other account', (ev) => void (computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01OLD'])],
  },
  {
    code: 'SPN_MISSING',
    raise: [
      'HV02 has neither migration SPN',
      (ev) => void (computer(ev, 'HV02').servicePrincipalNames = ['HOST/HV02', 'HOST/hv02.lab.test']),
      { severity: 'error', node: 'HV02' },
    ],
    nearMiss: ['HV02 has only the FQDN form', (ev) => without(computer(ev, 'HV02').servicePrincipalNames, `${MVSMS}/HV02`)],
  },
  {
    code: 'SPN_DUPLICATE',
    raise: [
      'the FQDN SPN is on HV02$ and OLDHV02$',
      (ev) => void (spnOwners(ev).find((o) => o.spn === `${MVSMS}/hv02.lab.test`)!.accounts = ['HV02$', 'OLDHV02$']),
      { severity: 'error', node: 'HV02', evidence: expect.objectContaining({ duplicates: [{ spn: `${MVSMS}/hv02.lab.test`, accounts: ['HV02', 'OLDHV02'] }] }) },
    ],
    nearMiss: ['the same account named twice in two spellings', (ev) => void (spnOwners(ev).find((o) => o.spn === `${MVSMS}/hv02.lab.test`)!.accounts = ['HV02$', 'hv02'])],
  },
  {
    code: 'SPN_DUPLICATE',
    raise: [
      'HOST/hv02.lab.test is also on HV02OLD$ (cifs/hv02.lab.test maps to it)',
      (ev) => void (spnOwners(ev).find((o) => o.spn === 'HOST/hv02.lab.test')!.accounts = ['HV02$', 'HV02OLD$']),
      { severity: 'error', node: 'HV02', breaks: ['off-box', 'storage'], message: expect.stringContaining('cifs/HV02 maps to HOST/HV02 (sPNMappings)') },
    ],
    nearMiss: ['HOST/HV02OLD (another host name) is on HV02OLD$ and HV02OLD2$', (ev) => spnOwners(ev).push({ spn: 'HOST/HV02OLD', accounts: ['HV02OLD$', 'HV02OLD2$'] })],
  },
  {
    code: 'SPN_DUPLICATE',
    raise: ['HOST/HV01 (short form) on HV01$ and a stale HV01$ in another OU, spelled as a DN', (ev) => void (spnOwners(ev).find((o) => o.spn === 'HOST/HV01')!.accounts = ['HV01$', 'CN=HV01-OLD,OU=Stale,DC=lab,DC=test']), { node: 'HV01' }],
    nearMiss: ['HOST/HV01 owned by HV01 only, spelled as its DN and its sAMAccountName', (ev) => void (spnOwners(ev).find((o) => o.spn === 'HOST/HV01')!.accounts = ['HV01$', 'CN=HV01,OU=Hyper-V,DC=lab,DC=test'])],
  },
  {
    code: 'ENCTYPES_RC4_ONLY',
    raise: [
      '0x4 (RC4 only): a warning that says what to check, without DC evidence',
      (ev) => void (computer(ev, 'HV02').supportedEncryptionTypes = 4),
      { severity: 'warning', node: 'HV02', message: expect.stringContaining('Kdcsvc 201–209'), evidence: expect.objectContaining({ supportedEncryptionTypes: { value: 4, hex: '0x4' }, dcEvidence: null }) },
    ],
    nearMiss: ['0x1C (RC4 and AES)', (ev) => void (computer(ev, 'HV02').supportedEncryptionTypes = 0x1c)],
  },
  {
    code: 'ENCTYPES_RC4_ONLY',
    raise: ['0x7 (DES and RC4)', (ev) => void (computer(ev, 'HV01').supportedEncryptionTypes = 7)],
    nearMiss: ['not set (domain default applies)', (ev) => void (computer(ev, 'HV01').supportedEncryptionTypes = null)],
  },
  {
    code: 'CLOCK_SKEW',
    raise: ['301 s ahead → error', (ev) => void (security(ev, 'HV02').clockOffsetSeconds = 301), { severity: 'error', node: 'HV02' }],
    nearMiss: ['59 s ahead', (ev) => void (security(ev, 'HV02').clockOffsetSeconds = 59)],
  },
  {
    code: 'CLOCK_SKEW',
    raise: ['61 s behind → warning', (ev) => void (security(ev, 'HV02').clockOffsetSeconds = -61), { severity: 'warning', node: 'HV02' }],
    nearMiss: ['60 s behind', (ev) => void (security(ev, 'HV02').clockOffsetSeconds = -60)],
  },
  {
    code: 'DNS_MISMATCH',
    raise: [
      'HV01 resolves HV02 (short and FQDN) to 10.0.0.9, an address HV02 does not have',
      (ev) => resolves(ev, 'HV01', 'HV02', ['10.0.0.9'], 'hv09.lab.test'),
      { severity: 'error', node: 'HV01', peer: 'HV02', evidence: expect.objectContaining({ peerAddresses: ['10.0.0.2'] }) },
    ],
    nearMiss: [
      'multi-homed HV02: HV01 resolves it to its second address, 10.0.1.2',
      (ev) => {
        security(ev, 'HV02').addresses = ['10.0.0.2', '10.0.1.2'];
        resolves(ev, 'HV01', 'HV02', ['10.0.1.2'], 'hv02.lab.test');
      },
    ],
  },
  {
    code: 'DNS_MISMATCH',
    raise: ['only the FQDN of HV02 resolves elsewhere from HV01', (ev) => void (dnsAnswer(ev, 'HV01', 'hv02.lab.test').addresses = ['10.0.0.2', '10.0.0.9']), { severity: 'error', message: expect.stringContaining('resolves hv02.lab.test to 10.0.0.9') }],
    nearMiss: ['the FQDN answer lists both of multi-homed HV02\'s addresses', (ev) => {
      security(ev, 'HV02').addresses = ['10.0.0.2', 'fd00::2'];
      dnsAnswer(ev, 'HV01', 'hv02.lab.test').addresses = ['fd00::2', '10.0.0.2'];
    }],
  },
  {
    code: 'DNS_MISMATCH',
    raise: [
      'HV02 cannot resolve HV01 (no address, no name)',
      (ev) => resolves(ev, 'HV02', 'HV01', [], null),
      { severity: 'error', node: 'HV02', peer: 'HV01' },
    ],
    nearMiss: ['HV02 resolves HV01 to its address, whose PTR names hv99.lab.test: a warning, never an error', (ev) => resolves(ev, 'HV02', 'HV01', ['10.0.0.1'], 'hv99.lab.test'), { severity: 'error' }],
  },
  {
    code: 'DNS_MISMATCH',
    raise: ['the PTR of HV01\'s address names hv99.lab.test → warning', (ev) => resolves(ev, 'HV02', 'HV01', ['10.0.0.1'], 'hv99.lab.test'), { severity: 'warning', node: 'HV02', peer: 'HV01' }],
    nearMiss: ['the PTR names HV01.LAB.TEST. (case, trailing dot)', (ev) => resolves(ev, 'HV02', 'HV01', ['10.0.0.1'], 'HV01.LAB.TEST.')],
  },
  {
    code: 'DNS_MISMATCH',
    raise: [
      'a relay that reports no addresses: only the name can be compared, so a mismatch is a warning',
      (ev) => {
        for (const a of peerAnswers(ev, 'HV01', 'HV02')) delete a.addresses;
        dnsAnswer(ev, 'HV01', 'HV02').resolvedTo = 'hv09.lab.test';
      },
      { severity: 'warning', message: expect.stringContaining('the relay reported no addresses') },
    ],
    nearMiss: [
      'no addresses reported, the name lands on the bare host name HV02',
      (ev) => {
        for (const a of peerAnswers(ev, 'HV01', 'HV02')) delete a.addresses;
        dnsAnswer(ev, 'HV01', 'HV02').resolvedTo = 'HV02';
      },
    ],
  },
  {
    code: 'HARDENING_UPDATE_CORRELATED',
    raise: [
      'KB5073379 (the January 2026 cumulative update, RC4 audit phase) installed 3 days before the first failure',
      (ev) => {
        events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T02:00:00Z', 'failed (0x8009030E)'));
        hotfixes(ev, 'HV01').push({ id: 'KB5073379', installedOn: '2026-11-17' });
      },
      { severity: 'warning', node: 'HV01', evidence: expect.objectContaining({ kb: 'KB5073379', daysBefore: 3, released: '2026-01-13', hardening: expect.objectContaining({ guidance: 'KB5073381' }) }) },
    ],
    nearMiss: [
      'the same update installed 8 days before the first failure',
      (ev) => {
        events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T02:00:00Z', 'failed (0x8009030E)'));
        hotfixes(ev, 'HV01').push({ id: 'KB5073379', installedOn: '2026-11-12' });
      },
    ],
  },
  {
    code: 'HARDENING_UPDATE_CORRELATED',
    raise: [
      'an update the table does not know, installed the same day as the first failure → info, by timing alone',
      (ev) => {
        events(ev, 'HV01').push(lmEvent(22038, '2026-11-20T02:00:00Z', 'authentication failure'));
        hotfixes(ev, 'HV02').push({ id: 'KB5099999', installedOn: '2026-11-20' });
      },
      { severity: 'info', evidence: expect.objectContaining({ daysBefore: 0, released: null, hardening: null }) },
    ],
    nearMiss: [
      'installed the day after the first failure',
      (ev) => {
        events(ev, 'HV01').push(lmEvent(22038, '2026-11-19T12:00:00Z', 'authentication failure'));
        hotfixes(ev, 'HV02').push({ id: 'KB5099999', installedOn: '2026-11-20' });
      },
    ],
  },
  {
    code: 'HARDENING_UPDATE_CORRELATED',
    raise: [
      'KB5019081 (November 2022, Windows Server 2022) installed the day before an authentication failure',
      (ev) => {
        events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T02:00:00Z', 'failed (0x8009030D)'));
        hotfixes(ev, 'HV01').push({ id: 'KB5019081', installedOn: '2026-11-19' });
      },
      { severity: 'warning', message: expect.stringContaining('CVE-2022-37966') },
    ],
    nearMiss: [
      'the same update the day before a network failure (0x8007274D), not an authentication one',
      (ev) => {
        events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T02:00:00Z', 'failed (0x8007274D)'));
        hotfixes(ev, 'HV01').push({ id: 'KB5019081', installedOn: '2026-11-19' });
      },
    ],
  },
  {
    code: 'INITIATOR_NOT_DELEGATABLE',
    raise: ['initiator is sensitive (0x100000)', (ev) => withInitiator(ev, healthyUser({ userAccountControl: 512 | 0x100000, sensitive: true })), { severity: 'error' }],
    nearMiss: ['initiator is an ordinary account (512)', (ev) => withInitiator(ev, healthyUser())],
  },
  {
    code: 'INITIATOR_NOT_DELEGATABLE',
    raise: ['initiator in Protected Users', (ev) => withInitiator(ev, healthyUser({ protectedUsers: true, groups: ['CN=Protected Users,CN=Users,DC=lab,DC=test'] }))],
    nearMiss: ['initiator in a group merely called "Protected Users Admins"', (ev) => withInitiator(ev, healthyUser({ groups: ['CN=Protected Users Admins,OU=Groups,DC=lab,DC=test'] }))],
  },
  {
    code: 'INITIATOR_NOT_CHECKED',
    raise: ['a 0x8009030E failure, configuration right, no --initiator', (ev) => events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8009030E)')), { severity: 'warning', evidence: expect.objectContaining({ authEvents: 1 }) }],
    nearMiss: ['the same failure with an initiator named (an ordinary account)', (ev) => {
      events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8009030E)'));
      withInitiator(ev, healthyUser());
    }],
  },
  {
    code: 'INITIATOR_NOT_CHECKED',
    raise: ['two auth failures on different nodes, configuration right', (ev) => {
      events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8009030D)'));
      events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T07:00:00Z', 'Live migration failed (0x8009030E)'));
    }, { evidence: expect.objectContaining({ authEvents: 2, firstFailure: expect.objectContaining({ node: 'HV02' }) }) }],
    nearMiss: ['the same failures, but HV01 is "Kerberos only" (delegation does not look right)', (ev) => {
      events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'Live migration failed (0x8009030D)'));
      events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T07:00:00Z', 'Live migration failed (0x8009030E)'));
      computer(ev, 'HV01').userAccountControl = 4096;
    }],
  },
  {
    code: 'INITIATOR_NOT_CHECKED',
    raise: ['a 0x80070005 failure, no --initiator', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'General access denied error (0x80070005)'))],
    nearMiss: ['a logon-right failure (0x80070569) is no authentication failure', (ev) => events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', LOGON_TYPE_TEXT))],
  },
  {
    code: 'INITIATOR_UNKNOWN',
    raise: ['the directory has no such account', (ev) => withInitiator(ev, null, 'nobody@lab.test'), { severity: 'warning' }],
    nearMiss: ['the account exists', (ev) => withInitiator(ev, healthyUser())],
  },
  {
    code: 'NODE_UNREACHABLE',
    raise: ['every host read of HV02 failed', (ev) => failHost(ev, 'HV02'), { severity: 'error', node: 'HV02' }],
    nearMiss: [
      'every read of HV02 answered, with nothing in it (empty is not failed)',
      (ev) => {
        events(ev, 'HV02').length = 0;
        hotfixes(ev, 'HV02').length = 0;
        resolves(ev, 'HV02', 'HV01', [], null);
      },
    ],
  },
  {
    code: 'DIRECTORY_UNREACHABLE',
    raise: ['directory.computers failed', (ev) => failDirectory(ev), { severity: 'error' }],
    nearMiss: ['the directory answered, without HV02', (ev) => removeComputer(ev, 'HV02')],
  },
  {
    code: 'NODE_UNKNOWN',
    raise: ['no computer object for HV02', (ev) => removeComputer(ev, 'HV02'), { severity: 'error', node: 'HV02' }],
    nearMiss: ['HV02 typed as hv02.lab.test matches its computer object', (ev) => typedAs(ev, 'HV02', 'hv02.lab.test')],
  },
];

const ofCode = (ev: Evidence, code: FindingCode) => diagnose(ev).findings.filter((f) => f.code === code);

describe('check families', () => {
  it('raise nothing at all on a healthy cluster of 2, 3 and 8 nodes', () => {
    for (const n of [['HV01', 'HV02'], ['HV01', 'HV02', 'HV03'], ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8']]) {
      expect(diagnose(healthyEvidence(n)).findings).toEqual([]);
    }
  });

  it('have a raising case and a near miss for every finding code', () => {
    const covered = new Set(CASES.map((c) => c.code));
    expect(FINDING_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  describe.each(CASES)('$code', ({ code, raise, nearMiss, nodes }) => {
    it(`is raised: ${raise[0]}`, () => {
      const ev = healthyEvidence(nodes);
      raise[1](ev);
      const found = ofCode(ev, code);
      expect(found.length).toBeGreaterThan(0);
      if (raise[2]) expect(found[0]).toMatchObject(raise[2]);
      for (const f of found) expect(f.message).not.toMatch(/\n|undefined|\[object/);
    });
    it(`is not raised: ${nearMiss[0]}`, () => {
      const ev = healthyEvidence(nodes);
      nearMiss[1](ev);
      const like = nearMiss[2];
      expect(ofCode(ev, code).filter((f) => !like || expect.objectContaining(like).asymmetricMatch(f))).toEqual([]);
    });
  });
});
