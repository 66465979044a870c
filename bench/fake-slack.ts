import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Slack's side: the Web API (SLACK_API_URL points here) answers the methods
// the bot calls with ok JSON, and response_url hooks accept whatever is posted. It counts calls,
// so the benchmark can wait until the bot has finished the work the commands started.

export interface FakeSlack {
  apiUrl: string;
  hooksUrl: string;
  calls: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls = new Map<string, number>();
  let ts = 1_700_000_000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const method = path.startsWith('/api/') ? path.slice(5) : 'response_url';
      calls.set(method, (calls.get(method) ?? 0) + 1);
      const body = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(method, body, () => (ts += 1))));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/`,
    hooksUrl: `${base}/hooks`,
    calls,
    total: () => [...calls.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(method: string, body: Record<string, string>, nextTs: () => number): Record<string, unknown> {
  switch (method) {
    case 'auth.test':
      return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0BENCH', user: 'triage-bot' };
    case 'chat.postMessage':
      return { ok: true, channel: body.channel, ts: `${nextTs()}.000100` };
    case 'chat.update':
      return { ok: true, channel: body.channel, ts: body.ts };
    case 'chat.postEphemeral':
      return { ok: true, message_ts: `${nextTs()}.000200` };
    case 'response_url':
      return { ok: true };
    default:
      return { ok: false, error: 'unknown_method' };
  }
}
