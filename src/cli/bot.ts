import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from '../config/load.js';
import { createLogger } from '../core/logger.js';
import { startBot } from '../app/start-bot.js';
import { botExtensions } from '../app/extensions.js';
import { installProcessGuards } from '../app/process-guards.js';

// `npm start`: the bot. With no settings at all it runs in lab mode: a lab relay on loopback over
// the signed protocol, SQLite under ./data, and the web console on http://127.0.0.1:3000.
async function main(): Promise<void> {
  if (existsSync('.env')) loadDotenv({ quiet: true });
  const { values } = parseArgs({ options: { lab: { type: 'string' }, port: { type: 'string' } } });
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  installProcessGuards(logger);
  const bot = await startBot({
    config,
    logger,
    ...(values.lab ? { labFile: values.lab } : {}),
    ...(values.port ? { webPort: Number(values.port) } : {}),
    extensions: botExtensions,
  });
  const lines = [`triage-bot is running (${config.mode} mode).`];
  if (bot.lab) lines.push(`  lab relay:   ${bot.lab.relay.url} answering from ${bot.lab.scenario()}`);
  if (bot.web) lines.push(`  web console: ${bot.web.url}   <- open this in a browser`);
  for (const a of bot.adapters.filter((x) => x.platform !== 'web')) lines.push(`  ${a.platform}: connected`);
  lines.push('Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = async () => {
    await bot.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`triage-bot could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
