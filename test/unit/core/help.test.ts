import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ApprovalsDeps } from '../../../src/approvals/approvals-deps.js';
import { approvalsExtension } from '../../../src/approvals/extension.js';
import { builtinExtension, helpLines as linesFor, whoamiExtension } from '../../../src/core/builtin-handlers.js';
import { silentLogger } from '../../../src/core/logger.js';
import { buildCommandTable } from '../../../src/core/registry.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import type { Platform } from '../../../src/kernel/platform.js';
import { scheduleCommands } from '../../../src/scheduler/index.js';
import type { Store } from '../../../src/store/store.js';

// help lists only what works where it is asked: Slack's slash commands are those of its manifest,
// Teams has none (everything follows @triage-bot), the console takes /words.

// The commands as the running bot registers them (parsing and help never run a handler).
const table = buildCommandTable([
  builtinExtension,
  scheduleCommands({ store: {} as Store, clock: fixedClock('2026-11-20T09:00:00Z'), changed: () => undefined, logger: silentLogger }),
  approvalsExtension({} as ApprovalsDeps),
  whoamiExtension,
]);
const helpLines = (platform: Platform) => linesFor(table.helpLines, platform);

const MANIFEST = readFileSync(new URL('../../../manifests/slack/manifest.yml', import.meta.url), 'utf8');
const slashIn = (lines: string[]) => lines.flatMap((l) => [.../(?:^|\s)\/([a-z-]+)/g.exec(l) ?? []].slice(1));

describe('help per platform', () => {
  it('Slack: every slash command it shows is in the manifest; audit goes after @triage-bot', () => {
    const lines = helpLines('slack');
    for (const command of slashIn(lines)) expect(MANIFEST, `/${command}`).toContain(`- command: /${command}\n`);
    expect(lines.some((l) => l.startsWith('@triage-bot audit '))).toBe(true);
    expect(lines.some((l) => l.startsWith('@triage-bot whoami '))).toBe(true);
    expect(lines.some((l) => l.startsWith('/cluster-health HVCLUSTER01 schedule '))).toBe(true);
  });

  it('Teams: no slash commands at all', () => {
    const lines = helpLines('teams');
    expect(slashIn(lines)).toEqual([]);
    expect(lines[0]).toMatch(/^@triage-bot migration-check HV01 HV02/);
  });
});
