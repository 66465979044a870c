import { describe, expect, it } from 'vitest';
import { evidenceReply } from '../../../src/core/render-evidence.js';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { healthyEvidence, migration, resolves, vms } from '../../helpers/evidence-builder.js';

// "Show evidence" says what the engine judged on: the addresses DNS answered (and their PTR), the
// host's own addresses, the migration transport, and which VMs are clustered.

describe('Show evidence', () => {
  it('shows addresses, the SMB transport and IsClustered as read', () => {
    const evidence = healthyEvidence();
    migration(evidence, 'HV01').performanceOption = 'SMB';
    resolves(evidence, 'HV01', 'HV02', ['10.0.0.2', 'fd00::2'], null);
    vms(evidence, 'HV01', [{ name: 'VM01', state: 'Running', isClustered: true }, { name: 'VM09', state: 'Off', isClustered: false }]);
    const reply = evidenceReply({ id: 'cr_1', nodes: evidence.nodes, requesterId: 'u', conversation: { platform: 'web', channelId: 'c' } as never, createdAt: evidence.collectedAt, diagnosis: diagnose(evidence), evidence });
    const hv01 = reply.sections!.find((s) => s.title === 'HV01')!.lines;
    expect(hv01).toContain('migration: enabled, Kerberos, max 2, over SMB');
    expect(hv01.find((l) => l.startsWith('security:'))).toMatch(/; addresses 10\.0\.0\.1$/);
    expect(hv01.find((l) => l.startsWith('dns:'))).toBe('dns: HV02 → 10.0.0.2 fd00::2 (no PTR), hv02.lab.test → 10.0.0.2 fd00::2 (no PTR)');
    expect(hv01).toContain('vms: VM01 (clustered), VM09 (not clustered)');
    expect(reply.sections!.find((s) => s.title === 'HV02')!.lines.some((l) => l.startsWith('vms:'))).toBe(false); // not read: not shown
  });
});
