import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import { renderCard } from '../../../adapters/teams/render.js';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../../../adapters/teams/card-size.js';
import type { Reply } from '../../../src/core/reply.js';
import { CHANNEL, FakeCore, SERVICE_URL, cardAction, channelMention, decodedPath, groupChatMessage, installedInTeam, personalMessage, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';
import { TargetGoneError } from '../../../src/core/target-gone.js';

const reply: Reply = {
  header: 'Live migration check · HV01, HV02',
  verdict: { status: 'blocked', text: 'Blocked: 1 of 2 directions ok, 1 blocked, 0 unknown.' },
  matrix: { nodes: ['HV01', 'HV02'], cells: { HV01: { HV02: 'blocked' }, HV02: { HV01: 'ok' } } },
  buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'chk_1' }],
};
const updated: Reply = { ...reply, verdict: { status: 'pending', text: 'Re-running the check…' }, buttons: [] };

interface Sent {
  path: string;
  body: { type: string; id?: string; attachments: Array<{ contentType: string; content: unknown }> };
}

function noAuthAdapter(core: FakeCore, extra: Partial<ConstructorParameters<typeof TeamsAdapter>[0]> = {}): { adapter: TeamsAdapter; start: () => Promise<void> } {
  const adapter = new TeamsAdapter({
    auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }),
    appId: '',
    port: 0,
    host: '127.0.0.1',
    invokeDeadlineMs: 2_000,
    ...extra,
  });
  return { adapter, start: () => adapter.start(core) };
}

function connector(): { sent: Sent[]; scope: nock.Scope } {
  const sent: Sent[] = [];
  const record = (method: string) =>
    function (this: unknown, uri: string, body: unknown): [number, object] {
      sent.push({ path: `${method} ${decodedPath(uri)}`, body: body as Sent['body'] });
      return [200, { id: `bot-msg-${sent.length}` }];
    };
  const scope = nock(SERVICE_URL.replace(/\/amer\/$/, ''))
    .persist()
    .post(/\/amer\/v3\/conversations\/.*/)
    .reply(record('POST'))
    .put(/\/amer\/v3\/conversations\/.*/)
    .reply(record('PUT'));
  return { sent, scope };
}

