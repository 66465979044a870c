import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import type { Evidence } from '../../../src/diagnostics/evidence.js';
import {
  MVSMS,
  computer,
  resolves,
  events,
  failDirectory,
  failHost,
  healthyEvidence,
  healthyUser,
  lmEvent,
  migration,
  removeComputer,
  security,
  vms,
  withInitiator,
} from '../../helpers/evidence-builder.js';

// Direction semantics: which ordered pair each fault blocks, when missing evidence leaves a
// pair unknown (never ok), and that blocked beats unknown.

/** `"HV01→HV02": "blocked DELEGATION_…"`, one entry per ordered pair. */
function matrix(ev: Evidence): Record<string, string> {
  return Object.fromEntries(
    diagnose(ev).directions.map((d) => [
      `${d.from}→${d.to}`,
      [d.status, ...(d.status === 'blocked' ? d.blockedBy : (d.unknownBecause ?? []))].join(' '),
    ]),
  );
}

const THREE = ['HV01', 'HV02', 'HV03'];
const removeCifs = (ev: Evidence, from: string, to: string) => {
  const c = computer(ev, from);
  c.allowedToDelegateTo = c.allowedToDelegateTo.filter((v) => v !== `cifs/${to}` && v !== `cifs/${to.toLowerCase()}.lab.test`);
};
const removeDelegationTo = (ev: Evidence, from: string, to: string) => {
  const c = computer(ev, from);
  c.allowedToDelegateTo = c.allowedToDelegateTo.filter((v) => !v.toUpperCase().endsWith(`/${to}`) && !v.toLowerCase().endsWith(`/${to.toLowerCase()}.lab.test`));
};

