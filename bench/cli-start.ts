import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './support.js';

// Issue 20: `triage --help` answers in under 0.5 s. The compiled CLI (bin/triage.mjs, which
// rebuilds a stale dist/ first) is started as a person starts it, several times; the median is
// reported beside bare `node -e ''` on the same machine at the same moment, and a lab check for
// contrast (the one that loads the diagnostics).

export interface CliStartFigures {
  runs: number;
  bareNodeMs: number;
  helpMs: number;
  versionMs: number;
  labCheckMs: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function timedRun(args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, RELAY_URL: '' }, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0 && !(args.includes('check') && r.status === 1)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function measureCliStart(runs: number): CliStartFigures {
  timedRun(['bin/triage.mjs', '--version']); // builds dist/ if stale; not counted
  const series = (args: string[]) => round(median(Array.from({ length: runs }, () => timedRun(args))));
  return {
    runs,
    bareNodeMs: series(['-e', '']),
    helpMs: series(['bin/triage.mjs', '--help']),
    versionMs: series(['bin/triage.mjs', '--version']),
    labCheckMs: series(['bin/triage.mjs', 'check', 'HV01', 'HV02', '--lab', 'lab/healthy.yaml']),
  };
}
