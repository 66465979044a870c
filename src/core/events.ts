import type { Reply } from './reply.js';

// What an adapter hands the core, and what the core asks of an adapter. Nothing else crosses.

export type Platform = 'slack' | 'teams' | 'web' | 'cli';

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
