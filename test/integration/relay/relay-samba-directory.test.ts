import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { sambaRelayEnv, useSamba } from '../../helpers/samba-context.js';
import { createComputer, deleteComputer } from '../../helpers/samba-tool.js';
import { tempDir } from './harness.js';

// The relay as the README runs it with a real directory: `RELAY_BACKEND=lab-directory` takes the
// hosts from a scenario and AD from the throwaway Samba DC, over the signed protocol.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

describe('triage-relay with the Samba-backed directory', { timeout: 90_000 }, () => {
  it('answers directory.computers from AD and host reads from the scenario', async () => {
    const samba = useSamba();
    await createComputer(samba, 'RLYHV01', { dnsHostName: 'rlyhv01.lab.test', spns: ['Microsoft Virtual System Migration Service/RLYHV01'] });
    try {
      const secret = randomBytes(32).toString('hex');
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/triage-relay.mjs')], {
        cwd: tempDir('relay-samba-'),
        env: { PATH: process.env.PATH ?? '', RELAY_KEYS: `bot:${secret}`, RELAY_PORT: '0', RELAY_BACKEND: 'lab-directory', LAB_SCENARIO: path.join(ROOT, 'lab/default.yaml'), ...sambaRelayEnv(samba) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const until = Date.now() + 60_000;
      while (!/listening on (http:\/\/\S+)/.test(out)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`relay did not start: ${out}${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      expect(out).toContain(`directory (${samba.url})`);
      const client = new HttpRelayClient({ url, keyId: 'bot', secret });
      const dir = await client.call('directory.computers', { names: ['RLYHV01', 'NOSUCH01'] });
      expect(dir.computers.map((c) => [c.name, c.dnsHostName])).toEqual([['RLYHV01', 'rlyhv01.lab.test']]);
      expect(dir.notFound).toEqual(['NOSUCH01']);
      expect((await client.call('host.migration-settings', { node: 'HV01' })).authenticationType).toBe('Kerberos');
      client.close();
      child.kill('SIGTERM');
    } finally {
      await deleteComputer(samba, 'RLYHV01');
    }
  });
});
