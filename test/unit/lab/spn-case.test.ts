import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// SPNs compare case-insensitively, as in AD, service class included: a scenario exported from a
// real directory in mixed case loads and diagnoses exactly like the canonical spelling, and the
// lab's own test migration agrees.

const LAB = path.resolve(import.meta.dirname, '../../../lab');

/** The scenario with every SPN re-spelled the way an AD export might: CIFS/HV02, lower-case classes, upper-case FQDNs. */
function respell(yaml: string): string {
  return yaml
    .replace(/- Microsoft Virtual System Migration Service\/(HV\d\d)\b(?!\.)/g, (_, h: string) => `- microsoft virtual system migration service/${h.toLowerCase()}`)
    .replace(/- Microsoft Virtual System Migration Service\/(hv\d\d\.lab\.test)/g, (_, h: string) => `- MICROSOFT VIRTUAL SYSTEM MIGRATION SERVICE/${h.toUpperCase()}`)
    .replace(/- cifs\/(HV\d\d)\b(?!\.)/g, '- CIFS/$1')
    .replace(/- cifs\/(hv\d\d\.lab\.test)/g, (_, h: string) => `- Cifs/${h.toUpperCase()}`);
}

async function diagnoseYaml(yaml: string, name: string) {
  const scenario = parseScenario(yaml, name);
  const backend = new LabBackend(scenario);
  const { diagnosis } = await runCheck(new InProcessRelayClient(backend, name), scenario.expect!.nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
  return { diagnosis, backend };
}

describe('SPN letter case in lab scenarios', () => {
  it.each(['healthy.yaml', 'delegation-missing-migration-service.yaml', 'delegation-kerberos-only.yaml', 'delegation-missing-cifs-smb.yaml', 'default.yaml'])(
    '%s re-spelled in mixed case gives the same diagnosis',
    async (file) => {
      const canonical = readFileSync(path.join(LAB, file), 'utf8');
      const mixed = respell(canonical);
      expect(mixed).not.toBe(canonical);
      expect(mixed).toMatch(/CIFS\/HV0\d|microsoft virtual system migration service\/hv0\d/);
      const a = await diagnoseYaml(canonical, file);
      const b = await diagnoseYaml(mixed, `${file} (mixed case)`);
      expect(b.diagnosis.verdict).toEqual(a.diagnosis.verdict);
      expect(b.diagnosis.directions).toEqual(a.diagnosis.directions);
      expect(b.diagnosis.findings.map((f) => [f.code, f.node, f.peer, f.severity])).toEqual(a.diagnosis.findings.map((f) => [f.code, f.node, f.peer, f.severity]));
    },
  );

  it('lets the lab test migration succeed on mixed-case delegation values', async () => {
    const { backend } = await diagnoseYaml(respell(readFileSync(path.join(LAB, 'healthy.yaml'), 'utf8')), 'healthy (mixed case)');
    const result = await new InProcessRelayClient(backend, 'x').call('vm.test-migration', { vm: 'VM01', source: 'HV01', destination: 'HV02', approval: 'x'.repeat(10) + '.' + '0'.repeat(64) });
    expect(result.succeeded).toBe(true);
  });
});
