import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertIntake } from '../../../src/alerts/alert-intake.js';
import { sourceSecrets } from '../../../src/alerts/alert-auth.js';
import { startAlertServer } from '../../../src/alerts/alert-server.js';
import { alertsPolicySchema } from '../../../src/approvals/alert-policy-schema.js';
import { silentLogger } from '../../../src/core/logger.js';
import { systemClock } from '../../../src/kernel/clock.js';
import { openStore } from '../../../src/store/open-store.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import type { Store } from '../../../src/store/store.js';
import { allowAll } from '../../helpers/fakes.js';

// The alert listener over TLS with a certificate made here, and the rule that plain HTTP is only
// for loopback (alerts carry bearer tokens).

const dir = mkdtempSync(path.join(tmpdir(), 'alerts-tls-'));
const file = (name: string) => path.join(dir, name);
const TOKEN = 'tls-token-0123456789abcdef0123456789abcdef';
const policy = alertsPolicySchema.parse({ sources: [{ name: 'am', format: 'alertmanager', auth: { bearerTokenEnv: 'T' } }], routes: [{ targets: [{ platform: 'slack', channelId: 'C1' }] }] });
let store: Store;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('a.key'), '-out', file('a.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  store = await openStore('sqlite::memory:');
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function intake(): AlertIntake {
  const relay = { description: 'none', call: () => Promise.reject(new Error('no relay in this test')) };
  return new AlertIntake({ policy, store, core: { relay, clock: systemClock, store: new StoreBackedCoreStore(store), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 }, adapters: [], owner: 'r' });
}

describe('alert listener transport', () => {
  it('serves HTTPS with the configured certificate and still authenticates', async () => {
    const server = await startAlertServer({ host: '127.0.0.1', port: 0, tlsCert: file('a.pem'), tlsKey: file('a.key'), maxBodyBytes: 1024, sources: sourceSecrets(policy.sources, { T: TOKEN }), intake: intake(), logger: silentLogger });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\/alerts$/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}?source=am`, { method: 'POST', ca: readFileSync(file('a.pem')), headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses plain HTTP on an address that is not loopback', async () => {
    await expect(startAlertServer({ host: '0.0.0.0', port: 0, maxBodyBytes: 1024, sources: [], intake: intake(), logger: silentLogger })).rejects.toThrow(/not a loopback address: set ALERTS_TLS_CERT and ALERTS_TLS_KEY/);
  });

  it('will not start with a secret that is missing or short', () => {
    expect(() => sourceSecrets(policy.sources, {})).toThrow(/T must hold a secret of at least 32 characters/);
    expect(() => sourceSecrets(policy.sources, { T: 'short' })).toThrow(/at least 32/);
  });
});
