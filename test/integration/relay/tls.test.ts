import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { KEY_ID, SECRET, SpyBackend, startSpyRelay, tempDir } from './harness.js';

// HTTPS with a certificate made here with openssl, client certificates (mTLS), and the rule
// that plain HTTP is only for loopback.

const dir = tempDir('relay-tls-');
const file = (name: string): string => path.join(dir, name);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function selfSigned(name: string, cn: string, ...ext: string[]): void {
  openssl('req', '-x509', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '2', '-subj', `/CN=${cn}`, ...ext.flatMap((e) => ['-addext', e]));
}

beforeAll(() => {
  selfSigned('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth');
  selfSigned('ca', 'bot client CA', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign');
  openssl('req', '-new', ...EC, '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', '/CN=triage-bot');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', file('client.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('client.pem'), '-days', '2', '-extfile', file('client.ext'));
  selfSigned('rogue', 'rogue client', 'extendedKeyUsage=clientAuth');
});

const read = (name: string): Buffer => readFileSync(file(name));

function client(url: string, extra: Partial<ConstructorParameters<typeof HttpRelayClient>[0]> = {}): HttpRelayClient {
  return new HttpRelayClient({ url, keyId: KEY_ID, secret: SECRET, timeoutMs: 5000, readRetries: 0, ...extra });
}

async function refusal(p: Promise<unknown>): Promise<RelayError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RelayError);
  return e as RelayError;
}

describe('HTTPS', () => {
  let relay: RunningRelay;
  let spy: SpyBackend;
  beforeAll(async () => {
    ({ relay, spy } = await startSpyRelay({ tls: { cert: read('server.pem'), key: read('server.key') } }));
  });
  afterAll(() => relay.close());

  it('serves signed operations over TLS to a client that trusts the certificate', async () => {
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const c = client(relay.url, { ca: read('server.pem') });
    await expect(c.call('host.security', { node: 'HV01' })).resolves.toMatchObject({ os: 'Windows Server 2022' });
    c.close();
    expect(spy.calls).toHaveLength(1);
  });

  it('tells the user to set RELAY_CA_FILE when the certificate is not trusted', async () => {
    const c = client(relay.url);
    const e = await refusal(c.call('host.security', { node: 'HV01' }));
    c.close();
    expect(e.code).toBe('RELAY_UNAVAILABLE');
    expect(e.message).toMatch(/^the relay at https:\/\/127\.0\.0\.1:\d+ did not answer: its TLS certificate is not trusted .*RELAY_CA_FILE/);
  });
});

describe('mTLS', () => {
  let relay: RunningRelay;
  let spy: SpyBackend;
  beforeAll(async () => {
    ({ relay, spy } = await startSpyRelay({ tls: { cert: read('server.pem'), key: read('server.key'), clientCa: read('ca.pem') } }));
  });
  afterAll(() => relay.close());

  it('accepts a client presenting a certificate from the configured CA', async () => {
    const c = client(relay.url, { ca: read('server.pem'), cert: read('client.pem'), key: read('client.key') });
    await expect(c.call('host.vms', { node: 'HV01' })).resolves.toEqual({ vms: [{ name: 'web01', state: 'Running' }] });
    c.close();
  });

  it('refuses a client without a certificate before any request is read', async () => {
    spy.calls.length = 0;
    const c = client(relay.url, { ca: read('server.pem') });
    const e = await refusal(c.call('host.vms', { node: 'HV01' }));
    c.close();
    expect(e.code).toBe('RELAY_UNAVAILABLE');
    expect(e.message).toMatch(/may require a client certificate \(RELAY_CLIENT_CERT, RELAY_CLIENT_KEY\)/);
    expect(spy.calls).toHaveLength(0);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    spy.calls.length = 0;
    const c = client(relay.url, { ca: read('server.pem'), cert: read('rogue.pem'), key: read('rogue.key') });
    const e = await refusal(c.call('host.vms', { node: 'HV01' }));
    c.close();
    expect(e.code).toBe('RELAY_UNAVAILABLE');
    expect(spy.calls).toHaveLength(0);
  });
});

describe('plain HTTP', () => {
  it('refuses to start on a non-loopback address, saying which settings fix it', async () => {
    await expect(startSpyRelay({ host: '0.0.0.0' })).rejects.toThrow(/refusing to serve plain HTTP on 0\.0\.0\.0.*RELAY_TLS_CERT and RELAY_TLS_KEY.*127\.0\.0\.1/);
    await expect(startSpyRelay({ host: '192.0.2.10' })).rejects.toThrow(/refusing to serve plain HTTP/);
  });

  it('starts on loopback', async () => {
    const { relay } = await startSpyRelay({ host: '127.0.0.1' });
    expect(relay.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    await relay.close();
  });
});
