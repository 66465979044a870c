import type { ConversationReference } from 'botbuilder';

// Where the adapter keeps the Bot Framework conversation references it has seen, so it can post
// proactively (scheduled cluster-health posts) to a team channel, a group chat or a personal
// chat. The shared store (src/store) will implement this interface; until then the adapter
// uses the in-memory one below, which forgets everything on restart.

export interface ConversationRefStore {
  /** Keyed by the conversation id without any `;messageid=` thread suffix. */
  save(key: string, reference: Partial<ConversationReference>): Promise<void>;
  get(key: string): Promise<Partial<ConversationReference> | undefined>;
}

export class InMemoryConversationRefStore implements ConversationRefStore {
  private readonly refs = new Map<string, Partial<ConversationReference>>();

  async save(key: string, reference: Partial<ConversationReference>): Promise<void> {
    this.refs.set(key, structuredClone(reference));
  }

  async get(key: string): Promise<Partial<ConversationReference> | undefined> {
    const found = this.refs.get(key);
    return found ? structuredClone(found) : undefined;
  }
}
