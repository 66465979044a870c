import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runTriage } from '../../../src/cli/triage-main.js';

// `triage capture` as a user runs it: the YAML on stdout is a scenario `triage check --lab`
// loads and answers with the same verdict; --redact leaves no real name behind.

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/triage.mjs', ...args], { env: { ...process.env, RELAY_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('triage capture', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capture-'));

  it('writes a scenario that triage check --lab answers with the same verdict (the real binary)', async () => {
    const captured = await cli('capture', 'HV01', 'HV02', '--cluster', 'HVCLUSTER01', '--lab', 'lab/delegation-missing-cifs-sofs.yaml');
    expect(captured.code).toBe(0);
    expect(captured.stdout).toContain('Reproduce: triage check HV01 HV02 --lab');
    const file = path.join(dir, 'incident.yaml');
    writeFileSync(file, captured.stdout);
    const original = await cli('check', 'HV01', 'HV02', '--json', '--lab', 'lab/delegation-missing-cifs-sofs.yaml');
    const again = await cli('check', 'HV01', 'HV02', '--json', '--lab', file);
    expect(again.code).toBe(1);
    const [a, b] = [JSON.parse(original.stdout), JSON.parse(again.stdout)];
    expect(b.verdict).toEqual(a.verdict);
    expect(b.directions).toEqual(a.directions);
    // The cluster was recorded: health over the capture works too.
    const health = await cli('health', 'HVCLUSTER01', '--json', '--lab', file);
    expect(JSON.parse(health.stdout).verdict.rootCauses).toEqual(['DELEGATION_MISSING_CIFS']);
  });

  it('--redact replaces domain, host and VM names everywhere and keeps the verdict', async () => {
    const result = await runTriage({ verb: 'capture', args: ['HV01', 'HV02'], lab: 'lab/hardening-update-correlated.yaml', json: false, env: {}, redact: true });
    expect(result.exitCode).toBe(0);
    const text = result.stdout!;
    expect(text).not.toMatch(/HV0[12]|hv0[12]|lab\.test|VM0[12]|DC=lab/);
    expect(text).toContain('NODE01');
    expect(text).toContain("host 'node02.corp.example'");
    const file = path.join(dir, 'redacted.yaml');
    writeFileSync(file, text);
    const again = await runTriage({ verb: 'check', args: ['NODE01', 'NODE02'], lab: file, json: true, env: {} });
    const out = JSON.parse(again.stdout!);
    expect(out.verdict.status).toBe('degraded');
    expect([...new Set(out.findings.map((f: { code: string }) => f.code))].sort()).toEqual(['ENCTYPES_RC4_ONLY', 'HARDENING_UPDATE_CORRELATED', 'LM_AUTH_FAILURE_EVENT']);
  });

  it('--cluster alone captures every node of the cluster and records the cluster', async () => {
    const result = await runTriage({ verb: 'capture', args: [], lab: 'lab/default.yaml', json: false, env: {}, cluster: 'HVCLUSTER01' });
    expect(result.exitCode).toBe(0);
    const file = path.join(dir, 'cluster.yaml');
    writeFileSync(file, result.stdout!);
    const health = await runTriage({ verb: 'health', args: ['HVCLUSTER01'], lab: file, json: true, env: {} });
    const original = await runTriage({ verb: 'health', args: ['HVCLUSTER01'], lab: 'lab/default.yaml', json: true, env: {} });
    expect(JSON.parse(health.stdout!).directions).toEqual(JSON.parse(original.stdout!).directions);
    expect(JSON.parse(health.stdout!).nodes.length).toBeGreaterThan(2);
  });

  it('refuses unknown and hostile node names like check does, with no YAML written', async () => {
    const hostile = await runTriage({ verb: 'capture', args: ['HV01', 'HV02;rm -rf'], lab: 'lab/healthy.yaml', json: false, env: {} });
    expect(hostile.exitCode).toBe(2);
    expect(hostile.stdout).toBeUndefined();
    const unknown = await runTriage({ verb: 'capture', args: ['HV01', 'HV99'], lab: 'lab/healthy.yaml', json: false, env: {} });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown node HV99/);
    const cluster = await runTriage({ verb: 'capture', args: ['HV01', 'HV02'], lab: 'lab/healthy.yaml', json: false, env: {}, cluster: 'bad name' });
    expect(cluster.exitCode).toBe(2);
  });
});
