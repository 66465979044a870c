import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/kernel/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { randomRelaySecret } from '../../../src/relay/signing.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';

// One `triage check` run is one event: every relay call it makes carries the same
// x-triage-request-id, and when the relay refuses our key the log (stderr, JSON, with LOG_LEVEL)
// has one warn line per refused call under the id the relay audited.

const run = promisify(execFile);
const SECRET = randomRelaySecret();
let relay: RunningRelay;
let audit: string;

beforeAll(async () => {
  audit = path.join(mkdtempSync(path.join(tmpdir(), 'cli-request-id-')), 'audit.jsonl');
  relay = await startRelayServer({ backend: new LabBackend(await loadScenario('lab/default.yaml')), keys: { bot: SECRET }, audit, logger: silentLogger });
});
afterAll(async () => {
  await relay.close();
});

const auditLines = () => readFileSync(audit, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

async function triage(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/triage.mjs', 'check', 'HV01', 'HV02'], { env: { ...process.env, RELAY_URL: relay.url, RELAY_KEY_ID: 'bot', ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('triage check against a relay', { timeout: 60_000 }, () => {
  it('sends one request id on every call of the run, a new one per run', async () => {
    const before = auditLines().length;
    const first = await triage({ RELAY_KEY_SECRET: SECRET });
    expect(first.code).toBe(1); // the default lab is blocked
    const mid = auditLines().length;
    await triage({ RELAY_KEY_SECRET: SECRET });
    const one = auditLines().slice(before, mid);
    const two = auditLines().slice(mid);
    expect(one.length).toBeGreaterThan(3);
    expect(new Set(one.map((l) => l.requestId)).size).toBe(1);
    expect(new Set(two.map((l) => l.requestId)).size).toBe(1);
    expect(one[0]!.requestId).not.toBe(two[0]!.requestId);
  });

  it('a refused key: with LOG_LEVEL=warn the log has one warn line per refused call, under the id the relay audited, no stack', async () => {
    const before = auditLines().length;
    const r = await triage({ RELAY_KEY_SECRET: randomRelaySecret(), LOG_LEVEL: 'warn' });
    const refused = auditLines().slice(before);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((l) => l.status === 401)).toBe(true);
    const id = String(refused[0]!.requestId);
    expect(refused.every((l) => l.requestId === id)).toBe(true);
    const logLines = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logLines).toHaveLength(refused.length);
    for (const l of logLines) expect(l).toMatchObject({ level: 'warn', service: 'triage', requestId: id, code: 'UNAUTHORIZED', msg: 'relay call failed' });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain(SECRET);
  });
});
