import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// A bot that runs neither Slack nor Teams (lab mode here) must not load @slack/bolt (~0.5 s) or
// botbuilder (~0.9 s) at start (issue 18). A fresh process starts the bot the way `npm start`
// does and lists every CommonJS module it loaded (both SDKs are CommonJS).

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = pathToFileURL(createRequire(path.join(ROOT, 'package.json')).resolve('tsx')).href;
const dir = mkdtempSync(path.join(tmpdir(), 'triage-lazy-'));
symlinkSync(path.join(ROOT, 'lab'), path.join(dir, 'lab'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = `
import { createRequire } from 'node:module';
import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'src/config/load.ts'))};
import { silentLogger } from ${JSON.stringify(path.join(ROOT, 'src/core/logger.ts'))};
import { startBot } from ${JSON.stringify(path.join(ROOT, 'src/app/start-bot.ts'))};
const bot = await startBot({ config: loadConfig({ WEB_PORT: '0' }), logger: silentLogger, webPort: 0 });
const loaded = Object.keys(createRequire(import.meta.url).cache);
await bot.stop();
process.stdout.write(JSON.stringify({ adapters: bot.adapters.map((a) => a.platform), loaded }));
`;

describe('start-up loads only the configured platforms', () => {
  it('lab mode starts the web console without loading @slack/bolt or botbuilder', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', TSX, '--input-type=module', '-e', CHILD], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    const { adapters, loaded } = JSON.parse(stdout) as { adapters: string[]; loaded: string[] };
    expect(adapters).toEqual(['web']);
    // The child did load CommonJS packages (better-sqlite3, the store), so the list is real.
    expect(loaded.some((f) => f.includes(`${path.sep}better-sqlite3${path.sep}`))).toBe(true);
    expect(loaded.filter((f) => /[\\/](@slack[\\/]bolt|botbuilder)[\\/]/.test(f))).toEqual([]);
  }, 90_000);
});
