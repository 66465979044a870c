import { describe, expect, it } from 'vitest';
import { authOptions } from '../../../../adapters/teams/auth.js';
import { createTeamsAdapter } from '../../../../adapters/teams/index.js';
import { ConfigError, loadConfig } from '../../../../src/config/load.js';

const production = { TRIAGE_MODE: 'production', RELAY_URL: 'https://relay.example:8443', RELAY_KEY_SECRET: 'x'.repeat(64), APPROVAL_SIGNING_KEY: 'y'.repeat(64), POLICY_FILE: '/etc/triage/policy.yaml' };

describe('Teams authentication settings', () => {
  it('config refuses an empty app id outside lab mode, naming the setting', () => {
    expect(() => loadConfig({ ...production, TEAMS_APP_ID: '' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, TEAMS_APP_ID: '' })).toThrow(/TEAMS_APP_ID is empty.*TRIAGE_MODE=lab/);
  });

  it('config allows an empty app id in lab mode, and the adapter then runs without Bot Framework auth', () => {
    const config = loadConfig({ TRIAGE_MODE: 'lab', TEAMS_APP_ID: '' });
    expect(config.teams?.appId).toBe('');
    expect(authOptions(config.teams!, 'lab')).toEqual({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' });
    expect(createTeamsAdapter(config)).toBeDefined();
  });

  it('an unauthenticated (lab) endpoint listens on loopback only', async () => {
    const adapter = createTeamsAdapter(loadConfig({ TRIAGE_MODE: 'lab', TEAMS_APP_ID: '', TEAMS_PORT: '3978' }), { port: 0 })!;
    await adapter.start({ handle: async () => {} });
    const address = adapter.address;
    await adapter.stop();
    expect(address?.address).toBe('127.0.0.1');
  });

  it('the adapter refuses an empty app id outside lab mode even if handed such a config', () => {
    expect(() => authOptions({ appId: '', appType: 'SingleTenant', port: 3978 }, 'production')).toThrow(/allowed only with TRIAGE_MODE=lab/);
  });

  it('is single-tenant by default with a client secret', () => {
    const config = loadConfig({ ...production, TEAMS_APP_ID: 'app-1', TEAMS_APP_PASSWORD: 'secret', TEAMS_TENANT_ID: 'tenant-1' });
    expect(authOptions(config.teams!, config.mode)).toEqual({ MicrosoftAppId: 'app-1', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant-1', MicrosoftAppPassword: 'secret' });
    expect(() => loadConfig({ ...production, TEAMS_APP_ID: 'app-1', TEAMS_APP_PASSWORD: 'secret' })).toThrow(/TEAMS_TENANT_ID is required/);
  });

  it('reads the certificate key file when a thumbprint is configured', () => {
    const teams = { appId: 'app-1', appType: 'SingleTenant' as const, tenantId: 't', certThumbprint: 'ABCD', certKeyFile: '/etc/triage/teams.key', port: 3978 };
    const opts = authOptions(teams, 'production', (p) => `PEM from ${p}`);
    expect(opts).toMatchObject({ CertificateThumbprint: 'ABCD', CertificatePrivateKey: 'PEM from /etc/triage/teams.key' });
    expect(opts.MicrosoftAppPassword).toBeUndefined();
  });
});
