import { describe, expect, it } from 'vitest';
import type { Activity } from 'botbuilder';
import { actorOf, botReference, cardActionOf, commandText, conversationRefOf, isForBot, messageKind, postingConversationId } from '../../../../adapters/teams/inbound.js';
import { CHANNEL, SERVICE_URL, TENANT, channelMention, groupChatMessage, personalMessage } from '../../../helpers/teams/activities.js';

const as = (a: Record<string, unknown>) => a as unknown as Partial<Activity>;

describe('Teams activity → event pieces', () => {
  it('strips the @mention, HTML and odd spaces from the command text', () => {
    expect(commandText(as(channelMention('migration-check   HV01&nbsp;HV02')))).toBe('migration-check HV01 HV02');
    expect(commandText(as(personalMessage('/help')))).toBe('help');
    expect(commandText(as({ ...personalMessage(''), text: '<p>cluster-health&nbsp;CLU01</p>' }))).toBe('cluster-health CLU01');
  });

  it('uses the AAD object id as the actor id, never the display name', () => {
    expect(actorOf(as(channelMention('help')))).toEqual({ platform: 'teams', id: 'aad-ada-0001', displayName: 'Ada Admin' });
    expect(actorOf(as({ from: { id: '29:emulator', name: 'User' } })).id).toBe('29:emulator');
  });

  it('keeps the channel id without the thread suffix and the reply chain as threadId', () => {
    const reply = conversationRefOf(as(channelMention('help', { rootId: '1699' })));
    expect(reply).toMatchObject({ platform: 'teams', channelId: CHANNEL, threadId: '1699' });
    expect(reply.extra).toEqual({ serviceUrl: SERVICE_URL, tenantId: TENANT, conversationType: 'channel', botId: '28:bot-app-id', botName: 'triage-bot', teamId: '19:team@thread.tacv2' });
    expect(conversationRefOf(as(personalMessage('help'))).threadId).toBeUndefined();
  });

  it('posts inside the reply chain in channels only', () => {
    expect(postingConversationId({ platform: 'teams', channelId: CHANNEL, threadId: '42' })).toBe(`${CHANNEL};messageid=42`);
    expect(postingConversationId({ platform: 'teams', channelId: '19:group@thread.v2', threadId: '42', extra: { conversationType: 'groupChat' } })).toBe('19:group@thread.v2');
  });

  it('classifies messages: personal = command, channel/group = mention, unmentioned group chatter ignored', () => {
    expect(messageKind(as(personalMessage('help')))).toBe('command');
    expect(messageKind(as(channelMention('help')))).toBe('mention');
    expect(isForBot(as(groupChatMessage('hi', false)))).toBe(false);
    expect(isForBot(as(groupChatMessage('help', true)))).toBe(true);
  });

  it('builds a Bot Framework reference from a stored one, overlaid by the ref extras', () => {
    const stored = { serviceUrl: 'https://old.example/', bot: { id: '28:bot', name: 'bot' }, conversation: { id: CHANNEL, isGroup: true, conversationType: 'channel', name: '', tenantId: TENANT } };
    const ref = botReference({ platform: 'teams', channelId: CHANNEL, threadId: '7', extra: { serviceUrl: SERVICE_URL } }, stored);
    expect(ref).toMatchObject({ channelId: 'msteams', serviceUrl: SERVICE_URL, bot: { id: '28:bot' }, conversation: { id: `${CHANNEL};messageid=7`, tenantId: TENANT } });
  });
});

describe('Action.Execute clicks', () => {
  const id = (verb: string) => `choice-${verb}`;
  it('keep only the verb, the record id and our choice input', () => {
    expect(cardActionOf({ type: 'Action.Execute', verb: 'test-migration', data: { recordId: 'cr_1', 'choice-test-migration': 'vm-1', other: 'x' } }, id)).toEqual({ name: 'test-migration', recordId: 'cr_1', value: 'vm-1' });
    expect(cardActionOf({ type: 'Action.Execute', verb: 'rerun', data: { recordId: 'cr_1' } }, id)).toEqual({ name: 'rerun', recordId: 'cr_1' });
  });

  it('refuse clicks that are not our buttons', () => {
    expect(cardActionOf({ verb: 'rerun', data: {} }, id)).toBeUndefined();
    expect(cardActionOf({ verb: 'rerun', data: { recordId: 42 } }, id)).toBeUndefined();
    expect(cardActionOf({ verb: '', data: { recordId: 'cr_1' } }, id)).toBeUndefined();
    expect(cardActionOf({ verb: 'rerun', data: { recordId: 'x'.repeat(500) } }, id)).toBeUndefined();
    expect(cardActionOf(undefined, id)).toBeUndefined();
  });
});
