import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../../src/diagnostics/findings.js';
import { openStore } from '../../../src/store/open-store.js';
import { applyRetention } from '../../../src/store/retention.js';

describe('applyRetention', () => {
  it('prunes history past the setting, expired buttons, old run claims and alert threads, never audit', async () => {
    const store = await openStore('sqlite::memory:');
    const now = new Date('2026-06-01T00:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const diagnosis: Diagnosis = { nodes: ['HV01'], collectedAt: now.toISOString(), verdict: { status: 'healthy', rootCauses: [], fixable: false, fixableCauses: [], manualCauses: [] }, directions: [], findings: [] };
    const base = { cluster: 'CL1', nodes: ['HV01'], requester: null, conversation: null, verdict: 'healthy' as const, diagnosis };
    await store.saveCheckRun({ ...base, createdAt: daysAgo(91) });
    const kept = await store.saveCheckRun({ ...base, createdAt: daysAgo(89) });
    await store.createAction({ kind: 'plan.approve', payload: {}, createdAt: daysAgo(3), expiresAt: daysAgo(2) });
    const live = await store.createAction({ kind: 'plan.approve', payload: {}, createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });
    await store.claimRun('sc_1', '2026-05-01T06:00:00.000Z', 'r1', daysAgo(31));
    await store.claimAlertThread({ key: 'old', source: 'am', fingerprint: 'f', nodes: ['HV01'], owner: 'r1', now: daysAgo(9), windowMs: 3_600_000 });
    await store.claimAlertThread({ key: 'recent', source: 'am', fingerprint: 'g', nodes: ['HV01'], owner: 'r1', now: daysAgo(2), windowMs: 3_600_000 });
    await store.appendAudit({ at: daysAgo(400), actor: 'system', action: 'plan.expired', subjectId: 'pl_1', outcome: 'ok', details: null });

    expect(await applyRetention(store, 90, now)).toEqual({ checkRuns: 1, actions: 1, runClaims: 1, alertThreads: 1 });
    expect(await store.countAlertDuplicate('recent')).toMatchObject({ key: 'recent', seen: 2 });
    expect(await store.countAlertDuplicate('old')).toBeNull();
    expect((await store.listCheckRuns('CL1')).map((r) => r.id)).toEqual([kept.id]);
    expect(await store.getAction(live.id)).not.toBeNull();
    expect(await store.listAudit()).toHaveLength(1);
    await store.close();
  });
});
