import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { HttpRelayClient, type HttpRelayClientOptions } from '../../../src/relay/client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { APPROVAL_KEY, KEY_ID, SAMPLE_RESULTS, SECRET, SpyBackend, startSpyRelay } from './harness.js';

// The bot's relay client against a real relay and against servers that misbehave on purpose:
// what the user is told when the relay is down, slow or talks nonsense, what is retried, and
// how many requests one host gets at a time.

function client(url: string, extra: Partial<HttpRelayClientOptions> = {}): HttpRelayClient {
  return new HttpRelayClient({ url, keyId: KEY_ID, secret: SECRET, timeoutMs: 5000, retryBaseMs: 10, ...extra });
}

async function failure(p: Promise<unknown>): Promise<RelayError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RelayError);
  return e as RelayError;
}

/** A server that answers each arrival with `respond(n)`; it counts arrivals. */
async function fakeServer(respond: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ url: string; arrivals: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => respond(n, req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals: () => n,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const writeParams = { node: 'HV01' };
const writeToken = (): string => mintApprovalToken({ key: APPROVAL_KEY, id: 'apr-1', op: 'host.purge-tickets', params: writeParams, ttlSeconds: 300, clock: systemClock });

describe('HttpRelayClient against a real relay', () => {
  let relay: RunningRelay;
  let spy: SpyBackend;
  beforeAll(async () => {
    ({ relay, spy } = await startSpyRelay());
  });
  afterAll(() => relay.close());
  beforeEach(() => {
    spy.calls.length = 0;
    spy.hook = undefined;
  });

  it('signs, sends the requester and returns the validated result', async () => {
    const c = client(relay.url);
    await expect(c.call('cluster.nodes', { cluster: 'CL01' }, { requester: 'slack:U1' })).resolves.toEqual(SAMPLE_RESULTS['cluster.nodes']);
    expect(spy.calls[0]!.ctx.requester).toBe('slack:U1');
    c.close();
  });

  it('carries a requester with non-ASCII characters or a newline safely', async () => {
    const c = client(relay.url);
    await c.call('host.vms', { node: 'HV01' }, { requester: 'teams:Zoë\nforged' });
    expect(spy.calls[0]!.ctx.requester).toBe('teams%3AZo%C3%AB%0Aforged');
    c.close();
  });

  it('refuses invalid parameters itself, before anything is sent', async () => {
    const c = client(relay.url);
    const e = await failure(c.call('host.security', { node: 'HV01;calc' }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toContain('node');
    expect(spy.calls).toHaveLength(0);
    c.close();
  });

  it('keeps the relay\'s error code and message, and one node\'s failure leaves the others\' results intact', async () => {
    spy.hook = (_op, params) => {
      if ((params as { node: string }).node === 'HV01') throw new RelayError('HOST_UNREACHABLE', 'HV01 did not answer on WinRM (5986)');
    };
    const c = client(relay.url);
    const [one, two] = await Promise.allSettled([c.call('host.security', { node: 'HV01' }), c.call('host.security', { node: 'HV02' })]);
    expect(one.status).toBe('rejected');
    const e = (one as PromiseRejectedResult).reason as RelayError;
    expect([e.code, e.message]).toEqual(['HOST_UNREACHABLE', 'HV01 did not answer on WinRM (5986)']);
    expect(two).toEqual({ status: 'fulfilled', value: SAMPLE_RESULTS['host.security'] });
    c.close();
  });

  it('times out a slow relay with a TIMEOUT naming the operation, without retrying', async () => {
    spy.hook = () => new Promise((r) => setTimeout(r, 3000));
    const c = client(relay.url, { timeoutMs: 200 });
    const started = Date.now();
    const e = await failure(c.call('host.events', { node: 'HV01', sinceHours: 24 }));
    expect(Date.now() - started).toBeLessThan(2000); // gave up long before the backend finished
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toBe(`the relay at ${relay.url} did not answer host.events within 200 ms`);
    expect(spy.calls).toHaveLength(1);
    c.close();
  });

  it('uses a per-operation timeout where one is set', async () => {
    spy.hook = () => new Promise((r) => setTimeout(r, 600));
    const c = client(relay.url, { timeoutMs: 5000, timeoutsByOp: { 'host.vms': 100 } });
    const e = await failure(c.call('host.vms', { node: 'HV01' }));
    expect(e.message).toBe(`the relay at ${relay.url} did not answer host.vms within 100 ms`);
    await expect(c.call('host.hotfixes', { node: 'HV01' })).resolves.toEqual(SAMPLE_RESULTS['host.hotfixes']);
    c.close();
  });

  it('caps requests in flight per host while other hosts proceed', async () => {
    const inFlight = new Map<string, number>();
    const maxFor = new Map<string, number>();
    let maxTotal = 0;
    let total = 0;
    spy.hook = async (_op, params) => {
      // A short name and its FQDN are one host, and share one cap.
      const node = (params as { node: string }).node.split('.')[0]!.toUpperCase();
      inFlight.set(node, (inFlight.get(node) ?? 0) + 1);
      total++;
      maxFor.set(node, Math.max(maxFor.get(node) ?? 0, inFlight.get(node)!));
      maxTotal = Math.max(maxTotal, total);
      await new Promise((r) => setTimeout(r, 150)); // long enough that a capped batch always overlaps
      inFlight.set(node, inFlight.get(node)! - 1);
      total--;
    };
    const c = client(relay.url, { concurrencyPerHost: 3 });
    const nodes = ['HV01', 'hv01.contoso.com', 'HV02'];
    await Promise.all(Array.from({ length: 30 }, (_, i) => c.call('host.hotfixes', { node: nodes[i % 3]! })));
    expect(spy.calls).toHaveLength(30);
    expect(maxFor.get('HV01')).toBe(3);
    expect(maxFor.get('HV02')).toBe(3);
    expect(maxTotal).toBe(6);
    c.close();
  });
});

describe('HttpRelayClient when the relay misbehaves', () => {
  it('reports a relay that is down as RELAY_UNAVAILABLE with the address and the cause', async () => {
    const s = await fakeServer(() => {});
    const url = s.url;
    await s.close();
    const c = client(url, { readRetries: 1 });
    const e = await failure(c.call('host.security', { node: 'HV01' }));
    expect(e.code).toBe('RELAY_UNAVAILABLE');
    expect(e.message).toBe(`the relay at ${url} did not answer: connection refused`);
    c.close();
  });

  for (const [what, body, status] of [
    ['HTML', '<html>502 Bad Gateway</html>', 502],
    ['JSON of another shape', '{"status":"fine"}', 200],
    ['a result that breaks the protocol', '{"ok":true,"result":{"os":42}}', 200],
    ['success with an error status', '{"ok":true,"result":{}}', 500],
  ] as const) {
    it(`reports ${what} as BAD_RESPONSE`, async () => {
      const s = await fakeServer((_n, _req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end(body));
      const c = client(s.url);
      const e = await failure(c.call('host.security', { node: 'HV01' }));
      expect(e.code).toBe('BAD_RESPONSE');
      expect(e.message).toContain(`the relay at ${s.url} answered host.security`);
      expect(s.arrivals()).toBe(1);
      c.close();
      await s.close();
    });
  }

  it('retries a read whose connection dropped, and succeeds', async () => {
    const s = await fakeServer((n, req, res) => {
      if (n === 1) req.socket.destroy();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: SAMPLE_RESULTS['host.security'] }));
    });
    const c = client(s.url, { readRetries: 2 });
    await expect(c.call('host.security', { node: 'HV01' })).resolves.toEqual(SAMPLE_RESULTS['host.security']);
    expect(s.arrivals()).toBe(2);
    c.close();
    await s.close();
  });

  it('retries a read answered 503 up to its limit, then reports the answer', async () => {
    const s = await fakeServer((_n, _req, res) => res.writeHead(503, { 'content-type': 'text/plain' }).end('busy'));
    const c = client(s.url, { readRetries: 2 });
    const e = await failure(c.call('host.security', { node: 'HV01' }));
    expect(e.code).toBe('BAD_RESPONSE');
    expect(s.arrivals()).toBe(3);
    c.close();
    await s.close();
  });

  it('never retries a write, even when the connection dropped', async () => {
    const s = await fakeServer((_n, req) => req.socket.destroy());
    const c = client(s.url, { readRetries: 5 });
    const e = await failure(c.call('host.purge-tickets', { ...writeParams, approval: writeToken() }));
    expect(e.code).toBe('RELAY_UNAVAILABLE');
    expect(s.arrivals()).toBe(1);
    c.close();
    await s.close();
  });
});
