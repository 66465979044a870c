import { afterEach, describe, expect, it } from 'vitest';
import type { NewSchedule } from '../../../src/store/store.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { TargetGoneError } from '../../../src/core/target-gone.js';
import { replyText, startHarness, type Harness } from '../../helpers/scheduler-harness.js';

// The scheduler driven by an injected clock through tick(now): the lab relay answers, a real
// (in-memory SQLite) store keeps schedules, runs and claims, and recording adapters show what
// each channel would have received.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MIN = 60_000;

function schedule(over: Partial<NewSchedule> = {}): NewSchedule {
  return {
    cluster: 'HVCLUSTER01',
    cron: '0 8 * * *',
    tz: 'Europe/Paris',
    quiet: false,
    target: { platform: 'slack', channelId: 'C1' },
    createdBy: 'slack:UOPS',
    source: 'chat',
    createdAt: new Date('2027-03-26T12:00:00Z'),
    ...over,
  };
}

/** Moves the clock to `iso` and ticks there (the run reads the same clock). */
function tickAt(harness: Harness, iso: string) {
  harness.clock.set(iso);
  return harness.module.scheduler.tick(new Date(iso));
}

/** Ticks every `stepMin` minutes from `from` to `to`; returns the instants a run fired at. */
async function walk(harness: Harness, from: string, to: string, stepMin = 5): Promise<string[]> {
  const fired: string[] = [];
  for (let t = new Date(from).getTime(); t <= new Date(to).getTime(); t += stepMin * MIN) {
    harness.clock.set(new Date(t));
    const results = await harness.module.scheduler.tick(new Date(t));
    for (const r of results) if (r.outcome.kind !== 'claimed-elsewhere') fired.push(`${new Date(t).toISOString()} slot ${r.slot}`);
  }
  return fired;
}

describe('firing instants across DST (Europe/Paris, 2027)', () => {
  it('"30 2 * * *": 03:00 CEST on the spring-forward day, once on the fall-back day', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule({ cron: '30 2 * * *' }));
    expect(await walk(h, '2027-03-26T12:00:00Z', '2027-03-29T12:00:00Z', 15)).toEqual([
      '2027-03-27T01:30:00.000Z slot 2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z slot 2027-03-28T01:00:00.000Z',
      '2027-03-29T00:30:00.000Z slot 2027-03-29T00:30:00.000Z',
    ]);
    await h.close();

    h = await startHarness({ now: '2027-10-29T12:00:00Z' });
    await h.store.createSchedule(schedule({ cron: '30 2 * * *', createdAt: new Date('2027-10-29T12:00:00Z') }));
    expect(await walk(h, '2027-10-29T12:00:00Z', '2027-11-01T12:00:00Z', 15)).toEqual([
      '2027-10-30T00:30:00.000Z slot 2027-10-30T00:30:00.000Z',
      '2027-10-31T00:30:00.000Z slot 2027-10-31T00:30:00.000Z',
      '2027-11-01T01:30:00.000Z slot 2027-11-01T01:30:00.000Z',
    ]);
    expect(h.adapters.slack.posts).toHaveLength(3);
  });

  it('"0 8 * * *" at 08:00 local before and after both changes', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule());
    expect(await walk(h, '2027-03-26T12:00:00Z', '2027-03-29T12:00:00Z', 15)).toEqual([
      '2027-03-27T07:00:00.000Z slot 2027-03-27T07:00:00.000Z',
      '2027-03-28T06:00:00.000Z slot 2027-03-28T06:00:00.000Z',
      '2027-03-29T06:00:00.000Z slot 2027-03-29T06:00:00.000Z',
    ]);
    expect(await walk(h, '2027-10-29T12:00:00Z', '2027-11-01T12:00:00Z', 15)).toEqual([
      // The first tick makes up the 7-month gap once (the latest missed slot), then 08:00 local.
      '2027-10-29T12:00:00.000Z slot 2027-10-29T06:00:00.000Z',
      '2027-10-30T06:00:00.000Z slot 2027-10-30T06:00:00.000Z',
      '2027-10-31T07:00:00.000Z slot 2027-10-31T07:00:00.000Z',
      '2027-11-01T07:00:00.000Z slot 2027-11-01T07:00:00.000Z',
    ]);
  });
});

