import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../../adapters/teams/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { FakeCore, TENANT, personalMessage, postActivity } from '../../helpers/teams/activities.js';
import { channelToken, fakeBotFrameworkOpenId, fakeEntraToken } from '../../helpers/teams/bot-framework-auth.js';

// A bot that proves itself to Entra ID with a certificate instead of a secret
// (TEAMS_CERT_THUMBPRINT + TEAMS_CERT_KEY_FILE): the token request carries a client assertion
// signed with the key from the file, and no client secret.

const APP_ID = '0b0b0b0b-1111-2222-3333-444444444444';
const THUMBPRINT = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';

describe('Teams adapter with a certificate credential', () => {
  const channel = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tokenRequests: string[] = [];
  const sent: string[] = [];
  let adapter: TeamsAdapter;

  beforeAll(async () => {
    fakeBotFrameworkOpenId(channel.publicKey);
    fakeEntraToken(TENANT, tokenRequests, 'cert-token-1');
    nock('https://smba.trafficmanager.net')
      .persist()
      .post(/\/amer\/v3\/conversations\/.*/)
      .reply(function () {
        sent.push(String(this.req.headers.authorization));
        return [200, { id: 'reply-1' }];
      });
    const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'teams-cert-')), 'teams.key');
    writeFileSync(keyFile, app.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const config = loadConfig({ TRIAGE_MODE: 'production', RELAY_URL: 'https://relay.example:8443', RELAY_KEY_SECRET: 'x'.repeat(64), APPROVAL_SIGNING_KEY: 'y'.repeat(64), POLICY_FILE: '/etc/triage/policy.yaml', TEAMS_APP_ID: APP_ID, TEAMS_CERT_THUMBPRINT: THUMBPRINT, TEAMS_CERT_KEY_FILE: keyFile, TEAMS_TENANT_ID: TENANT });
    adapter = createTeamsAdapter(config, { port: 0, host: '127.0.0.1' })!;
    await adapter.start(new FakeCore(async (event, a) => void (await a.post(event.conversation, { header: 'triage-bot', verdict: { status: 'info', text: 'hello' } }))));
  });

  afterAll(async () => {
    await adapter.stop();
    nock.cleanAll();
  });

  it('gets its outbound token with a signed client assertion, never a secret', async () => {
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(APP_ID, channel.privateKey)}` });
    await adapter.idle();
    expect(res.status).toBe(200);
    expect(sent).toEqual(['Bearer cert-token-1']);
    const request = new URLSearchParams(tokenRequests[0]);
    expect(request.get('client_id')).toBe(APP_ID);
    expect(request.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(request.has('client_secret')).toBe(false);
    // The assertion is a JWT signed with the key from TEAMS_CERT_KEY_FILE, naming the certificate.
    const [header, payload, signature] = request.get('client_assertion')!.split('.');
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as { alg: string; x5t?: string };
    expect(decoded.alg).toMatch(/^(RS|PS)256$/);
    expect(Buffer.from(decoded.x5t ?? '', 'base64url').toString('hex').toUpperCase()).toBe(THUMBPRINT);
    const padding = decoded.alg === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
    const valid = verify('sha256', Buffer.from(`${header}.${payload}`), { key: app.publicKey, ...padding }, Buffer.from(signature!, 'base64url'));
    expect(valid).toBe(true);
  });
});
