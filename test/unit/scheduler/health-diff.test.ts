import { describe, expect, it } from 'vitest';
import type { Diagnosis, Direction, Finding } from '../../../src/diagnostics/findings.js';
import { diffRuns, somethingFails, type RunSnapshot } from '../../../src/scheduler/health-diff.js';
import { changeLines, changeSummary, healthReply } from '../../../src/scheduler/health-reply.js';
import { groupFindings, groupLine } from '../../../src/scheduler/finding-groups.js';

// What changed between two runs of a cluster, and how a post says it.

const NODES = ['HV01', 'HV02', 'HV03'];

function snapshot(blocked: Array<[string, string, string]>, findings: Array<Partial<Finding> & Pick<Finding, 'code' | 'severity'>> = [], nodes = NODES, unknown: Array<[string, string]> = []): RunSnapshot {
  const directions: Direction[] = [];
  for (const from of nodes) {
    for (const to of nodes) {
      if (from === to) continue;
      const b = blocked.find(([f, t]) => f === from && t === to);
      const u = unknown.some(([f, t]) => f === from && t === to);
      directions.push({ from, to, status: b ? 'blocked' : u ? 'unknown' : 'ok', blockedBy: b ? [b[2] as Direction['blockedBy'][number]] : [] });
    }
  }
  return { nodes, directions, findings: findings as RunSnapshot['findings'] };
}

const MISSING = 'DELEGATION_MISSING_MIGRATION_SERVICE';

describe('diffRuns', () => {
  it('first run: nothing to compare; "changed" only when something fails', () => {
    const healthy = diffRuns(null, snapshot([]));
    expect(healthy).toMatchObject({ first: true, changed: false, newlyFailing: [], resolved: [] });
    const broken = diffRuns(null, snapshot([['HV01', 'HV02', MISSING]], [{ code: MISSING, severity: 'error', node: 'HV01', peer: 'HV02' }]));
    expect(broken.changed).toBe(true);
    expect(broken.newlyFailing.map((d) => `${d.from}>${d.to}`)).toEqual(['HV01>HV02']);
  });

  it('same result twice: no change, still-failing directions listed', () => {
    const run = snapshot([['HV01', 'HV02', MISSING]], [{ code: MISSING, severity: 'error', node: 'HV01', peer: 'HV02' }]);
    const diff = diffRuns(run, run);
    expect(diff.changed).toBe(false);
    expect(diff.stillFailing).toEqual([{ from: 'HV01', to: 'HV02', before: 'blocked', after: 'blocked', blockedBy: [MISSING] }]);
    expect(changeSummary(diff, '2027-03-28T06:00:00.000Z')).toBe('No change since the last run (2027-03-28T06:00:00.000Z).');
  });

  it('a direction breaks, another heals, a finding appears and one goes', () => {
    const before = snapshot([['HV03', 'HV01', 'SPN_MISSING']], [{ code: 'SPN_MISSING', severity: 'error', node: 'HV01' }, { code: 'CLOCK_SKEW', severity: 'warning', node: 'HV02' }]);
    const after = snapshot([['HV01', 'HV02', MISSING]], [{ code: MISSING, severity: 'error', node: 'HV01', peer: 'HV02' }, { code: 'CLOCK_SKEW', severity: 'warning', node: 'HV02' }, { code: 'RBCD_PRESENT', severity: 'info', node: 'HV03' }]);
    const diff = diffRuns(before, after);
    expect(diff.changed).toBe(true);
    expect(diff.newlyFailing).toEqual([{ from: 'HV01', to: 'HV02', before: 'ok', after: 'blocked', blockedBy: [MISSING] }]);
    expect(diff.resolved).toEqual([{ from: 'HV03', to: 'HV01', before: 'blocked', after: 'ok', blockedBy: [] }]);
    expect(diff.newFindings).toEqual([{ code: MISSING, severity: 'error', node: 'HV01', peer: 'HV02' }]);
    expect(diff.resolvedFindings).toEqual([{ code: 'SPN_MISSING', severity: 'error', node: 'HV01' }]);
    expect(changeLines(diff)).toEqual([
      `Newly failing (1): HV01 → HV02 (blocked: ${MISSING}, was ok)`,
      'Fixed (1): HV03 → HV01 (was blocked)',
      `New findings (1): ${MISSING} · HV01 → HV02`,
      'Findings gone (1): SPN_MISSING · HV01',
    ]);
    expect(changeSummary(diff, '2027-03-28T06:00:00.000Z')).toBe('Since the last run (2027-03-28T06:00:00.000Z): 1 new failing direction, 1 direction fixed, 1 new finding, 1 finding gone.');
  });

  it('info findings alone are not a change; blocked ↔ unknown is', () => {
    const base = snapshot([['HV01', 'HV02', MISSING]]);
    expect(diffRuns(base, { ...base, findings: [{ code: 'RBCD_PRESENT', severity: 'info', node: 'HV01' }] }).changed).toBe(false);
    const unknownNow = snapshot([], [], NODES, [['HV01', 'HV02']]);
    const diff = diffRuns(base, unknownNow);
    expect(diff.changed).toBe(true);
    expect(diff.stillFailing).toEqual([{ from: 'HV01', to: 'HV02', before: 'blocked', after: 'unknown', blockedBy: [] }]);
  });

  it('a node joins: its directions are new, and failing ones count as newly failing', () => {
    const before = snapshot([], [], ['HV01', 'HV02']);
    const after = snapshot([['HV03', 'HV01', 'NODE_UNREACHABLE']], [], NODES);
    const diff = diffRuns(before, after);
    expect(diff.nodesAdded).toEqual(['HV03']);
    expect(diff.newlyFailing).toEqual([{ from: 'HV03', to: 'HV01', after: 'blocked', blockedBy: ['NODE_UNREACHABLE'] }]);
    expect(diffRuns(after, before).nodesRemoved).toEqual(['HV03']);
  });
});

