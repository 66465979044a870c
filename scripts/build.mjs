#!/usr/bin/env node
// `npm run build`: transpile src/ and adapters/ to dist/ with esbuild, one output file per source
// file (not bundled), so code that finds its assets next to itself through import.meta.url (SQL
// migrations, the relay's PowerShell scripts, the web console's static files) keeps working once
// those assets are copied alongside. Type checking is `npm run typecheck` (tsc), a separate CI step:
// esbuild takes ~0.4 s for the whole tree where `tsc` emitting takes ~13 s (docs/performance.md),
// which is what lets the entry shims rebuild a stale dist/ on the fly (ensureBuilt below).
//
// Plain JavaScript on purpose: it runs before anything is compiled, from `prepare` (npm ci).
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'adapters'];
/** Files the compiled code reads at run time, copied next to the JavaScript that reads them. */
const ASSET = /\.(sql|ps1|psm1|psd1|html|css|js|json|png|svg)$/;
const STAMP = '.build-stamp';

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(full);
      walk(full, out);
    } else out.push(full);
  }
  return out;
}

function sourceFiles(root) {
  return SOURCES.flatMap((s) => (existsSync(path.join(root, s)) ? walk(path.join(root, s)) : []));
}

/** True when dist/ is missing or older than any source file, folder (a deletion) or this script. */
export function isStale(root = ROOT, outDir = path.join(root, 'dist')) {
  const stamp = path.join(outDir, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = [...sourceFiles(root), fileURLToPath(import.meta.url), path.join(root, 'package-lock.json')];
  return inputs.some((f) => existsSync(f) && statSync(f).mtimeMs > built);
}

/** Build into a fresh folder and swap it in, so a reader never sees half a tree. */
export async function build({ root = ROOT, outDir = path.join(root, 'dist') } = {}) {
  const { build: esbuild } = await import('esbuild');
  const files = sourceFiles(root);
  const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'));
  const staging = `${outDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await esbuild({ entryPoints, outdir: staging, outbase: root, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
  for (const f of files.filter((x) => ASSET.test(x) && statSync(x).isFile())) {
    const dest = path.join(staging, path.relative(root, f));
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(f, dest);
  }
  writeFileSync(path.join(staging, STAMP), `${new Date().toISOString()}\n`);
  const old = `${outDir}.old-${process.pid}`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
  return { files: entryPoints.length };
}

/**
 * The entry shims call this in a source checkout: rebuild when dist/ is stale, so `npm start` and
 * the `triage` commands never run yesterday's code after an edit. Several processes may start at
 * once (the test suite does); a lock folder makes one build while the others wait, then re-check.
 */
export async function ensureBuilt(root = ROOT, { force = false } = {}) {
  if (!force && !isStale(root)) return false;
  const lock = path.join(root, '.dist.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed build is older than any build takes: take it over.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`dist/ is being built by another process (${lock}); remove the folder if no build is running`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (force || isStale(root)) {
      await build({ root });
      return true;
    }
    return false;
  } catch (err) {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && existsSync(path.join(root, 'dist', STAMP))) {
      process.stderr.write('triage-bot: dist/ is older than the sources but esbuild is not installed (npm ci installs it); running the existing build\n');
      return false;
    }
    throw err;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

// `npm run build` (and prepare): like make, nothing to do when dist/ is newer than every source
// (--force rebuilds anyway); under the same lock as the shims, so it never swaps dist/ under a
// build they started.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = await ensureBuilt(ROOT, { force: process.argv.includes('--force') });
  process.stdout.write(built ? `built dist/ in ${Math.round(performance.now() - started)} ms\n` : 'dist/ is up to date\n');
}
