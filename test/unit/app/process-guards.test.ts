import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Real processes: the guards must keep a process alive through a stray throw, and end it with 70
// (for the supervisor) when failures come in a storm.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/run-ts.mjs'), path.join(ROOT, 'test/fixtures/process/throws-outside-handlers.ts')], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });

describe('process guards', { timeout: 40_000 }, () => {
  it('log a throw outside any handler and an unawaited rejection, and keep the process serving', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('still serving');
    expect(r.stderr).toContain('"msg":"uncaught exception outside any handler; the process keeps serving"');
    expect(r.stderr).toContain('"error":"boom 0"');
    expect(r.stderr).toContain('unhandled promise rejection outside any handler');
  });

  it('exit with 70 on a storm of failures, saying why', () => {
    const r = run({ STORM: '1' });
    expect(r.status).toBe(70);
    expect(r.stdout).not.toContain('still serving');
    expect(r.stderr).toContain('too many uncaught failures in one minute');
  });
});
