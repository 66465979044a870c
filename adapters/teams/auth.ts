import { readFileSync } from 'node:fs';
import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
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

// jsonwebtoken's errors for a bad signature, a malformed, expired or not-yet-valid token.
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * botbuilder answers 500 when the token itself is bad (wrong key, malformed, expired), because
 * jsonwebtoken's errors are not AuthenticationErrors. A bad token is the caller's fault: 401.
 */
export function strictAuthentication(inner: BotFrameworkAuthentication): BotFrameworkAuthentication {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'authenticateRequest' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          if (err instanceof Error && TOKEN_ERRORS.has(err.name)) throw new AuthenticationError(`Unauthorized: ${err.message}`, 401);
          throw err;
        }
      };
    },
  });
}

export function createBotAuthentication(teams: TeamsConfig, mode: Config['mode']): BotFrameworkAuthentication {
  return strictAuthentication(new ConfigurationBotFrameworkAuthentication(authOptions(teams, mode)));
}
