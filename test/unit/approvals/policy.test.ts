import { describe, expect, it } from 'vitest';
import { parsePolicy, loadPolicy } from '../../../src/approvals/policy-load.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import type { RelayClient } from '../../../src/relay/relay-client.js';
import type { Actor } from '../../../src/core/events.js';

const POLICY = `
channels:
  slack: [C0INCIDENT]
people:
  - { name: alice, slack: U0ALICE, teams: 8f1c2d3e-0000-4000-8000-000000000001, ad: alice@lab.test }
roles:
  viewer: ["*"]
  operator: ["person:alice", "slack-group:S0OPS"]
  approver: ["slack:U0BOB", "ad-group:CN=HV Approvers,OU=Groups,DC=lab,DC=test"]
`;

const slack = (id: string, groups: string[] = []): Actor => ({ platform: 'slack', id, groups });

describe('policy file', () => {
  it('names the line and field of a bad value', () => {
    const text = 'roles:\n  viewer: ["*"]\n  approver: ["slack:bob lower"]\n';
    expect(() => parsePolicy(text, 'policy.yaml')).toThrow(/^policy\.yaml:3: roles\.approver\[0\]: expected \*, slack:U…/);
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parsePolicy('roles:\n  viewer: [*\n', 'p.yaml')).toThrow(/^p\.yaml:\d+: /);
  });

  it('refuses a person: member that is not listed', () => {
    expect(() => parsePolicy('roles:\n  operator: ["person:zed"]\n', 'p.yaml')).toThrow('p.yaml: roles.operator: person:zed is not listed under people');
  });

  it('refuses unknown keys, so a typo never silently grants nothing', () => {
    expect(() => parsePolicy('roles:\n  aprover: ["*"]\n', 'p.yaml')).toThrow(/roles: Unrecognized key/);
  });

  it('ships a lab policy that loads', async () => {
    const policy = await loadPolicy('lab/policies/default.yaml');
    expect(policy.roles.approver).toEqual(['person:adam', 'person:sam']);
    // One person holds both roles, so the console shows the two-person rule, not only a role refusal.
    expect(policy.roles.operator.filter((m) => policy.roles.approver.includes(m))).toEqual(['person:sam']);
  });
});

describe('PolicyAuthorizer', () => {
  const directory: RelayClient = {
    description: 'fake',
    call: (async (op: string, params: { id: string }) => {
      if (op !== 'directory.user') throw new Error(op);
      return { user: params.id === 'carol@lab.test' ? { name: 'carol', upn: 'carol@lab.test', mail: null, userAccountControl: 512, sensitive: false, protectedUsers: false, groups: ['CN=HV Approvers,OU=Groups,DC=lab,DC=test'] } : null };
    }) as RelayClient['call'],
  };
  const authz = new PolicyAuthorizer(parsePolicy(POLICY, 'p.yaml'), directory);

  it('grants by stable id, group and linked person, never by display name', async () => {
    expect(await authz.authorize(slack('U0BOB'), 'approver')).toEqual({ ok: true });
    expect(await authz.authorize(slack('U0ALICE'), 'operator')).toEqual({ ok: true });
    expect(await authz.authorize({ platform: 'teams', id: '8f1c2d3e-0000-4000-8000-000000000001' }, 'operator')).toEqual({ ok: true });
    expect(await authz.authorize(slack('U0EVE', ['S0OPS']), 'operator')).toEqual({ ok: true });
    expect((await authz.authorize({ platform: 'slack', id: 'U0EVE', displayName: 'U0BOB' }, 'approver')).ok).toBe(false);
  });

  it('resolves AD groups through the relay (nested membership comes from the directory)', async () => {
    expect(await authz.authorize({ platform: 'teams', id: '00000000-0000-4000-8000-00000000000c', email: 'carol@lab.test' }, 'approver')).toEqual({ ok: true });
    expect((await authz.authorize({ platform: 'teams', id: '00000000-0000-4000-8000-00000000000d', email: 'dave@lab.test' }, 'approver')).ok).toBe(false);
  });

  it('an operator is a viewer but not an approver', async () => {
    expect(await authz.authorize(slack('U0ALICE'), 'viewer')).toEqual({ ok: true });
    const denied = await authz.authorize(slack('U0ALICE'), 'approver');
    expect(denied).toEqual({ ok: false, reason: 'you are not listed as an approver in the policy file.' });
  });

  it('answers only in the listed channels of a platform', async () => {
    expect(await authz.channelAllowed({ platform: 'slack', channelId: 'C0INCIDENT' })).toBe(true);
    expect(await authz.channelAllowed({ platform: 'slack', channelId: 'C0RANDOM' })).toBe(false);
    expect(await authz.channelAllowed({ platform: 'teams', channelId: 'anything' })).toBe(true);
  });
});