describe('directions', () => {
  it('are all ok on a healthy cluster, one per ordered pair', () => {
    const d = diagnose(healthyEvidence(THREE)).directions;
    expect(d).toHaveLength(6);
    expect(d.every((x) => x.status === 'ok' && x.blockedBy.length === 0)).toBe(true);
  });

  it('are directional: HV01 missing HV02 in its list blocks HV01→HV02 only', () => {
    const ev = healthyEvidence(THREE);
    removeDelegationTo(ev, 'HV01', 'HV02');
    expect(matrix(ev)).toEqual({
      'HV01→HV02': 'blocked DELEGATION_MISSING_MIGRATION_SERVICE',
      'HV01→HV03': 'ok',
      'HV02→HV01': 'ok',
      'HV02→HV03': 'ok',
      'HV03→HV01': 'ok',
      'HV03→HV02': 'ok',
    });
  });

  it('count RBCD as delegation: a missing list entry does not block when the destination grants the source', () => {
    const ev = healthyEvidence(THREE);
    removeDelegationTo(ev, 'HV01', 'HV02');
    computer(ev, 'HV02').allowedToActOnBehalfOf = ['HV01'];
    expect(matrix(ev)['HV01→HV02']).toBe('ok');
  });

  it('block every direction out of a node with no delegation, and none into it', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV02').allowedToDelegateTo = [];
    const m = matrix(ev);
    expect([m['HV02→HV01'], m['HV02→HV03']]).toEqual(['blocked DELEGATION_NONE', 'blocked DELEGATION_NONE']);
    expect([m['HV01→HV02'], m['HV03→HV02']]).toEqual(['ok', 'ok']);
  });

  it('let RBCD rescue a Kerberos-only source for the destinations that grant it, and only those', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV01').userAccountControl = 4096;
    computer(ev, 'HV03').allowedToActOnBehalfOf = ['HV01'];
    const m = matrix(ev);
    expect(m['HV01→HV02']).toBe('blocked DELEGATION_KERBEROS_ONLY');
    expect(m['HV01→HV03']).toBe('ok');
  });

  it('block unconstrained delegation wherever no constrained path exists, with Credential Guard on, off or unread', () => {
    const ev = healthyEvidence(THREE);
    const list = computer(ev, 'HV01').allowedToDelegateTo;
    // ADUC "Trust this computer for delegation to any service": 0x80000 and an empty list.
    computer(ev, 'HV01').userAccountControl = 0x81000;
    computer(ev, 'HV01').allowedToDelegateTo = [];
    expect(matrix(ev)['HV01→HV02']).toBe('blocked DELEGATION_UNCONSTRAINED');

    security(ev, 'HV01').credentialGuardRunning = false; // WS2016+ forwards no TGT over WMI/WinRM: still blocked
    expect(matrix(ev)['HV01→HV02']).toBe('blocked DELEGATION_UNCONSTRAINED');
    failHost(ev, 'HV01', ['security']);
    expect(matrix(ev)['HV01→HV02']).toBe('blocked DELEGATION_UNCONSTRAINED');
    expect(diagnose(ev).verdict).toMatchObject({ status: 'blocked', fixable: true, fixableCauses: ['DELEGATION_UNCONSTRAINED'] });

    const leftOver = healthyEvidence(THREE);
    computer(leftOver, 'HV01').userAccountControl = 0x1081000; // unconstrained left over next to a working KCD path
    computer(leftOver, 'HV01').allowedToDelegateTo = list;
    expect(matrix(leftOver)['HV01→HV02']).toBe('ok');
  });

  it('let RBCD on the destination rescue an unconstrained-only source for that direction only', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV01').userAccountControl = 0x81000;
    computer(ev, 'HV01').allowedToDelegateTo = [];
    computer(ev, 'HV03').allowedToActOnBehalfOf = ['HV01'];
    const m = matrix(ev);
    expect([m['HV01→HV02'], m['HV01→HV03']]).toEqual(['blocked DELEGATION_UNCONSTRAINED', 'ok']);
  });

  it('are ok only where that direction itself can delegate (KCD with protocol transition, or RBCD on the destination)', () => {
    // Every combination of HV01's delegation state against two peers, one of which may grant RBCD.
    const uacs = [0x1000, 0x1001000, 0x81000, 0x1081000];
    const lists = [[], [`${MVSMS}/HV02`], [`${MVSMS}/hv02.lab.test`, 'cifs/HV02'], [`${MVSMS}/HV02`, `${MVSMS}/hv02.lab.test`, `${MVSMS}/HV03`, `${MVSMS}/hv03.lab.test`]];
    const grants = [[], ['HV01']];
    for (const uac of uacs)
      for (const list of lists)
        for (const g2 of grants)
          for (const g3 of grants) {
            const ev = healthyEvidence(THREE);
            computer(ev, 'HV01').userAccountControl = uac;
            computer(ev, 'HV01').allowedToDelegateTo = [...list];
            computer(ev, 'HV02').allowedToActOnBehalfOf = g2;
            computer(ev, 'HV03').allowedToActOnBehalfOf = g3;
            const m = matrix(ev);
            for (const [dest, granted] of [['HV02', g2.length > 0], ['HV03', g3.length > 0]] as const) {
              const listed = list.some((v) => v.toLowerCase() === `${MVSMS}/${dest}`.toLowerCase()) && list.some((v) => v.toLowerCase() === `${MVSMS}/${dest}.lab.test`.toLowerCase());
              const canDelegate = granted || (listed && (uac & 0x1000000) !== 0);
              const state = `uac ${uac.toString(16)}, list [${list.join(', ')}], RBCD from HV02 ${g2.length > 0}, HV03 ${g3.length > 0}`;
              expect(m[`HV01→${dest}`]!.startsWith('ok'), `HV01→${dest} with ${state}`).toBe(canDelegate);
            }
          }
  });

  it('block CredSSP out of a Credential Guard node only; without Credential Guard it does not block', () => {
    const ev = healthyEvidence();
    migration(ev, 'HV01').authenticationType = 'CredSSP';
    expect(matrix(ev)).toEqual({ 'HV01→HV02': 'blocked MIGRATION_AUTH_CREDSSP', 'HV02→HV01': 'ok' });
    security(ev, 'HV01').credentialGuardRunning = false;
    expect(matrix(ev)).toEqual({ 'HV01→HV02': 'ok', 'HV02→HV01': 'ok' });
  });

  it('block a missing cifs pair only where SMB is in play: the pair over SMB, every move out of a node whose VMs live on a share it cannot reach', () => {
    const ev = healthyEvidence(THREE);
    removeCifs(ev, 'HV01', 'HV02');
    expect(matrix(ev)['HV01→HV02']).toBe('ok'); // TCP/IP migration: only storage moves suffer (a warning)
    migration(ev, 'HV01').performanceOption = 'SMB';
    expect(matrix(ev)['HV01→HV02']).toBe('blocked DELEGATION_MISSING_CIFS');
    expect(matrix(ev)['HV01→HV03']).toBe('ok');

    const share = healthyEvidence(THREE);
    vms(share, 'HV03', [{ name: 'VM03', state: 'Running', isClustered: true, storagePaths: ['\\\\SOFS01\\VMs\\VM03\\VM03.vmcx'] }]);
    const m = matrix(share);
    expect([m['HV03→HV01'], m['HV03→HV02'], m['HV01→HV03']]).toEqual(['blocked DELEGATION_MISSING_CIFS', 'blocked DELEGATION_MISSING_CIFS', 'ok']);
  });

  it('do not block on RC4-only keys without evidence that the DCs refuse RC4 (a warning)', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV02').supportedEncryptionTypes = 4;
    expect(Object.values(matrix(ev)).every((x) => x === 'ok')).toBe(true);
    expect(diagnose(ev).verdict.status).toBe('degraded');
  });

  it('block both directions of a node with migration disabled or a clock over 300 s', () => {
    for (const fault of [
      (ev: Evidence) => void (migration(ev, 'HV02').enabled = false),
      (ev: Evidence) => void (security(ev, 'HV02').clockOffsetSeconds = -301),
    ]) {
      const ev = healthyEvidence(THREE);
      fault(ev);
      const m = matrix(ev);
      expect(['HV01→HV02', 'HV02→HV01', 'HV02→HV03', 'HV03→HV02'].map((k) => m[k]!.split(' ')[0])).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
      expect([m['HV01→HV03'], m['HV03→HV01']]).toEqual(['ok', 'ok']);
    }
  });

  it('do not block on a clock skew warning (61 s)', () => {
    const ev = healthyEvidence();
    security(ev, 'HV02').clockOffsetSeconds = 61;
    expect(Object.values(matrix(ev))).toEqual(['ok', 'ok']);
  });

  it('block every direction into a node whose migration SPN is missing or duplicated', () => {
    const ev = healthyEvidence(THREE);
    computer(ev, 'HV03').servicePrincipalNames = ['HOST/HV03'];
    const m = matrix(ev);
    expect([m['HV01→HV03'], m['HV02→HV03']]).toEqual(['blocked SPN_MISSING', 'blocked SPN_MISSING']);
    expect([m['HV03→HV01'], m['HV03→HV02'], m['HV01→HV02']]).toEqual(['ok', 'ok', 'ok']);
  });

  it('block a DNS mismatch in the direction of the resolving node only', () => {
    const ev = healthyEvidence();
    resolves(ev, 'HV02', 'HV01', ['10.9.0.1'], 'hv01.other.test');
    expect(matrix(ev)).toEqual({ 'HV01→HV02': 'ok', 'HV02→HV01': 'blocked DNS_MISMATCH' });
  });

  it('block every direction for an initiator that cannot be delegated; an unknown initiator leaves them unknown', () => {
    const ev = healthyEvidence(THREE);
    withInitiator(ev, healthyUser({ protectedUsers: true }));
    expect(Object.values(matrix(ev)).every((s) => s === 'blocked INITIATOR_NOT_DELEGATABLE')).toBe(true);
    withInitiator(ev, null);
    expect(Object.values(matrix(ev)).every((s) => s === 'unknown INITIATOR_UNKNOWN')).toBe(true);
  });

  it('block every direction to and from a node without a computer object', () => {
    const ev = healthyEvidence(THREE);
    removeComputer(ev, 'HV03');
    const m = matrix(ev);
    expect(['HV01→HV03', 'HV03→HV01', 'HV02→HV03', 'HV03→HV02'].map((k) => m[k])).toEqual(Array(4).fill('blocked NODE_UNKNOWN'));
    expect(m['HV01→HV02']).toBe('ok');
  });

  it('never let events decide: 22038 (or an auth-classed 21502) alone leaves every direction ok', () => {
    const ev = healthyEvidence();
    events(ev, 'HV01').push(lmEvent(22038, '2026-11-20T08:00:00Z', 'Authentication failure'));
    events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', 'failed (0x8009030E)'));
    const d = diagnose(ev);
    expect(d.directions.map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(d.findings.map((f) => f.code)).toEqual(['LM_AUTH_FAILURE_EVENT', 'LM_AUTH_FAILURE_EVENT', 'INITIATOR_NOT_CHECKED']);
  });
});

