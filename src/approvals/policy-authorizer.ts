import type { Authorizer, Decision, Role } from '../core/authorizer.js';
import type { ConversationRef } from '../kernel/refs.js';
import type { Actor } from '../core/events.js';
import type { RelayClient } from '../relay/relay-client.js';
import type { Person, Policy } from './policy-schema.js';

// Roles from the policy file. A member matches by stable id only; `person:` links one person's
// ids across platforms; `ad-group:` asks AD (through the relay, nested groups included), cached
// briefly so a burst of clicks costs one lookup.

const IMPLIED: Record<Role, Role[]> = { viewer: ['viewer', 'operator', 'approver'], operator: ['operator'], approver: ['approver'] };
const AD_CACHE_MS = 5 * 60_000;

export class PolicyAuthorizer implements Authorizer {
  private readonly adCache = new Map<string, { at: number; groups: string[] }>();

  constructor(
    private readonly policy: Policy,
    private readonly relay?: RelayClient,
    private readonly now: () => number = Date.now,
  ) {}

  async channelAllowed(conversation: ConversationRef): Promise<boolean> {
    if (conversation.platform === 'cli') return true;
    const allowed = this.policy.channels[conversation.platform];
    return allowed === undefined || allowed.includes('*') || allowed.includes(conversation.channelId);
  }

  /** The linked person for an actor, if the policy lists one. */
  personOf(actor: Actor): Person | undefined {
    return this.policy.people.find((p) => (actor.platform === 'slack' && p.slack === actor.id) || (actor.platform === 'teams' && p.teams === actor.id) || (actor.platform === 'web' && p.web === actor.id));
  }

  async authorize(actor: Actor, role: Role): Promise<Decision> {
    for (const granting of IMPLIED[role]) {
      if (await this.holds(actor, granting)) return { ok: true };
    }
    return { ok: false, reason: `you are not listed as ${role === 'approver' ? 'an approver' : `an ${role}`} in the policy file.` };
  }

  async holds(actor: Actor, role: Role): Promise<boolean> {
    const person = this.personOf(actor);
    for (const member of this.policy.roles[role]) {
      if (await this.matches(member, actor, person)) return true;
    }
    return false;
  }

  private async matches(member: string, actor: Actor, person: Person | undefined): Promise<boolean> {
    if (member === '*') return true;
    const [kind, value] = [member.slice(0, member.indexOf(':')), member.slice(member.indexOf(':') + 1)];
    switch (kind) {
      case 'slack':
      case 'teams':
      case 'web':
        return actor.platform === kind && actor.id === value;
      case 'slack-group':
        return actor.platform === 'slack' && (actor.groups ?? []).includes(value);
      case 'person':
        return person?.name === value;
      case 'ad-group':
        return (await this.adGroups(person?.ad ?? actor.email)).some((g) => g.toLowerCase() === value.toLowerCase());
      default:
        return false;
    }
  }

  private async adGroups(id: string | undefined): Promise<string[]> {
    if (!id || !this.relay) return [];
    const cached = this.adCache.get(id);
    if (cached && this.now() - cached.at < AD_CACHE_MS) return cached.groups;
    try {
      const { user } = await this.relay.call('directory.user', { id });
      const groups = user?.groups ?? [];
      this.adCache.set(id, { at: this.now(), groups });
      return groups;
    } catch {
      // AD unreachable: deny rather than guess; the next click asks again.
      return [];
    }
  }
}
