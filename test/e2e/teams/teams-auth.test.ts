import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../../adapters/teams/index.js';
import { loadConfig } from '../../../src/config/load.js';
import { FakeCore, TENANT, personalMessage, postActivity } from '../../helpers/teams/activities.js';
import { channelToken as signedToken, fakeBotFrameworkOpenId, fakeEntraToken } from '../../helpers/teams/bot-framework-auth.js';
import { createLogger } from '../../../src/core/logger.js';

// With an app id configured, Bot Framework authentication is on: inbound requests need a JWT
// signed by a key from the Bot Framework OpenID metadata, and outbound calls carry a token from
// Entra ID. Both ends are faked with nock; the validation code is botbuilder's own.

const APP_ID = '0a0a0a0a-1111-2222-3333-444444444444';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const channelToken = (key: KeyObject, claims: Record<string, unknown> = {}) => signedToken(APP_ID, key, claims);

describe('Teams adapter with Bot Framework authentication on', () => {
  let adapter: TeamsAdapter;
  const core = new FakeCore(async (event, a) => {
    await a.post(event.conversation, { header: 'triage-bot', verdict: { status: 'info', text: 'Commands: migration-check, cluster-health, help' } });
  });
  const tokenRequests: string[] = [];
  const logs: string[] = [];
  const sent: Array<{ auth: string | undefined }> = [];

  beforeAll(async () => {
    fakeBotFrameworkOpenId(publicKey);
    fakeEntraToken(TENANT, tokenRequests);
    nock('https://smba.trafficmanager.net')
      .persist()
      .post(/\/amer\/v3\/conversations\/.*/)
      .reply(function () {
        sent.push({ auth: this.req.headers.authorization as string | undefined });
        return [200, { id: 'reply-1' }];
      });
    const config = loadConfig({ TRIAGE_MODE: 'lab', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'client-secret', TEAMS_TENANT_ID: TENANT, TEAMS_PORT: '3978' });
    adapter = createTeamsAdapter(config, { port: 0, host: '127.0.0.1', logger: createLogger('debug', (l) => logs.push(l)) })!;
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

  it('rejects an expired token, and logs it as one warn line without a stack', async () => {
    const before = logs.length;
    const hourAgo = Math.floor(Date.now() / 1000) - 7200;
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(privateKey, { nbf: hourAgo, iat: hourAgo, exp: hourAgo + 600 })}` });
    await adapter.idle();
    expect(res.status).toBe(401);
    expect(core.events).toHaveLength(0);
    const shown = logs.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level !== 'debug');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ level: 'warn', status: 401, detail: 'The token has expired' });
    expect(logs.slice(before).join('\n')).not.toMatch(/\n\s+at |\\n\s+at /);
  });

  it('accepts a properly signed request and replies with an Entra ID token', async () => {
    const before = logs.length;
    const res = await postActivity(adapter.port, personalMessage('help'), { authorization: `Bearer ${channelToken(privateKey)}` });
    await adapter.idle();
    expect(res.status).toBe(200);
    expect(core.events.map((e) => e.text)).toEqual(['help']);
    expect(logs.slice(before)).toEqual([]);
    expect(sent).toEqual([{ auth: 'Bearer outbound-token-xyz' }]);
    expect(tokenRequests.join('\n')).toContain(`client_id=${APP_ID}`);
    expect(tokenRequests.join('\n')).toContain('scope=https%3A%2F%2Fapi.botframework.com%2F.default');
  });
});
