import { describe, expect, it } from 'vitest';
import { CHAT_PLATFORMS, PLATFORMS, chatPlatformSchema, platformSchema } from '../../../src/kernel/platform.js';
import { conversationRefSchema, messageRefSchema } from '../../../src/kernel/refs.js';

// The one definition of a conversation reference: what the store, plan documents and action
// records accept when they read one back before posting with it.
describe('kernel: platforms and conversation references', () => {
  it('knows the four platforms, and only the chat ones have channels', () => {
    expect(PLATFORMS).toEqual(['slack', 'teams', 'web', 'cli']);
    expect(CHAT_PLATFORMS).toEqual(['slack', 'teams', 'web']);
    expect(platformSchema.safeParse('cli').success).toBe(true);
    expect(chatPlatformSchema.safeParse('cli').success).toBe(false);
    expect(platformSchema.safeParse('discord').success).toBe(false);
  });

  it('accepts a Teams thread with its extras and rejects what could not be posted to', () => {
    const ref = { platform: 'teams', channelId: '19:abc@thread.tacv2', threadId: '1700000000000', extra: { serviceUrl: 'https://smba.trafficmanager.net/emea/' } };
    expect(conversationRefSchema.parse(ref)).toEqual(ref);
    expect(conversationRefSchema.safeParse({ ...ref, platform: 'irc' }).success).toBe(false);
    expect(conversationRefSchema.safeParse({ ...ref, channelId: '' }).success).toBe(false);
    expect(conversationRefSchema.safeParse({ ...ref, threadId: '' }).success).toBe(false);
    expect(messageRefSchema.safeParse({ conversation: ref, messageId: '' }).success).toBe(false);
    expect(messageRefSchema.parse({ conversation: ref, messageId: '1700000000001' }).conversation.channelId).toBe(ref.channelId);
  });
});
