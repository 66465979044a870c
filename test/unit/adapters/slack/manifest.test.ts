import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SLASH_COMMANDS } from '../../../../adapters/slack/inbound.js';

// The manifest a user pastes into api.slack.com must declare what the adapter listens for, and
// ask for no scope the adapter does not use.

const manifest = parse(readFileSync(path.resolve(import.meta.dirname, '../../../../manifests/slack/manifest.yml'), 'utf8')) as {
  features: { slash_commands: Array<{ command: string; usage_hint?: string; description: string }>; bot_user: { display_name: string } };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
};

describe('manifests/slack/manifest.yml', () => {
  it('declares exactly the slash commands the adapter handles, each with a usage hint', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(SLASH_COMMANDS.map((c) => `/${c}`).sort());
    for (const c of manifest.features.slash_commands) expect(c.usage_hint, c.command).toBeTruthy();
    expect(manifest.features.slash_commands.find((c) => c.command === '/migration-check')!.usage_hint).toContain('HV01 HV02');
  });

  it('asks for the minimum bot scopes and no user scopes', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['app_mentions:read', 'chat:write', 'commands', 'files:write']);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('subscribes to app_mention, turns interactivity and Socket Mode on', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_mention']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
