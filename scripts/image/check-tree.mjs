#!/usr/bin/env node
// Checks an assembled image tree (scripts/image/assemble.sh): compiled code only, production
// dependencies only, and the compiled CLI diagnoses the default lab from it. Exits 1 naming what
// is wrong, so the image build and CI stop on the same problems.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const out = path.resolve(process.argv[2] ?? '');
const problems = [];
const pkg = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8'));

function walk(dir, skip) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return skip(full) ? [] : walk(full, skip);
    return [full];
  });
}

if (existsSync(path.join(out, 'src'))) problems.push('src/ is in the image: only dist/ should be');
const ts = walk(out, (d) => d.startsWith(path.join(out, 'node_modules'))).filter((f) => f.endsWith('.ts'));
if (ts.length) problems.push(`TypeScript files in the image: ${ts.slice(0, 3).map((f) => path.relative(out, f)).join(', ')}`);
// The lockfile marks packages needed only for development (`dev: true`); none may be left.
// (A devDependency that a runtime package also needs, such as @types/node, is not marked.)
const lock = JSON.parse(readFileSync(path.join(out, 'package-lock.json'), 'utf8'));
const devOnly = Object.entries(lock.packages ?? {}).filter(([p, meta]) => p.startsWith('node_modules/') && meta.dev && existsSync(path.join(out, p)));
if (devOnly.length) problems.push(`${devOnly.length} dev-only packages are in node_modules, e.g. ${devOnly.slice(0, 3).map(([p]) => p).join(', ')}`);
for (const dev of ['typescript', 'vitest', 'tsx', 'esbuild', 'eslint']) {
  if (existsSync(path.join(out, 'node_modules', dev))) problems.push(`${dev} is in node_modules`);
}
for (const dep of Object.keys(pkg.dependencies ?? {})) {
  if (!existsSync(path.join(out, 'node_modules', dep, 'package.json'))) problems.push(`dependency ${dep} is missing from node_modules`);
}
for (const needed of ['bin/triage-bot.mjs', 'bin/healthcheck.mjs', 'dist/src/cli/bot.js', 'dist/src/store/migrations/postgres/001-initial.sql', 'lab/default.yaml', 'lab/policies/default.yaml']) {
  if (!existsSync(path.join(out, needed))) problems.push(`${needed} is missing`);
}
if (problems.length === 0) {
  // A blocked verdict exits non-zero by design (scripts can test it): judge by what it printed.
  const run = spawnSync(process.execPath, ['bin/triage.mjs', 'check', 'HV01', 'HV02'], { cwd: out, encoding: 'utf8', env: { ...process.env, RELAY_URL: '' } });
  if (!run.stdout?.includes('BLOCKED') || !run.stdout.includes('DELEGATION_KERBEROS_ONLY')) problems.push(`the compiled CLI did not diagnose the default lab (exit ${run.status}):\n${run.stdout}${run.stderr}`);
}
if (problems.length) {
  process.stderr.write(`image tree ${out} is not right:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`image tree ${out}: compiled code and production dependencies only; the CLI runs from it\n`);
