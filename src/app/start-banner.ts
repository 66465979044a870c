import type { Config } from '../config/load.js';
import type { RunningBot } from './start-bot.js';

// The lines `npm start` prints once the bot runs: what is connected, and which authentication
// is in force on each surface, so a deployment that is wide open (or talking to the wrong relay)
// is obvious in the first screen of its log. Never a secret: only which kind of credential is set.

export function startBanner(config: Config, bot: Pick<RunningBot, 'lab' | 'web' | 'ops' | 'adapters'>): string[] {
  const lines = [`triage-bot is running (${config.mode} mode).`];
  if (bot.lab) lines.push(`  lab relay:   ${bot.lab.relay.url} answering from ${bot.lab.scenario()} (random HMAC key made at start)`);
  else lines.push(`  relay:       ${config.relay.url} as key "${config.relay.keyId}" (HMAC-signed requests${relayTls(config)})`);
  lines.push(`  store:       ${describeStore(config.store.databaseUrl)}`);
  if (bot.web) lines.push(`  web console: ${bot.web.url}   <- open this in a browser (lab: personas, no sign-in)`);
  if (config.slack) {
    const auth = config.slack.mode === 'socket' ? 'Socket Mode with the app-level token' : `HTTP on ${config.slack.listenHost}:${config.slack.port}, requests verified with the signing secret`;
    lines.push(`  slack:       connected (${auth})`);
  }
  if (config.teams) {
    const auth = config.teams.appId === '' ? 'Bot Framework authentication OFF (lab only)' : `Bot Framework JWT for app ${config.teams.appId} (${config.teams.appType}, ${config.teams.certThumbprint ? 'certificate' : config.teams.appPassword ? 'client secret' : 'managed identity'})`;
    lines.push(`  teams:       POST /api/messages on port ${config.teams.port} (${auth})`);
  }
  if (bot.ops) lines.push(`  health:      ${bot.ops.url}/healthz, /readyz, /metrics`);
  lines.push(`  policy:      ${config.policyFile}`);
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

function relayTls(config: Config): string {
  if (!config.relay.url?.startsWith('https:')) return ', plain HTTP';
  const parts = [config.relay.caFile ? 'TLS with private CA' : 'TLS'];
  if (config.relay.clientCert) parts.push('mTLS client certificate');
  return `, ${parts.join(', ')}`;
}

/** The store without its password. */
export function describeStore(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return `SQLite ${databaseUrl.slice('sqlite:'.length)}`;
  try {
    const u = new URL(databaseUrl);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname} as ${decodeURIComponent(u.username) || '(default user)'}${u.password ? ' (password set)' : ''}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}
