import type { Actor } from '../core/events.js';
import type { PeopleStore } from '../store/store.js';
import type { PolicyAuthorizer } from './policy-authorizer.js';

// Who a person is, for the two-person rule: one key per human, whatever platform they click on.
// A person listed in the policy file (`people:` with their slack/teams/web ids) is
// `person:<name>`; identities linked in the store share the store's person id; anyone else is
// `<platform>:<user id>`. Display names never count.

export interface IdentitySources {
  store: Pick<PeopleStore, 'personOf' | 'identitiesOf'>;
  authorizer: Pick<PolicyAuthorizer, 'personOf'>;
}

export async function personKeyOf(actor: Actor, sources: IdentitySources): Promise<string> {
  const listed = sources.authorizer.personOf(actor);
  if (listed) return `person:${listed.name}`;
  const linked = await sources.store.personOf({ platform: actor.platform, userId: actor.id });
  // A store link to an identity the policy lists makes this the policy's person too.
  for (const identity of await sources.store.identitiesOf(linked)) {
    const person = sources.authorizer.personOf({ platform: identity.platform, id: identity.userId });
    if (person) return `person:${person.name}`;
  }
  return linked;
}

/** A person key as people read it: `person:adam` → `adam`; platform keys stay as they are. */
export function personLabel(key: string): string {
  return key.startsWith('person:') ? key.slice('person:'.length) : key;
}
