import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import type { NewSchedule } from '../../../src/store/store.js';
import { startHarness, type Harness } from '../../helpers/scheduler-harness.js';

// Issue 21: a scheduled run is an event of its own. Its log line and the audit row it writes
// carry one request id, and two runs of the same tick have two ids.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const schedule = (cluster: string): NewSchedule => ({
  cluster,
  cron: '0 8 * * *',
  tz: 'UTC',
  quiet: false,
  target: { platform: 'slack', channelId: 'C1' },
  createdBy: 'slack:UOPS',
  source: 'chat',
  createdAt: new Date('2027-03-26T12:00:00Z'),
});

describe('scheduled runs and request ids', () => {
  it('each run logs under its own id, and the audit row a run writes has that id', async () => {
    const lines: string[] = [];
    h = await startHarness({ now: '2027-03-26T12:00:00Z', logger: createLogger('info', (l) => lines.push(l)) });
    const healthy = await h.store.createSchedule(schedule('HVCLUSTER01'));
    const gone = await h.store.createSchedule(schedule('OLD01'));
    h.clock.set('2027-03-27T08:00:00Z');
    await h.module.scheduler.tick(new Date('2027-03-27T08:00:00Z'));

    const runs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'scheduled run');
    const idOf = (scheduleId: string) => runs.find((r) => r.scheduleId === scheduleId)?.requestId;
    expect(typeof idOf(healthy.id)).toBe('string');
    expect(typeof idOf(gone.id)).toBe('string');
    expect(idOf(healthy.id)).not.toBe(idOf(gone.id));

    const paused = (await h.store.listAudit({ subjectId: gone.id })).filter((r) => r.action === 'schedule.paused');
    expect(paused).toHaveLength(1);
    expect(paused[0]!.requestId).toBe(idOf(gone.id));
  });
});