describe('somethingFails', () => {
  it('a direction not ok, or an error finding (unconstrained delegation blocks nothing but is an error)', () => {
    expect(somethingFails(snapshot([]))).toBe(false);
    expect(somethingFails(snapshot([], [{ code: 'DELEGATION_MISSING_CIFS', severity: 'warning', node: 'HV01', peer: 'HV02' }]))).toBe(false);
    expect(somethingFails(snapshot([], [{ code: 'DELEGATION_UNCONSTRAINED', severity: 'error', node: 'HV01' }]))).toBe(true);
    expect(somethingFails(snapshot([], [], NODES, [['HV01', 'HV02']]))).toBe(true);
  });
});

describe('findings grouped by code', () => {
  it('one line per code, worst severity first, places bounded', () => {
    const findings = [
      { code: 'DELEGATION_MISSING_CIFS' as const, severity: 'warning' as const, node: 'HV01', peer: 'HV02' },
      ...Array.from({ length: 10 }, (_, i) => ({ code: 'SPN_MISSING' as const, severity: 'error' as const, node: `HV${String(i + 1).padStart(2, '0')}` })),
      { code: 'DELEGATION_MISSING_CIFS' as const, severity: 'warning' as const, node: 'HV02', peer: 'HV01' },
    ];
    expect(groupFindings(findings).map(groupLine)).toEqual([
      'SPN_MISSING (error, 10): HV01, HV02, HV03, HV04, HV05, HV06, HV07, HV08 and 2 more',
      'DELEGATION_MISSING_CIFS (warning, 2): HV01 → HV02, HV02 → HV01',
    ]);
  });
});

describe('healthReply', () => {
  it('verdict with what changed, full matrix, change and finding sections, buttons on the stored run', () => {
    const current = snapshot([['HV01', 'HV02', MISSING]], [{ code: MISSING, severity: 'error', node: 'HV01', peer: 'HV02', message: 'm', evidence: {} }]);
    const d: Diagnosis = {
      nodes: NODES,
      collectedAt: '2027-03-29T06:00:00.000Z',
      directions: current.directions as Direction[],
      findings: current.findings as Finding[],
      verdict: { status: 'blocked', rootCauses: [MISSING], fixable: true, fixableCauses: [MISSING], manualCauses: [] },
    };
    const reply = healthReply(d, diffRuns(snapshot([]), current), { cluster: 'HVCLUSTER01', recordId: 'cr_x', previousAt: '2027-03-28T06:00:00.000Z', context: ['ctx'] });
    expect(reply.header).toBe('Cluster health · HVCLUSTER01');
    expect(reply.verdict).toEqual({ status: 'blocked', text: `Blocked: 5 of 6 directions ok, 1 blocked, 0 unknown. Root causes: ${MISSING}. The bot can propose a fix for ${MISSING}. Since the last run (2027-03-28T06:00:00.000Z): 1 new failing direction, 1 new finding.` });
    expect(reply.matrix?.nodes).toEqual(NODES);
    expect(reply.matrix?.cells.HV01?.HV02).toBe('blocked');
    expect(reply.sections).toEqual([
      { title: 'What changed since 2027-03-28T06:00:00.000Z', severity: 'error', lines: [`Newly failing (1): HV01 → HV02 (blocked: ${MISSING}, was ok)`, `New findings (1): ${MISSING} · HV01 → HV02`] },
      { title: 'Findings by code (1)', severity: 'error', lines: [`${MISSING} (error, 1): HV01 → HV02`] },
    ]);
    expect(reply.buttons?.map((b) => `${b.action}:${b.recordId}`)).toEqual(['propose-fix:cr_x', 'rerun:cr_x', 'show-evidence:cr_x', 'test-migration:cr_x']);
  });
});
