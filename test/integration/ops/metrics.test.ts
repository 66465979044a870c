import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { botExtensions } from '../../../src/app/extensions.js';

// /metrics as Prometheus scrapes it, after a person runs a check in the lab console: the command
// is counted by name and outcome, its ack and duration are in the histograms, the relay calls it
// made are timed, and the findings it saved are counted by code.

const dir = mkdtempSync(path.join(tmpdir(), 'triage-metrics-'));
let bot: RunningBot;

beforeAll(async () => {
  const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'triage.db')}` });
  bot = await startBot({ config, logger: silentLogger, webPort: 0, labFile: 'lab/default.yaml', extensions: botExtensions, ops: { host: '127.0.0.1', port: 0 } });
}, 60_000);

afterAll(async () => {
  await bot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function command(text: string): Promise<void> {
  const res = await fetch(`${bot.web!.url}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona: 'vera', channelId: 'lab', text }) });
  expect(res.status).toBe(202);
}

const scrape = async () => (await fetch(`${bot.ops!.url}/metrics`)).text();
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts a check from chat by command, outcome, findings and relay operations', async () => {
    await command('/migration-check HV01 HV02');
    await expect.poll(async () => value(await scrape(), 'triage_commands_total{name="migration-check",outcome="ok"}'), { timeout: 30_000, interval: 200 }).toBe(1);
    const text = await scrape();
    expect(value(text, 'triage_findings_total{code="DELEGATION_KERBEROS_ONLY"}')).toBe(1);
    expect(value(text, 'triage_checks_total{verdict="blocked",trigger="chat"}')).toBe(1);
    expect(value(text, 'triage_ack_duration_seconds_count{platform="web"}')).toBe(1);
    expect(value(text, 'triage_check_duration_seconds_count{command="migration-check"}')).toBe(1);
    expect(value(text, 'triage_relay_op_duration_seconds_count{operation="directory.computers",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'triage_plans{state="proposed"}')).toBe(0);
    // Node's default metrics come with it.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toContain('# TYPE triage_ack_duration_seconds histogram');
  });

  it('counts a command that does not parse as invalid, with an error outcome, and mints no series from its text', async () => {
    await command('/frobnicate-the-cluster now');
    await expect.poll(async () => value(await scrape(), 'triage_commands_total{name="invalid",outcome="error"}'), { timeout: 15_000, interval: 200 }).toBe(1);
    expect(await scrape()).not.toContain('frobnicate');
  });

  it('a second bot on the same ops port refuses to start, naming the settings, and leaves the first serving', async () => {
    const port = Number(new URL(bot.ops!.url).port);
    const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, 'second.db')}` });
    await expect(startBot({ config, logger: silentLogger, webPort: 0, labFile: 'lab/default.yaml', ops: { host: '127.0.0.1', port } })).rejects.toThrow(
      `the health and metrics listener cannot use 127.0.0.1:${port} (EADDRINUSE); set OPS_PORT (0 picks a free port), OPS_LISTEN_HOST, or OPS_ENABLED=false`,
    );
    expect((await fetch(`${bot.ops!.url}/healthz`)).status).toBe(200);
  });

  it('answers 404 off its three paths, and is not served on the chat port', async () => {
    expect((await fetch(`${bot.ops!.url}/slack/events`)).status).toBe(404);
    expect((await fetch(`${bot.web!.url}/metrics`)).status).not.toBe(200);
  });
});
