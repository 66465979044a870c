import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRelayClient } from '../../../src/relay/client.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { KEY_ID, SECRET, SpyBackend, startSpyRelay, tempDir } from './harness.js';

// A check over HTTPS must not pay a TLS handshake per request (issue 18): idle connections are
// kept for the next request, and when a burst needs many connections at once they resume the
// first one's TLS session instead of each making a full handshake. Counted on a real HTTPS relay:
// every 'secureConnection' is a handshake; isSessionReused() tells a resumption from a full one.

const dir = tempDir('relay-tls-reuse-');
const file = (name: string): string => path.join(dir, name);
let relay: RunningRelay;
let spy: SpyBackend;
const handshakes: Array<{ resumed: boolean }> = [];

beforeAll(async () => {
  // nock (set up for every test file) replaces http.request, and its pass-through to loopback
  // opens a connection per request: this file measures Node's own agent, so nock steps aside.
  nock.restore();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('server.key'), '-out', file('server.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  spy = new SpyBackend();
  ({ relay } = await startSpyRelay({ backend: spy, tls: { cert: readFileSync(file('server.pem')), key: readFileSync(file('server.key')) } }));
  relay.server.on('secureConnection', (socket: TLSSocket) => handshakes.push({ resumed: socket.isSessionReused() }));
});
afterAll(async () => {
  await relay.close();
  nock.activate();
});

const client = (extra: Partial<ConstructorParameters<typeof HttpRelayClient>[0]> = {}): HttpRelayClient =>
  new HttpRelayClient({ url: relay.url, keyId: KEY_ID, secret: SECRET, ca: readFileSync(file('server.pem')), timeoutMs: 10_000, readRetries: 0, ...extra });

const burst = (c: HttpRelayClient, n: number) => Promise.all(Array.from({ length: n }, (_, i) => c.call('host.security', { node: `HV${String(i).padStart(2, '0')}` })));

describe('HTTPS connection reuse', () => {
  it('sends 20 requests one after another over one connection', async () => {
    handshakes.length = 0;
    const c = client();
    for (let i = 0; i < 20; i++) await c.call('host.security', { node: 'HV01' });
    c.close();
    expect(handshakes).toHaveLength(1);
  });

  it('a burst of 40 at once makes one full handshake; the other connections resume its session, and the next burst opens none', async () => {
    // Each request held 50 ms at the relay, so the burst really needs many connections at once.
    spy.hook = () => new Promise((r) => setTimeout(r, 50));
    try {
      handshakes.length = 0;
      const c = client();
      await burst(c, 40);
      expect(handshakes.length).toBeGreaterThan(1);
      expect(handshakes.filter((h) => !h.resumed)).toHaveLength(1);
      const opened = handshakes.length;
      await burst(c, 40);
      expect(handshakes).toHaveLength(opened);
      c.close();
    } finally {
      spy.hook = undefined;
    }
  });

  it('without the priming (primeTlsSession: false) the same burst makes a full handshake per connection', async () => {
    spy.hook = () => new Promise((r) => setTimeout(r, 50));
    try {
      handshakes.length = 0;
      const c = client({ primeTlsSession: false });
      await burst(c, 40);
      c.close();
      expect(handshakes.filter((h) => !h.resumed).length).toBeGreaterThan(10);
    } finally {
      spy.hook = undefined;
    }
  });
});
