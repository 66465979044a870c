import type { Authorizer, Role } from './authorizer.js';
import type { HandlerContext } from './context.js';
import type { Actor } from './events.js';
import type { ConversationRef } from '../kernel/refs.js';
import type { Reply } from './reply.js';

// `whoami`: the asker's stable ids, ready to paste into the policy file (docs/policy.md). It is
// answered to anyone, in any channel, and only to the asker: it tells nothing but their own ids and
// this channel's, which is what an admin needs to grant a role or enable a channel.

const ROLES: Role[] = ['viewer', 'operator', 'approver'];
/** What the policy file accepts as a member id, per platform (src/approvals/policy-schema.ts). */
const MEMBER_ID: Record<string, RegExp> = { slack: /^[A-Z0-9]+$/, teams: /^[0-9a-fA-F-]{8,64}$/, web: /^[a-z0-9-]{1,32}$/ };

/** A `people:` name for the person: lower-case letters, digits, dot, dash, underscore. */
export function suggestedName(actor: Actor): string {
  const from = actor.email?.split('@')[0] ?? actor.displayName ?? actor.id;
  const name = from.toLowerCase().replace(/[^a-z0-9._-]+/g, '.').replace(/^[._-]+|[._-]+$/g, '').slice(0, 64);
  return name || 'someone';
}

const quoted = (s: string) => JSON.stringify(s);

/**
 * The YAML an admin pastes into the policy file for this person and channel: one top-level key
 * per line in flow style, so it survives renderers that show each line on its own (bullets in
 * Slack, text blocks in Teams) without its indentation.
 */
export function policySnippet(actor: Actor, conversation: ConversationRef): string[] {
  const name = suggestedName(actor);
  const member = `${actor.platform}:${actor.id}`;
  const fields = [`name: ${name}`, ...(actor.displayName ? [`displayName: ${quoted(actor.displayName)}`] : []), `${actor.platform}: ${actor.id}`, ...(actor.email ? [`ad: ${actor.email}`] : [])];
  const groups = actor.groups?.length ? `; your Slack user groups: ${actor.groups.map((g) => quoted(`slack-group:${g}`)).join(', ')}` : '';
  return [
    `people: [{ ${fields.join(', ')} }]`,
    `roles: { operator: ["person:${name}"] }   # or the id alone: "${member}"${groups}`,
    `channels: { ${conversation.platform}: [${quoted(conversation.channelId)}] }`,
  ];
}

export async function rolesOf(authorizer: Authorizer, actor: Actor): Promise<Role[]> {
  const held: Role[] = [];
  for (const role of ROLES) if ((await authorizer.authorize(actor, role)).ok) held.push(role);
  return held;
}

export async function whoamiReply(ctx: Pick<HandlerContext, 'event' | 'deps'>): Promise<Reply> {
  const { actor, conversation } = ctx.event;
  const roles = await rolesOf(ctx.deps.authorizer, actor);
  const pasteable = MEMBER_ID[actor.platform]?.test(actor.id) ?? false;
  return {
    header: 'Your ids for the policy file',
    verdict: {
      status: 'info',
      text: `You are ${actor.platform} user ${actor.id}${actor.displayName ? ` (${actor.displayName}; names never grant anything)` : ''}. Your roles here: ${roles.length ? roles.join(', ') : 'none'}.`,
    },
    facts: [
      { label: 'Platform', value: actor.platform },
      { label: 'User id', value: actor.id },
      ...(actor.groups?.length ? [{ label: 'Slack user groups', value: actor.groups.join(', ') }] : []),
      ...(actor.email ? [{ label: 'E-mail / UPN', value: actor.email }] : []),
      { label: 'This channel', value: `${conversation.platform}: ${conversation.channelId}` },
      { label: 'Roles', value: roles.length ? roles.join(', ') : 'none' },
    ],
    sections: [
      {
        title: 'Paste into the policy file (POLICY_FILE; format in docs/policy.md)',
        preformatted: pasteable,
        lines: pasteable
          ? policySnippet(actor, conversation)
          : [`This ${actor.platform} id cannot be used in the policy file (it is not a stable user id); ask an admin to use your Teams AAD object id.`],
      },
    ],
    ephemeral: true,
  };
}
