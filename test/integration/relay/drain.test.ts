import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { tempDir } from './harness.js';

// Fault 4 of issue 16 with a real `triage-relay` process: told to stop (SIGTERM) while a request
// is in flight on a keep-alive connection, it finishes that request, then serves nothing more on
// that connection or any other, and exits 0. The relay's audit log shows exactly what it served.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

describe('triage-relay on SIGTERM', { timeout: 60_000 }, () => {
  it('finishes the request in flight, serves nothing after, closes keep-alive sockets and exits 0', async () => {
    const dir = tempDir('relay-drain-');
    const scenario = path.join(dir, 'slow.yaml');
    writeFileSync(scenario, stringify({ ...generateClusterScenario({ nodes: 2 }), latency: { hostMs: 800, directoryMs: 0 } }));
    const audit = path.join(dir, 'audit.jsonl');
    const secret = randomBytes(32).toString('hex');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/triage-relay.mjs')], { cwd: dir, env: { PATH: process.env.PATH ?? '', RELAY_KEYS: `bot:${secret}`, RELAY_PORT: '0', LAB_SCENARIO: scenario, RELAY_AUDIT_LOG: audit }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = Date.now() + 45_000;
    while (!/listening on (http:\/\/\S+)/.test(out)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`relay did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    const client = new HttpRelayClient({ url, keyId: 'bot', secret, timeoutMs: 10_000, readRetries: 0 });
    // A keep-alive connection is open, and a slow request is in flight on it.
    expect((await client.call('cluster.nodes', { cluster: 'HVCLUSTER01' })).nodes).toEqual(['HV01', 'HV02']);
    const inFlight = client.call('host.migration-settings', { node: 'HV01' });
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    const late = client.call('host.migration-settings', { node: 'HV02' }).then(() => 'served', (e: unknown) => (e instanceof RelayError ? e.code : String(e)));
    expect((await inFlight).authenticationType).toBe('Kerberos');
    // Right after, on the connection the finished request leaves open if the relay keeps it alive.
    const next = await client.call('cluster.nodes', { cluster: 'HVCLUSTER01' }).then(() => 'served', (e: unknown) => (e instanceof RelayError ? e.code : String(e)));
    expect(await late).toBe('RELAY_UNAVAILABLE');
    expect(next).toBe('RELAY_UNAVAILABLE');
    expect(await exited).toBe(0);
    client.close();
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { operation: string; params?: { node?: string } });
    expect(lines.map((l) => `${l.operation} ${l.params?.node ?? ''}`.trim())).toEqual(['cluster.nodes', 'host.migration-settings HV01']);
  });
});
