import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

// TRIAGE_MODE=production refuses to start without a chat surface or with the lab's policy file,
// naming the settings; what a complete production config needs is accepted.

const base = { TRIAGE_MODE: 'production', RELAY_URL: 'https://relay.example:8443', RELAY_KEY_SECRET: 'x'.repeat(64), APPROVAL_SIGNING_KEY: 'y'.repeat(64) };
const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };
const policy = { POLICY_FILE: '/etc/triage/policy.yaml' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('production fail-fast', () => {
  it('needs Slack or Teams: the web console does not count', () => {
    expect(problems({ ...base, ...policy, WEB_ENABLED: 'true' })).toEqual([expect.stringMatching(/^TRIAGE_MODE=production needs a chat surface: set SLACK_BOT_TOKEN .* or TEAMS_APP_ID/)]);
  });

  it('refuses the lab policy, by default and by any path into lab/policies', () => {
    for (const extra of [{} as Record<string, string>, { POLICY_FILE: 'lab/policies/default.yaml' }, { POLICY_FILE: './lab/policies/../policies/default.yaml' }, { POLICY_FILE: `${process.cwd()}/lab/policies/default.yaml` }]) {
      expect(problems({ ...base, ...slack, ...extra }), JSON.stringify(extra)).toEqual([expect.stringMatching(/^POLICY_FILE is the lab policy .*set POLICY_FILE to it\.$/)]);
    }
  });

  it('reports both at once, with the other problems', () => {
    const ps = problems({ TRIAGE_MODE: 'production' });
    expect(ps.map((p) => p.split(/[ :]/)[0])).toEqual(['RELAY_URL', 'RELAY_KEY_SECRET', 'APPROVAL_SIGNING_KEY', 'TRIAGE_MODE=production', 'POLICY_FILE']);
  });

  it('accepts Slack or Teams with a policy of its own', () => {
    expect(problems({ ...base, ...slack, ...policy })).toEqual([]);
    expect(problems({ ...base, ...policy, TEAMS_APP_ID: 'app', TEAMS_APP_PASSWORD: 'pw', TEAMS_TENANT_ID: 't' })).toEqual([]);
  });

  it('a policy file that does not exist stops the start, naming POLICY_FILE: no fallback to the lab policy', async () => {
    const env = { ...process.env, ...base, ...slack, SLACK_MODE: 'socket', POLICY_FILE: '/nonexistent/triage/policy.yaml', DATABASE_URL: 'sqlite::memory:', TEAMS_APP_ID: '', OPS_ENABLED: 'false' };
    delete (env as Record<string, string | undefined>).TEAMS_APP_ID;
    const err = await promisify(execFile)(process.execPath, ['bin/triage-bot.mjs'], { env }).catch((e: unknown) => e as { code: number; stderr: string; stdout: string });
    expect(err).toMatchObject({ code: 1 });
    const { stderr, stdout } = err as { stderr: string; stdout: string };
    expect(stderr).toContain('POLICY_FILE=/nonexistent/triage/policy.yaml: no such file. The bot does not start without its policy file');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('npm start exits 1 with the settings named, before opening anything', async () => {
    const err = await promisify(execFile)(process.execPath, ['bin/triage-bot.mjs'], { env: { ...process.env, ...base, DATABASE_URL: 'sqlite::memory:', SLACK_BOT_TOKEN: '', TEAMS_APP_ID: '' } }).catch((e: unknown) => e as { code: number; stderr: string; stdout: string });
    expect(err).toMatchObject({ code: 1 });
    const { stderr, stdout } = err as { stderr: string; stdout: string };
    expect(stderr).toContain('Configuration is not valid');
    expect(stderr).toContain('needs a chat surface');
    expect(stderr).toContain('POLICY_FILE is the lab policy');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });
});
