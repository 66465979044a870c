import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LabBackend } from '../src/lab/lab-backend.js';
import type { Scenario } from '../src/lab/schema.js';
import { HttpRelayClient, type HttpRelayClientOptions } from '../src/relay/client.js';
import { LOOPBACK_OWN_KEY_QUOTAS } from '../src/relay/server/key-policy.js';
import { startRelayServer, type RunningRelay } from '../src/relay/server/start-relay-server.js';
import { silentLogger } from '../src/kernel/logger.js';

// What every measurement shares: a lab relay over the real signed HTTP protocol on loopback
// (exactly how `npm start` runs it, audit log on disk included), and a few statistics.

export interface LabHttpRelay {
  relay: RunningRelay;
  keyId: string;
  secret: string;
  backend: LabBackend;
  client: HttpRelayClient;
  /** Another client to the same relay (throughput uses several). */
  newClient(extra?: Partial<HttpRelayClientOptions>): HttpRelayClient;
  close(): Promise<void>;
}

export async function startLabHttpRelay(scenario: Scenario, latency: { hostMs: number; directoryMs: number }, client: Partial<HttpRelayClientOptions> = {}): Promise<LabHttpRelay> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triage-bench-'));
  const secret = randomBytes(32).toString('hex');
  const backend = new LabBackend(scenario, { latency });
  const relay = await startRelayServer({ backend, keys: { bench: secret }, host: '127.0.0.1', port: 0, audit: path.join(dir, 'audit.jsonl'), logger: silentLogger, quotas: LOOPBACK_OWN_KEY_QUOTAS });
  const clients: HttpRelayClient[] = [];
  const newClient = (extra: Partial<HttpRelayClientOptions> = {}): HttpRelayClient => {
    const c = new HttpRelayClient({ url: relay.url, keyId: 'bench', secret, timeoutMs: 60_000, ...extra });
    clients.push(c);
    return c;
  };
  return {
    relay,
    keyId: 'bench',
    secret,
    backend,
    client: newClient(client),
    newClient,
    async close() {
      for (const c of clients) c.close();
      await relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
