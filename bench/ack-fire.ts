import { createHmac } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

// Child process of the ack benchmark: plays Slack. It signs every slash command (v0 with the
// signing secret, form-encoded as Slack sends them), opens one kept-alive connection per command
// and, once the bot has accepted all of them, writes every request in one go: a true burst. An
// ack's time runs from its request being written to the first bytes of the answer (Bolt writes
// status, headers and body at once). A separate process, and connections opened beforehand, so
// the load generator's own work on a busy 2-core machine is not counted against the bot.

interface Job {
  url: string;
  signingSecret: string;
  hooksUrl: string;
  count: number;
  /** Node names; command i checks the i-th pair of them, so the burst spreads over the cluster. */
  nodes: string[];
}

function signedCommand(job: Job, url: URL, i: number): string {
  const body = new URLSearchParams({
    token: 'benchtoken',
    team_id: 'T0BENCH',
    team_domain: 'bench',
    channel_id: 'C0INCIDENT',
    channel_name: 'incident-hyperv',
    user_id: `U0BENCH${i % 50}`,
    user_name: `oncall${i % 50}`,
    command: '/migration-check',
    text: `${job.nodes[(2 * i) % job.nodes.length]} ${job.nodes[(2 * i + 1) % job.nodes.length]}`,
    api_app_id: 'A0TRIAGE',
    is_enterprise_install: 'false',
    response_url: `${job.hooksUrl}/commands/T0BENCH/${i}/x`,
    trigger_id: `1000${i}.2000.${i}`,
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', job.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const head = [
    `POST ${url.pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    'User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)',
    'Content-Type: application/x-www-form-urlencoded',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Slack-Request-Timestamp: ${timestamp}`,
    `X-Slack-Signature: ${signature}`,
    'Connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Opens a connection and proves the bot has accepted it (a GET answered on it, kept alive), so
 * the burst measures the bot, not how the kernel copes with 500 simultaneous SYNs.
 */
function connect(url: URL): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET /bench-warm-up HTTP/1.1\r\nHost: ${url.host}\r\nConnection: keep-alive\r\n\r\n`);
    });
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(seen.slice(0, end))?.[1] ?? 0);
      if (seen.length < end + 4 + length) return;
      socket.off('data', onData);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function send(socket: net.Socket, request: string): Promise<{ ms: number; status: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    socket.once('data', (chunk: Buffer) => {
      const ms = performance.now() - start;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0);
      socket.destroy();
      resolve({ ms, status });
    });
    socket.once('error', () => resolve({ ms: performance.now() - start, status: 0 }));
    socket.once('close', () => resolve({ ms: performance.now() - start, status: 0 }));
    socket.write(request);
  });
}

process.once('message', async (job: Job) => {
  const url = new URL(job.url);
  const requests = Array.from({ length: job.count }, (_, i) => signedCommand(job, url, i));
  const sockets = await Promise.all(requests.map(() => connect(url)));
  // Tell the parent the connections are open and wait for its go, so it can read the bot's CPU
  // time from the burst's start (not from the 500 connections being opened).
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send!({ ready: true });
  });
  const results = await Promise.all(sockets.map((s, i) => send(s, requests[i]!)));
  process.send!({ latencies: results.map((r) => r.ms), failures: results.filter((r) => r.status !== 200).length }, () => process.exit(0));
});
