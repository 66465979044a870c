import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/approvals/policy-load.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { builtinExtension, whoamiExtension } from '../../../src/core/builtin-handlers.js';
import { buildCommandTable } from '../../../src/core/registry.js';
import type { Actor } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import type { ConversationRef } from '../../../src/kernel/refs.js';
import type { Reply } from '../../../src/core/reply.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { CountingRelayClient, MemoryCoreStore } from '../../helpers/fakes.js';

// whoami answers with the asker's ids as policy-file YAML. The proof that it is "ready to paste":
// the snippet, pasted into an empty policy, loads and grants that very person the operator role
// and enables that very channel.

/** A policy that lets nobody do anything, and the bot answer in one channel only. */
const LOCKED = 'channels: { slack: [C0OTHER], teams: [19:other], web: [other] }\nroles: { viewer: [], operator: [], approver: [] }\n';

async function ask(actor: Actor, conversation: ConversationRef, policy = LOCKED): Promise<{ told: Reply[]; relay: CountingRelayClient }> {
  const relay = new CountingRelayClient({ description: 'none', call: () => Promise.reject(new Error('whoami must not call the relay')) } as never);
  const core = createBotCore({ relay, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: new PolicyAuthorizer(parsePolicy(policy, 'p.yaml')), logger: silentLogger, eventWindowHours: 72 });
  const chat = new FakeChat();
  const told: Reply[] = [];
  await core.handle({ kind: 'mention', text: 'whoami', actor, conversation, ack: async (r) => void (r && told.push(r)) }, chat);
  expect(chat.messages).toEqual([]);
  return { told, relay };
}

const snippet = (reply: Reply) => reply.sections!.find((s) => s.title.startsWith('Paste into the policy file'))!.lines.join('\n');

describe('whoami', () => {
  it('parses alone, and refuses arguments', () => {
    const table = buildCommandTable([builtinExtension, whoamiExtension]);
    expect(table.parse('whoami')).toMatchObject({ ok: true, spec: { name: 'whoami' }, value: {} });
    expect(table.parse('whoami U0BOB')).toMatchObject({ ok: false, message: expect.stringContaining('whoami takes nothing') });
  });

  it.each<[string, Actor, ConversationRef]>([
    ['Slack', { platform: 'slack', id: 'U0ALICE', displayName: 'alice', groups: ['S0ONCALL'] }, { platform: 'slack', channelId: 'C0INCIDENT' }],
    ['Teams', { platform: 'teams', id: '8f1c2d3e-0000-4000-8000-000000000001', displayName: 'Ada Admin', email: 'ada@contoso.com' }, { platform: 'teams', channelId: '19:ops@thread.tacv2' }],
    ['the web console', { platform: 'web', id: 'vera' }, { platform: 'web', channelId: 'incident' }],
  ])('on %s: answered to a person with no role in a channel not enabled, only to them, with YAML that grants them once pasted', async (_name, actor, conversation) => {
    const { told, relay } = await ask(actor, conversation);
    expect(told).toHaveLength(1);
    const reply = told[0]!;
    expect(reply.ephemeral).toBe(true);
    expect(reply.verdict?.text).toContain(`You are ${actor.platform} user ${actor.id}`);
    expect(reply.verdict?.text).toMatch(/Your roles here: none\.$/);
    expect(reply.facts).toContainEqual({ label: 'This channel', value: `${conversation.platform}: ${conversation.channelId}` });
    expect(relay.counts.size).toBe(0);

    const pasted = parsePolicy(snippet(reply), 'pasted.yaml');
    const authz = new PolicyAuthorizer(pasted);
    expect(await authz.authorize(actor, 'operator')).toEqual({ ok: true });
    expect(await authz.authorize({ platform: actor.platform, id: `${actor.id}X` }, 'operator')).toMatchObject({ ok: false });
    expect(await authz.channelAllowed(conversation)).toBe(true);
    expect(await authz.channelAllowed({ ...conversation, channelId: 'elsewhere' })).toBe(false);
    // Each line stands alone (a renderer may show lines without their indentation).
    expect(snippet(reply).split('\n').every((l) => /^[a-z]+: /.test(l))).toBe(true);
    if (actor.groups) expect(snippet(reply)).toContain(`"slack-group:${actor.groups[0]}"`);
    if (actor.email) expect(pasted.people[0]!.ad).toBe(actor.email);
  });

  it('tells a person the roles they hold', async () => {
    const { told } = await ask({ platform: 'slack', id: 'U0BOB' }, { platform: 'slack', channelId: 'C0INCIDENT' }, 'roles: { viewer: ["*"], operator: ["slack:U0BOB"], approver: [] }\n');
    expect(told[0]!.verdict?.text).toMatch(/Your roles here: viewer, operator\.$/);
  });

  it('says when an id cannot go into the policy file instead of offering YAML that would not load', async () => {
    const { told } = await ask({ platform: 'teams', id: '29:1user' }, { platform: 'teams', channelId: '19:ops' });
    expect(snippet(told[0]!)).toMatch(/cannot be used in the policy file/);
  });
});
