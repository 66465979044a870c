import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { resultButtons, verdictText } from '../../../src/core/render-diagnosis.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// "Propose fix" is offered only on complete evidence: the default lab scenario has fixable causes;
// with one host (or AD) unread, the same verdict offers no fix and says why; the near miss (all
// read) offers it.

const scenarioFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lab/default.yaml');
const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];

async function diagnose(change: (lab: LabBackend) => void) {
  const lab = new LabBackend(await loadScenario(scenarioFile), { latency: { hostMs: 0, directoryMs: 0 } });
  change(lab);
  return (await runCheck(new InProcessRelayClient(lab, 'lab'), NODES, { clock: fixedClock('2026-11-20T09:00:00Z'), eventWindowHours: 72 })).diagnosis;
}

describe('Propose fix and incomplete evidence', () => {
  it('is offered when AD and every host answered', async () => {
    const d = await diagnose(() => undefined);
    expect(d.verdict.fixable).toBe(true);
    expect(resultButtons(d, 'cr_1', true).map((b) => b.action)).toContain('propose-fix');
    expect(verdictText(d)).toMatch(/The bot can propose a fix for /);
  });

  it('is not offered when a host did not answer, and the verdict says when it will be', async () => {
    const d = await diagnose((lab) => (lab.state.hosts.find((h) => h.name === 'HV02')!.reachable = false));
    expect(d.findings.some((f) => f.code === 'NODE_UNREACHABLE')).toBe(true);
    expect(d.verdict.fixable).toBe(true);
    expect(resultButtons(d, 'cr_1', true).map((b) => b.action)).not.toContain('propose-fix');
    expect(verdictText(d)).toMatch(/A fix for .* is offered once AD and every host answer: re-run the check then\./);
  });

  it('is not offered when AD did not answer', async () => {
    const d = await diagnose((lab) => (lab.state.directory.reachable = false));
    expect(d.findings.some((f) => f.code === 'DIRECTORY_UNREACHABLE')).toBe(true);
    expect(resultButtons(d, 'cr_1', true).map((b) => b.action)).not.toContain('propose-fix');
  });
});
