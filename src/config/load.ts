import { SETTINGS, type SettingDef } from './settings.js';
import { productionProblems } from './production.js';
import type { RelayClientSettings } from '../relay/create-http-client.js';
import type { WindowsBackendSettings } from '../relay/server/backends/windows/index.js';

// Config is read once, at start, from the environment (and `.env`, loaded by the entry point).
// Every problem is reported together, each naming the variable and how to fix it; a secret's
// value is never echoed. The result is a typed, frozen object.

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example and the README's configuration reference.`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  mode: 'lab' | 'production';
  labScenario: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  policyFile: string;
  eventWindowHours: number;
  /** DC_EVIDENCE_MAX: most domain controllers a check reads. */
  dcEvidenceMax: number;
  /** REPLICATION_WAIT_SECONDS: the fix flow's bounded wait for the DCs. */
  replicationWaitSeconds: number;
  /** SIGTERM: how long work in flight may finish. */
  shutdownDrainMs: number;
  /** Admission control: checks running at once, and waiting, per replica. */
  checks: { concurrency: number; queueLimit: number };
  /** The relay client's settings: the shape the relay's client factory takes. */
  relay: RelayClientSettings;
  approvals: { signingKey?: string; planTtlMinutes: number; leaseSeconds: number };
  relayServer: {
    listenHost: string;
    port: number;
    tlsCert?: string;
    tlsKey?: string;
    clientCa?: string;
    keys: Map<string, string>;
    /** key id → scope, for keys given one (keyid:secret:read|write). */
    keyScopes: Map<string, 'read' | 'write'>;
    backend: 'lab' | 'windows' | 'lab-directory';
    writesEnabled: boolean;
    approvalKey?: string;
    auditLog: string;
    auditMaxBytes: number;
    auditKeep: number;
    auditUnauthPerMinute: number;
    skewSeconds: number;
    futureSkewSeconds: number;
    keyRatePerSecond: number;
    keyBurst: number;
    noncesPerKey: number;
    unauthPerMinute: number;
  };
  directory: {
    url?: string;
    bindDn?: string;
    bindPassword?: string;
    /** The account for the delegation write; reads never use it. */
    writeBindDn?: string;
    writeBindPassword?: string;
    baseDn?: string;
    startTls: boolean;
    caFile?: string;
    allowPlain: boolean;
  };
  /** The windows backend's settings: the shape its factory takes. */
  windows: WindowsBackendSettings;
  store: { databaseUrl: string; checkRetentionDays: number };
  slack?: { botToken: string; appToken?: string; signingSecret?: string; mode: 'socket' | 'http'; port: number; listenHost: string; apiUrl?: string; userGroups: boolean };
  teams?: {
    appId: string;
    appPassword?: string;
    certThumbprint?: string;
    certKeyFile?: string;
    tenantId?: string;
    appType: 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
    port: number;
    /** PUBLIC_BASE_URL: report links (GET /reports/<id>) only when set. */
    publicBaseUrl?: string;
  };
  web: { port: number; enabled: boolean };
  ops: { enabled: boolean; listenHost: string; port: number; readyTimeoutMs: number };
  /** POST /v1/alerts (docs/alerts.md); absent unless ALERTS_PORT is set. */
  alerts?: { port: number; listenHost: string; tlsCert?: string; tlsKey?: string; maxBodyBytes: number };
  /** How chat messages point people elsewhere (issue 20). */
  chat: { docsBaseUrl?: string; slackApproverGroup?: string; teamsApproverTag?: { id: string; name: string } };
}

type Raw = Record<string, unknown>;

function parseAll(env: NodeJS.ProcessEnv, problems: string[]): Raw {
  const raw: Raw = {};
  for (const def of SETTINGS) {
    const given = env[def.env];
    const value = given === undefined || given === '' ? def.default : given;
    if (value === undefined) continue;
    const parsed = def.schema.safeParse(value);
    if (parsed.success) raw[def.env] = parsed.data;
    else problems.push(describe(def, parsed.error.issues[0]?.message ?? 'invalid value', given));
  }
  return raw;
}

