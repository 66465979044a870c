import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runTriage } from '../../../src/cli/triage-main.js';
import { loadScenario } from '../../../src/lab/load.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { FINDING_CODES } from '../../../src/diagnostics/findings.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { CountingRelayClient } from '../../helpers/fakes.js';

const run = promisify(execFile);
const scenarios = readdirSync('lab').filter((f) => f.endsWith('.yaml')).map((f) => `lab/${f}`);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/triage.mjs', ...args], { env: { ...process.env, RELAY_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('triage check --json on every shipped scenario gives its documented result', async () => {
  const seenCodes = new Set<string>();
  const seenDirections = new Set<string>();
  const seenVerdicts = new Set<string>();

  for (const file of scenarios) {
    const scenario = await loadScenario(file);
    const expected = scenario.expect;
    if (!expected) continue;
    it(file, async () => {
      const result = await runTriage({ verb: 'check', args: expected.nodes, lab: file, json: true, env: {}, ...(expected.initiator ? { initiator: expected.initiator } : {}) });
      const out = JSON.parse(result.stdout!);
      expect(out.verdict.status).toBe(expected.verdict);
      expect(result.exitCode).toBe(expected.verdict === 'healthy' ? 0 : 1);
      expect([...out.verdict.rootCauses].sort()).toEqual([...expected.rootCauses].sort());
      expect([...new Set(out.findings.map((f: { code: string }) => f.code))].sort()).toEqual([...expected.codes].sort());
      if (expected.fixable !== undefined) expect(out.verdict.fixable).toBe(expected.fixable);
      for (const d of expected.directions ?? []) {
        expect(out.directions.find((x: { from: string; to: string }) => x.from === d.from && x.to === d.to)?.status, `${d.from} → ${d.to}`).toBe(d.status);
      }
      out.findings.forEach((f: { code: string }) => seenCodes.add(f.code));
      out.directions.forEach((d: { status: string }) => seenDirections.add(d.status));
      seenVerdicts.add(out.verdict.status);
    });
  }

  it('together the scenarios raise every finding code, every direction status and every verdict', () => {
    expect([...FINDING_CODES].filter((c) => !seenCodes.has(c))).toEqual([]);
    expect([...seenDirections].sort()).toEqual(['blocked', 'ok', 'unknown']);
    expect([...seenVerdicts].sort()).toEqual(['blocked', 'degraded', 'healthy', 'unknown']);
  });
});

