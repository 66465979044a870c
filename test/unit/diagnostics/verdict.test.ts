import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import type { Evidence } from '../../../src/diagnostics/evidence.js';
import { computer, failHost, resolves, healthyEvidence, lmEvent, events, migration, security } from '../../helpers/evidence-builder.js';

// The verdict users read first: status, root causes (most directions blocked first), and whether
// the bot can propose a fix for them.

const THREE = ['HV01', 'HV02', 'HV03'];
const verdictOf = (ev: Evidence) => diagnose(ev).verdict;

describe('verdict', () => {
  it('is healthy with nothing found, or only info findings (RBCD)', () => {
    expect(verdictOf(healthyEvidence())).toEqual({ status: 'healthy', rootCauses: [], fixable: false, fixableCauses: [], manualCauses: [] });
    const ev = healthyEvidence();
    computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
    expect(diagnose(ev).findings.map((f) => f.code)).toEqual(['RBCD_PRESENT']);
    expect(verdictOf(ev).status).toBe('healthy');
  });

  it('is degraded when warnings or errors block nothing (missing cifs, a 61 s clock, an auth event)', () => {
    const ev = healthyEvidence();
    computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => v !== 'cifs/HV02');
    security(ev, 'HV02').clockOffsetSeconds = 61;
    events(ev, 'HV02').push(lmEvent(22038, '2026-11-20T08:00:00Z', 'authentication failure'));
    expect(verdictOf(ev)).toEqual({ status: 'degraded', rootCauses: [], fixable: false, fixableCauses: [], manualCauses: [] });
  });

  it('blames the logon right, not delegation, for a 0x80070569 failure: moves into the refusing node blocked, nothing to fix', () => {
    const ev = healthyEvidence();
    const text = "Virtual machine migration operation for 'VM01' failed at migration destination 'HV02'. Failed to create Planned Virtual Machine at migration destination: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)";
    events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', text));
    const d = diagnose(ev);
    expect(d.verdict).toEqual({ status: 'blocked', rootCauses: ['LOGON_RIGHT_MISSING'], fixable: false, fixableCauses: [], manualCauses: ['LOGON_RIGHT_MISSING'] });
    expect(d.directions.map((x) => `${x.from}→${x.to} ${x.status}`)).toEqual(['HV01→HV02 blocked', 'HV02→HV01 ok']);
    expect(d.findings.map((f) => f.code)).toEqual(['LOGON_RIGHT_MISSING']);
  });

  it('points away from delegation for wrong-principal and network failures (degraded, never a delegation fix)', () => {
    const ev = healthyEvidence();
    events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', "failed to establish a connection with host 'HV02': The target principal name is incorrect. (0x80090322)"));
    events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:10:00Z', 'No connection could be made because the target machine actively refused it. (0x8007274D)'));
    const d = diagnose(ev);
    expect(d.verdict).toEqual({ status: 'degraded', rootCauses: [], fixable: false, fixableCauses: [], manualCauses: [] });
    expect(d.findings.map((f) => [f.code, f.evidence.classes])).toEqual([
      ['LM_FAILURE_EVENT_OTHER', ['dns']],
      ['LM_FAILURE_EVENT_OTHER', ['network']],
    ]);
    expect(d.findings[0]!.message).toMatch(/; a wrong principal points at DNS or, for a cross-cluster move, the live-migration network order, not at delegation$/);
    expect(d.findings[1]!.message).toMatch(/check that TCP 6600 \(and 3343 in a cluster\) is listening/);
  });

  it('is blocked when any direction is blocked, root causes ordered by directions blocked, split into fixable and manual', () => {
    const ev = healthyEvidence(THREE);
    resolves(ev, 'HV01', 'HV02', ['10.0.0.9'], 'hv09.lab.test'); // blocks 1 direction
    computer(ev, 'HV03').userAccountControl = 4096; // blocks 2 directions
    failHost(ev, 'HV02', ['events']); // reported, decides nothing
    expect(verdictOf(ev)).toEqual({
      status: 'blocked',
      rootCauses: ['DELEGATION_KERBEROS_ONLY', 'DNS_MISMATCH'],
      fixable: true,
      fixableCauses: ['DELEGATION_KERBEROS_ONLY'],
      manualCauses: ['DNS_MISMATCH'],
    });
  });

  it('is blocked but not fixable when only manual causes block', () => {
    const ev = healthyEvidence();
    security(ev, 'HV01').clockOffsetSeconds = 900;
    expect(verdictOf(ev)).toMatchObject({ status: 'blocked', rootCauses: ['CLOCK_SKEW'], fixable: false, manualCauses: ['CLOCK_SKEW'] });
  });

  it('breaks ties in blocked-direction counts by importance (migration disabled before delegation)', () => {
    const ev = healthyEvidence();
    computer(ev, 'HV01').allowedToDelegateTo = [];
    computer(ev, 'HV02').allowedToDelegateTo = [];
    migration(ev, 'HV01').enabled = false;
    expect(verdictOf(ev).rootCauses).toEqual(['MIGRATION_DISABLED', 'DELEGATION_NONE']);
  });

  it('is unknown when nothing is blocked but some direction lacks evidence, naming why', () => {
    const ev = healthyEvidence(THREE);
    failHost(ev, 'HV03');
    expect(verdictOf(ev)).toEqual({ status: 'unknown', rootCauses: ['NODE_UNREACHABLE'], fixable: false, fixableCauses: [], manualCauses: ['NODE_UNREACHABLE'] });
  });

  it('is blocked, not unknown, when one direction is blocked and another unknown', () => {
    const ev = healthyEvidence(THREE);
    failHost(ev, 'HV03');
    migration(ev, 'HV01').authenticationType = 'CredSSP';
    expect(verdictOf(ev)).toMatchObject({ status: 'blocked', rootCauses: ['MIGRATION_AUTH_CREDSSP'], fixable: true });
  });
});

