import { z } from 'zod';
import { platformSchema, type Platform } from './platform.js';

// Where the bot posts, and a posted message it may edit in place. Adapters make them, the core
// and the extensions keep them (check runs, plans, schedules, action records), and whatever
// reads one back from storage checks it with these schemas before posting anywhere with it.

/** Where to post: a channel, and the thread within it once there is one. */
export interface ConversationRef {
  platform: Platform;
  /** Channel / conversation id on the platform. */
  channelId: string;
  /** Thread root message id (Slack ts, Teams reply-chain id, web thread id). */
  threadId?: string;
  /** Platform extras needed to post proactively (Teams serviceUrl, tenant, ...). */
  extra?: Record<string, string>;
}

/** A posted message, so it can be edited in place. */
export interface MessageRef {
  conversation: ConversationRef;
  messageId: string;
}

export const conversationRefSchema = z.object({
  platform: platformSchema,
  channelId: z.string().min(1),
  threadId: z.string().min(1).optional(),
  extra: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<ConversationRef>;

export const messageRefSchema = z.object({
  conversation: conversationRefSchema,
  messageId: z.string().min(1),
}) satisfies z.ZodType<MessageRef>;
