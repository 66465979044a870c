import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadScenario } from '../../../src/lab/load.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { LOOPBACK_OWN_KEY_QUOTAS } from '../../../src/relay/server/key-policy.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { createTestDatabase, startThrowawayCluster, type PgServer } from '../../helpers/postgres.js';

// /readyz as Kubernetes sees it: 200 while the store and the relay work, 503 naming the
// dependency when the relay stops accepting our key or PostgreSQL stops, 200 again after.

const KEY = 'bot';
const OURS = 'b'.repeat(32) + '0123456789abcdef';
const ROTATED = 'c'.repeat(32) + 'fedcba9876543210';
const dir = mkdtempSync(path.join(tmpdir(), 'triage-readyz-'));
const cleanup: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function relayWith(secret: string, port = 0): Promise<RunningRelay> {
  const backend = new LabBackend(await loadScenario('lab/default.yaml'));
  return startRelayServer({ backend, keys: { [KEY]: secret }, host: '127.0.0.1', port, audit: path.join(dir, `audit-${port}.jsonl`), logger: silentLogger, quotas: LOOPBACK_OWN_KEY_QUOTAS });
}

async function botAgainst(relayUrl: string, databaseUrl: string): Promise<RunningBot> {
  const config = loadConfig({ RELAY_URL: relayUrl, RELAY_KEY_ID: KEY, RELAY_KEY_SECRET: OURS, DATABASE_URL: databaseUrl, READY_TIMEOUT_MS: '3000' });
  const bot = await startBot({ config, logger: silentLogger, ops: { host: '127.0.0.1', port: 0, readyCacheMs: 0 } });
  cleanup.push(() => bot.stop());
  return bot;
}

async function readyz(bot: RunningBot): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> } }> {
  const res = await fetch(`${bot.ops!.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

describe('/readyz', () => {
  it('turns unready when the relay refuses our key, and ready again when it takes it back', async () => {
    let relay = await relayWith(OURS);
    const port = relay.port;
    const bot = await botAgainst(relay.url, `sqlite:${path.join(dir, 'relay.db')}`);
    try {
      const up = await readyz(bot);
      expect(up.status).toBe(200);
      expect(up.body.checks.relay).toEqual({ ok: true, detail: `the relay at ${relay.url} accepted our signature` });
      expect((await fetch(`${bot.ops!.url}/healthz`)).status).toBe(200);

      // The relay's keys are rotated without ours: same address, our signature no longer verifies.
      await relay.close();
      relay = await relayWith(ROTATED, port);
      const refused = await readyz(bot);
      expect(refused.status).toBe(503);
      expect(refused.body.ready).toBe(false);
      expect(refused.body.checks.relay!.ok).toBe(false);
      expect(refused.body.checks.relay!.detail).toMatch(/refuses our key/);
      expect(refused.body.checks.store!.ok).toBe(true);
      // Liveness is not readiness: the process is fine, Kubernetes must not restart it.
      expect((await fetch(`${bot.ops!.url}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${bot.ops!.url}/metrics`)).text();
      expect(metrics).toMatch(/^triage_dependency_up\{dependency="relay"\} 0$/m);
      expect(metrics).toMatch(/^triage_ready 0$/m);

      await relay.close();
      const gone = await readyz(bot);
      expect(gone.status).toBe(503);
      expect(gone.body.checks.relay!.detail).toMatch(/not reachable: ECONNREFUSED/);

      relay = await relayWith(OURS, port);
      expect((await readyz(bot)).status).toBe(200);
    } finally {
      await relay.close();
    }
  });

  it('turns unready when PostgreSQL stops, counts the store error, and recovers when it is back', { timeout: 120_000 }, async () => {
    const pg: PgServer = await startThrowawayCluster();
    cleanup.push(() => pg.stop());
    const db = await createTestDatabase(pg);
    const relay = await relayWith(OURS);
    cleanup.push(() => relay.close());
    const bot = await botAgainst(relay.url, db.url);

    expect((await readyz(bot)).status).toBe(200);
    pg.halt!();
    const down = await readyz(bot);
    expect(down.status).toBe(503);
    expect(down.body.checks.store!.ok).toBe(false);
    expect(down.body.checks.relay!.ok).toBe(true);
    const metrics = await (await fetch(`${bot.ops!.url}/metrics`)).text();
    expect(metrics).toMatch(/^triage_store_errors_total\{operation="getPlan"\} [1-9]/m);

    pg.resume!();
    await expect.poll(async () => (await readyz(bot)).status, { timeout: 30_000, interval: 500 }).toBe(200);
  });
});
