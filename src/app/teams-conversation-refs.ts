import type { TeamsConversationReference as ConversationReference } from '../../adapters/teams/index.js';
import type { ConversationRefStore } from '../../adapters/teams/conversation-ref-store.js';
import type { Clock } from '../kernel/clock.js';
import type { Store } from '../store/store.js';

// The Teams adapter's conversation references kept in the shared store (conversations table)
// instead of in memory, so a proactive post (a scheduled cluster-health post to a channel named
// in the policy file) still reaches a team after a restart or from another replica. Only what
// a proactive post needs is kept: service URL, tenant, bot id and name, conversation type.

export class StoreConversationRefs implements ConversationRefStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async save(key: string, reference: Partial<ConversationReference>): Promise<void> {
    const extra: Record<string, string> = {};
    const put = (name: string, value: string | undefined) => value && (extra[name] = value);
    put('serviceUrl', reference.serviceUrl);
    put('tenantId', reference.conversation?.tenantId);
    put('conversationType', reference.conversation?.conversationType);
    put('botId', reference.bot?.id);
    put('botName', reference.bot?.name);
    if (!extra.serviceUrl) return;
    await this.store.saveConversation({ platform: 'teams', channelId: key, extra }, this.clock.now());
  }

  async get(key: string): Promise<Partial<ConversationReference> | undefined> {
    const ref = await this.store.getConversation('teams', key);
    const extra = ref?.extra;
    if (!extra?.serviceUrl) return undefined;
    return {
      channelId: 'msteams',
      serviceUrl: extra.serviceUrl,
      ...(extra.botId ? { bot: { id: extra.botId, name: extra.botName ?? '' } } : {}),
      conversation: { id: key, isGroup: extra.conversationType !== 'personal', name: '', conversationType: extra.conversationType ?? '', ...(extra.tenantId ? { tenantId: extra.tenantId } : {}) },
    };
  }
}
