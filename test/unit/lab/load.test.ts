import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../../src/lab/load.js';

// A malformed scenario is refused with one line naming the file, the field path and the line,
// so the person who wrote it can fix it without reading a stack trace.

const BASE = `name: t
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
clusters: [ { name: HVCLUSTER01, nodes: [HV01, HV02] } ]
hosts:
  - name: HV01
    migration: { enabled: true, authenticationType: Kerberos, maxMigrations: 2 }
  - name: HV02
    migration: { enabled: true, authenticationType: Kerberos, maxMigrations: 2 }
`;

function errorOf(text: string, file = 'lab/x.yaml'): ScenarioError {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('the scenario was accepted');
}

describe('parseScenario', () => {
  it('accepts a minimal scenario and fills the documented defaults', () => {
    const s = parseScenario(BASE, 'lab/x.yaml');
    expect(s.hosts[0]).toMatchObject({
      name: 'HV01',
      os: 'Windows Server 2025',
      reachable: true,
      clockOffsetSeconds: 0,
      credentialGuard: false,
      ticketsStale: false,
      hotfixes: [],
      events: [],
      vms: [],
    });
    expect(s.directory).toEqual({ reachable: true });
    expect(s.latency).toEqual({ hostMs: 0, directoryMs: 0 });
    expect(s.computers).toEqual([]);
    expect(s.users).toEqual([]);
  });

  it('names the field of a wrong enum value and the allowed values', () => {
    const err = errorOf(BASE.replace(/authenticationType: Kerberos(?=, maxMigrations: 2 }\n$)/, 'authenticationType: kerberos'));
    expect(err.message).toBe('lab/x.yaml: hosts[1].migration.authenticationType: expected "Kerberos" or "CredSSP" (line 8)');
  });

  it('names a missing required field', () => {
    const err = errorOf(BASE.replace(', now: "2026-11-20T09:00:00Z"', ''));
    expect(err.message).toBe('lab/x.yaml: domain.now: is required (line 2)');
  });

  it('refuses an unknown key and suggests the right spelling', () => {
    const err = errorOf(`${BASE}    credentialguard: true\n`);
    expect(err.message).toBe('lab/x.yaml: hosts[1].credentialguard: unknown key (did you mean credentialGuard?) (line 9)');
  });

  it('refuses an unknown top-level key', () => {
    expect(errorOf(`${BASE}hostz: []\n`).message).toBe('lab/x.yaml: hostz: unknown key (line 9)');
  });

  it('refuses a host name with characters a host name cannot have', () => {
    const err = errorOf(BASE.replace('  - name: HV02', '  - name: HV_02').replace('HV01, HV02', 'HV01'));
    expect(err.message).toBe('lab/x.yaml: hosts[1].name: host name may contain only letters, digits, hyphens and dots (line 7)');
  });

  it('refuses a host name longer than NetBIOS allows', () => {
    const err = errorOf(BASE.replace('  - name: HV02', '  - name: HYPERVNODE0000002').replace('HV01, HV02', 'HV01'));
    expect(err.fieldPath).toBe('hosts[1].name');
    expect(err.problem).toMatch(/15 characters/);
  });

  it('refuses a cluster node that is not a host', () => {
    const err = errorOf(BASE.replace('nodes: [HV01, HV02]', 'nodes: [HV01, HV05]'));
    expect(err.message).toBe('lab/x.yaml: clusters[0].nodes[1]: HV05 is not one of the hosts (line 3)');
  });

  it('refuses duplicate hosts', () => {
    const err = errorOf(`${BASE}  - name: hv01\n`);
    expect(err.message).toBe('lab/x.yaml: hosts[2].name: duplicate host hv01 (line 9)');
  });

  it('says what type was expected', () => {
    const err = errorOf(`${BASE}    clockOffsetSeconds: fast\n`);
    expect(err.message).toBe('lab/x.yaml: hosts[1].clockOffsetSeconds: expected a number, got the text "fast" (line 9)');
  });

  it('refuses a delegation entry the relay protocol cannot carry (not an SPN of a valid host)', () => {
    const err = errorOf(`${BASE}computers:\n  - name: HV01\n    allowedToDelegateTo: ["cifs/hv02_old!.lab.test"]\n`);
    expect(err.fieldPath).toBe('computers[0].allowedToDelegateTo[0]');
    expect(err.problem).toMatch(/expected an SPN such as HTTP\/web01.contoso.com with a valid host name/);
  });

  it('refuses an expect block that contradicts itself', () => {
    const err = errorOf(`${BASE}expect: { nodes: [HV01, HV02], verdict: blocked, codes: [CLOCK_SKEW] }\n`);
    expect(err.message).toBe('lab/x.yaml: expect.rootCauses: a blocked verdict needs its root causes (line 9)');
  });

  it('reports a YAML syntax error with its line', () => {
    const err = errorOf(`${BASE}    events: [\n`);
    expect(err.message).toMatch(/^lab\/x\.yaml: YAML syntax error: .+ \(line \d+\)$/);
    expect(err.line).toBeGreaterThanOrEqual(9);
  });

  it('reports duplicate keys as a YAML error', () => {
    expect(errorOf(`${BASE}name: again\n`).message).toMatch(/^lab\/x\.yaml: YAML syntax error: Map keys must be unique \(line 9\)$/);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errorOf('- just\n- a list\n').message).toBe('lab/x.yaml: expected a mapping with name, domain, hosts, ...');
  });
});

describe('loadScenario', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-'));
    const good = path.join(dir, 'good.yaml');
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(good, BASE);
    await writeFile(bad, BASE.replace('maxMigrations: 2 }\n  - name: HV02', 'maxMigrations: -1 }\n  - name: HV02'));
    expect((await loadScenario(good)).hosts.map((h) => h.name)).toEqual(['HV01', 'HV02']);
    await expect(loadScenario(bad)).rejects.toThrow(`${bad}: hosts[0].migration.maxMigrations: expected at least 0 (line 6)`);
    await expect(loadScenario(path.join(dir, 'nope.yaml'))).rejects.toThrow(`${path.join(dir, 'nope.yaml')}: no such file`);
  });
});