describe('catch-up after downtime', () => {
  it('three missed mornings are made up by one run, then the schedule is back on time', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const s = await h.store.createSchedule(schedule());
    expect(await walk(h, '2027-03-27T06:55:00Z', '2027-03-27T07:05:00Z')).toHaveLength(1);
    // Down from Saturday 09:00 to Tuesday 10:00: Sunday, Monday and Tuesday 08:00 were missed.
    h.clock.set('2027-03-30T08:00:00Z');
    const first = await h.module.scheduler.tick();
    expect(first.map((f) => [f.slot, f.outcome.kind])).toEqual([['2027-03-30T06:00:00.000Z', 'posted']]);
    expect(await h.module.scheduler.tick(new Date('2027-03-30T08:01:00Z'))).toEqual([]);
    expect((await h.store.getSchedule(s.id))?.lastFiredSlot).toBe('2027-03-30T06:00:00.000Z');
    expect(h.adapters.slack.posts).toHaveLength(2);
    expect(await walk(h, '2027-03-30T08:05:00Z', '2027-03-31T08:00:00Z')).toEqual(['2027-03-31T06:00:00.000Z slot 2027-03-31T06:00:00.000Z']);
  });

  it('a new schedule does not fire for slots before it was created', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule({ createdAt: new Date('2027-03-26T12:00:00Z') }));
    expect(await h.module.scheduler.tick(new Date('2027-03-26T12:00:00Z'))).toEqual([]);
    expect(await h.module.scheduler.nextDue(new Date('2027-03-26T12:00:00Z'))).toEqual(new Date('2027-03-27T07:00:00Z'));
  });
});

describe('quiet mode', () => {
  it('posts nothing while all is well and unchanged; posts when a direction breaks, while it stays broken, and when it heals', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule({ quiet: true }));
    const at = (day: string) => tickAt(h!, `2027-04-${day}T06:00:00Z`);
    const kinds = async (day: string) => (await at(day)).map((f) => f.outcome.kind);

    expect(await kinds('01')).toEqual(['quiet']); // first run, healthy
    expect(await kinds('02')).toEqual(['quiet']); // healthy again, nothing changed
    expect(h.adapters.slack.posts).toHaveLength(0);

    await h.useScenario('delegation-missing-migration-service.yaml');
    expect(await kinds('03')).toEqual(['posted']);
    const broke = replyText(h.adapters.slack.posts[0]!.reply);
    expect(broke).toContain('Since the last run (2027-04-02T06:00:00.000Z): 1 new failing direction, 1 new finding.');
    expect(broke).toContain('Newly failing (1): HV01 → HV02 (blocked: DELEGATION_MISSING_MIGRATION_SERVICE, was ok)');
    expect(h.adapters.slack.posts[0]!.reply.matrix?.cells.HV01?.HV02).toBe('blocked');

    expect(await kinds('04')).toEqual(['posted']); // unchanged, but something fails
    expect(replyText(h.adapters.slack.posts[1]!.reply)).toContain('No change since the last run');

    await h.useScenario('healthy.yaml');
    expect(await kinds('05')).toEqual(['posted']);
    expect(replyText(h.adapters.slack.posts[2]!.reply)).toContain('Fixed (1): HV01 → HV02 (was blocked)');
    expect(await kinds('06')).toEqual(['quiet']);
    expect(h.adapters.slack.posts).toHaveLength(3);
    // Quiet runs are still history: the next comparison starts from them.
    expect(await h.store.listCheckRuns('HVCLUSTER01')).toHaveLength(6);
  });

  it('without quiet, an unchanged healthy run is posted', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule());
    await tickAt(h, '2027-04-01T06:00:00Z');
    await tickAt(h, '2027-04-02T06:00:00Z');
    expect(h.adapters.slack.posts.map((p) => p.reply.verdict?.status)).toEqual(['healthy', 'healthy']);
    expect(replyText(h.adapters.slack.posts[1]!.reply)).toContain('No change since the last run (2027-04-01T06:00:00.000Z).');
  });
});

describe('targets', () => {
  it('posts to the target platform and channel, at the top of the channel', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule(schedule({ target: { platform: 'web', channelId: 'incident' } }));
    await h.store.createSchedule(schedule({ target: { platform: 'teams', channelId: '19:abc@thread.tacv2', extra: { serviceUrl: 'https://smba.example/amer/', tenantId: 't1' } } }));
    await tickAt(h, '2027-04-01T06:00:00Z');
    expect(h.adapters.web.posts.map((p) => p.ref)).toEqual([{ platform: 'web', channelId: 'incident' }]);
    expect(h.adapters.teams.posts.map((p) => p.ref)).toEqual([{ platform: 'teams', channelId: '19:abc@thread.tacv2', extra: { serviceUrl: 'https://smba.example/amer/', tenantId: 't1' } }]);
    expect(h.adapters.slack.posts).toEqual([]);
  });

  it('a bare Teams channel id (policy file) posts with the conversation reference the store remembered', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const remembered = { platform: 'teams' as const, channelId: '19:ops@thread.tacv2', extra: { serviceUrl: 'https://smba.example/emea/', tenantId: 't2', botId: '28:bot' } };
    await h.store.saveConversation(remembered, new Date('2027-03-01T00:00:00Z'));
    await h.store.createSchedule(schedule({ target: { platform: 'teams', channelId: '19:ops@thread.tacv2' }, source: 'policy' }));
    await tickAt(h, '2027-04-01T06:00:00Z');
    expect(h.adapters.teams.posts.map((p) => p.ref)).toEqual([remembered]);
  });
});

