import { describe, expect, it } from 'vitest';
import { startRetentionTimer } from '../../../src/app/retention-timer.js';
import { BotMetrics } from '../../../src/ops/metrics.js';
import { openStore } from '../../../src/store/open-store.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { Diagnosis } from '../../../src/diagnostics/findings.js';

// CHECK_RETENTION_DAYS has an effect: the app's timer prunes check history past it (and keeps
// what is younger), counts what it removed, and a stopped timer does not run again.

const diagnosis = { nodes: ['HV01', 'HV02'], collectedAt: '2026-01-01T00:00:00Z', verdict: { status: 'healthy' }, directions: [], findings: [] } as unknown as Diagnosis;

describe('retention timer', () => {
  it('prunes check runs older than CHECK_RETENTION_DAYS on its timer, then stops', async () => {
    const store = await openStore('sqlite::memory:');
    const now = new Date('2026-06-01T00:00:00Z');
    const save = (daysAgo: number) => store.saveCheckRun({ cluster: 'C1', nodes: ['HV01', 'HV02'], requester: null, conversation: null, verdict: 'healthy', diagnosis, createdAt: new Date(now.getTime() - daysAgo * 86_400_000) });
    const old = await save(40);
    const young = await save(10);
    const metrics = new BotMetrics({ defaultMetrics: false });
    const timer = startRetentionTimer({ store, days: 30, clock: fixedClock(now), logger: silentLogger, metrics, firstRunMs: 10, intervalMs: 60_000 });
    await expect.poll(async () => store.getCheckRun(old.id), { timeout: 5_000, interval: 20 }).toBeNull();
    expect(await store.getCheckRun(young.id)).not.toBeNull();
    expect(await metrics.exposition()).toMatch(/^triage_retention_pruned_total\{kind="checkRuns"\} 1$/m);
    await timer.stop();
    // Stopped (shutdown): asking it to run is a no-op, so nothing touches a store being closed.
    const later = await save(50);
    await timer.runOnce();
    expect(await store.getCheckRun(later.id)).not.toBeNull();
    await store.close();
  });
});
