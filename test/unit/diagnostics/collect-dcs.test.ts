import { describe, expect, it } from 'vitest';
import type { BackendContext, RelayBackend } from '../../../src/relay/backend.js';
import { collectEvidence } from '../../../src/diagnostics/collect.js';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import type { OperationName, OpParams, OpResult } from '../../../src/relay/protocol.js';

// The DC evidence budget (issue 19): DC reads go out alongside the node reads, one dc.evidence
// request per DC read plus one directory.replication, at most DC_EVIDENCE_MAX DCs, those in the
// nodes' sites first; a DC that does not answer is unknown (DC_EVIDENCE_UNKNOWN), never ok.

class Recording implements RelayBackend {
  readonly name = 'recording';
  readonly log: string[] = [];
  readonly calls: Array<{ op: OperationName; params: unknown }> = [];
  constructor(private readonly inner: LabBackend) {}
  supports(op: OperationName): boolean {
    return this.inner.supports(op);
  }
  async handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    this.calls.push({ op, params });
    this.log.push(`start ${op}`);
    try {
      return await this.inner.handle(op, params, ctx);
    } finally {
      this.log.push(`end ${op}`);
    }
  }
}

function scenario(dcs: string, hostSite = 'Default-First-Site-Name'): string {
  return `name: dcs
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
computers:
  - { name: HV01, userAccountControl: 16781312, allowedToDelegateTo: ["Microsoft Virtual System Migration Service/HV02", "Microsoft Virtual System Migration Service/hv02.lab.test", "cifs/HV02", "cifs/hv02.lab.test"] }
  - { name: HV02, userAccountControl: 16781312, allowedToDelegateTo: ["Microsoft Virtual System Migration Service/HV01", "Microsoft Virtual System Migration Service/hv01.lab.test", "cifs/HV01", "cifs/hv01.lab.test"] }
hosts:
  - { name: HV01, site: ${hostSite} }
  - { name: HV02, site: ${hostSite} }
latency: { hostMs: 30, directoryMs: 5 }
domainControllers:
${dcs}
`;
}

const run = async (text: string, maxDcs?: number) => {
  const backend = new Recording(new LabBackend(parseScenario(text, 'dcs')));
  const relay = new InProcessRelayClient(backend, 'dcs');
  const evidence = await collectEvidence(relay, ['HV01', 'HV02'], { clock: fixedClock('2026-11-20T09:00:00Z'), eventWindowHours: 72, ...(maxDcs !== undefined ? { maxDcs } : {}) });
  return { backend, evidence, diagnosis: diagnose(evidence) };
};

describe('DC evidence collection', () => {
  it('reads every DC when there are no more than the bound, one request each, alongside the node reads', async () => {
    const { backend, evidence } = await run(scenario('  - { name: DC01 }\n  - { name: DC02 }'));
    const count = (op: string) => backend.calls.filter((c) => c.op === op).length;
    expect([count('dc.list'), count('dc.evidence'), count('directory.replication')]).toEqual([1, 2, 1]);
    expect(evidence.dcs?.read).toEqual(['DC01', 'DC02']);
    // Parallel: both DC requests start before the first node read (30 ms) has finished.
    const firstHostEnd = backend.log.indexOf('end host.evidence');
    expect(backend.log.lastIndexOf('start dc.evidence')).toBeLessThan(firstHostEnd);
    const names = backend.calls.find((c) => c.op === 'dc.evidence')!.params as { names: string[] };
    expect(names.names).toContain('HV01$');
    expect(names.names).toContain('Microsoft Virtual System Migration Service/hv02.lab.test');
  });

  it('past the bound, reads the DCs of the nodes\' site first, at most DC_EVIDENCE_MAX, and says which were left out', async () => {
    const dcs = ['  - { name: DC01, site: Branch }', '  - { name: DC02, site: Branch }', '  - { name: DC03, site: Hq }', '  - { name: DC04, site: Hq }', '  - { name: DC05, site: Branch }'].join('\n');
    const { backend, evidence } = await run(scenario(dcs, 'Hq'), 2);
    expect(evidence.dcs?.read).toEqual(['DC03', 'DC04']);
    expect(evidence.dcs?.skipped).toEqual(['DC01', 'DC02', 'DC05']);
    expect(backend.calls.filter((c) => c.op === 'dc.evidence').map((c) => (c.params as { dc: string }).dc)).toEqual(['DC03', 'DC04']);
  });

  it('a DC that does not answer is unknown, never ok', async () => {
    const { diagnosis } = await run(scenario('  - { name: DC01 }\n  - { name: DC02, reachable: false }'));
    const f = diagnosis.findings.find((x) => x.code === 'DC_EVIDENCE_UNKNOWN');
    expect(f?.message).toContain('DC02 did not answer');
    expect(diagnosis.verdict.status).toBe('degraded');
  });

  it('DC_EVIDENCE_MAX=0 reads no DC', async () => {
    const { backend, evidence } = await run(scenario('  - { name: DC01 }'), 0);
    expect(backend.calls.filter((c) => c.op.startsWith('dc.') || c.op === 'directory.replication')).toEqual([]);
    expect(evidence.dcs).toBeUndefined();
  });
});
