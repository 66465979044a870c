import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotCore } from '../../../src/core/bot-core.js';
import { silentLogger } from '../../../src/core/logger.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { MemoryCoreStore, allowAll } from '../../helpers/fakes.js';

// A wrong relay key is our configuration, not a fault of the nodes or of AD: the CLI and chat say
// "the relay refused our signature (RELAY_KEY_SECRET?)" instead of NODE_UNREACHABLE and
// DIRECTORY_UNREACHABLE findings. The relay is the real signed HTTP server with a lab backend.

const RIGHT = 'a'.repeat(64);
const WRONG = 'b'.repeat(64);
const REFUSED = 'the relay refused our signature (RELAY_KEY_SECRET?)';
let relay: RunningRelay;

beforeAll(async () => {
  const scenario = await loadScenario('lab/default.yaml');
  const audit = path.join(mkdtempSync(path.join(tmpdir(), 'triage-refused-')), 'audit.jsonl');
  relay = await startRelayServer({ backend: new LabBackend(scenario), keys: { bot: RIGHT }, host: '127.0.0.1', port: 0, audit, logger: silentLogger });
});

afterAll(async () => {
  await relay?.close();
});

async function triage(secret: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, RELAY_URL: relay.url, RELAY_KEY_ID: 'bot', RELAY_KEY_SECRET: secret };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/triage.mjs', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a relay that refuses our signature', () => {
  it('the CLI says so in one line (exit 1), with no unreachable findings', async () => {
    const r = await triage(WRONG, 'check', 'HV01', 'HV02');
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^triage: ${REFUSED.replace(/[()?]/g, '\\$&')}: request not authenticated: key id or signature not accepted; RELAY_KEY_ID and RELAY_KEY_SECRET must match an entry of RELAY_KEYS`));
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/NODE_UNREACHABLE|DIRECTORY_UNREACHABLE|\n\s+at /);
  });

  it('with --json it is one JSON error, code RELAY_REFUSED, the same exit code', async () => {
    const r = await triage(WRONG, 'health', 'HVCLUSTER01', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(out.error.code).toBe('RELAY_REFUSED');
    expect(out.error.message.startsWith(REFUSED)).toBe(true);
  });

  it('the right key checks the nodes (the near miss)', async () => {
    const r = await triage(RIGHT, 'check', 'HV01', 'HV02', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { findings: Array<{ code: string }> };
    expect(out.findings.map((f) => f.code)).not.toContain('NODE_UNREACHABLE');
    expect(out.findings.length).toBeGreaterThan(0);
  });

  it('in chat: the person is told why, the parent says the check failed, no findings are posted', async () => {
    const client = new HttpRelayClient({ url: relay.url, keyId: 'bot', secret: WRONG });
    const chat = new FakeChat();
    await chat.start(createBotCore({ relay: client, clock: fixedClock('2026-11-20T09:00:00Z'), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 }));
    await chat.command({ platform: 'web', id: 'olivia' }, 'migration-check HV01 HV02');
    client.close();
    expect(chat.lastTold('olivia')).toMatch(new RegExp(`^That did not work: ${REFUSED.replace(/[()?]/g, '\\$&')}`));
    const shown = JSON.stringify(chat.messages.map((m) => m.reply));
    expect(shown).not.toMatch(/NODE_UNREACHABLE|DIRECTORY_UNREACHABLE/);
    expect(chat.messages).toHaveLength(1);
    expect(chat.messages[0]!.reply.verdict).toMatchObject({ status: 'error', text: expect.stringContaining(`Check failed: ${REFUSED}`) });
  });
});
