import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './harness.js';

// `triage-relay` as its own process, configured only through its environment, for the tests that
// attack it from outside: they see nothing but its HTTP answers, its stdout/stderr, its exit code
// and the files it writes.

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin/triage-relay.mjs');

export interface RelayProcess {
  child: ChildProcess;
  url: string;
  out(): string;
  err(): string;
  exit: Promise<number | null>;
  stop(): Promise<void>;
}

export const secret = (): string => randomBytes(32).toString('hex');

export function spawnRelay(env: Record<string, string>): Omit<RelayProcess, 'url'> {
  const child = spawn(process.execPath, [BIN], { cwd: tempDir('relay-proc-'), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exit;
  };
  return { child, out: () => out, err: () => err, exit, stop };
}

/** Starts the relay and waits for its "listening on" line (a fresh Node process: allow for a busy machine). */
export async function startRelayProcess(env: Record<string, string>, ms = 60_000): Promise<RelayProcess> {
  const p = spawnRelay({ RELAY_PORT: '0', ...env });
  const until = Date.now() + ms;
  for (;;) {
    const m = /triage-relay listening on (http:\/\/\S+)/.exec(p.out());
    if (m) return { ...p, url: m[1]! };
    if (p.child.exitCode !== null || Date.now() > until) {
      await p.stop();
      throw new Error(`triage-relay did not start: ${p.out()}${p.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
