import type { Platform } from '../kernel/platform.js';
import type { ConversationRef, MessageRef } from '../kernel/refs.js';
import type { Reply } from './reply.js';

// What an adapter hands the core, and what the core asks of an adapter. Nothing else crosses.

export interface Actor {
  platform: Platform;
  /** The platform's stable user id (Slack U…, Teams AAD object id, web persona id). */
  id: string;
  /** For display only; never used for authorisation. */
  displayName?: string;
  /** Mail or UPN when the platform tells it, to look the person up in AD. */
  email?: string;
  /** Slack user-group ids, when known. */
  groups?: string[];
}

export interface InboundEvent {
  kind: 'command' | 'action' | 'mention';
  /** Command text without the slash or mention: "migration-check HV01 HV02". */
  text: string;
  /** For actions: the button's action and opaque record id, and a chosen value if any. */
  action?: { name: string; recordId: string; value?: string };
  actor: Actor;
  conversation: ConversationRef;
  /** For actions: the message that carried the button, to update it in place. */
  message?: MessageRef;
  /** Set by an adapter that already logged under one (request-id.ts); the core gives every other event its own. */
  requestId?: string;
  /** Acknowledge at once; the optional reply is shown only to the actor. */
  ack(reply?: Reply): Promise<void>;
}

export interface ChatAdapter {
  readonly platform: Platform;
  start(core: CoreHandler): Promise<void>;
  stop(): Promise<void>;
  post(ref: ConversationRef, reply: Reply): Promise<MessageRef>;
  update(ref: MessageRef, reply: Reply): Promise<void>;
  /** Show a reply to one person only (ephemeral). */
  postEphemeral?(ref: ConversationRef, actor: Actor, reply: Reply): Promise<void>;
}

export interface CoreHandler {
  handle(event: InboundEvent, adapter: ChatAdapter): Promise<void>;
}
