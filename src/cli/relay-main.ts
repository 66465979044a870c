import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from '../config/load.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { LabBackend } from '../lab/lab-backend.js';
import { loadScenario } from '../lab/load.js';
import { ScenarioError } from '../lab/scenario-error.js';
import type { RelayBackend } from '../relay/backend.js';
import { CompositeBackend } from '../relay/server/composite-backend.js';
import { RelayStartError, type TlsOptions } from '../relay/server/http-server.js';
import { startRelayServer, type RelayServerOptions, type RunningRelay } from '../relay/server/start-relay-server.js';

// `triage-relay`: config (from the environment and `.env`) → backend → signed HTTP(S) server.
// Every start-up problem is one message naming the setting to fix, never a stack trace.

function readSetting(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new RelayStartError(`cannot read ${setting} (${file}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function tlsFromConfig(s: Config['relayServer']): TlsOptions | undefined {
  if (!s.tlsCert !== !s.tlsKey) throw new RelayStartError('RELAY_TLS_CERT and RELAY_TLS_KEY must be set together');
  if (!s.tlsCert || !s.tlsKey) {
    if (s.clientCa) throw new RelayStartError('RELAY_CLIENT_CA (mTLS) needs TLS: set RELAY_TLS_CERT and RELAY_TLS_KEY too');
    return undefined;
  }
  return {
    cert: readSetting('RELAY_TLS_CERT', s.tlsCert),
    key: readSetting('RELAY_TLS_KEY', s.tlsKey),
    ...(s.clientCa ? { clientCa: readSetting('RELAY_CLIENT_CA', s.clientCa) } : {}),
  };
}

export async function backendFromConfig(config: Config): Promise<{ backend: RelayBackend; label: string }> {
  if (config.relayServer.backend === 'lab') {
    const scenario = await loadScenario(config.labScenario);
    return { backend: new LabBackend(scenario), label: `lab (${config.labScenario})` };
  }
  const directory = await directoryFromConfig(config);
  if (config.relayServer.backend === 'lab-directory') {
    // Hosts from the scenario, AD for real: try the bot against a directory before JEA is set up.
    const scenario = await loadScenario(config.labScenario);
    return { backend: new CompositeBackend([directory, new LabBackend(scenario)]), label: `lab hosts (${config.labScenario}) + directory (${config.directory.url})` };
  }
  const { createWindowsBackend } = await import('../relay/server/backends/windows/index.js');
  const windows = createWindowsBackend(config.windows);
  return { backend: new CompositeBackend([windows, directory]), label: `windows (JEA ${config.windows.jeaConfigurationName}) + directory (${config.directory.url})` };
}

async function directoryFromConfig(config: Config): Promise<RelayBackend> {
  const d = config.directory;
  const missing = (['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD'] as const).filter((k, i) => ![d.url, d.bindDn, d.bindPassword][i]);
  if (missing.length > 0) throw new RelayStartError(`RELAY_BACKEND=${config.relayServer.backend} needs ${missing.join(', ')} (the directory half of the backend)`);
  // Loaded only here, so lab mode starts without ldapts.
  const { DirectoryBackend } = await import('../relay/server/backends/directory/directory-backend.js');
  return new DirectoryBackend({
    url: d.url!,
    reader: { dn: d.bindDn!, password: d.bindPassword! },
    ...(d.writeBindDn && d.writeBindPassword ? { writer: { dn: d.writeBindDn, password: d.writeBindPassword } } : {}),
    baseDn: d.baseDn,
    startTls: d.startTls,
    caFile: d.caFile,
    allowPlain: d.allowPlain,
  });
}

export async function relayOptionsFromConfig(config: Config): Promise<{ options: RelayServerOptions; label: string }> {
  const s = config.relayServer;
  if (s.keys.size === 0) throw new RelayStartError('RELAY_KEYS is not set: give at least one keyid:secret (secret from: openssl rand -hex 32)');
  const tls = tlsFromConfig(s);
  const { backend, label } = await backendFromConfig(config);
  return {
    label,
    options: {
      backend,
      keys: s.keys,
      keyScopes: s.keyScopes,
      host: s.listenHost,
      port: s.port,
      tls,
      writesEnabled: s.writesEnabled,
      approvalKey: s.approvalKey,
      audit: s.auditLog,
      auditRotation: { maxBytes: s.auditMaxBytes, keep: s.auditKeep },
      auditUnauthPerMinute: s.auditUnauthPerMinute,
      skewSeconds: s.skewSeconds,
      futureSkewSeconds: s.futureSkewSeconds,
      quotas: { ratePerSecond: s.keyRatePerSecond, burst: s.keyBurst, noncesPerKey: s.noncesPerKey, unauthPerMinute: s.unauthPerMinute },
    },
  };
}

function describeStart(relay: RunningRelay, config: Config, label: string): string {
  const s = config.relayServer;
  return [
    `triage-relay listening on ${relay.url}`,
    `  backend: ${label}`,
    `  writes: ${s.writesEnabled ? 'enabled (approval token required)' : 'disabled'}`,
    `  client certificates: ${s.clientCa ? 'required (mTLS)' : 'not required'}`,
    `  keys: ${[...s.keys.keys()].map((k) => `${k} (${s.keyScopes.get(k) ?? 'write'})`).join(', ')}`,
    `  audit log: ${path.resolve(s.auditLog)}`,
  ].join('\n');
}

/** Known start-up problems become one clear message; anything else keeps its message only. */
function explain(e: unknown): string {
  if (e instanceof ConfigError) return e.message;
  if (e instanceof RelayStartError || e instanceof ScenarioError) return `triage-relay: ${e.message}`;
  return `triage-relay: could not start: ${e instanceof Error ? e.message : String(e)}`;
}

export async function runRelay(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (existsSync('.env')) dotenv.config({ path: '.env', quiet: true });
  let relay: RunningRelay;
  let config: Config;
  let logger: Logger;
  try {
    config = loadConfig(env);
    const { options, label } = await relayOptionsFromConfig(config);
    logger = createLogger(config.logLevel, undefined, { name: 'triage-relay' });
    try {
      relay = await startRelayServer({ ...options, logger });
    } catch (e) {
      await options.backend.close?.();
      throw e;
    }
    process.stdout.write(`${describeStart(relay, config, label)}\n`);
  } catch (e) {
    process.stderr.write(`${explain(e)}\n`);
    return 2;
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.info('closing', { signal });
      relay.close().then(
        () => resolve(0),
        (e: unknown) => {
          logger.error('error while closing', { error: e instanceof Error ? e.message : String(e) });
          resolve(1);
        },
      );
    };
    process.on('SIGHUP', () => {
      relay.reopenAuditLog().then(
        () => logger.info('SIGHUP: audit log reopened'),
        (e: unknown) => logger.error('SIGHUP: could not reopen the audit log', { error: e instanceof Error ? e.message : String(e) }),
      );
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
