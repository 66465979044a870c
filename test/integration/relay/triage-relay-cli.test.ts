import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { tempDir } from './harness.js';

// `triage-relay` as an operator runs it: from the environment, in a directory without .env.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/triage-relay.mjs');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
});

function run(env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN], { cwd: tempDir('relay-cli-'), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function waitFor(read: () => string, pattern: RegExp, ms = 45_000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = read().match(pattern);
    if (m) return m;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; got: ${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Each test starts a fresh Node process through tsx: allow for a busy machine.
describe('triage-relay', { timeout: 60_000 }, () => {
  it('starts in lab mode, says where it listens, answers signed calls, audits them, and stops on SIGTERM', async () => {
    const secret = randomBytes(32).toString('hex');
    const audit = path.join(tempDir('relay-cli-audit-'), 'audit.jsonl');
    const r = run({ RELAY_KEYS: `bot:${secret}`, RELAY_PORT: '0', LAB_SCENARIO: path.join(ROOT, 'lab/default.yaml'), RELAY_AUDIT_LOG: audit });
    const [, url] = await waitFor(r.out, /triage-relay listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(r.out()).toContain('writes: disabled');
    expect(r.out()).not.toContain(secret);
    const client = new HttpRelayClient({ url: url!, keyId: 'bot', secret });
    const answer = await client.call('cluster.nodes', { cluster: 'HVCLUSTER01' });
    client.close();
    expect(answer.nodes).toEqual(['HV01', 'HV02', 'HV03', 'HV04']);
    expect(JSON.parse(readFileSync(audit, 'utf8').trim())).toMatchObject({ keyId: 'bot', operation: 'cluster.nodes', outcome: 'ok' });
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it.concurrent('exits 2 with one clear line when no key is configured', async () => {
    const r = run({ RELAY_PORT: '0' });
    expect(await r.exit).toBe(2);
    expect(r.err()).toMatch(/^triage-relay: RELAY_KEYS is not set/);
    expect(r.err()).not.toMatch(/\n\s+at /);
  });

  it.concurrent('exits 2 when asked for plain HTTP on a non-loopback address', async () => {
    const r = run({ RELAY_KEYS: `bot:${'k'.repeat(40)}`, RELAY_LISTEN_HOST: '0.0.0.0', LAB_SCENARIO: path.join(ROOT, 'lab/default.yaml') });
    expect(await r.exit).toBe(2);
    expect(r.err()).toContain('refusing to serve plain HTTP on 0.0.0.0');
  });

  it.concurrent('exits 2 naming the setting when a secret is too short, without echoing it', async () => {
    const r = run({ RELAY_KEYS: 'bot:tooshort-secret-value' });
    expect(await r.exit).toBe(2);
    expect(r.err()).toContain('RELAY_KEYS');
    expect(r.err()).not.toContain('tooshort-secret-value');
  });

  it.concurrent('exits 2 naming the missing directory settings for RELAY_BACKEND=windows', async () => {
    const r = run({ RELAY_KEYS: `bot:${'k'.repeat(40)}`, RELAY_BACKEND: 'windows', LDAP_URL: 'ldaps://dc01.contoso.com' });
    expect(await r.exit).toBe(2);
    expect(r.err().trim()).toBe('triage-relay: RELAY_BACKEND=windows needs LDAP_BIND_DN, LDAP_BIND_PASSWORD (the directory half of the backend)');
  });
});
