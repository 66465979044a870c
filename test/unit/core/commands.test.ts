import { describe, expect, it } from 'vitest';
import { approvalsExtension } from '../../../src/approvals/extension.js';
import type { ApprovalsDeps } from '../../../src/approvals/approvals-deps.js';
import { builtinExtension, whoamiExtension } from '../../../src/core/builtin-handlers.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { allowAll, MemoryCoreStore } from '../../helpers/fakes.js';
import type { RelayClient } from '../../../src/relay/relay-client.js';
import { tokenize } from '../../../src/core/commands.js';
import { buildCommandTable, type CoreExtension } from '../../../src/core/registry.js';
import { scheduleCommands } from '../../../src/scheduler/index.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import type { Store } from '../../../src/store/store.js';

// The grammar people type, as the running bot registers it: the core's commands, the schedule
// sub-commands and `audit`, each parsed by the extension that owns it. Parsing never runs a
// handler, so the extensions get stand-in dependencies here.

const noStore = {} as Store;
const table = buildCommandTable([
  builtinExtension,
  scheduleCommands({ store: noStore, clock: fixedClock('2026-11-20T09:00:00Z'), changed: () => undefined, logger: silentLogger }),
  approvalsExtension({} as ApprovalsDeps),
  whoamiExtension,
]);

function parse(text: string): { name: string; value: unknown } | { message: string } {
  const parsed = table.parse(text);
  return parsed.ok ? { name: parsed.spec.name, value: parsed.value } : { message: parsed.message };
}

describe('the command grammar', () => {
  it.each([
    ['migration-check HV01 HV02', 'migration-check', { nodes: ['HV01', 'HV02'] }],
    ['migration-check hv01.lab.test HV02 HV03', 'migration-check', { nodes: ['hv01.lab.test', 'HV02', 'HV03'] }],
    ['migration-check HV01 HV02 initiator=alice@lab.test', 'migration-check', { nodes: ['HV01', 'HV02'], initiator: 'alice@lab.test' }],
    ['/Migration-Check HV01 HV02', 'migration-check', { nodes: ['HV01', 'HV02'] }],
    ['cluster-health', 'cluster-health', {}],
    ['cluster-health HVCLUSTER01', 'cluster-health', { cluster: 'HVCLUSTER01' }],
    ['cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet', 'cluster-health-schedule', { cluster: 'HVCLUSTER01', cron: '0 8 * * 1-5', tz: 'Europe/Paris', quiet: true }],
    ['cluster-health schedules', 'cluster-health-schedules', {}],
    ['cluster-health unschedule sc_1', 'cluster-health-unschedule', { id: 'sc_1' }],
    ['help', 'help', {}],
    ['', 'help', {}],
    ['audit pl_123', 'audit', { planId: 'pl_123' }],
    ['whoami', 'whoami', {}],
  ])('%s', (text, name, value) => {
    expect(parse(text)).toEqual({ name, value });
  });

  it.each([
    ['migration-check HV01', /^A migration check needs at least two nodes .* Example: migration-check HV01 HV02$/],
    ['migration-check HV01 hv01.lab.test', /^HV01 and hv01\.lab\.test name the same node twice\./],
    ['migration-check HV01 HV02;rm', /^"HV02;rm" is not a valid node name: it may contain only letters, digits, hyphens and dots\./],
    ['migration-check HV01 $(whoami)', /is not a valid node name/],
    ['migration-check HV01 ABCDEFGHIJKLMNOP', /longer than the 15 characters a NetBIOS name allows/],
    ['migration-check HV01 -HV02', /starts or ends with a hyphen/],
    ['migration-check HV01 HV02 initiator=alice', /^initiator= takes a UPN or mail address/],
    ['reboot HV01', /^Unknown command "reboot"\. Try: migration-check HV01 HV02, cluster-health HVCLUSTER01, or help\.$/],
    ['cluster-health CL1 schedule', /schedule needs a cron expression/],
    ['cluster-health CL1 schedule "* * * * *" loud', /^Unexpected "loud" after the cron expression\. Example: cluster-health HVCLUSTER01 schedule/],
    ['cluster-health CL1 now', /^Unexpected "now"\. Examples: cluster-health HVCLUSTER01 or cluster-health HVCLUSTER01 schedule "0 8 \* \* 1-5" tz=Europe\/Paris quiet$/],
    ['cluster-health bad!name schedule "* * * * *"', /^"bad!name" is not a valid cluster name: .* Example: cluster-health HVCLUSTER01$/],
    ['cluster-health unschedule', /^unschedule takes one schedule id, as listed by: cluster-health schedules$/],
    ['audit', /^audit takes one plan id\. Example: audit pl_4f2a9c$/],
  ])('refuses %s with a one-line explanation', (text, message) => {
    const result = parse(text);
    expect(result).toEqual({ message: expect.stringMatching(message) });
    expect((result as { message: string }).message).not.toContain('\n');
  });

  it('never echoes control characters back', () => {
    expect(parse('migration-check HV01 HV\u000702')).toEqual({ message: expect.stringContaining('"HV?02"') });
  });

  it('shows bidi overrides, isolates and zero-width characters as code points instead of echoing them', () => {
    const result = parse('migration-check HV01 HV\u202e20\u200b\u2066x\u200dy') as { message: string };
    expect(result.message).toContain('"HV<U+202E>20<U+200B><U+2066>x<U+200D>y"');
    expect(result.message).not.toMatch(/[\u202e\u200b\u2066\u200d]/);
    expect(parse('\u2067deploy\u2069 now')).toEqual({ message: expect.stringContaining('Unknown command "<U+2067>deploy<U+2069>"') });
  });

  it('keeps quoted cron expressions together, including typographic quotes from chat clients', () => {
    expect(tokenize('a "0 8 * * *" b')).toEqual(['a', '0 8 * * *', 'b']);
    expect(tokenize('a “0 8 * * *” b')).toEqual(['a', '0 8 * * *', 'b']);
  });

  it('lists each registered command in help, in registration order', () => {
    expect(table.helpLines).toEqual([
      '/migration-check HV01 HV02 [more nodes] [initiator=alice@contoso.com] — check live migration between nodes, in both directions.',
      '/cluster-health HVCLUSTER01 — the delegation matrix of a whole cluster, and what changed since the last run.',
      '/cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet — a scheduled health post in this channel (schedules, unschedule <id>).',
      '/audit pl_4f2a9c — the audit trail of a fix.',
      "whoami (after an @mention of the bot in Slack and Teams) — your ids and this channel's, ready to paste into the policy file.",
    ]);
  });

  it('without the scheduler, a schedule is not parsed as one (and nothing is scheduled)', () => {
    const core = buildCommandTable([builtinExtension]);
    const parsed = core.parse('cluster-health CL1 schedule "* * * * *"');
    expect(parsed).toEqual({ ok: false, message: 'Unexpected "schedule". Example: cluster-health HVCLUSTER01' });
  });
});