describe('findings order', () => {
  it('puts errors first, then warnings, then info; within each, cluster-wide first, then by node as given', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV03').allowedToActOnBehalfOf = ['HV01']; // info HV01→HV03
    security(ev, 'HV01').clockOffsetSeconds = 90; // warning HV01
    migration(ev, 'HV02').authenticationType = 'CredSSP'; // error HV02 + warning mismatch (cluster-wide)
    computer(ev, 'HV03').supportedEncryptionTypes = 4; // warning HV03 (no DC evidence)
    migration(ev, 'HV01').enabled = false; // error HV01
    const d = diagnose(ev);
    expect(d.findings.map((f) => `${f.severity} ${f.code} ${f.node ?? '*'}`)).toEqual([
      'error MIGRATION_DISABLED HV01',
      'error MIGRATION_AUTH_CREDSSP HV02',
      'warning MIGRATION_AUTH_MISMATCH *',
      'warning CLOCK_SKEW HV01',
      'warning ENCTYPES_RC4_ONLY HV03',
      'info RBCD_PRESENT HV01',
    ]);
  });

  it('is the same for the same evidence (diagnose is pure)', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV02').userAccountControl = 4096;
    const before = JSON.stringify(ev);
    expect(diagnose(ev)).toEqual(diagnose(JSON.parse(before) as Evidence));
    expect(JSON.stringify(ev)).toBe(before);
  });
});

describe('findings order within a node', () => {
  it("puts a node's configuration findings before its events", () => {
    const ev = healthyEvidence(THREE);
    events(ev, 'HV01').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'failed (0x8009030E)'));
    computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => !v.endsWith('/hv02.lab.test'));
    computer(ev, 'HV01').userAccountControl = 4096;
    expect(diagnose(ev).findings.map((f) => `${f.code} ${f.node}${f.peer ? `→${f.peer}` : ''}`)).toEqual([
      'DELEGATION_KERBEROS_ONLY HV01',
      'DELEGATION_MISSING_MIGRATION_SERVICE HV01→HV02',
      'LM_AUTH_FAILURE_EVENT HV01',
      'DELEGATION_MISSING_CIFS HV01→HV02',
    ]);
  });
});
