import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, maskedConfig } from '../../../src/config/load.js';

const SECRET = 'a'.repeat(40);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('runs on its embedded defaults: lab mode, SQLite, web console on 3000', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('lab');
    expect(c.labScenario).toBe('lab/default.yaml');
    expect(c.store.databaseUrl).toBe('sqlite:./data/triage.db');
    expect(c.web.port).toBe(3000);
    expect(c.slack).toBeUndefined();
    expect(c.teams).toBeUndefined();
  });

  it('names the variable and the fix for an invalid value', () => {
    const [p] = problems({ RELAY_TIMEOUT_MS: 'soon' });
    expect(p).toMatch(/^RELAY_TIMEOUT_MS: .*\(got "soon"\)\. Timeout of one relay request\.$/);
  });

  it('reports every problem at once, and production needs the relay and keys', () => {
    const ps = problems({ TRIAGE_MODE: 'production', LOG_LEVEL: 'loud' });
    expect(ps.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
    expect(ps.some((p) => p.startsWith('RELAY_URL is required in production mode'))).toBe(true);
    expect(ps.some((p) => p.startsWith('RELAY_KEY_SECRET is required'))).toBe(true);
    expect(ps.some((p) => p.startsWith('APPROVAL_SIGNING_KEY is required'))).toBe(true);
  });

  it('never echoes a secret value in an error', () => {
    const ps = problems({ RELAY_KEY_SECRET: 'short-secret-value' });
    expect(ps).toHaveLength(1);
    expect(ps[0]).toContain('RELAY_KEY_SECRET');
    expect(ps[0]).not.toContain('short-secret-value');
  });

  it('masks secrets in the printable config', () => {
    const shown = maskedConfig({ RELAY_KEY_SECRET: SECRET, RELAY_URL: 'https://relay.test' });
    expect(shown).toEqual({ RELAY_KEY_SECRET: '***', RELAY_URL: 'https://relay.test' });
  });

  it('parses several relay keys for rotation', () => {
    const c = loadConfig({ RELAY_KEYS: `old:${SECRET},new:${'b'.repeat(40)}` });
    expect([...c.relayServer.keys.keys()]).toEqual(['old', 'new']);
  });

  it('reads a key\'s scope from a trailing :read or :write, which is never part of the secret', () => {
    const c = loadConfig({ RELAY_KEYS: `bot:${SECRET}:write,monitor:${'b'.repeat(40)}:read,legacy:${'c'.repeat(40)}` });
    expect(c.relayServer.keys).toEqual(new Map([['bot', SECRET], ['monitor', 'b'.repeat(40)], ['legacy', 'c'.repeat(40)]]));
    expect(c.relayServer.keyScopes).toEqual(new Map([['bot', 'write'], ['monitor', 'read']]));
  });

  it('requires the Slack token that matches the mode', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([expect.stringMatching(/^SLACK_APP_TOKEN is required when SLACK_MODE=socket/)]);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_MODE: 'http' })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET is required when SLACK_MODE=http/)]);
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_MODE: 'http', SLACK_SIGNING_SECRET: 's' })).toEqual([]);
  });

  it('refuses an empty Teams app id outside lab mode', () => {
    const ps = problems({ TRIAGE_MODE: 'production', RELAY_URL: 'https://r.test', RELAY_KEY_SECRET: SECRET, APPROVAL_SIGNING_KEY: SECRET, POLICY_FILE: '/etc/triage/policy.yaml', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', TEAMS_APP_ID: '' });
    expect(ps).toEqual([expect.stringMatching(/^TEAMS_APP_ID is empty, which turns off Bot Framework authentication; that is allowed only with TRIAGE_MODE=lab/)]);
    expect(loadConfig({ TEAMS_APP_ID: '' }).teams?.appId).toBe('');
  });

  it('takes the Teams approver tag with its name, and PUBLIC_BASE_URL for report links', () => {
    const tag = 'MjQzMmI1N2ItMGFiZC00M2RiLWFhN2ItMTZlYWRkMTE1ZDM0';
    expect(problems({ TEAMS_APP_ID: '', TEAMS_APPROVER_TAG: tag })).toEqual([expect.stringMatching(/^TEAMS_APPROVER_TAG_NAME is required with TEAMS_APPROVER_TAG/)]);
    expect(problems({ TEAMS_APP_ID: '', TEAMS_APPROVER_TAG: '<at>x</at>', TEAMS_APPROVER_TAG_NAME: 'Approvers' }).join('\n')).toMatch(/TEAMS_APPROVER_TAG/);
    const c = loadConfig({ TEAMS_APP_ID: '', TEAMS_APPROVER_TAG: tag, TEAMS_APPROVER_TAG_NAME: 'Hyper-V approvers', PUBLIC_BASE_URL: 'https://triage.example.test' });
    expect(c.chat.teamsApproverTag).toEqual({ id: tag, name: 'Hyper-V approvers' });
    expect(c.teams?.publicBaseUrl).toBe('https://triage.example.test');
  });
});
