import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import type { Diagnosis } from '../../../src/diagnostics/findings.js';
import { captureScenario } from '../../../src/lab/capture.js';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../../src/lab/load.js';
import { redactScenario } from '../../../src/lab/redact.js';
import { scenarioYaml } from '../../../src/lab/scenario-yaml.js';
import type { Scenario } from '../../../src/lab/schema.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// The capture's promise: run → capture → re-run gives the same verdict, finding codes and
// directions, for every shipped scenario (lab/*.yaml and the fixture scenarios), plain and
// redacted (compared through the redaction's mapping). The capture goes through YAML text and
// the ordinary loader, as `triage check --lab incident.yaml` reads it.

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCENARIO_DIRS = ['lab', 'test/fixtures/lab'];
const files = SCENARIO_DIRS.flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f)),
).sort();

async function check(scenario: Scenario, nodes: string[], initiator: string | undefined) {
  const relay = new InProcessRelayClient(new LabBackend(scenario), scenario.name);
  return runCheck(relay, nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72, ...(initiator ? { initiator } : {}) });
}

function summary(d: Diagnosis, name: (n: string) => string = (n) => n) {
  return {
    verdict: d.verdict.status,
    rootCauses: [...d.verdict.rootCauses].sort(),
    codes: [...new Set(d.findings.map((f) => f.code))].sort(),
    fixable: d.verdict.fixable,
    directions: d.directions.map((x) => `${name(x.from)}>${name(x.to)}:${x.status}:${[...x.blockedBy].sort().join(',')}`).sort(),
    findings: d.findings.map((f) => `${f.code}@${f.node ? name(f.node) : '-'}>${f.peer ? name(f.peer) : '-'}`).sort(),
  };
}

function nodesOf(s: Scenario): { nodes: string[]; initiator: string | undefined } {
  return { nodes: s.expect?.nodes ?? s.hosts.slice(0, 2).map((h) => h.name), initiator: s.expect?.initiator };
}

describe('triage capture round-trips every shipped scenario', () => {
  it('finds the shipped scenarios', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files).toContain(path.join('lab', 'default.yaml'));
  });

  it.each(files)('%s: the capture reproduces the verdict, codes and directions', async (file) => {
    const original = await loadScenario(path.join(ROOT, file));
    const { nodes, initiator } = nodesOf(original);
    const first = await check(original, nodes, initiator);
    const captured = captureScenario(first.evidence, first.diagnosis);
    const text = scenarioYaml(captured.scenario, ['round-trip test']);
    const reloaded = parseScenario(text, 'capture.yaml');
    // now is pinned to the capture time, expect filled from the verdict.
    expect(reloaded.domain.now).toBe(first.evidence.collectedAt);
    expect(reloaded.expect?.verdict).toBe(first.diagnosis.verdict.status);
    const again = await check(reloaded, reloaded.expect!.nodes, reloaded.expect!.initiator);
    expect(summary(again.diagnosis)).toEqual(summary(first.diagnosis));
    expect(captured.notes).toEqual([]);
  });

  it.each(files)('%s: the redacted capture reproduces it under the name mapping', async (file) => {
    const original = await loadScenario(path.join(ROOT, file));
    const { nodes, initiator } = nodesOf(original);
    const first = await check(original, nodes, initiator);
    const captured = captureScenario(first.evidence, first.diagnosis);
    const redaction = redactScenario(captured.scenario);
    const text = scenarioYaml(redaction.scenario, ['round-trip test, redacted']);
    const reloaded = parseScenario(text, 'capture.yaml');
    const again = await check(reloaded, reloaded.expect!.nodes, reloaded.expect!.initiator);
    expect(summary(again.diagnosis)).toEqual(summary(first.diagnosis, redaction.apply));
    // No original host, VM, domain controller, site (but AD's default one) or domain name survives anywhere in the file.
    const sites = [...original.hosts.map((h) => h.site), ...original.domainControllers.map((d) => d.site)].filter((s): s is string => !!s && s !== 'Default-First-Site-Name');
    const secrets = [original.domain.fqdn, ...original.hosts.map((h) => h.name), ...original.hosts.flatMap((h) => h.vms.map((v) => v.name)), ...original.domainControllers.map((d) => d.name), ...sites];
    for (const secret of secrets) expect(text.toLowerCase(), `${secret} in the redacted capture`).not.toMatch(new RegExp(`(?<![a-z0-9-])${secret.toLowerCase().replaceAll('.', '\\.')}(?![a-z0-9-])`));
  });

  it('a 48-node cluster round-trips too (names and titles stay within the format\'s limits)', async () => {
    const original = generateClusterScenario({ nodes: 48 });
    const nodes = original.hosts.map((h) => h.name);
    const first = await check(original, nodes, undefined);
    const captured = captureScenario(first.evidence, first.diagnosis, { cluster: 'HVCLUSTER01' });
    const reloaded = parseScenario(scenarioYaml(redactScenario(captured.scenario).scenario, ['big']), 'big.yaml');
    const again = await check(reloaded, reloaded.expect!.nodes, undefined);
    expect(again.diagnosis.verdict.status).toBe(first.diagnosis.verdict.status);
    expect(again.diagnosis.directions).toHaveLength(48 * 47);
    expect(reloaded.clusters[0]?.nodes).toHaveLength(48);
  });
});
