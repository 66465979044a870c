import type { ConversationRef } from '../kernel/refs.js';
import type { Actor } from './events.js';

// Who may do what, asked by the core before every command and button. The policy-backed
// implementation lives in src/approvals (roles from the policy file); the core only asks.
export type Role = 'viewer' | 'operator' | 'approver';

export type Decision = { ok: true } | { ok: false; reason: string };

export interface Authorizer {
  /** Whether the bot answers in this conversation at all. */
  channelAllowed(conversation: ConversationRef): Promise<boolean>;
  authorize(actor: Actor, role: Role): Promise<Decision>;
}