describe('registration clashes stop the start', () => {
  const extension = (name: string, register: CoreExtension['register']): CoreExtension => ({ name, register });
  const handle = async () => undefined;

  it('refuses a second owner of a button (the old silent override of rerun)', () => {
    const second = extension('health', (r) => r.action({ name: 'rerun', role: 'viewer', handle }));
    expect(() => buildCommandTable([builtinExtension, second])).toThrow('Button action "rerun" is registered by both builtins and health; each button has one owner.');
    // The core is built once, at start-up: the clash stops it there, before any event.
    const deps = { relay: {} as RelayClient, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 };
    expect(() => createBotCore({ ...deps, extensions: [second] })).toThrow(/Button action "rerun" is registered by both builtins and health/);
    expect(() => createBotCore(deps)).not.toThrow();
  });

  it('refuses a second owner of a command name, and a second default command on one word', () => {
    const sameName = extension('health', (r) => r.command({ name: 'cluster-health', word: 'health', role: 'viewer', parse: () => ({ ok: true, value: {} }), handle }));
    expect(() => buildCommandTable([builtinExtension, sameName])).toThrow('Command "cluster-health" is registered by both builtins and health; each command has one owner.');
    const sameWord = extension('health', (r) => r.command({ name: 'health-now', word: 'cluster-health', role: 'viewer', parse: () => ({ ok: true, value: {} }), handle }));
    expect(() => buildCommandTable([builtinExtension, sameWord])).toThrow(/Commands "cluster-health" \(builtins\) and "health-now" \(health\) both take every "cluster-health"/);
  });

  it('refuses an action name that cannot ride on the wire, and two presenters of cluster results', () => {
    const badName = extension('x', (r) => r.action({ name: 'Save Scenario', role: 'viewer', handle }));
    expect(() => buildCommandTable([badName])).toThrow(/cannot ride on the wire/);
    const present = async () => undefined;
    const twice = [extension('a', (r) => r.presentCluster(present)), extension('b', (r) => r.presentCluster(present))];
    expect(() => buildCommandTable(twice)).toThrow('Cluster results are presented by both a and b; only one may.');
  });
});
