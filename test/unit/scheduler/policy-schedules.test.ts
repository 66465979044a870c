import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { policyScheduleId, syncPolicySchedules } from '../../../src/scheduler/policy-schedules.js';
import type { PolicySchedule } from '../../../src/approvals/policy-schema.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

// Policy-file schedules: upserted by every replica at start under an id derived from what they
// are, so a restart neither re-fires nor forgets a pause; removed when the file drops them.

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const morning: PolicySchedule = { cluster: 'HVCLUSTER01', cron: '0 8 * * 1-5', tz: 'Europe/Paris', quiet: true, target: { platform: 'teams', channelId: '19:ops@thread.tacv2' } };
const night: PolicySchedule = { cluster: 'HVCLUSTER02', cron: '30 2 * * *', tz: 'UTC', quiet: false, target: { platform: 'slack', channelId: 'C0OPS' } };
const t0 = new Date('2027-03-26T12:00:00Z');

describe('syncPolicySchedules', () => {
  it('upserts with stable ids, keeps fired slot and pause across a restart, leaves chat schedules alone', async () => {
    store = await openStore('sqlite::memory:');
    const chat = await store.createSchedule({ ...night, target: { platform: 'slack', channelId: 'C1' }, createdBy: 'slack:U1', source: 'chat', createdAt: t0 });
    const first = await syncPolicySchedules(store, [morning, night], t0, silentLogger);
    expect(first).toEqual({ upserted: [policyScheduleId(morning), policyScheduleId(night)], removed: [], refused: [] });
    expect(policyScheduleId(morning)).toMatch(/^pol_[0-9a-f]{12}$/);
    await store.recordScheduleFired(policyScheduleId(morning), '2027-03-29T06:00:00.000Z');
    await store.pauseSchedule(policyScheduleId(night), 'cluster HVCLUSTER02 no longer exists', t0);

    // Restart with quiet switched off for the morning post: same record, updated in place.
    await syncPolicySchedules(store, [{ ...morning, quiet: false }, night], new Date('2027-04-01T00:00:00Z'), silentLogger);
    const byId = new Map((await store.listSchedules()).map((s) => [s.id, s]));
    expect(byId.size).toBe(3);
    expect(byId.get(policyScheduleId(morning))).toMatchObject({ quiet: false, lastFiredSlot: '2027-03-29T06:00:00.000Z', createdAt: t0, source: 'policy', createdBy: 'policy', target: { platform: 'teams', channelId: '19:ops@thread.tacv2' } });
    expect(byId.get(policyScheduleId(night))?.pausedReason).toBe('cluster HVCLUSTER02 no longer exists');
    expect(byId.get(chat.id)?.source).toBe('chat');
  });

  it('removes a schedule the file no longer has; refuses a bad cron or zone in one line', async () => {
    store = await openStore('sqlite::memory:');
    await syncPolicySchedules(store, [morning, night], t0, silentLogger);
    const result = await syncPolicySchedules(store, [morning, { ...night, cron: '0 8 * *' }, { ...night, tz: 'Nowhere/Land' }], t0, silentLogger);
    expect(result.removed).toEqual([policyScheduleId(night)]);
    expect(result.refused).toEqual([
      'policy file schedules[1] (HVCLUSTER02): "0 8 * *" is not a valid five-field cron expression (minute hour day month weekday): invalid configuration format (\'0 8 * *\'), exactly five, six, or seven space separated parts are required. Example: "0 8 * * 1-5" tz=Europe/Paris',
      'policy file schedules[2] (HVCLUSTER02): Unknown time zone "Nowhere/Land": use an IANA name such as Europe/Paris, America/New_York or UTC.',
    ]);
    expect((await store.listSchedules()).map((s) => s.id)).toEqual([policyScheduleId(morning)]);
  });
});
