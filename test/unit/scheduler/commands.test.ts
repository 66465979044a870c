import { afterEach, describe, expect, it } from 'vitest';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { withPlainMentions } from '../../../src/core/mention.js';
import type { Reply } from '../../../src/core/reply.js';
import { replyText, startHarness, type Harness } from '../../helpers/scheduler-harness.js';

// The schedule commands and on-demand cluster health through the real core (parsing, roles,
// routing to the scheduler's extension), the lab relay and a real store. What the person typing
// sees is what is asserted.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const only = (replies: Reply[]) => {
  expect(replies).toHaveLength(1);
  return replies[0]!;
};

describe('cluster-health <cluster> schedule', () => {
  it('creates a schedule for this channel and says when it runs next', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const told = only(await h.command('cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet'));
    const [s] = await h.store.listSchedules();
    expect(told.ephemeral).toBe(true);
    // As a surface without local-time syntax shows it (Slack shows each reader's own time).
    expect(withPlainMentions(told).verdict?.text).toBe(
      `Scheduled ${s!.id}: cluster health of HVCLUSTER01 in this channel at "0 8 * * 1-5" Europe/Paris; next run Mon, 29 Mar 2027, 08:00 (Europe/Paris). Quiet: it posts only when something fails or changed. Remove it with: cluster-health unschedule ${s!.id}`,
    );
    // On Slack, in each reader's own time zone.
    expect(JSON.stringify(renderBlocks(told).blocks)).toContain('next run <!date^1806300000^{date_short_pretty} {time}|2027-03-29 06:00 UTC>.');
    expect(s).toMatchObject({ cluster: 'HVCLUSTER01', cron: '0 8 * * 1-5', tz: 'Europe/Paris', quiet: true, source: 'chat', createdBy: 'slack:UOPS', target: { platform: 'slack', channelId: 'C1' } });
    expect(s!.target.threadId).toBeUndefined();
    expect(await h.store.getConversation('slack', 'C1')).toEqual({ platform: 'slack', channelId: 'C1' });
    expect((await h.store.listAudit({ subjectId: s!.id })).map((a) => `${a.actor} ${a.action}`)).toEqual(['slack:UOPS schedule.created']);
  });

  it.each([
    ['invalid cron', 'cluster-health HVCLUSTER01 schedule "0 25 * * *"', /^"0 25 \* \* \*" is not a valid five-field cron expression \(minute hour day month weekday\): Invalid value for hour: 25\. Example: "0 8 \* \* 1-5" tz=Europe\/Paris$/],
    ['unknown zone', 'cluster-health HVCLUSTER01 schedule "0 8 * * *" tz=Europe/Pariss', /^Unknown time zone "Europe\/Pariss": use an IANA name such as Europe\/Paris, America\/New_York or UTC\.$/],
    ['unknown cluster', 'cluster-health NOSUCH01 schedule "0 8 * * *"', /^Unknown cluster NOSUCH01\. Example: \/cluster-health HVCLUSTER01$/],
    ['no cron', 'cluster-health HVCLUSTER01 schedule', /^schedule needs a cron expression in quotes\./],
  ])('%s: one line, only for the person, nothing saved', async (_case, text, expected) => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const told = only(await h.command(text));
    expect(told.verdict?.status).toBe('error');
    expect(told.verdict?.text).toMatch(expected);
    expect(told.verdict?.text).not.toContain('\n');
    expect(told.ephemeral).toBe(true);
    expect(await h.store.listSchedules()).toEqual([]);
    expect(h.adapters.slack.posts).toEqual([]);
  });

  it('needs the operator role', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    const told = only(await h.command('cluster-health HVCLUSTER01 schedule "0 8 * * *"', 'UVIEWER'));
    expect(told.verdict?.text).toBe('You need the operator role for that: UVIEWER is not in roles.operator of the policy file.');
    expect(await h.store.listSchedules()).toEqual([]);
  });
});

describe('cluster-health schedules / unschedule', () => {
  it('lists schedules with next run, and a paused one with its reason', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.command('cluster-health HVCLUSTER01 schedule "30 2 * * *" tz=Europe/Paris');
    const gone = await h.store.createSchedule({ cluster: 'OLD01', cron: '0 8 * * *', tz: 'UTC', quiet: false, target: { platform: 'web', channelId: 'incident' }, createdBy: 'policy', source: 'policy', createdAt: new Date('2027-03-20T00:00:00Z') });
    await h.store.pauseSchedule(gone.id, 'cluster OLD01 no longer exists (unknown cluster)', new Date('2027-03-21T08:00:00Z'));
    const listed = only(await h.command('cluster-health schedules', 'UVIEWER'));
    const chat = (await h.store.listSchedules()).find((x) => x.source === 'chat')!;
    expect(listed.verdict?.text).toBe('2 schedule(s), 1 paused.');
    expect(replyText(withPlainMentions(listed)).split('\n').slice(3)).toEqual([
      `${gone.id} · OLD01 · "0 8 * * *" UTC · web incident · from policy · PAUSED since 2027-03-21 08:00 UTC: cluster OLD01 no longer exists (unknown cluster)`,
      `${chat.id} · HVCLUSTER01 · "30 2 * * *" Europe/Paris · slack C1 (this channel) · from chat · next Sat, 27 Mar 2027, 02:30 (Europe/Paris)`,
    ]);
  });

  it('removes a schedule (operator), refuses an unknown id in one line', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.command('cluster-health HVCLUSTER01 schedule "0 8 * * *"');
    const [s] = await h.store.listSchedules();
    expect(only(await h.command(`cluster-health unschedule ${s!.id}`, 'UVIEWER')).verdict?.text).toMatch(/^You need the operator role/);
    expect(only(await h.command(`cluster-health unschedule ${s!.id}`)).verdict?.text).toBe(`Removed ${s!.id} (cluster health of HVCLUSTER01 at "0 8 * * *" UTC).`);
    expect(await h.store.listSchedules()).toEqual([]);
    expect(only(await h.command(`cluster-health unschedule ${s!.id}`)).verdict?.text).toBe(`No schedule ${s!.id}. List them with: /cluster-health schedules`);
  });

  it('with none: says how to add one', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    expect(only(await h.command('cluster-health schedules')).verdict?.text).toBe('No scheduled cluster health posts. Add one with: /cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet');
  });
});

