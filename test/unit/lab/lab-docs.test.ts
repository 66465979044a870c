import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// docs/lab-scenarios.md is the public contract: its example must be a valid scenario that gives
// the result it states, and its table must list every shipped scenario with its verdict.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const doc = readFileSync(path.join(ROOT, 'docs/lab-scenarios.md'), 'utf8');

describe('docs/lab-scenarios.md', () => {
  it('has an example that loads and gives the result its expect block states', async () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const scenario = parseScenario(example!, 'docs example');
    const want = scenario.expect!;
    const relay = new InProcessRelayClient(new LabBackend(scenario), 'docs example');
    const { diagnosis } = await runCheck(relay, want.nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    expect(diagnosis.verdict.status).toBe(want.verdict);
    expect([...diagnosis.verdict.rootCauses].sort()).toEqual([...want.rootCauses].sort());
    expect([...new Set(diagnosis.findings.map((f) => f.code))].sort()).toEqual([...want.codes].sort());
  });

  it('lists every shipped scenario with its documented verdict', async () => {
    const files = readdirSync(path.join(ROOT, 'lab')).filter((f) => f.endsWith('.yaml'));
    for (const file of files) {
      const scenario = await loadScenario(path.join(ROOT, 'lab', file));
      const row = doc.split('\n').find((line) => line.startsWith(`| [\`${file}\`]`));
      expect(row, `${file} is in the table`).toBeDefined();
      expect(row!.split('|')[4]?.trim(), `${file} verdict`).toBe(scenario.expect?.verdict);
    }
  });
});
