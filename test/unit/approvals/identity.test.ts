import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { personKeyOf, personLabel } from '../../../src/approvals/identity.js';
import { parsePolicy } from '../../../src/approvals/policy-load.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';

// One key per human for the two-person rule: policy-linked ids, store-linked ids, and a store
// link to an id the policy lists all resolve to the same person; display names never count.

const policy = parsePolicy(
  `people:
  - { name: olivia, web: olivia, slack: U0OLIVIA }
roles: { viewer: ["*"], operator: [], approver: [] }
`,
  'p.yaml',
);
const authorizer = new PolicyAuthorizer(policy);
let store: Store;

beforeEach(async () => {
  store = await openStore('sqlite::memory:');
});
afterEach(async () => store.close());

describe('personKeyOf', () => {
  it('gives a policy person one key on every platform', async () => {
    const sources = { store, authorizer };
    expect(await personKeyOf({ platform: 'web', id: 'olivia' }, sources)).toBe('person:olivia');
    expect(await personKeyOf({ platform: 'slack', id: 'U0OLIVIA', displayName: 'Someone Else' }, sources)).toBe('person:olivia');
  });

  it('follows identity links kept in the store, including links to a policy person', async () => {
    const sources = { store, authorizer };
    const now = new Date();
    await store.linkIdentities({ platform: 'teams', userId: 'aad-olivia-0001' }, { platform: 'slack', userId: 'U0OLIVIA' }, 'admin', now);
    expect(await personKeyOf({ platform: 'teams', id: 'aad-olivia-0001' }, sources)).toBe('person:olivia');

    await store.linkIdentities({ platform: 'teams', userId: 'aad-bob-0002' }, { platform: 'slack', userId: 'U0BOB' }, 'admin', now);
    const bobTeams = await personKeyOf({ platform: 'teams', id: 'aad-bob-0002' }, sources);
    expect(bobTeams).toBe(await personKeyOf({ platform: 'slack', id: 'U0BOB' }, sources));
    expect(bobTeams).not.toBe('person:olivia');
  });

  it('keeps unlinked people apart, even with the same display name', async () => {
    const sources = { store, authorizer };
    const a = await personKeyOf({ platform: 'slack', id: 'U0AAA', displayName: 'Sam' }, sources);
    const b = await personKeyOf({ platform: 'teams', id: 'aad-sam-0003', displayName: 'Sam' }, sources);
    expect([a, b]).toEqual(['slack:U0AAA', 'teams:aad-sam-0003']);
    expect(personLabel('person:olivia')).toBe('olivia');
    expect(personLabel('slack:U0AAA')).toBe('slack:U0AAA');
  });
});