describe('cluster-health <cluster> on demand', () => {
  it('shows the matrix, findings by code and what changed since the previous run (scheduled or not)', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.command('cluster-health HVCLUSTER01');
    const firstResult = h.adapters.slack.posts[1]!.reply;
    expect(replyText(firstResult)).toContain('First run of this cluster: nothing to compare with yet.');

    await h.useScenario('delegation-missing-migration-service.yaml');
    h.clock.set('2027-03-26T12:05:00Z');
    await h.command('cluster-health HVCLUSTER01');
    const [parent, result] = h.adapters.slack.posts.slice(2);
    expect(result!.ref.threadId).toBe(h.adapters.slack.posts[2]!.ref.threadId ?? 'm3');
    expect(result!.reply.header).toBe('Cluster health · HVCLUSTER01');
    expect(result!.reply.matrix?.cells).toEqual({ HV01: { HV02: 'blocked' }, HV02: { HV01: 'ok' } });
    expect(replyText(result!.reply)).toContain('Newly failing (1): HV01 → HV02 (blocked: DELEGATION_MISSING_MIGRATION_SERVICE, was ok)');
    expect(replyText(result!.reply)).toContain('DELEGATION_MISSING_MIGRATION_SERVICE (error, 1): HV01 → HV02');
    // The parent message is edited with the verdict and the change, for those who skip the thread.
    const summary = h.adapters.slack.updates.at(-1)!.reply;
    expect(summary.verdict?.text).toMatch(/Since the last run \(2027-03-26T12:00:00\.000Z\): 1 new failing direction, 1 new finding\. Details in the thread\.$/);
    expect(parent!.reply.header).toBe('Cluster health · HVCLUSTER01');
  });
});

describe('schedule targets', () => {
  it('the channel without its thread; a console persona is not part of the target', async () => {
    const { channelOf } = await import('../../../src/scheduler/targets.js');
    expect(channelOf({ platform: 'web', channelId: 'incident', threadId: 'm4', extra: { persona: 'olivia' } })).toEqual({ platform: 'web', channelId: 'incident' });
    expect(channelOf({ platform: 'teams', channelId: '19:a@thread.tacv2', threadId: '1700', extra: { serviceUrl: 'https://smba.example/' } })).toEqual({ platform: 'teams', channelId: '19:a@thread.tacv2', extra: { serviceUrl: 'https://smba.example/' } });
  });
});

describe('Re-run on a scheduled post', () => {
  it('re-checks the cluster as cluster health, compared with the scheduled run', async () => {
    h = await startHarness({ now: '2027-03-26T12:00:00Z' });
    await h.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'slack', channelId: 'C1' }, createdBy: 'slack:UOPS', source: 'chat', createdAt: new Date('2027-03-26T12:00:00Z') });
    h.clock.set('2027-03-27T07:00:00Z');
    await h.module.scheduler.tick(new Date('2027-03-27T07:00:00Z'));
    const scheduled = h.adapters.slack.posts[0]!;
    const rerun = scheduled.reply.buttons!.find((b) => b.action === 'rerun')!;
    expect((await h.store.getCheckRun(rerun.recordId))?.scheduleId).toBe((await h.store.listSchedules())[0]!.id);

    await h.useScenario('delegation-missing-migration-service.yaml');
    h.clock.set('2027-03-27T07:30:00Z');
    await h.core.handle(
      {
        kind: 'action',
        text: 'rerun',
        action: { name: 'rerun', recordId: rerun.recordId },
        actor: { platform: 'slack', id: 'UVIEWER' },
        conversation: { platform: 'slack', channelId: 'C1' },
        message: { conversation: { platform: 'slack', channelId: 'C1' }, messageId: 'm1' },
        ack: async () => {},
      },
      h.adapters.slack,
    );
    const result = h.adapters.slack.posts.at(-1)!.reply;
    expect(result.header).toBe('Cluster health · HVCLUSTER01');
    expect(replyText(result)).toContain('Since the last run (2027-03-27T07:00:00.000Z): 1 new failing direction, 1 new finding.');
  });
});
