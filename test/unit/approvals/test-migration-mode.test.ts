import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseTestMode, moveText } from '../../../src/approvals/test-migration-mode.js';
import { choiceLabel } from '../../../src/approvals/test-migration.js';
import type { TestMigrationDocument } from '../../../src/approvals/plan-document.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// Issue 19: the test migration exercises the path the findings say fails. The findings come from
// the real engine on the shipped lab scenarios, not written by hand.

const LAB = path.resolve(import.meta.dirname, '../../../lab');

async function findingsOf(file: string) {
  const scenario = await loadScenario(path.join(LAB, file));
  const { diagnosis } = await runCheck(new InProcessRelayClient(new LabBackend(scenario), file), scenario.expect!.nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
  return diagnosis.findings;
}

describe('chooseTestMode', () => {
  it('a KCD finding on HV01 → HV02 makes the move off-box (Move-VM -ComputerName), even for a clustered VM', async () => {
    const findings = await findingsOf('delegation-missing-migration-service.yaml');
    expect(chooseTestMode(findings, { source: 'HV01', destination: 'HV02', clustered: true })).toEqual({ mode: 'remote-initiated', exercisesFindings: true, because: ['DELEGATION_MISSING_MIGRATION_SERVICE'] });
  });

  it('near miss: the other direction, which the finding does not concern, moves a clustered VM by its cluster and exercises nothing', async () => {
    const findings = await findingsOf('delegation-missing-migration-service.yaml');
    expect(chooseTestMode(findings, { source: 'HV02', destination: 'HV01', clustered: true })).toEqual({ mode: 'cluster', exercisesFindings: false, because: [] });
  });

  it('a KDC refusal of HV01 → HV03 is a KCD failure: off-box', async () => {
    const findings = await findingsOf('kdc-delegation-refused.yaml');
    const choice = chooseTestMode(findings, { source: 'HV01', destination: 'HV03', clustered: false });
    expect(choice.mode).toBe('remote-initiated');
    expect(choice.because).toContain('KDC_DELEGATION_REFUSED');
  });

  it('a failure that breaks cluster moves but not off-box ones makes a cluster move of a clustered VM', () => {
    // Only a finding's `breaks` (docs/domain.md "Which moves a finding breaks") decides; this one breaks cluster moves alone.
    const finding = { code: 'SPN_MISSING' as const, severity: 'error' as const, node: 'HV02', message: '', evidence: {}, breaks: ['cluster' as const] };
    expect(chooseTestMode([finding], { source: 'HV01', destination: 'HV02', clustered: true })).toEqual({ mode: 'cluster', exercisesFindings: true, because: ['SPN_MISSING'] });
    // near miss: the same VM not clustered cannot be moved by a cluster.
    expect(chooseTestMode([finding], { source: 'HV01', destination: 'HV02', clustered: false }).mode).toBe('remote-initiated');
    // near miss: a warning breaks nothing.
    expect(chooseTestMode([{ ...finding, severity: 'warning' }], { source: 'HV01', destination: 'HV02', clustered: true }).exercisesFindings).toBe(false);
  });

  it('says which move was made, and that an older relay moved on the source', () => {
    const doc: TestMigrationDocument = { kind: 'test-migration', proposedBy: 'x', thread: { platform: 'slack', channelId: 'C1' }, vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'remote-initiated', because: ['DELEGATION_NONE'] };
    expect(moveText(doc, 'remote-initiated')).toBe('off-box live migration (Move-VM -ComputerName <source>, started on the relay host), for DELEGATION_NONE');
    expect(moveText(doc, undefined)).toBe('started on HV01 (this relay does not offer the remote-initiated move)');
  });

  it('labels a choice with its move and codes, within the 75 characters a Slack option shows', () => {
    const c = { vm: 'VM01', source: 'HV01', destination: 'HV03', mode: 'remote-initiated' as const };
    expect(choiceLabel({ ...c, because: ['KDC_DELEGATION_REFUSED'] })).toBe('VM01: HV01 → HV03 · off-box Move-VM (KDC_DELEGATION_REFUSED)');
    const many = choiceLabel({ ...c, because: ['DELEGATION_MISSING_MIGRATION_SERVICE', 'KDC_DELEGATION_REFUSED'] });
    expect(many).toBe('VM01: HV01 → HV03 · off-box Move-VM (2 findings)');
    expect(choiceLabel({ ...c, mode: 'cluster', because: [] })).toBe('VM01: HV01 → HV03 · cluster move');
  });
});
