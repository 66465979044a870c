import { createSign, type KeyObject } from 'node:crypto';
import nock from 'nock';
import { SERVICE_URL } from './activities.js';

// Both ends of Bot Framework authentication, faked with nock: the channel's OpenID metadata and
// signing key (inbound JWTs) and Entra ID's token endpoint (outbound client credentials).

export const KID = 'test-key-1';
const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** A JWT as the Bot Framework channel signs it for our bot. */
export function channelToken(appId: string, key: KeyObject, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }));
  const payload = b64url(JSON.stringify({ iss: 'https://api.botframework.com', aud: appId, serviceurl: SERVICE_URL, nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(key).toString('base64url')}`;
}

export function fakeBotFrameworkOpenId(publicKey: KeyObject): void {
  const jwk = publicKey.export({ format: 'jwk' });
  nock('https://login.botframework.com')
    .persist()
    .get('/v1/.well-known/openidconfiguration')
    .reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', id_token_signing_alg_values_supported: ['RS256'] })
    .get('/v1/.well-known/keys')
    .reply(200, { keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] });
}

/** Entra ID for a single-tenant app's client-credentials token; each token request body is recorded. */
export function fakeEntraToken(tenant: string, requests: string[], accessToken = 'outbound-token-xyz'): void {
  const base = `https://login.microsoftonline.com/${tenant}`;
  nock('https://login.microsoftonline.com')
    .persist()
    .get(new RegExp(`/${tenant}/v2.0/.well-known/openid-configuration`))
    .reply(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    })
    .get(/\/common\/discovery\/instance/)
    .reply(200, { tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`, metadata: [] })
    .post(new RegExp(`^/${tenant}/oauth2/v2.0/token(\\?.*)?$`))
    .reply(function (_uri, body) {
      requests.push(String(body));
      return [200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken }];
    });
}
