import nock from 'nock';
import { afterEach, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import type { Reply } from '../../../src/core/reply.js';
import { FakeCore, SERVICE_URL, channelMention, personalMessage, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';

// TEAMS_APPROVER_TAG on the wire (Bot Framework connector faked with nock): a new card posted in
// a channel carries the tag mention; in a personal chat, where Teams refuses tag mentions with a
// 400, the same card goes out without it; an edit never carries it.

const TAG = 'MjQzMmI1N2ItMGFiZC00M2RiLWFhN2ItMTZlYWRkMTE1ZDM0';
const plan: Reply = { header: 'Fix plan pl_1 · HV01, HV02', verdict: { status: 'awaiting', text: 'Needs an approver.' }, notify: [{ platform: 'teams', id: TAG, name: 'HV approvers' }] };

interface Call {
  method: string;
  body: { attachments?: Array<{ content: { body: Array<{ text?: string }>; msteams?: { entities?: unknown[] } } }> };
}

let adapter: TeamsAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  nock.cleanAll();
});

it('mentions the tag on a new channel card only', async () => {
  const calls: Call[] = [];
  const record = (method: string) =>
    function (_uri: string, body: unknown): [number, object] {
      calls.push({ method, body: body as Call['body'] });
      return [200, { id: `m${calls.length}` }];
    };
  nock(SERVICE_URL.replace(/\/amer\/$/, '')).persist().post(/\/amer\/v3\/conversations\/.*/).reply(record('POST')).put(/\/amer\/v3\/conversations\/.*/).reply(record('PUT'));
  const core = new FakeCore(async (event, a) => {
    const posted = await a.post(event.conversation, plan);
    await a.update(posted, { ...plan, verdict: { status: 'info', text: 'Rejected.' } });
  });
  adapter = new TeamsAdapter({ auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }), appId: '', port: 0, host: '127.0.0.1' });
  await adapter.start(core);

  await postActivity(adapter.port, channelMention('propose'));
  await adapter.idle();
  const [post, edit] = calls;
  const card = post!.body.attachments![0]!.content;
  expect(cardProblems(card)).toEqual([]);
  expect(card.body[1]!.text).toBe('<at>HV approvers</at> this needs your attention');
  expect(card.msteams?.entities).toEqual([{ type: 'mention', text: '<at>HV approvers</at>', mentioned: { id: TAG, name: 'HV approvers', type: 'tag' } }]);
  expect(edit!.method).toBe('PUT');
  expect(JSON.stringify(edit!.body)).not.toContain('HV approvers');

  calls.length = 0;
  await postActivity(adapter.port, personalMessage('propose'));
  await adapter.idle();
  expect(calls[0]!.method).toBe('POST');
  expect(JSON.stringify(calls[0]!.body)).toContain('Needs an approver.');
  expect(JSON.stringify(calls[0]!.body)).not.toContain('HV approvers');
});
