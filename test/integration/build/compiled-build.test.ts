import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The compiled build is what `npm start`, the `triage` commands and the image run: build a copy of
// the source tree the way `npm ci` (prepare) does, then run the compiled CLI from it.
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(path.join(tmpdir(), 'triage-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyCheckout(to: string): void {
  for (const part of ['src', 'adapters', 'scripts', 'bin', 'lab', 'package.json', 'package-lock.json']) cpSync(path.join(ROOT, part), path.join(to, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'));
}

async function node(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env: { ...process.env, RELAY_URL: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('npm run build', () => {
  const checkout = path.join(work, 'checkout');
  copyCheckout(checkout);

  it('compiles to dist/ with the run-time assets and no TypeScript', async () => {
    const built = await node(checkout, 'scripts/build.mjs');
    expect(built.code, built.stderr).toBe(0);
    const files = filesUnder(path.join(checkout, 'dist'));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    for (const needed of ['src/cli/triage.js', 'src/cli/bot.js', 'src/cli/triage-relay.js', 'src/store/migrations/postgres/001-initial.sql', 'src/store/migrations/sqlite/001-initial.sql', 'adapters/web/public/index.html', 'src/relay/server/backends/windows/scripts/wrapper.ps1']) {
      expect(files, needed).toContain(needed);
    }
  });

  it('the compiled triage CLI diagnoses the default lab without tsx loaded', async () => {
    const out = await node(path.join(work), path.join(checkout, 'dist/src/cli/triage.js'), 'check', 'HV01', 'HV02');
    expect(out.stdout).toContain('BLOCKED: 1 of 2 directions ok, 1 blocked');
    expect(out.stdout).toContain('DELEGATION_KERBEROS_ONLY');
    expect(out.stderr).toContain('using the lab scenario lab/default.yaml');
    expect(readFileSync(path.join(checkout, 'dist/src/cli/triage.js'), 'utf8')).not.toMatch(/\btsx\b/);
  });

  it('the bin shim rebuilds dist/ when a source file is newer, so an edit is never run stale', async () => {
    const file = path.join(checkout, 'src/cli/triage.ts');
    const before = await node(checkout, 'bin/triage.mjs', 'frobnicate');
    expect(before.stderr).toContain('unknown command "frobnicate"');
    writeFileSync(file, readFileSync(file, 'utf8').replace('unknown command', 'no such command'));
    const future = new Date(Date.now() + 5_000);
    utimesSync(file, future, future);
    const after = await node(checkout, 'bin/triage.mjs', 'frobnicate');
    expect(after.stderr).toContain('no such command "frobnicate"');
  });

  it('an image tree (dist/ without src/) starts without rebuilding', async () => {
    const image = path.join(work, 'image');
    for (const part of ['dist', 'bin', 'lab', 'package.json']) cpSync(path.join(checkout, part), path.join(image, part), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(image, 'node_modules'));
    const out = await node(image, 'bin/triage.mjs', 'check', 'HV01', 'HV02');
    expect(out.stdout).toContain('DELEGATION_KERBEROS_ONLY');
    expect(existsSync(path.join(image, 'src'))).toBe(false);
  });
});
