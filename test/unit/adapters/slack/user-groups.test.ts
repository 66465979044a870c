import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackUserGroupsExtension } from '../../../../adapters/slack/user-groups.js';
import { identityExtensions } from '../../../../src/app/identity-extensions.js';
import { loadConfig } from '../../../../src/config/load.js';
import { PolicyAuthorizer } from '../../../../src/approvals/policy-authorizer.js';
import { parsePolicy } from '../../../../src/approvals/policy-load.js';
import { createBotCore } from '../../../../src/core/bot-core.js';
import type { Logger } from '../../../../src/core/logger.js';
import { silentLogger } from '../../../../src/core/logger.js';
import type { CoreExtension } from '../../../../src/core/registry.js';
import { textReply } from '../../../../src/core/reply.js';
import { fixedClock } from '../../../../src/kernel/clock.js';
import type { RelayClient } from '../../../../src/relay/relay-client.js';
import { FakeChat } from '../../../helpers/approvals/fake-chat.js';
import { MemoryCoreStore } from '../../../helpers/fakes.js';
import { API_URL, SlackApiFake } from '../../../helpers/slack/slack-fake.js';

// Slack user groups as the core's identity step: a policy that makes a Slack user group
// operators lets its members (read from usergroups.list, Slack's Web API faked with nock) past
// an operator-only command, and nobody else. One cached list call serves every actor.

const policy = parsePolicy(['roles:', '  viewer: ["*"]', '  operator: ["slack-group:S0HYPERV"]', '  approver: []'].join('\n'), 'test policy');
const noRelay: RelayClient = { description: 'none', call: () => Promise.reject(new Error('no relay in this test')) };
const opsOnly: CoreExtension = {
  name: 'ops-only',
  register: (r) => r.command({ name: 'drain', word: 'drain', role: 'operator', parse: () => ({ ok: true, value: {} }), handle: async (ctx) => ctx.event.ack(textReply('Drained.', { ephemeral: true })) }),
};

let api: SlackApiFake;
beforeEach(() => {
  api = new SlackApiFake();
  api.install();
});
afterEach(() => nock.cleanAll());

function bot(logger: Logger = silentLogger, groups: CoreExtension[] = [slackUserGroupsExtension({ botToken: 'xoxb-test', apiUrl: API_URL, logger, retryConfig: { retries: 0 } })]) {
  const chat = new FakeChat();
  const core = createBotCore({ relay: noRelay, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: new PolicyAuthorizer(policy), logger, eventWindowHours: 72, extensions: [opsOnly, ...groups] });
  void chat.start(core);
  return chat;
}
const slack = (id: string) => ({ platform: 'slack' as const, id });

describe('Slack user groups as an identity resolver', () => {
  it('lets a member of an operator group in, refuses a non-member, with one usergroups.list for both', async () => {
    const chat = bot();
    await chat.command(slack('U0ALICE'), 'drain');
    await chat.command(slack('U0CAROL'), 'drain');
    expect(chat.lastTold('U0ALICE')).toBe('Drained.');
    expect(chat.lastTold('U0CAROL')).toBe('You need the operator role for that: you are not listed as an operator in the policy file.');
    expect(api.callsOf('usergroups.list')).toHaveLength(1);
    expect(api.callsOf('usergroups.list')[0]!.body).toMatchObject({ include_users: 'true' });
  });

  it('does not ask Slack about people on other platforms', async () => {
    const chat = bot();
    await chat.command({ platform: 'web', id: 'U0ALICE' }, 'drain');
    expect(chat.lastTold('U0ALICE')).toMatch(/^You need the operator role/);
    expect(api.callsOf('usergroups.list')).toHaveLength(0);
  });

  it('without usergroups:read, groups stay unknown: refused (never let in), a warning logged, the event still answered', async () => {
    api.script('usergroups.list', { status: 200, body: { ok: false, error: 'missing_scope', needed: 'usergroups:read' } });
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const chat = bot(logger);
    await chat.command(slack('U0ALICE'), 'drain');
    expect(chat.lastTold('U0ALICE')).toBe('You need the operator role for that: you are not listed as an operator in the policy file.');
    expect(warnings).toContain('slack: could not read user groups (is usergroups:read granted?)');
  });
});

describe('wired from the configuration', () => {
  const env = { DATABASE_URL: 'sqlite::memory:', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: API_URL };

  it('SLACK_USER_GROUPS=true puts the lookup in the chain', async () => {
    const chat = bot(silentLogger, identityExtensions(loadConfig({ ...env, SLACK_USER_GROUPS: 'true' }), policy, silentLogger));
    await chat.command(slack('U0ALICE'), 'drain');
    expect(chat.lastTold('U0ALICE')).toBe('Drained.');
    expect(api.callsOf('usergroups.list')).toHaveLength(1);
  });

  it('off (the default) with slack-group: roles in the policy: no lookup, and the start says those grants match nobody', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const chat = bot(silentLogger, identityExtensions(loadConfig(env), policy, logger));
    expect(warnings).toEqual(['the policy grants roles to Slack user groups (slack-group:), but SLACK_USER_GROUPS is off: those grants match nobody']);
    await chat.command(slack('U0ALICE'), 'drain');
    expect(chat.lastTold('U0ALICE')).toMatch(/^You need the operator role/);
    expect(api.callsOf('usergroups.list')).toHaveLength(0);
  });
});
