import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpLines } from '../../../src/core/builtin-handlers.js';

// help lists only what works where it is asked: Slack's slash commands are those of its manifest,
// Teams has none (everything follows @triage-bot), the console takes /words.

const MANIFEST = readFileSync(new URL('../../../manifests/slack/manifest.yml', import.meta.url), 'utf8');
const slashIn = (lines: string[]) => lines.flatMap((l) => [.../(?:^|\s)\/([a-z-]+)/g.exec(l) ?? []].slice(1));

describe('help per platform', () => {
  it('Slack: every slash command it shows is in the manifest; audit goes after @triage-bot', () => {
    const lines = helpLines('slack');
    for (const command of slashIn(lines)) expect(MANIFEST, `/${command}`).toContain(`- command: /${command}\n`);
    expect(lines.some((l) => l.startsWith('@triage-bot audit '))).toBe(true);
    expect(lines.some((l) => l.startsWith('/cluster-health HVCLUSTER01 schedule '))).toBe(true);
  });

  it('Teams: no slash commands at all', () => {
    const lines = helpLines('teams');
    expect(slashIn(lines)).toEqual([]);
    expect(lines[0]).toMatch(/^@triage-bot migration-check HV01 HV02/);
  });
});
