import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import type { ConversationRefStore } from '../../../adapters/teams/conversation-ref-store.js';
import { StoreConversationRefs } from '../../../src/app/teams-conversation-refs.js';
import type { ChatAdapter } from '../../../src/core/events.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, sendSigned, slashCommand } from '../../helpers/slack/slack-fake.js';
import { CHANNEL, SERVICE_URL, TENANT, channelMention, decodedPath, installedInTeam, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';
import { startHarness, type Harness } from '../../helpers/scheduler-harness.js';
import { allowAll } from '../../helpers/fakes.js';

// Scheduled cluster health through the real Slack and Teams adapters: the schedule is made by
// a command typed on the platform (through the real core), the run is fired by tick(), and what
// the platform is asked to show is intercepted at its API (nock).

const started: Array<ChatAdapter & { stop(): Promise<void> }> = [];
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const a of started.splice(0)) await a.stop();
  for (const h of harnesses.splice(0)) await h.close();
  nock.cleanAll();
});

async function harnessWith(adapter: ChatAdapter, store?: Harness['store']): Promise<Harness> {
  const h = await startHarness({ now: '2027-03-26T12:00:00Z', platformAdapters: [adapter], authorizer: allowAll, ...(store ? { store } : {}) });
  harnesses.push(h);
  return h;
}

async function tickAt(h: Harness, iso: string) {
  h.clock.set(iso);
  return h.module.scheduler.tick(new Date(iso));
}

describe('Slack', () => {
  it('a schedule made with /cluster-health posts to the channel at 08:00 Paris; an archived channel pauses it', async () => {
    const api = new SlackApiFake();
    api.install();
    const slack = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 0 } });
    const h = await harnessWith(slack);
    await slack.start(h.core);
    started.push(slack);
    const url = `http://127.0.0.1:${slack.address!.port}/slack/events`;

    const res = await sendSigned(url, slashCommand('/cluster-health', 'HVCLUSTER01 schedule "0 8 * * *" tz=Europe/Paris', { channel: 'C0OPS' }));
    expect(res.status).toBe(200);
    // The command is handled after Slack's 3-second acknowledgement: wait for the schedule.
    let count = 0;
    for (let i = 0; i < 100 && count === 0; i++) {
      count = (await h.store.listSchedules()).length;
      if (count === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const [schedule] = await h.store.listSchedules();
    expect(schedule?.target).toEqual({ platform: 'slack', channelId: 'C0OPS' });
    const before = api.callsOf('chat.postMessage').length;

    const [fired] = await tickAt(h, '2027-03-27T07:00:00Z');
    expect(fired?.outcome.kind).toBe('posted');
    const posts = api.callsOf('chat.postMessage').slice(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body.channel).toBe('C0OPS');
    expect(posts[0]!.body.thread_ts).toBeUndefined();
    expect(posts[0]!.body.text).toContain('Cluster health · HVCLUSTER01');
    expect(posts[0]!.body.blocks).toContain('First run of this cluster');

    api.script('chat.postMessage', { status: 200, body: { ok: false, error: 'is_archived' } });
    const [second] = await tickAt(h, '2027-03-28T06:00:00Z');
    expect(second?.outcome).toEqual({ kind: 'paused', reason: 'the channel is no longer reachable: Slack answered is_archived' });
    const calls = api.callsOf('chat.postMessage').length;
    expect(await tickAt(h, '2027-03-29T06:00:00Z')).toEqual([]);
    expect(api.callsOf('chat.postMessage')).toHaveLength(calls);
  });
});

function connector(status = 200): Array<{ path: string; body: { attachments?: Array<{ content: unknown }> } }> {
  const sent: Array<{ path: string; body: { attachments?: Array<{ content: unknown }> } }> = [];
  nock(SERVICE_URL.replace(/\/amer\/$/, ''))
    .persist()
    .post(/\/amer\/v3\/conversations\/.*/)
    .reply((uri, body) => {
      sent.push({ path: `POST ${decodedPath(uri)}`, body: body as never });
      return status === 200 ? [200, { id: `bot-msg-${sent.length}` }] : [status, { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } }];
    });
  return sent;
}

function teamsAdapter(refs?: ConversationRefStore): TeamsAdapter {
  const adapter = new TeamsAdapter({ auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }), appId: '', port: 0, host: '127.0.0.1', ...(refs ? { refs } : {}) });
  started.push(adapter);
  return adapter;
}