describe('missing evidence', () => {
  it('makes every direction to and from an unreachable host unknown, never ok', () => {
    const ev = healthyEvidence(THREE);
    failHost(ev, 'HV02');
    expect(matrix(ev)).toEqual({
      'HV01→HV02': 'unknown NODE_UNREACHABLE',
      'HV01→HV03': 'ok',
      'HV02→HV01': 'unknown NODE_UNREACHABLE',
      'HV02→HV03': 'unknown NODE_UNREACHABLE',
      'HV03→HV01': 'ok',
      'HV03→HV02': 'unknown NODE_UNREACHABLE',
    });
  });

  it('makes only the directions that need a failed read unknown (a failed DNS read affects the node as source)', () => {
    const ev = healthyEvidence();
    failHost(ev, 'HV02', ['dns']);
    expect(matrix(ev)).toEqual({ 'HV01→HV02': 'ok', 'HV02→HV01': 'unknown NODE_UNREACHABLE' });
  });

  it('does not touch directions when only the event log or hotfix read failed, but still reports it', () => {
    const ev = healthyEvidence();
    failHost(ev, 'HV02', ['events', 'hotfixes']);
    const d = diagnose(ev);
    expect(d.directions.map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(d.findings.map((f) => f.code)).toEqual(['NODE_UNREACHABLE']);
    expect(d.findings[0]!.message).toBe('HV02: could not read host.events and host.hotfixes (HOST_UNREACHABLE: WinRM cannot reach the host); those checks are missing');
  });

  it('makes every direction unknown when the directory is unreachable', () => {
    const ev = healthyEvidence(THREE);
    failDirectory(ev);
    expect(Object.values(matrix(ev)).every((s) => s === 'unknown DIRECTORY_UNREACHABLE')).toBe(true);
  });

  it('makes every direction unknown when only the SPN lookup failed', () => {
    const ev = healthyEvidence();
    failDirectory(ev, 'spnOwners');
    expect(Object.values(matrix(ev))).toEqual(['unknown DIRECTORY_UNREACHABLE', 'unknown DIRECTORY_UNREACHABLE']);
  });

  it('lets a host-only fault still block while the directory is unreachable (blocked beats unknown)', () => {
    const ev = healthyEvidence(THREE);
    failDirectory(ev);
    migration(ev, 'HV03').enabled = false;
    resolves(ev, 'HV01', 'HV02', [], null);
    expect(matrix(ev)).toEqual({
      'HV01→HV02': 'blocked DNS_MISMATCH',
      'HV01→HV03': 'blocked MIGRATION_DISABLED',
      'HV02→HV01': 'unknown DIRECTORY_UNREACHABLE',
      'HV02→HV03': 'blocked MIGRATION_DISABLED',
      'HV03→HV01': 'blocked MIGRATION_DISABLED',
      'HV03→HV02': 'blocked MIGRATION_DISABLED',
    });
  });

  it('blocked beats unknown on the same pair: an unreachable destination with a missing list entry', () => {
    const ev = healthyEvidence();
    failHost(ev, 'HV02');
    computer(ev, 'HV01').allowedToDelegateTo = computer(ev, 'HV01').allowedToDelegateTo.filter((v) => v !== `${MVSMS}/HV02`);
    const d = diagnose(ev).directions.find((x) => x.from === 'HV01')!;
    expect(d).toEqual({ from: 'HV01', to: 'HV02', status: 'blocked', blockedBy: ['DELEGATION_MISSING_MIGRATION_SERVICE'] });
  });
});
