// Loads the windows backend's script catalog (TypeScript) into the double quickly. Going through
// tsx costs ~0.5 s per process, more than the start-up the benchmark wants to model, so the
// catalog and its imports (protocol schemas, zod) are bundled once with esbuild and cached in the
// temp dir; the cache is rebuilt when any bundled source changes (size or mtime).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const windowsDir = path.join(repoRoot, 'src/relay/server/backends/windows');
const entry = path.join(windowsDir, 'script-catalog.ts');
const cacheDir = path.join(os.tmpdir(), 'triage-pwsh-double', createHash('sha1').update(repoRoot).digest('hex').slice(0, 12));
const bundleFile = path.join(cacheDir, 'catalog.mjs');
const metaFile = path.join(cacheDir, 'catalog.meta.json');

function fingerprint(file) {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

function cacheIsFresh() {
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    return Object.entries(meta).every(([file, print]) => fingerprint(file) === print);
  } catch {
    return false;
  }
}

async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', write: false, metafile: true, minify: true, logLevel: 'silent',
  });
  const meta = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(repoRoot, input);
    meta[file] = fingerprint(file);
  }
  mkdirSync(cacheDir, { recursive: true });
  // Several doubles may build at once: write to private names, then rename into place.
  const tmp = `.${process.pid}.${Date.now()}`;
  writeFileSync(bundleFile + tmp, result.outputFiles[0].text);
  writeFileSync(metaFile + tmp, JSON.stringify(meta));
  renameSync(bundleFile + tmp, bundleFile);
  renameSync(metaFile + tmp, metaFile);
}

export async function loadCatalog() {
  if (!cacheIsFresh()) await build();
  return import(`${pathToFileURL(bundleFile).href}?v=${encodeURIComponent(fingerprint(bundleFile))}`);
}
