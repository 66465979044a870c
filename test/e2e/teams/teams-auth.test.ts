import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../../adapters/teams/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { FakeCore, SERVICE_URL, TENANT, personalMessage, postActivity } from '../../helpers/teams/activities.js';

// With an app id configured, Bot Framework authentication is on: inbound requests need a JWT
// signed by a key from the Bot Framework OpenID metadata, and outbound calls carry a token from
// Entra ID. Both ends are faked with nock; the validation code is botbuilder's own.

const APP_ID = '0a0a0a0a-1111-2222-3333-444444444444';
const KID = 'test-key-1';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

function channelToken(key: KeyObject, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }));
  const payload = b64url(JSON.stringify({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(key).toString('base64url')}`;
}

function fakeBotFrameworkOpenId(): void {
  const jwk = publicKey.export({ format: 'jwk' });
  nock('https://login.botframework.com')
    .persist()
    .get('/v1/.well-known/openidconfiguration')
    .reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', id_token_signing_alg_values_supported: ['RS256'] })
    .get('/v1/.well-known/keys')
    .reply(200, { keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] });
}

describe('Teams adapter with Bot Framework authentication on', () => {
  let adapter: TeamsAdapter;
  const core = new FakeCore(async (event, a) => {
    await a.post(event.conversation, { header: 'triage-bot', verdict: { status: 'info', text: 'Commands: migration-check, cluster-health, help' } });
  });
  const tokenRequests: string[] = [];
  const logs: string[] = [];
  const sent: Array<{ auth: string | undefined }> = [];

  beforeAll(async () => {
    fakeBotFrameworkOpenId();
    // Entra ID for the outbound token (client credentials of a single-tenant app).
    nock('https://login.microsoftonline.com')
      .persist()
      .get(new RegExp(`/${TENANT}/v2.0/.well-known/openid-configuration`))
      .reply(200, {
        token_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
        issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
        jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`,
      })
      .get(/\/common\/discovery\/instance/)
      .reply(200, { tenant_discovery_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`, metadata: [] })
      .post(new RegExp(`^/${TENANT}/oauth2/v2.0/token(\\?.*)?$`))
      .reply(function (_uri, body) {
        tokenRequests.push(String(body));
        return [200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'outbound-token-xyz' }];
      });
    nock('https://smba.trafficmanager.net')
      .persist()
      .post(/\/amer\/v3\/conversations\/.*/)
      .reply(function () {
        sent.push({ auth: this.req.headers.authorization as string | undefined });
        return [200, { id: 'reply-1' }];
      });
    const config = loadConfig({ TRIAGE_MODE: 'lab', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'client-secret', TEAMS_TENANT_ID: TENANT, TEAMS_PORT: '3978' });
    adapter = createTeamsAdapter(config, { port: 0, host: '127.0.0.1', log: (m) => logs.push(m) })!;
    await adapter.start(core);
  });

  afterAll(async () => {
    await adapter.stop();
    nock.cleanAll();
  });

  it('rejects a request without a token with 401, and neither the core nor Teams hears of it', async () => {
    const res = await postActivity(adapter.port, personalMessage('help'));
    await adapter.idle();
    expect(res.status).toBe(401);
    expect(core.events).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  it('rejects a token signed by a key Bot Framework never published', async () => {
    const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(stranger)}` });
    await adapter.idle();
    expect(res.status).toBe(401);
    expect(core.events).toHaveLength(0);
  });

  it('rejects a valid signature for another bot (wrong audience)', async () => {
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(privateKey, { aud: 'someone-else' })}` });
    await adapter.idle();
    expect(res.status).toBe(401);
    expect(core.events).toHaveLength(0);
  });

  it('rejects an expired token', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 7200;
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(privateKey, { nbf: hourAgo, iat: hourAgo, exp: hourAgo + 600 })}` });
    await adapter.idle();
    expect(res.status).toBe(401);
    expect(core.events).toHaveLength(0);
  });

  it('accepts a properly signed request and replies with an Entra ID token', async () => {
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(privateKey)}` });
    await adapter.idle();
    expect(res.status).toBe(200);
    expect(core.events.map((e) => e.text)).toEqual(['help']);
    expect(logs).toEqual([]);
    expect(sent).toEqual([{ auth: 'Bearer outbound-token-xyz' }]);
    expect(tokenRequests.join('\n')).toContain(`client_id=${APP_ID}`);
    expect(tokenRequests.join('\n')).toContain('scope=https%3A%2F%2Fapi.botframework.com%2F.default');
  });
});