function describe(def: SettingDef, why: string, given: string | undefined): string {
  const shown = def.secret || given === undefined ? '' : ` (got "${given.length > 60 ? `${given.slice(0, 60)}…` : given}")`;
  return `${def.env}: ${why}${shown}. ${def.description}`;
}

function required(raw: Raw, env: string, when: string, problems: string[]): void {
  if (raw[env] === undefined) problems.push(`${env} is required ${when}. Set it in .env (see .env.example).`);
}

function str(raw: Raw, env: string): string | undefined {
  return raw[env] as string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const raw = parseAll(env, problems);
  const mode = raw.TRIAGE_MODE as Config['mode'];

  if (mode === 'production') {
    required(raw, 'RELAY_URL', 'in production mode', problems);
    required(raw, 'RELAY_KEY_SECRET', 'in production mode', problems);
    required(raw, 'APPROVAL_SIGNING_KEY', 'in production mode', problems);
    problems.push(...productionProblems(env, raw));
  }
  if (raw.SLACK_BOT_TOKEN !== undefined) {
    if (raw.SLACK_MODE === 'socket') required(raw, 'SLACK_APP_TOKEN', 'when SLACK_MODE=socket', problems);
    else required(raw, 'SLACK_SIGNING_SECRET', 'when SLACK_MODE=http', problems);
  }
  const teamsAppId = env.TEAMS_APP_ID;
  if (teamsAppId !== undefined) {
    if (teamsAppId === '' && mode !== 'lab') {
      problems.push('TEAMS_APP_ID is empty, which turns off Bot Framework authentication; that is allowed only with TRIAGE_MODE=lab. Set the Microsoft App ID of your bot.');
    }
    if (teamsAppId !== '' && raw.TEAMS_APP_PASSWORD === undefined && raw.TEAMS_CERT_THUMBPRINT === undefined && raw.TEAMS_APP_TYPE !== 'UserAssignedMSI') {
      problems.push('TEAMS_APP_PASSWORD (or TEAMS_CERT_THUMBPRINT and TEAMS_CERT_KEY_FILE) is required when TEAMS_APP_ID is set.');
    }
    if (teamsAppId !== '' && raw.TEAMS_APP_TYPE === 'SingleTenant') required(raw, 'TEAMS_TENANT_ID', 'for a single-tenant Teams bot', problems);
    // A tag mention shows the tag's name: an id alone cannot be mentioned.
    if (raw.TEAMS_APPROVER_TAG !== undefined) required(raw, 'TEAMS_APPROVER_TAG_NAME', 'with TEAMS_APPROVER_TAG', problems);
  }
  if (raw.ALERTS_TLS_CERT !== undefined) required(raw, 'ALERTS_TLS_KEY', 'when ALERTS_TLS_CERT is set', problems);
  if (raw.ALERTS_TLS_KEY !== undefined) required(raw, 'ALERTS_TLS_CERT', 'when ALERTS_TLS_KEY is set', problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const keys = new Map<string, string>();
  const keyScopes = new Map<string, 'read' | 'write'>();
  for (const pair of (str(raw, 'RELAY_KEYS') ?? '').split(',').filter(Boolean)) {
    const i = pair.indexOf(':');
    // keyid:secret[:read|:write]: a trailing scope is never part of the secret.
    const scoped = /^(.*):(read|write)$/.exec(pair.slice(i + 1));
    keys.set(pair.slice(0, i), scoped ? scoped[1]! : pair.slice(i + 1));
    if (scoped) keyScopes.set(pair.slice(0, i), scoped[2] as 'read' | 'write');
  }

  const config: Config = {
    mode,
    labScenario: str(raw, 'LAB_SCENARIO')!,
    logLevel: raw.LOG_LEVEL as Config['logLevel'],
    policyFile: str(raw, 'POLICY_FILE')!,
    eventWindowHours: raw.EVENT_WINDOW_HOURS as number,
    dcEvidenceMax: raw.DC_EVIDENCE_MAX as number,
    replicationWaitSeconds: raw.REPLICATION_WAIT_SECONDS as number,
    shutdownDrainMs: raw.SHUTDOWN_DRAIN_MS as number,
    checks: { concurrency: raw.CHECK_CONCURRENCY as number, queueLimit: raw.CHECK_QUEUE_LIMIT as number },
    relay: {
      url: str(raw, 'RELAY_URL'),
      keyId: str(raw, 'RELAY_KEY_ID')!,
      keySecret: str(raw, 'RELAY_KEY_SECRET'),
      caFile: str(raw, 'RELAY_CA_FILE'),
      clientCert: str(raw, 'RELAY_CLIENT_CERT'),
      clientKey: str(raw, 'RELAY_CLIENT_KEY'),
      timeoutMs: raw.RELAY_TIMEOUT_MS as number,
      concurrencyPerHost: raw.RELAY_CONCURRENCY_PER_HOST as number,
    },
    approvals: { signingKey: str(raw, 'APPROVAL_SIGNING_KEY'), planTtlMinutes: raw.PLAN_TTL_MINUTES as number, leaseSeconds: raw.PLAN_LEASE_SECONDS as number },
    relayServer: {
      listenHost: str(raw, 'RELAY_LISTEN_HOST')!,
      port: raw.RELAY_PORT as number,
      tlsCert: str(raw, 'RELAY_TLS_CERT'),
      tlsKey: str(raw, 'RELAY_TLS_KEY'),
      clientCa: str(raw, 'RELAY_CLIENT_CA'),
      keys,
      keyScopes,
      backend: raw.RELAY_BACKEND as 'lab' | 'windows' | 'lab-directory',
      writesEnabled: raw.RELAY_WRITES_ENABLED as boolean,
      approvalKey: str(raw, 'RELAY_APPROVAL_KEY'),
      auditLog: str(raw, 'RELAY_AUDIT_LOG')!,
      auditMaxBytes: raw.RELAY_AUDIT_MAX_BYTES as number,
      auditKeep: raw.RELAY_AUDIT_KEEP as number,
      auditUnauthPerMinute: raw.RELAY_AUDIT_UNAUTH_PER_MINUTE as number,
      skewSeconds: raw.RELAY_SKEW_SECONDS as number,
      futureSkewSeconds: raw.RELAY_FUTURE_SKEW_SECONDS as number,
      keyRatePerSecond: raw.RELAY_KEY_RATE_PER_SECOND as number,
      keyBurst: raw.RELAY_KEY_BURST as number,
      noncesPerKey: raw.RELAY_NONCES_PER_KEY as number,
      unauthPerMinute: raw.RELAY_UNAUTH_PER_MINUTE as number,
    },
    directory: {
      url: str(raw, 'LDAP_URL'),
      bindDn: str(raw, 'LDAP_BIND_DN'),
      bindPassword: str(raw, 'LDAP_BIND_PASSWORD'),
      writeBindDn: str(raw, 'LDAP_WRITE_BIND_DN'),
      writeBindPassword: str(raw, 'LDAP_WRITE_BIND_PASSWORD'),
      baseDn: str(raw, 'LDAP_BASE_DN'),
      startTls: raw.LDAP_STARTTLS as boolean,
      caFile: str(raw, 'LDAP_CA_FILE'),
      allowPlain: raw.LDAP_ALLOW_PLAIN as boolean,
    },
    windows: {
      pwshPath: str(raw, 'PWSH_PATH')!,
      poolSize: raw.PWSH_POOL_SIZE as number,
      poolWarm: raw.PWSH_POOL_WARM as number,
      poolIdleMs: raw.PWSH_POOL_IDLE_MS as number,
      hostConcurrency: raw.PWSH_HOST_CONCURRENCY as number,
      sessionIdleMs: raw.PWSH_SESSION_IDLE_MS as number,
      jeaConfigurationName: str(raw, 'JEA_CONFIGURATION_NAME')!,
      jeaWriteConfigurationName: str(raw, 'JEA_WRITE_CONFIGURATION_NAME')!,
      jeaDcConfigurationName: str(raw, 'JEA_DC_CONFIGURATION_NAME')!,
    },
    store: { databaseUrl: str(raw, 'DATABASE_URL')!, checkRetentionDays: raw.CHECK_RETENTION_DAYS as number },
    slack:
      raw.SLACK_BOT_TOKEN === undefined
        ? undefined
        : {
            botToken: str(raw, 'SLACK_BOT_TOKEN')!,
            appToken: str(raw, 'SLACK_APP_TOKEN'),
            signingSecret: str(raw, 'SLACK_SIGNING_SECRET'),
            mode: raw.SLACK_MODE as 'socket' | 'http',
            port: raw.SLACK_PORT as number,
            listenHost: str(raw, 'SLACK_LISTEN_HOST')!,
            apiUrl: str(raw, 'SLACK_API_URL'),
            userGroups: raw.SLACK_USER_GROUPS as boolean,
          },
    teams:
      teamsAppId === undefined
        ? undefined
        : {
            appId: teamsAppId,
            appPassword: str(raw, 'TEAMS_APP_PASSWORD'),
            certThumbprint: str(raw, 'TEAMS_CERT_THUMBPRINT'),
            certKeyFile: str(raw, 'TEAMS_CERT_KEY_FILE'),
            tenantId: str(raw, 'TEAMS_TENANT_ID'),
            appType: raw.TEAMS_APP_TYPE as 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI',
            port: raw.TEAMS_PORT as number,
            ...(str(raw, 'PUBLIC_BASE_URL') ? { publicBaseUrl: str(raw, 'PUBLIC_BASE_URL') } : {}),
          },
    web: { port: raw.WEB_PORT as number, enabled: raw.WEB_ENABLED as boolean },
    ops: {
      enabled: raw.OPS_ENABLED as boolean,
      listenHost: str(raw, 'OPS_LISTEN_HOST')!,
      port: raw.OPS_PORT as number,
      readyTimeoutMs: raw.READY_TIMEOUT_MS as number,
    },
    ...(raw.ALERTS_PORT === undefined
      ? {}
      : {
          alerts: {
            port: raw.ALERTS_PORT as number,
            listenHost: str(raw, 'ALERTS_LISTEN_HOST')!,
            ...(str(raw, 'ALERTS_TLS_CERT') ? { tlsCert: str(raw, 'ALERTS_TLS_CERT')! } : {}),
            ...(str(raw, 'ALERTS_TLS_KEY') ? { tlsKey: str(raw, 'ALERTS_TLS_KEY')! } : {}),
            maxBodyBytes: raw.ALERTS_MAX_BODY_BYTES as number,
          },
        }),
    chat: {
      docsBaseUrl: str(raw, 'DOCS_BASE_URL'),
      slackApproverGroup: str(raw, 'SLACK_APPROVER_GROUP'),
      ...(str(raw, 'TEAMS_APPROVER_TAG') && str(raw, 'TEAMS_APPROVER_TAG_NAME') ? { teamsApproverTag: { id: str(raw, 'TEAMS_APPROVER_TAG')!, name: str(raw, 'TEAMS_APPROVER_TAG_NAME')! } } : {}),
    },
  };
  return Object.freeze(config);
}

/** A printable copy of the config with every secret replaced, for start-up logs. */
export function maskedConfig(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const def of SETTINGS) {
    const v = env[def.env];
    if (v === undefined || v === '') continue;
    out[def.env] = def.secret ? '***' : v;
  }
  return out;
}
