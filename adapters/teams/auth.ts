import { readFileSync } from 'node:fs';
import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import type { Config } from '../../src/config/load.js';

// Bot Framework authentication from the typed config: app id with a client secret or a
// certificate, single-tenant by default. An empty app id turns authentication off, which is
// only ever allowed in lab mode (loadConfig refuses it otherwise; we check again here).

export type TeamsConfig = NonNullable<Config['teams']>;

export class TeamsAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeamsAuthError';
  }
}

export function authOptions(teams: TeamsConfig, mode: Config['mode'], readKey: (path: string) => string = (p) => readFileSync(p, 'utf8')): ConfigurationBotFrameworkAuthenticationOptions {
  if (teams.appId === '') {
    if (mode !== 'lab') throw new TeamsAuthError('TEAMS_APP_ID is empty, which turns off Bot Framework authentication; that is allowed only with TRIAGE_MODE=lab.');
    // MultiTenant with no id is the SDK's "authentication disabled" setting (SingleTenant demands an id).
    return { MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' };
  }
  const options: ConfigurationBotFrameworkAuthenticationOptions = { MicrosoftAppId: teams.appId, MicrosoftAppType: teams.appType };
  if (teams.tenantId) options.MicrosoftAppTenantId = teams.tenantId;
  if (teams.certThumbprint) {
    if (!teams.certKeyFile) throw new TeamsAuthError('TEAMS_CERT_KEY_FILE is required with TEAMS_CERT_THUMBPRINT.');
    options.CertificateThumbprint = teams.certThumbprint;
    options.CertificatePrivateKey = readKey(teams.certKeyFile);
  } else if (teams.appPassword) options.MicrosoftAppPassword = teams.appPassword;
  return options;
}

export function createBotAuthentication(teams: TeamsConfig, mode: Config['mode']): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(authOptions(teams, mode));
}
