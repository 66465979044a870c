import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/load.js';
import { createLogger } from '../core/logger.js';
import { startBot } from '../app/start-bot.js';
import { botExtensions } from '../app/extensions.js';
import { installProcessGuards } from '../app/process-guards.js';
import { startBanner } from '../app/start-banner.js';

// `npm start`: the bot. With no settings at all it runs in lab mode: a lab relay on loopback over
// the signed protocol, SQLite under ./data, and the web console on http://127.0.0.1:3000.
async function main(): Promise<void> {
  if (existsSync('.env')) loadDotenv({ quiet: true });
  const { values } = parseArgs({ options: { lab: { type: 'string' }, port: { type: 'string' } } });
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, undefined, { name: 'triage-bot' });
  installProcessGuards(logger);
  const bot = await startBot({
    config,
    logger,
    ...(values.lab ? { labFile: values.lab } : {}),
    ...(values.port ? { webPort: Number(values.port) } : {}),
    extensions: botExtensions,
    ...(config.ops.enabled ? { ops: { host: config.ops.listenHost, port: config.ops.port } } : {}),
  });
  process.stdout.write(`${startBanner(config, bot).join('\n')}\n`);

  // Graceful on the first signal (bounded by SHUTDOWN_DRAIN_MS); a second one exits at once.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('shutting down', { signal });
    bot.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`triage-bot could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
