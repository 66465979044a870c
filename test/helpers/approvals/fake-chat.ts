import type { ConversationRef, MessageRef } from '../../../src/kernel/refs.js';
import type { Actor, ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';
import type { Reply } from '../../../src/core/reply.js';
import { withPlainMentions } from '../../../src/core/mention.js';

// A chat adapter that records what the core posts, edits and tells one person, so a test can
// read the conversation as people would see it and click the buttons they would see.

export interface ShownMessage {
  id: string;
  conversation: ConversationRef;
  reply: Reply;
  /** Every version, oldest first (posted, then each edit). */
  versions: Reply[];
}

export class FakeChat implements ChatAdapter {
  readonly platform = 'web' as const;
  readonly messages: ShownMessage[] = [];
  /** Replies only one person saw: acks and ephemeral posts, per actor id. */
  readonly private = new Map<string, Reply[]>();
  private next = 1;
  private core?: CoreHandler;

  async start(core: CoreHandler): Promise<void> {
    this.core = core;
  }
  async stop(): Promise<void> {}

  async post(conversation: ConversationRef, reply: Reply): Promise<MessageRef> {
    const id = `m${this.next++}`;
    const ref = { conversation: { ...conversation, threadId: conversation.threadId ?? id }, messageId: id };
    this.messages.push({ id, conversation: ref.conversation, reply, versions: [reply] });
    return ref;
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    const m = this.messages.find((x) => x.id === ref.messageId);
    if (!m) throw new Error(`no message ${ref.messageId}`);
    m.reply = reply;
    m.versions.push(reply);
  }

  async postEphemeral(_ref: ConversationRef, actor: Actor, reply: Reply): Promise<void> {
    this.tell(actor.id, reply);
  }

  private tell(actorId: string, reply: Reply): void {
    this.private.set(actorId, [...(this.private.get(actorId) ?? []), reply]);
  }

  /** What one person was told privately, as text. */
  told(actorId: string): string[] {
    return (this.private.get(actorId) ?? []).map((r) => r.verdict?.text ?? r.header);
  }

  lastTold(actorId: string): string {
    return this.told(actorId).at(-1) ?? '';
  }

  private event(actor: Actor, kind: InboundEvent['kind'], text: string, extra: Partial<InboundEvent> = {}): InboundEvent {
    return { kind, text, actor, conversation: { platform: 'web', channelId: 'incident' }, ack: async (reply?: Reply) => (reply ? this.tell(actor.id, reply) : undefined), ...extra };
  }

  async command(actor: Actor, text: string): Promise<void> {
    await this.core!.handle(this.event(actor, 'command', text), this);
  }

  /** Clicks a button on a shown message (or a forged one: any record id). */
  async click(actor: Actor, action: string, recordId: string, opts: { value?: string; on?: ShownMessage; conversation?: ConversationRef } = {}): Promise<void> {
    const on = opts.on ?? this.messages.find((m) => m.reply.buttons?.some((b) => b.recordId === recordId));
    const message = on ? { conversation: on.conversation, messageId: on.id } : undefined;
    await this.core!.handle(this.event(actor, 'action', action, { action: { name: action, recordId, ...(opts.value !== undefined ? { value: opts.value } : {}) }, ...(message ? { message } : {}), ...(opts.conversation ? { conversation: opts.conversation } : {}) }), this);
  }

  /** The newest message carrying a button for this action. */
  withButton(action: string): ShownMessage | undefined {
    return [...this.messages].reverse().find((m) => m.reply.buttons?.some((b) => b.action === action));
  }

  buttonOf(message: ShownMessage, action: string): string {
    const b = message.reply.buttons?.find((x) => x.action === action);
    if (!b) throw new Error(`message ${message.id} (${message.reply.header}) has no ${action} button; it has ${message.reply.buttons?.map((x) => x.action).join(', ') ?? 'none'}`);
    return b.recordId;
  }

  byHeader(prefix: string): ShownMessage[] {
    return this.messages.filter((m) => m.reply.header.startsWith(prefix));
  }

  /** A message as plain text (header, verdict, facts, sections, buttons) as the console shows it, for assertions. */
  static text(shown: Reply): string {
    const reply = withPlainMentions(shown);
    return [
      reply.header,
      reply.verdict?.text ?? '',
      ...(reply.facts ?? []).map((f) => `${f.label}: ${f.value}`),
      ...(reply.sections ?? []).flatMap((s) => [s.title, ...s.lines]),
      ...(reply.buttons ?? []).map((b) => `[${b.label}]`),
    ].join('\n');
  }
}
