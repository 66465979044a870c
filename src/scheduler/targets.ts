import type { Platform } from '../kernel/platform.js';
import type { ConversationRef } from '../kernel/refs.js';
import type { ChatAdapter } from '../core/events.js';
import type { ConversationStore } from '../store/store.js';
import { TargetGoneError } from '../core/target-gone.js';

// Where a scheduled post goes: the adapter of the target's platform, and for a bare channel id
// (a policy-file schedule) the conversation reference the store remembered for that channel,
// which carries what a Teams proactive post needs (service URL, tenant, bot id).

export function adapterFor(adapters: ChatAdapter[], platform: Platform): ChatAdapter | undefined {
  return adapters.find((a) => a.platform === platform);
}

export async function resolveTarget(store: Pick<ConversationStore, 'getConversation'>, target: ConversationRef): Promise<ConversationRef> {
  if (target.extra && Object.keys(target.extra).length > 0) return target;
  const stored = await store.getConversation(target.platform, target.channelId);
  return stored ? { ...stored, channelId: target.channelId, platform: target.platform } : target;
}

/** A schedule posts at the top of the channel, never inside the thread it was created in. */
export function channelOf(conversation: ConversationRef): ConversationRef {
  const { threadId: _thread, extra, ...channel } = conversation;
  // The console's extra names the persona who typed; Teams' carries what a proactive post needs.
  return conversation.platform === 'web' || !extra ? channel : { ...channel, extra };
}

/**
 * Why a post failed for good (the adapter said the conversation is gone), or undefined for a
 * failure worth trying again at the next slot (network, throttling, an outage).
 */
export function targetGone(err: unknown): string | undefined {
  return err instanceof TargetGoneError ? err.reason : undefined;
}
