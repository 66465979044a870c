import { describe, expect, it } from 'vitest';
import type { Authorizer, Role } from '../../../src/core/authorizer.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { AuditEntry, CoreExtension } from '../../../src/core/registry.js';
import { textReply } from '../../../src/core/reply.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { MemoryCoreStore } from '../../helpers/fakes.js';
import type { RelayClient } from '../../../src/relay/relay-client.js';

// An extension written here, in the test, adds a command and a button to the real core: no file
// under src/core names them. The core parses the command with the extension's parser, enforces
// the role each declared, runs the identity resolvers before the role, and hands refusals to
// the registered audit sink.

/** Roles by Slack-style group: operators are members of group S-OPS. */
const byGroup: Authorizer = {
  channelAllowed: async (c) => c.channelId !== 'closed',
  authorize: async (actor, role: Role) => (role === 'viewer' || (actor.groups ?? []).includes('S-OPS') ? { ok: true } : { ok: false, reason: `${actor.id} is in no operator group.` }),
};

/** Nothing here reaches the relay. */
const noRelay: RelayClient = { description: 'none', call: () => Promise.reject(new Error('no relay in this test')) };

function setUp() {
  const audited: AuditEntry[] = [];
  const clicks: string[] = [];
  const stamp: CoreExtension = {
    name: 'stamp',
    register(r) {
      r.command<{ label: string }>({
        name: 'stamp',
        word: 'stamp',
        role: 'viewer',
        parse: (args) => (args.length === 1 ? { ok: true, value: { label: args[0]! } } : { ok: false, message: 'stamp takes one label. Example: stamp hello' }),
        handle: async (ctx, { label }) => {
          await ctx.event.ack();
          await ctx.adapter.post(ctx.event.conversation, { header: `Stamp ${label}`, buttons: [{ action: 'stamp-it', label: 'Stamp it', recordId: `st_${label}` }] });
        },
        help: '/stamp hello — a card with a Stamp it button.',
        example: 'stamp hello',
        suggest: true,
      });
      r.action({
        name: 'stamp-it',
        role: 'operator',
        refusal: { purpose: 'to stamp', suffix: 'Nothing was stamped.', audit: 'stamp.refused' },
        handle: async (ctx, click) => {
          clicks.push(`${ctx.event.actor.id}:${click.recordId}`);
          await ctx.event.ack(textReply(`Stamped ${click.recordId}.`, { ephemeral: true }));
        },
      });
      // Identity: group membership from somewhere other than the adapter.
      r.identify(async (actor) => (actor.id === 'olga' ? { ...actor, groups: ['S-OPS'] } : actor));
      r.auditWith(async (entry) => {
        audited.push(entry);
      });
    },
  };
  const chat = new FakeChat();
  const core = createBotCore({ relay: noRelay, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: byGroup, logger: silentLogger, eventWindowHours: 72, extensions: [stamp] });
  return { chat, core, audited, clicks };
}

const web = (id: string) => ({ platform: 'web' as const, id });

describe('an extension registers its own command and button', () => {
  it('parses, runs, lists in help and suggests the command; enforces the button\'s declared role', async () => {
    const { chat, core, audited, clicks } = setUp();
    await chat.start(core);
    await chat.command(web('vic'), 'stamp hello');
    const card = chat.withButton('stamp-it')!;
    expect(card.reply.header).toBe('Stamp hello');

    await chat.click(web('vic'), 'stamp-it', 'st_hello');
    expect(chat.lastTold('vic')).toBe('You need the operator role to stamp: vic is in no operator group. Nothing was stamped.');
    expect(clicks).toEqual([]);
    expect(audited).toEqual([{ actor: web('vic'), action: 'stamp.refused', subjectId: 'st_hello', outcome: 'refused', details: { reason: chat.lastTold('vic') } }]);

    // olga's group comes from the identity resolver, before the role is asked.
    await chat.click(web('olga'), 'stamp-it', 'st_hello');
    expect(chat.lastTold('olga')).toBe('Stamped st_hello.');
    expect(clicks).toEqual(['olga:st_hello']);
    expect(audited).toHaveLength(1);

    await chat.command(web('vic'), 'stamp');
    expect(chat.lastTold('vic')).toBe('stamp takes one label. Example: stamp hello');
    await chat.command(web('vic'), 'stomp');
    expect(chat.lastTold('vic')).toBe('Unknown command "stomp". Try: migration-check HV01 HV02, cluster-health HVCLUSTER01, stamp hello, or help.');
    await chat.command(web('vic'), 'help');
    expect(chat.private.get('vic')!.at(-1)!.sections![0]!.lines).toContain('/stamp hello — a card with a Stamp it button.');
  });

  it('the channel gate comes first: in a closed channel neither the command nor its role is asked', async () => {
    const { chat, core, audited } = setUp();
    await chat.start(core);
    await core.handle({ kind: 'command', text: 'stamp x', actor: web('vic'), conversation: { platform: 'web', channelId: 'closed' }, ack: async (r) => void chat.private.set('vic', [r!]) }, chat);
    expect(chat.lastTold('vic')).toBe('triage-bot is not enabled in this channel. Ask an admin to add it to the policy file.');
    expect(chat.messages).toEqual([]);
    expect(audited).toEqual([]);
  });

  it('a handler that throws is told as a short message, never a stack trace', async () => {
    const chat = new FakeChat();
    const boom: CoreExtension = { name: 'boom', register: (r) => r.command({ name: 'boom', word: 'boom', role: 'viewer', parse: () => ({ ok: true, value: {} }), handle: async () => Promise.reject(new Error('secret detail at /srv/x.ts:12')) }) };
    await chat.start(createBotCore({ relay: noRelay, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: byGroup, logger: silentLogger, eventWindowHours: 72, extensions: [boom] }));
    await chat.command(web('vic'), 'boom');
    expect(chat.lastTold('vic')).toBe('Something went wrong on our side; the details are in the bot log.');
  });
});
