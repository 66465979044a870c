import { z } from 'zod';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import type { InboundEvent } from '../../src/core/events.js';
import { actionNameOf, recordIdOfChoiceBlock } from './action-id.js';

// Slack payloads → InboundEvent. zod at the boundary: a payload missing what we need is
// dropped with a log line, never half-understood. Acknowledging is the adapter's job; these
// functions only take the `ack` the adapter built for the event.

export const SLASH_COMMANDS = ['migration-check', 'cluster-health'] as const;

const commandSchema = z.object({
  command: z.string().regex(/^\/[a-z0-9_-]+$/i),
  text: z.string().default(''),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  channel_id: z.string().min(1),
});

const mentionSchema = z.object({
  user: z.string().min(1),
  text: z.string().default(''),
  channel: z.string().min(1),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
});

const actionBodySchema = z.object({
  user: z.object({ id: z.string().min(1), name: z.string().optional(), username: z.string().optional() }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().optional(), is_ephemeral: z.boolean().optional() }).partial().optional(),
  message: z.object({ ts: z.string().min(1), thread_ts: z.string().optional() }).optional(),
});

const actionSchema = z.object({
  action_id: z.string(),
  block_id: z.string().optional(),
  value: z.string().optional(),
  selected_option: z.object({ value: z.string() }).optional(),
});

type Ack = InboundEvent['ack'];
const conversation = (channelId: string, threadId?: string): ConversationRef => (threadId ? { platform: 'slack', channelId, threadId } : { platform: 'slack', channelId });

/** "/migration-check HV01 HV02" → text "migration-check HV01 HV02". Undefined for commands that are not ours. */
export function commandEvent(raw: unknown, ack: Ack): InboundEvent | undefined {
  const body = commandSchema.safeParse(raw);
  if (!body.success) return undefined;
  const name = body.data.command.slice(1).toLowerCase();
  if (!(SLASH_COMMANDS as readonly string[]).includes(name)) return undefined;
  return {
    kind: 'command',
    text: `${name} ${body.data.text.trim()}`.trim(),
    actor: { platform: 'slack', id: body.data.user_id, ...(body.data.user_name ? { displayName: body.data.user_name } : {}) },
    conversation: conversation(body.data.channel_id),
    ack,
  };
}

/** "<@UBOT> migration-check HV01 HV02" → "migration-check HV01 HV02"; a bare mention asks for help. */
export function mentionText(text: string): string {
  const words = text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/gi, ' ').trim().replace(/\s+/g, ' ');
  return words.length > 0 ? words : 'help';
}

/** An app_mention in a thread stays in that thread; at top level the core starts its own. */
export function mentionEvent(raw: unknown, ack: Ack): InboundEvent | undefined {
  const event = mentionSchema.safeParse(raw);
  if (!event.success) return undefined;
  return {
    kind: 'mention',
    text: mentionText(event.data.text),
    actor: { platform: 'slack', id: event.data.user },
    conversation: conversation(event.data.channel, event.data.thread_ts),
    ack,
  };
}

export type ParsedAction = { name: string; recordId: string; value?: string };

/** The action name and record id a click carries, or undefined when the element is not ours. */
export function parseAction(raw: unknown): ParsedAction | undefined {
  const action = actionSchema.safeParse(raw);
  if (!action.success) return undefined;
  const name = actionNameOf(action.data.action_id);
  if (!name) return undefined;
  if (action.data.selected_option) {
    const recordId = recordIdOfChoiceBlock(action.data.block_id);
    return recordId ? { name, recordId, value: action.data.selected_option.value } : undefined;
  }
  const recordId = action.data.value;
  return recordId ? { name, recordId } : undefined;
}

/**
 * A click. The conversation is the thread of the message that carried the button (replies to a
 * click belong under it); `message` lets the core edit that message, except for ephemeral
 * messages, which chat.update cannot reach.
 */
export function actionEvent(rawBody: unknown, parsed: ParsedAction, ack: Ack): InboundEvent | undefined {
  const body = actionBodySchema.safeParse(rawBody);
  if (!body.success) return undefined;
  const channelId = body.data.channel?.id ?? body.data.container?.channel_id;
  if (!channelId) return undefined;
  const msg = body.data.container?.is_ephemeral ? undefined : body.data.message;
  const conv = conversation(channelId, msg ? (msg.thread_ts ?? msg.ts) : undefined);
  const message: MessageRef | undefined = msg ? { conversation: conversation(channelId, msg.thread_ts), messageId: msg.ts } : undefined;
  const name = body.data.user.username ?? body.data.user.name;
  return {
    kind: 'action',
    text: parsed.name,
    action: parsed,
    actor: { platform: 'slack', id: body.data.user.id, ...(name ? { displayName: name } : {}) },
    conversation: conv,
    ...(message ? { message } : {}),
    ack,
  };
}