describe('evidence for N nodes costs one directory query', () => {
  it('checks a 4-node cluster with exactly one directory.computers call', async () => {
    const scenario = await loadScenario('lab/default.yaml');
    const relay = new CountingRelayClient(new InProcessRelayClient(new LabBackend(scenario), 'lab'));
    await runCheck(relay, ['HV01', 'HV02', 'HV03', 'HV04'], { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    expect(relay.counts.get('directory.computers')).toBe(1);
    expect(relay.count('directory.')).toBeLessThanOrEqual(2);
    // One host.evidence per node (migration settings, security, events, hotfixes, DNS and VMs).
    expect(relay.count('host.')).toBe(4);
    expect(relay.counts.get('host.evidence')).toBe(4);
  });
});

describe.concurrent('the triage binary', () => {
  it('prints the verdict first, a matrix and findings, fitting 80 columns; exit 1 when blocked', async () => {
    const r = await cli('check', 'HV01', 'HV02', 'HV03', 'HV04');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('BLOCKED: 5 of 12 directions ok, 7 blocked, 0 unknown.');
    expect(r.stdout).toContain('Directions (row = source, column = destination):');
    expect(r.stdout).toMatch(/^ {2}HV02 +BLOCK +- +BLOCK +BLOCK$/m);
    expect(Math.max(...r.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(r.stderr).toContain('no relay configured (RELAY_URL); using the lab scenario lab/default.yaml');
  });

  it('exits 0 on a healthy scenario', async () => {
    const r = await cli('check', 'HV01', 'HV02', '--lab', 'lab/healthy.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HEALTHY: 2 of 2 directions ok/);
  });

  it('health prints one JSON object with the cluster and all its nodes', async () => {
    const r = await cli('health', 'HVCLUSTER01', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.cluster).toBe('HVCLUSTER01');
    expect(out.nodes).toEqual(['HV01', 'HV02', 'HV03', 'HV04']);
    expect(out.directions).toHaveLength(12);
  });

  it.each([
    [['check', 'HV01'], /^triage: A migration check needs at least two nodes/],
    [['check', 'HV01', 'hv01.lab.test'], /^triage: HV01 and hv01\.lab\.test name the same node twice/],
    [['check', 'HV01', 'HV0$(id)'], /^triage: "HV0\$\(id\)" is not a valid node name/],
    [['check', 'HV01', 'HV99'], /^triage: unknown node HV99: no computer object in the directory and no host answered\. Known nodes: HV01, HV02, HV03, HV04\.$/m],
    [['health', 'NOPE'], /^triage: unknown cluster NOPE \(known: HVCLUSTER01\)$/m],
    [['check', 'HV01', 'HV02', '--lab', 'lab/missing.yaml'], /^triage: .*missing\.yaml/],
    [['frobnicate'], /^triage: unknown command "frobnicate"/],
    [['check', 'HV01', 'HV02', '--colour'], /^triage: Unknown option '--colour'/],
  ])('%j exits 2 with a one-line error, never a stack trace', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('rejects a malformed scenario with the path of the bad field', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'triage-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ndomain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }\nhosts:\n  - name: HV01\n    migration: { enabled: true, authenticationType: NTLM, maxMigrations: 2 }\n');
    const r = await cli('check', 'HV01', 'HV02', '--lab', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hosts\[0\]\.migration\.authenticationType/);
  });
});

describe.concurrent('help, version and JSON errors', () => {
  it('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r).toEqual({ code: 0, stdout: `triage ${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`, stderr: '' });
  });

  it('--help lists the commands with examples; each command has its own help', async () => {
    const all = await cli('--help');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ {2}check +check live migration between nodes/m);
    expect(all.stdout).toMatch(/^ {2}health +check every node of a cluster/m);
    for (const [args, head, example] of [
      [['check', '--help'], 'triage check: check live migration between nodes', 'triage check HV01 HV02 HV03 HV04 --json'],
      [['help', 'check'], 'triage check: check live migration between nodes', '--initiator alice@contoso.com'],
      [['health', '-h'], 'triage health: check every node of a cluster', 'triage health HVCLUSTER01 --json'],
    ] as const) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^${head}`));
      expect(r.stdout).toContain(example);
      expect(r.stdout).toContain('Exit codes: 0 healthy, 1 problems found');
    }
  });

  it.each([
    [['check', 'HV01', '--json'], 2, 'USAGE', /^A migration check needs at least two nodes/],
    [['check', 'HV01', 'HV0$(id)', '--json'], 2, 'INVALID_NAME', /^"HV0\$\(id\)" is not a valid node name/],
    [['check', 'HV01', 'HV99', '--json'], 2, 'UNKNOWN_NODE', /^unknown node HV99: /],
    [['health', 'NOPE', '--json'], 2, 'UNKNOWN_CLUSTER', /^unknown cluster NOPE \(known: HVCLUSTER01\)$/],
    [['check', 'HV01', 'HV02', '--lab', 'lab/missing.yaml', '--json'], 2, 'BAD_SCENARIO', /missing\.yaml/],
    [['frobnicate', '--json'], 2, 'USAGE', /^unknown command "frobnicate"$/],
    [['check', 'HV01', 'HV02', '--colour', '--json'], 2, 'USAGE', /^Unknown option '--colour'/],
  ])('%j: the same exit code, and the error as one JSON object on stdout', async (args, code, errorCode, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(Object.keys(out)).toEqual(['error']);
    expect(out.error.code).toBe(errorCode);
    expect(out.error.message).toMatch(message);
    expect(r.stderr).not.toMatch(/^triage: .*(not a valid|unknown|Unknown|needs)/m);
  });
});
