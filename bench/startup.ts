import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, median, round } from './support.js';

// Start-up with the compiled build (issue 18, item 7): what `npm start` runs (node
// bin/triage-bot.mjs) until its start banner is on the console, and `triage check HV01 HV02` on
// the default lab until it exits, beside `node -e 0` (the floor of this machine, same run). Each
// run in a fresh folder holding only a link to lab/ (the defaults LAB_SCENARIO and POLICY_FILE
// point there), so ./data starts empty every time; the web console and the ops port pick free
// ports, so a run never clashes with a bot already on 3000 / 9464. dist/ is built first; the
// shims then only check that it is current (what a developer's `npm start` does too).

export interface StartupFigures {
  runs: number;
  /** `node bin/triage-bot.mjs` (npm start's command) until "triage-bot is running" is printed. */
  startToConsoleMs: number;
  /** `node bin/triage.mjs check HV01 HV02` on the default lab until it exits. */
  checkDefaultLabMs: number;
  /** `node -e 0`. */
  nodeFloorMs: number;
  samples: { start: number[]; check: number[]; floor: number[] };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export async function measureStartup(runs: number): Promise<StartupFigures> {
  // `npm run build`: a no-op when dist/ is current.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'ignore' });
  const samples = { start: [] as number[], check: [] as number[], floor: [] as number[] };
  // One unmeasured round first (the file cache), then alternate, so load moves all three alike.
  for (let i = 0; i <= runs; i++) {
    const floor = await timeExit(process.execPath, ['-e', '0']);
    const start = await timeStart();
    const check = await timeExit(process.execPath, [path.join(ROOT, 'bin/triage.mjs'), 'check', 'HV01', 'HV02']);
    if (i === 0) continue;
    samples.floor.push(floor);
    samples.start.push(start);
    samples.check.push(check);
  }
  const figures: StartupFigures = { runs, startToConsoleMs: round(median(samples.start)), checkDefaultLabMs: round(median(samples.check)), nodeFloorMs: round(median(samples.floor)), samples };
  log(`startup: npm start → console ${figures.startToConsoleMs} ms · triage check ${figures.checkDefaultLabMs} ms · node -e 0 ${figures.nodeFloorMs} ms (median of ${runs})`);
  return figures;
}

function sandbox(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triage-startup-'));
  symlinkSync(path.join(ROOT, 'lab'), path.join(dir, 'lab'));
  return dir;
}

const ENV = { ...process.env, WEB_PORT: '0', OPS_PORT: '0', NODE_OPTIONS: '' };

/** Wall time until the process exits 0 or 1 (a check's verdict); anything else is a failure. */
function timeExit(cmd: string, args: string[]): Promise<number> {
  const cwd = sandbox();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      rmSync(cwd, { recursive: true, force: true });
      if (code === 0 || code === 1) resolve(ms);
      else reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** Wall time until the bot prints its banner; then it is stopped (SIGTERM) and waited for. */
function timeStart(): Promise<number> {
  const cwd = sandbox();
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/triage-bot.mjs')], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready: number | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ready === undefined && out.includes('triage-bot is running')) {
        ready = performance.now() - started;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      rmSync(cwd, { recursive: true, force: true });
      if (ready !== undefined) resolve(ready);
      else reject(new Error(`the bot did not start: ${err.slice(0, 500)}`));
    });
  });
}
