import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { FINDING_CODES } from '../../../src/diagnostics/findings.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// Every shipped scenario loads, documents its expected result, and the engine agrees with it:
// the scenarios are the public examples of each finding code, so they must not lie.

const LAB_DIR = path.resolve(import.meta.dirname, '../../../lab');
const files = readdirSync(LAB_DIR).filter((f) => f.endsWith('.yaml')).sort();
const kebab = (code: string) => code.toLowerCase().replaceAll('_', '-');

describe('shipped lab scenarios', () => {
  it('include default, healthy and one scenario named after each finding code', () => {
    expect(files).toContain('default.yaml');
    expect(files).toContain('healthy.yaml');
    const missing = FINDING_CODES.filter((c) => !files.includes(`${kebab(c)}.yaml`));
    expect(missing).toEqual([]);
  });

  it.each(FINDING_CODES.filter((c) => files.includes(`${kebab(c)}.yaml`)))('%s.yaml raises its own code', async (code) => {
    const scenario = await loadScenario(path.join(LAB_DIR, `${kebab(code)}.yaml`));
    expect(scenario.expect?.codes).toContain(code);
  });

  it.each(files)('%s loads and the engine gives its documented result', async (file) => {
    const scenario = await loadScenario(path.join(LAB_DIR, file));
    const want = scenario.expect;
    expect(want, `${file} has an expect block`).toBeDefined();
    if (!want) return;
    const relay = new InProcessRelayClient(new LabBackend(scenario), file);
    const { diagnosis } = await runCheck(relay, want.nodes, {
      clock: fixedClock(scenario.domain.now),
      eventWindowHours: 72,
      ...(want.initiator ? { initiator: want.initiator } : {}),
    });
    expect(diagnosis.verdict.status).toBe(want.verdict);
    expect([...new Set(diagnosis.findings.map((f) => f.code))].sort()).toEqual([...want.codes].sort());
    expect([...diagnosis.verdict.rootCauses].sort()).toEqual([...want.rootCauses].sort());
    if (want.fixable !== undefined) expect(diagnosis.verdict.fixable).toBe(want.fixable);
    for (const d of want.directions ?? []) {
      const got = diagnosis.directions.find((x) => x.from === d.from && x.to === d.to);
      expect(got?.status, `${d.from} → ${d.to}`).toBe(d.status);
    }
  });
});