describe('paused, not retried forever', () => {
  it('a cluster that no longer exists pauses the schedule with a note in the channel', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const s = await h.store.createSchedule(schedule({ cluster: 'OLDCLUSTER' }));
    const [fired] = await tickAt(h, '2027-04-01T06:00:00Z');
    expect(fired?.outcome).toMatchObject({ kind: 'paused', reason: expect.stringMatching(/^cluster OLDCLUSTER no longer exists/) });
    expect(h.adapters.slack.posts).toHaveLength(1);
    expect(h.adapters.slack.posts[0]!.reply.verdict?.text).toMatch(new RegExp(`^Scheduled cluster health ${s.id} \\(OLDCLUSTER\\) is paused: cluster OLDCLUSTER no longer exists .*Remove it with: cluster-health unschedule ${s.id}$`));
    const stored = await h.store.getSchedule(s.id);
    expect(stored?.pausedReason).toMatch(/^cluster OLDCLUSTER no longer exists/);
    // Later slots: nothing fires, nothing is posted.
    expect(await walk(h, '2027-04-02T05:00:00Z', '2027-04-04T07:00:00Z', 60)).toEqual([]);
    expect(h.adapters.slack.posts).toHaveLength(1);
    expect(await h.module.scheduler.nextDue(new Date('2027-04-05T00:00:00Z'))).toBeUndefined();
    const audit = await h.store.listAudit({ subjectId: s.id });
    expect(audit.map((a) => a.action)).toEqual(['schedule.paused']);
  });

  it('a channel that is gone pauses the schedule; the next slot does not try again', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const s = await h.store.createSchedule(schedule({ target: { platform: 'slack', channelId: 'CGONE' } }));
    // What the Slack adapter throws for channel_not_found (test/unit/adapters/target-gone.test.ts).
    h.adapters.slack.failWith = new TargetGoneError('slack', 'Slack answered channel_not_found');
    const [fired] = await tickAt(h, '2027-04-01T06:00:00Z');
    expect(fired?.outcome).toEqual({ kind: 'paused', reason: 'the channel is no longer reachable: Slack answered channel_not_found' });
    expect((await h.store.getSchedule(s.id))?.pausedReason).toBe('the channel is no longer reachable: Slack answered channel_not_found');
    expect(await tickAt(h, '2027-04-02T06:00:00Z')).toEqual([]);
  });

  it('a transient failure does not pause: the next slot runs', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const s = await h.store.createSchedule(schedule());
    h.adapters.slack.failWith = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect((await tickAt(h, '2027-04-01T06:00:00Z'))[0]?.outcome.kind).toBe('failed');
    h.adapters.slack.failWith = undefined;
    expect((await h.store.getSchedule(s.id))?.pausedReason).toBeNull();
    expect((await tickAt(h, '2027-04-02T06:00:00Z'))[0]?.outcome.kind).toBe('posted');
  });
});

describe('the timer loop', () => {
  it('a slow run does not hold back another schedule\'s slot', async () => {
    // A clock running 60 times faster than real time: one schedule minute is one real second.
    const base = new Date('2027-04-01T05:59:58Z').getTime();
    const startedAt = Date.now();
    const fast = Object.assign(fixedClock(new Date(base)), { now: () => new Date(base + (Date.now() - startedAt) * 60) });
    h = await startHarness({ now: '2027-04-01T05:59:58Z', clock: fast, maxSleepMs: 100 });
    let release!: () => void;
    h.adapters.slack.holds.set('CSLOW', new Promise<void>((r) => (release = r)));
    await h.store.createSchedule(schedule({ cron: '0 8 * * *', target: { platform: 'slack', channelId: 'CSLOW' }, createdAt: new Date(base - 60_000) }));
    await h.store.createSchedule(schedule({ cron: '1 8 * * *', target: { platform: 'slack', channelId: 'CFAST' }, createdAt: new Date(base - 60_000) }));
    h.module.scheduler.start();
    for (let i = 0; i < 100 && h.adapters.slack.posts.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    // 08:01's post went out while 08:00's was still waiting on the platform.
    expect(h.adapters.slack.posts.map((p) => p.ref.channelId)).toEqual(['CFAST']);
    release();
    await h.module.scheduler.stop();
    expect(h.adapters.slack.posts.map((p) => p.ref.channelId)).toEqual(['CFAST', 'CSLOW']);
  });

  it('fires a due slot on start and stops cleanly', async () => {
    h = await startHarness({ now: '2027-04-01T06:00:30Z' });
    await h.store.createSchedule(schedule({ createdAt: new Date('2027-03-31T12:00:00Z') }));
    h.module.scheduler.start();
    for (let i = 0; i < 100 && h.adapters.slack.posts.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await h.module.scheduler.stop();
    expect(h.adapters.slack.posts).toHaveLength(1);
  });
});
