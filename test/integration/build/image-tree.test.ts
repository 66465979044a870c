import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The image's build steps (scripts/image/assemble.sh, also the Dockerfile's build stage) run
// here without a container engine: the tree it assembles is checked, and the bot started from it
// answers the image's HEALTHCHECK and stops cleanly on SIGTERM, as `docker stop` sends it.

const run = promisify(execFile);
const work = mkdtempSync(path.join(tmpdir(), 'triage-image-'));
const app = path.join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  await run('bash', ['scripts/image/assemble.sh', app], { maxBuffer: 10 * 1024 * 1024 });
}, 180_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function healthcheck(env: NodeJS.ProcessEnv): Promise<number> {
  return run(process.execPath, ['bin/healthcheck.mjs'], { cwd: app, env }).then(() => 0, (e: { code: number }) => e.code);
}

describe('the image tree', () => {
  it('holds compiled code and production dependencies only', () => {
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    expect(existsSync(path.join(app, 'dist/src/cli/bot.js'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'tsx', 'esbuild']) expect(existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
    for (const dep of ['prom-client', 'pg', 'better-sqlite3', '@slack/bolt', 'botbuilder']) expect(existsSync(path.join(app, 'node_modules', dep)), dep).toBe(true);
  });

  it('starts the bot, answers the HEALTHCHECK, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const env = { ...process.env, TRIAGE_MODE: 'lab', OPS_PORT: String(port), OPS_LISTEN_HOST: '127.0.0.1', WEB_PORT: '0', RELAY_URL: '', DATABASE_URL: 'sqlite::memory:' };
    expect(await healthcheck(env)).toBe(1);
    const bot = spawn(process.execPath, ['bin/triage-bot.mjs'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    bot.stdout.on('data', (c: Buffer) => (out += c.toString()));
    bot.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => bot.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => healthcheck(env), { timeout: 30_000, interval: 250 }).toBe(0);
      expect(out).toContain(`health:      http://127.0.0.1:${port}/healthz, /readyz, /metrics`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      bot.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The log is JSON lines (pino): one of them says the bot is shutting down on SIGTERM.
    const logLines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; signal?: string });
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal: 'SIGTERM' }));
  });

  it('is what the Dockerfile copies: built by the same script, run as non-root with a HEALTHCHECK', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/^RUN bash scripts\/image\/assemble\.sh \/out$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/out\/ \/app\/$/m);
    expect(dockerfile.match(/^COPY /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "bin\/healthcheck\.mjs"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps", "bin\/triage-bot\.mjs"\]$/m);
    for (const file of ['bin/healthcheck.mjs', 'bin/triage-bot.mjs', 'bin/triage-relay.mjs']) expect(existsSync(path.join(app, file)), file).toBe(true);
  });
});
