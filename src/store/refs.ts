import { z } from 'zod';
import type { ConversationRef, MessageRef } from '../core/events.js';

// Conversation and message references come back from the database as JSON; they are checked
// here before the bot posts anywhere with them.
export const conversationRefSchema = z.object({
  platform: z.enum(['slack', 'teams', 'web', 'cli']),
  channelId: z.string().min(1),
  threadId: z.string().min(1).optional(),
  extra: z.record(z.string(), z.string()).optional(),
}) satisfies z.ZodType<ConversationRef>;

export const messageRefSchema = z.object({
  conversation: conversationRefSchema,
  messageId: z.string().min(1),
}) satisfies z.ZodType<MessageRef>;