describe('Teams adapter over HTTP (lab mode, no Bot Framework auth)', () => {
  let adapter: TeamsAdapter;
  afterEach(async () => {
    await adapter?.stop();
    nock.cleanAll();
  });

  it('turns a channel @mention into a mention event and replies in the same thread', async () => {
    const { sent } = connector();
    const core = new FakeCore(async (event, a) => {
      await a.post(event.conversation, reply);
    });
    const built = noAuthAdapter(core);
    adapter = built.adapter;
    await built.start();
    const activity = channelMention('migration-check HV01 HV02');
    const res = await postActivity(adapter.port, activity);
    await adapter.idle();

    expect(res.status).toBe(200);
    expect(core.events).toHaveLength(1);
    const event = core.events[0]!;
    expect(event.kind).toBe('mention');
    expect(event.text).toBe('migration-check HV01 HV02');
    expect(event.actor).toEqual({ platform: 'teams', id: 'aad-ada-0001', displayName: 'Ada Admin' });
    expect(event.conversation.channelId).toBe(CHANNEL);
    expect(event.conversation.threadId).toBe(activity.id);
    expect(event.conversation.extra).toMatchObject({ serviceUrl: SERVICE_URL, tenantId: expect.any(String), conversationType: 'channel' });

    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe(`POST /amer/v3/conversations/${CHANNEL};messageid=${activity.id}/activities/${activity.id}`);
    expect(sent[0]!.body.attachments[0]!.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
    expect(sent[0]!.body.attachments[0]!.content).toEqual(renderCard(reply));
  });

  it('treats personal chat as commands and ignores group-chat messages that do not mention the bot', async () => {
    const { sent } = connector();
    const core = new FakeCore(async (event, a) => {
      await a.post(event.conversation, reply);
    });
    const built = noAuthAdapter(core);
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, personalMessage('help'));
    await postActivity(adapter.port, groupChatMessage('lunch anyone?', false));
    await postActivity(adapter.port, groupChatMessage('cluster-health', true));
    await adapter.idle();

    expect(core.events.map((e) => [e.kind, e.text, e.conversation.channelId])).toEqual([
      ['command', 'help', 'a:1personal-chat'],
      ['mention', 'cluster-health', '19:group@thread.v2'],
    ]);
    expect(sent.map((s) => s.path)).toEqual(['POST /amer/v3/conversations/a:1personal-chat/activities', 'POST /amer/v3/conversations/19:group@thread.v2/activities']);
  });

  it('answers an adaptiveCard/action invoke with the card the core produced and edits the message for everyone', async () => {
    const { sent } = connector();
    const core = new FakeCore(async (event, a) => {
      if (event.kind === 'action' && event.message) await a.update(event.message, updated);
    });
    const built = noAuthAdapter(core);
    adapter = built.adapter;
    await built.start();
    const res = await postActivity(adapter.port, cardAction('test-migration', { recordId: 'chk_1', 'choice-test-migration': 'vm-042' }, 'bot-msg-7', '1700'));
    await adapter.idle();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: renderCard(updated) });
    expect(cardProblems((res.body as { value: unknown }).value)).toEqual([]);
    const event = core.events[0]!;
    expect(event.kind).toBe('action');
    expect(event.action).toEqual({ name: 'test-migration', recordId: 'chk_1', value: 'vm-042' });
    expect(event.message?.messageId).toBe('bot-msg-7');
    expect(sent.map((s) => s.path)).toEqual([`PUT /amer/v3/conversations/${CHANNEL};messageid=1700/activities/bot-msg-7`]);
    expect(sent[0]!.body.attachments[0]!.content).toEqual(renderCard(updated));
  });

  it('answers an invoke with the acknowledgement text when the core sends no card', async () => {
    connector();
    const core = new FakeCore(async (event) => {
      await event.ack({ header: 'triage-bot', verdict: { status: 'error', text: 'You need the operator role to do that.' }, ephemeral: true });
    });
    const built = noAuthAdapter(core);
    adapter = built.adapter;
    await built.start();
    const res = await postActivity(adapter.port, cardAction('propose-fix', { recordId: 'chk_1' }, 'bot-msg-1', '1700'));
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'You need the operator role to do that.' });
  });

  it('posts proactively to a conversation it learned from an installation', async () => {
    const { sent } = connector();
    const built = noAuthAdapter(new FakeCore());
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, installedInTeam());

    const ref = await adapter.post({ platform: 'teams', channelId: CHANNEL }, reply);
    expect(sent.map((s) => s.path)).toEqual([`POST /amer/v3/conversations/${CHANNEL}/activities`]);
    // The new post starts a reply chain; later posts for the same run go inside it.
    expect(ref).toMatchObject({ messageId: 'bot-msg-1', conversation: { channelId: CHANNEL, threadId: 'bot-msg-1' } });
    await adapter.post(ref.conversation, reply);
    expect(sent[1]!.path).toBe(`POST /amer/v3/conversations/${CHANNEL};messageid=bot-msg-1/activities/bot-msg-1`);
  });

  it('posts proactively after a restart from the extras a stored ConversationRef carries, with nothing remembered', async () => {
    const { sent } = connector();
    const built = noAuthAdapter(new FakeCore());
    adapter = built.adapter;
    await built.start();
    // What a schedule saved from an earlier @mention holds (conversationRefOf of that activity).
    const saved = { platform: 'teams' as const, channelId: CHANNEL, extra: { serviceUrl: SERVICE_URL, tenantId: 'tenant-1', conversationType: 'channel', botId: '28:bot-app-id' } };
    const ref = await adapter.post(saved, reply);
    expect(sent.map((s) => s.path)).toEqual([`POST /amer/v3/conversations/${CHANNEL}/activities`]);
    expect(ref.conversation.threadId).toBe('bot-msg-1');
  });

  it('answers a slow invoke before Teams gives up, and the card still changes for everyone afterwards', async () => {
    const { sent } = connector();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const core = new FakeCore(async (event, a) => {
      await gate;
      if (event.message) await a.update(event.message, updated);
    });
    const built = noAuthAdapter(core, { invokeDeadlineMs: 100 });
    adapter = built.adapter;
    await built.start();
    const res = await postActivity(adapter.port, cardAction('rerun', { recordId: 'chk_1' }, 'bot-msg-9', '1700'));
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Working on it…' });
    expect(sent).toHaveLength(0);
    release();
    await adapter.idle();
    expect(sent.map((s) => s.path)).toEqual([`PUT /amer/v3/conversations/${CHANNEL};messageid=1700/activities/bot-msg-9`]);
  });

  it('posts to a conversation it has never seen through the global proactive endpoint of Microsoft', async () => {
    const seen: Array<{ path: string; body: Record<string, unknown> }> = [];
    nock('https://smba.trafficmanager.net')
      .post(/\/teams\/v3\/conversations\/.*/)
      .reply(function (uri, body) {
        seen.push({ path: decodedPath(uri), body: body as Record<string, unknown> });
        return [200, { id: 'global-1' }];
      });
    const built = noAuthAdapter(new FakeCore(), { appId: '', tenantId: 'tenant-42' });
    adapter = built.adapter;
    await built.start();
    const ref = await adapter.post({ platform: 'teams', channelId: '19:never-seen@thread.tacv2' }, reply);
    expect(seen.map((s) => s.path)).toEqual(['/teams/v3/conversations/19:never-seen@thread.tacv2/activities']);
    expect(ref).toMatchObject({ messageId: 'global-1', conversation: { threadId: 'global-1' } });
  });

  it('retries a 429 and then succeeds, waiting with backoff', async () => {
    const delays: number[] = [];
    const base = SERVICE_URL.replace(/\/amer\/$/, '');
    const scope = nock(base)
      .post(/\/amer\/v3\/conversations\/.*/)
      .reply(429, { error: { code: 'Throttled' } }, { 'Retry-After': '1' })
      .post(/\/amer\/v3\/conversations\/.*/)
      .reply(200, { id: 'after-retry' });
    const built = noAuthAdapter(new FakeCore(), { retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5 } });
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, personalMessage('hello'));
    const ref = await adapter.post({ platform: 'teams', channelId: 'a:1personal-chat' }, reply);
    expect(ref.messageId).toBe('after-retry');
    expect(delays).toEqual([1000]);
    expect(scope.isDone()).toBe(true);
  });

  it('gives up after a bounded number of 502s and does not retry a 403', async () => {
    const delays: number[] = [];
    const base = SERVICE_URL.replace(/\/amer\/$/, '');
    const scope = nock(base).post(/\/amer\/v3\/conversations\/.*/).times(3).reply(502, {});
    const built = noAuthAdapter(new FakeCore(), { retry: { maxAttempts: 3, sleep: async (ms) => void delays.push(ms), random: () => 1 } });
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, personalMessage('hello'));
    await expect(adapter.post({ platform: 'teams', channelId: 'a:1personal-chat' }, reply)).rejects.toMatchObject({ statusCode: 502 });
    expect(scope.isDone()).toBe(true);
    expect(delays).toEqual([500, 1000]);

    const forbidden = nock(base).post(/\/amer\/v3\/conversations\/.*/).once().reply(403, {});
    // A 403 is "the bot was removed": not retried, and said as the adapters' typed error.
    const refused = adapter.post({ platform: 'teams', channelId: 'a:1personal-chat' }, reply);
    await expect(refused).rejects.toBeInstanceOf(TargetGoneError);
    await expect(refused).rejects.toMatchObject({ platform: 'teams', reason: expect.stringMatching(/^Teams answered 403/), cause: { statusCode: 403 } });
    expect(forbidden.isDone()).toBe(true);
    expect(delays).toHaveLength(2);
  });

  it('collapses edits of one message that queue up into one carrying the newest card', async () => {
    const { sent } = connector();
    const built = noAuthAdapter(new FakeCore());
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, installedInTeam());
    const message = { conversation: { platform: 'teams' as const, channelId: CHANNEL, threadId: 'root-1' }, messageId: 'root-1' };
    const versions = [1, 2, 3].map((n): Reply => ({ header: 'Progress', verdict: { status: 'pending', text: `${n} of 3 nodes answered` } }));
    await Promise.all(versions.map((v) => adapter.update(message, v)));
    const puts = sent.filter((x) => x.path.startsWith('PUT'));
    expect(puts.length).toBeGreaterThanOrEqual(1);
    expect(puts.length).toBeLessThan(3);
    expect(puts.at(-1)!.body.attachments[0]!.content).toEqual(renderCard(versions[2]!));
  });

  it('does not post a follow-up again when an edit repeats what the thread already shows', async () => {
    const { sent } = connector();
    const built = noAuthAdapter(new FakeCore());
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, installedInTeam());
    const nodes = Array.from({ length: 20 }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
    const cells = Object.fromEntries(nodes.map((a) => [a, Object.fromEntries(nodes.filter((b) => b !== a).map((b) => [b, 'ok' as const]))]));
    const parent = await adapter.post({ platform: 'teams', channelId: CHANNEL }, { header: 'Cluster health · CLU01', verdict: { status: 'pending', text: 'Collecting evidence' } });
    // The result in the thread carries the full matrix as a follow-up (one compact grid)...
    const beforeResult = sent.length;
    await adapter.post(parent.conversation, { header: 'Cluster health · CLU01', verdict: { status: 'healthy', text: 'Healthy' }, matrix: { nodes, cells } });
    const afterResult = sent.length;
    expect(afterResult - beforeResult).toBe(2);
    // ...and the parent's summary edit has the same overflow: only the edit goes out.
    await adapter.update(parent, { header: 'Cluster health · CLU01', verdict: { status: 'healthy', text: 'Healthy. Details in the thread.' }, matrix: { nodes, cells } });
    expect(sent.slice(afterResult).map((x) => x.path)).toEqual([`PUT /amer/v3/conversations/${CHANNEL};messageid=bot-msg-1/activities/bot-msg-1`]);
  });

  it('splits a reply too large for one message into several, each within the budget', async () => {
    const { sent } = connector();
    const built = noAuthAdapter(new FakeCore());
    adapter = built.adapter;
    await built.start();
    await postActivity(adapter.port, installedInTeam());
    const nodes = Array.from({ length: 40 }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
    const cells = Object.fromEntries(nodes.map((a) => [a, Object.fromEntries(nodes.filter((b) => b !== a).map((b) => [b, 'blocked' as const]))]));
    await adapter.post({ platform: 'teams', channelId: CHANNEL }, { header: 'Cluster health · 40 nodes', matrix: { nodes, cells } });
    // The summary, then the whole matrix as one grid: never more than 3 messages (issue 20).
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThanOrEqual(3);
    for (const s of sent) {
      expect(JSON.stringify(s.body).length * 2).toBeLessThan(60_000);
      expect(cardProblems(s.body.attachments[0]!.content)).toEqual([]);
    }
    // Follow-ups go into the thread the first message started.
    expect(sent.slice(1).every((s) => s.path.includes(';messageid=bot-msg-1/activities/bot-msg-1'))).toBe(true);
  });
});

describe('Teams adapter set-up', () => {
  beforeEach(() => nock.cleanAll());
  it('refuses GET, unknown paths and bodies that are not activities', async () => {
    const built = noAuthAdapter(new FakeCore());
    await built.start();
    const get = await fetch(`http://127.0.0.1:${built.adapter.port}/api/messages`);
    const other = await fetch(`http://127.0.0.1:${built.adapter.port}/nope`, { method: 'POST', body: '{}' });
    const notJson = await fetch(`http://127.0.0.1:${built.adapter.port}/api/messages`, { method: 'POST', body: '{"type":' });
    const noType = await fetch(`http://127.0.0.1:${built.adapter.port}/api/messages`, { method: 'POST', body: '{}' });
    await built.adapter.stop();
    expect([get.status, other.status, notJson.status, noType.status]).toEqual([405, 404, 400, 400]);
  });
});