describe('Teams', () => {
  it('a schedule made by @mention in a channel posts proactively, also after a restart with nothing remembered', async () => {
    const sent = connector();
    const teams = teamsAdapter();
    const h = await harnessWith(teams);
    await teams.start(h.core);
    await postActivity(teams.port, channelMention('cluster-health HVCLUSTER01 schedule "0 8 * * *" tz=Europe/Paris', { id: '1700' }));
    await teams.idle();
    const [schedule] = await h.store.listSchedules();
    expect(schedule?.target).toMatchObject({ platform: 'teams', channelId: CHANNEL, extra: { serviceUrl: SERVICE_URL } });
    expect(schedule?.target.threadId).toBeUndefined();
    sent.splice(0);

    await tickAt(h, '2027-03-27T07:00:00Z');
    // A new top-level post in the channel (it starts its own reply chain), not a reply.
    expect(sent.map((s) => s.path)).toEqual([`POST /amer/v3/conversations/${CHANNEL}/activities`]);
    const card = sent[0]!.body.attachments?.[0]?.content;
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toContain('Cluster health · HVCLUSTER01');

    // Restart: a new adapter and scheduler on the same store.
    await teams.stop();
    const again = teamsAdapter();
    const h2 = await harnessWith(again, h.store);
    await again.start(h2.core);
    sent.splice(0);
    const [fired] = await tickAt(h2, '2027-03-28T06:00:00Z');
    expect(fired?.outcome.kind).toBe('posted');
    expect(sent.map((s) => s.path)).toEqual([`POST /amer/v3/conversations/${CHANNEL}/activities`]);
    expect(JSON.stringify(sent[0]!.body)).toContain('No change since the last run (2027-03-27T07:00:00.000Z).');
  });

  it('a policy-file schedule (bare channel id) posts after a restart, with the reference the store kept from the installation', async () => {
    const sent = connector();
    const teams = teamsAdapter();
    const h = await harnessWith(teams);
    // The composition root gives the adapter store-backed references (start-bot.ts).
    const first = teamsAdapter(new StoreConversationRefs(h.store, h.clock));
    await first.start(h.core);
    await postActivity(first.port, installedInTeam());
    await first.stop();
    expect(await h.store.getConversation('teams', CHANNEL)).toMatchObject({ extra: { serviceUrl: SERVICE_URL, tenantId: TENANT } });

    const after = teamsAdapter(new StoreConversationRefs(h.store, h.clock));
    const h2 = await harnessWith(after, h.store);
    await after.start(h2.core);
    await h.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'teams', channelId: CHANNEL }, createdBy: 'policy', source: 'policy', createdAt: new Date('2027-03-26T12:00:00Z') });
    const [fired] = await tickAt(h2, '2027-03-27T07:00:00Z');
    expect(fired?.outcome.kind).toBe('posted');
    expect(sent.map((s) => s.path)).toEqual([`POST /amer/v3/conversations/${CHANNEL}/activities`]);
  });

  it('a policy-file schedule for a channel the bot is not in: the global endpoint answers 403, the schedule pauses and is not retried', async () => {
    const global: string[] = [];
    nock('https://smba.trafficmanager.net')
      .persist()
      .post(/\/teams\/v3\/conversations\/.*/)
      .reply((uri) => {
        global.push(decodedPath(uri));
        return [403, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } }];
      });
    const teams = teamsAdapter();
    const h = await harnessWith(teams);
    await teams.start(h.core);
    const s = await h.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'teams', channelId: '19:never@thread.tacv2' }, createdBy: 'policy', source: 'policy', createdAt: new Date('2027-03-26T12:00:00Z') });
    const [fired] = await tickAt(h, '2027-03-27T07:00:00Z');
    expect(fired?.outcome).toMatchObject({ kind: 'paused', reason: expect.stringMatching(/^the channel is no longer reachable: Teams answered 403/) });
    expect(global).toEqual(['/teams/v3/conversations/19:never@thread.tacv2/activities']);
    expect((await h.store.getSchedule(s.id))?.pausedReason).toMatch(/^the channel is no longer reachable/);
    expect(await tickAt(h, '2027-03-28T06:00:00Z')).toEqual([]);
    expect(global).toHaveLength(1);
  });

  it('a conversation Teams no longer has (404) pauses the schedule', async () => {
    connector(404);
    const teams = teamsAdapter();
    const h = await harnessWith(teams);
    await teams.start(h.core);
    await h.store.createSchedule({ cluster: 'HVCLUSTER01', cron: '0 8 * * *', tz: 'Europe/Paris', quiet: false, target: { platform: 'teams', channelId: CHANNEL, extra: { serviceUrl: SERVICE_URL, tenantId: 't', botId: '28:bot-app-id' } }, createdBy: 'teams:x', source: 'chat', createdAt: new Date('2027-03-26T12:00:00Z') });
    const [fired] = await tickAt(h, '2027-03-27T07:00:00Z');
    expect(fired?.outcome).toMatchObject({ kind: 'paused', reason: expect.stringMatching(/^the channel is no longer reachable: Teams answered 404/) });
  });
});
