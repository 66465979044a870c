import { EventEmitter } from 'node:events';
import type { ConversationRef } from '../../src/kernel/refs.js';
import type { Reply } from '../../src/core/reply.js';
import { renderHtml } from './render.js';

// The lab console's channels and threads, in memory: every posted or edited message, and a bus
// that pushes each change to the open browsers (server-sent events).

export interface WebMessage {
  id: string;
  channelId: string;
  threadId?: string;
  /** Shown only to this persona (ephemeral replies). */
  visibleTo?: string;
  time: string;
  reply: Reply;
  html: string;
}

export class ChannelState {
  private readonly messages = new Map<string, WebMessage>();
  private seq = 0;
  readonly bus = new EventEmitter();

  constructor(private readonly now: () => Date = () => new Date()) {
    this.bus.setMaxListeners(100);
  }

  post(ref: ConversationRef, reply: Reply, visibleTo?: string): WebMessage {
    const message: WebMessage = {
      id: `m${++this.seq}`,
      channelId: ref.channelId,
      ...(ref.threadId ? { threadId: ref.threadId } : {}),
      ...(visibleTo ? { visibleTo } : {}),
      time: this.now().toISOString(),
      reply,
      html: '',
    };
    message.html = renderHtml(reply, message.id);
    this.messages.set(message.id, message);
    this.bus.emit('change', { type: 'posted', message });
    return message;
  }

  update(id: string, reply: Reply): WebMessage | undefined {
    const message = this.messages.get(id);
    if (!message) return undefined;
    message.reply = reply;
    message.html = renderHtml(reply, id);
    this.bus.emit('change', { type: 'updated', message });
    return message;
  }

  get(id: string): WebMessage | undefined {
    return this.messages.get(id);
  }

  /** Messages a persona may see, oldest first. */
  list(persona: string): WebMessage[] {
    return [...this.messages.values()].filter((m) => !m.visibleTo || m.visibleTo === persona);
  }
}
