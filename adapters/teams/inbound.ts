import type { Activity, ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { ConversationRef } from '../../src/kernel/refs.js';
import type { Actor } from '../../src/core/events.js';

// Pure mapping from a Teams activity to the neutral pieces of an InboundEvent, and from a
// neutral ConversationRef back to what Bot Framework needs to post. No business rules here.

const THREAD_MARK = ';messageid=';

/** Conversation id without the channel thread suffix: the key for stored references. */
export function baseConversationId(conversationId: string): string {
  const at = conversationId.indexOf(THREAD_MARK);
  return at === -1 ? conversationId : conversationId.slice(0, at);
}

function threadOf(activity: Partial<Activity>): string | undefined {
  const id = activity.conversation?.id ?? '';
  const at = id.indexOf(THREAD_MARK);
  if (at !== -1) return id.slice(at + THREAD_MARK.length);
  // A top-level channel post starts its own reply chain; answer inside it.
  return activity.conversation?.conversationType === 'channel' && activity.type === 'message' ? activity.id : undefined;
}

function compact(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

interface TeamsChannelData {
  tenant?: { id?: string };
  team?: { id?: string };
  channel?: { id?: string };
}

export function conversationRefOf(activity: Partial<Activity>): ConversationRef {
  const data = (activity.channelData ?? {}) as TeamsChannelData;
  const ref: ConversationRef = {
    platform: 'teams',
    channelId: baseConversationId(activity.conversation?.id ?? ''),
    extra: compact({
      serviceUrl: activity.serviceUrl,
      tenantId: activity.conversation?.tenantId ?? data.tenant?.id,
      conversationType: activity.conversation?.conversationType,
      botId: activity.recipient?.id,
      botName: activity.recipient?.name,
      teamId: data.team?.id,
    }),
  };
  const thread = threadOf(activity);
  if (thread) ref.threadId = thread;
  return ref;
}

export function actorOf(activity: Partial<Activity>): Actor {
  const from = activity.from;
  // The AAD object id is stable across chats and bots; `from.id` (29:…) is a per-bot fallback
  // for channels that do not send it (the Bot Framework Emulator).
  const actor: Actor = { platform: 'teams', id: from?.aadObjectId ?? from?.id ?? '' };
  if (from?.name) actor.displayName = from.name;
  return actor;
}

export function mentionsBot(activity: Partial<Activity>): boolean {
  const botId = activity.recipient?.id;
  return (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === botId);
}

const ENTITIES: Record<string, string> = { '&nbsp;': ' ', '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** The command the person typed: the bot's @mention removed, markup and odd spaces flattened. */
export function commandText(activity: Partial<Activity>): string {
  let text = activity.text ?? '';
  const botId = activity.recipient?.id;
  for (const e of activity.entities ?? []) {
    const m = e as { type?: string; text?: string; mentioned?: { id?: string } };
    if (m.type === 'mention' && m.mentioned?.id === botId && m.text) text = text.split(m.text).join(' ');
  }
  text = text.replace(/<at>[^<]*<\/at>/g, ' ').replace(/<[^>]+>/g, ' ');
  text = text.replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m).replace(/\u00a0/g, ' ');
  return text.trim().replace(/^\//, '').replace(/\s+/g, ' ');
}

/** The kind of a message: a mention where others talk too (channel, group chat), else a command. */
export function messageKind(activity: Partial<Activity>): 'mention' | 'command' {
  return activity.conversation?.conversationType === 'personal' ? 'command' : 'mention';
}

/** Channels and group chats only reach us with an @mention (or RSC); ignore anything else. */
export function isForBot(activity: Partial<Activity>): boolean {
  return activity.conversation?.conversationType === 'personal' || mentionsBot(activity);
}

export function isChannel(ref: ConversationRef): boolean {
  return ref.extra?.conversationType === 'channel' || /@thread\.(tacv2|skype)$/.test(ref.channelId);
}

/** The conversation id to post to: inside the reply chain when there is one (channels). */
export function postingConversationId(ref: ConversationRef): string {
  return ref.threadId && isChannel(ref) ? `${ref.channelId}${THREAD_MARK}${ref.threadId}` : ref.channelId;
}

/** A Bot Framework reference for a neutral ref: what we stored for it, overlaid by what it carries. */
export function botReference(ref: ConversationRef, stored: Partial<ConversationReference> | undefined): Partial<ConversationReference> {
  const extra = ref.extra ?? {};
  const serviceUrl = extra.serviceUrl ?? stored?.serviceUrl;
  const tenantId = extra.tenantId ?? stored?.conversation?.tenantId;
  const botId = extra.botId ?? stored?.bot?.id;
  return {
    ...stored,
    channelId: 'msteams',
    serviceUrl,
    bot: botId ? { id: botId, name: extra.botName ?? stored?.bot?.name ?? '' } : stored?.bot,
    conversation: {
      ...(stored?.conversation ?? { isGroup: false, name: '', conversationType: extra.conversationType ?? '' }),
      id: postingConversationId(ref),
      ...(tenantId ? { tenantId } : {}),
    } as ConversationReference['conversation'],
  };
}

export function referenceOf(activity: Partial<Activity>): Partial<ConversationReference> {
  return {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    bot: activity.recipient,
    conversation: activity.conversation ? { ...activity.conversation, id: baseConversationId(activity.conversation.id) } : undefined,
    locale: activity.locale,
  };
}

/** What an Action.Execute click carries: our verb, the opaque record id, a chosen value. */
const cardActionSchema = z.object({
  verb: z.string().min(1).max(64),
  data: z.looseObject({ recordId: z.string().min(1).max(128) }),
});

export type CardAction = { name: string; recordId: string; value?: string };

/**
 * The click as the neutral action, or undefined when it is not one of our buttons' shapes (the
 * core then answers "unknown button" without touching the store).
 */
export function cardActionOf(action: unknown, choiceInputId: (verb: string) => string): CardAction | undefined {
  const parsed = cardActionSchema.safeParse(action);
  if (!parsed.success) return undefined;
  const { verb, data } = parsed.data;
  const chosen = data[choiceInputId(verb)];
  return { name: verb, recordId: data.recordId, ...(typeof chosen === 'string' && chosen.length <= 256 ? { value: chosen } : {}) };
}
