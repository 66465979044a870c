import { z } from 'zod';

// Every setting the bot and the relay read, in one table: the zod schema that validates it,
// what it is for, and how to fix it. `.env.example` and the README's configuration reference
// are generated from this table (`npm run docs:config`), and a test checks they have not drifted.

export interface SettingDef {
  /** Environment variable name. */
  env: string;
  group: 'general' | 'relay-client' | 'relay-server' | 'directory' | 'windows' | 'store' | 'slack' | 'teams' | 'web' | 'approvals' | 'ops' | 'alerts';
  schema: z.ZodType;
  description: string;
  /** Value used when unset (documented as the default). */
  default?: string;
  /** Example for `.env.example` when there is no default. */
  example?: string;
  /** Never printed, logged or echoed in an error. */
  secret?: boolean;
}

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const url = z.string().url();
const nonEmpty = z.string().min(1);

export const SETTINGS: SettingDef[] = [
  // general
  { env: 'TRIAGE_MODE', group: 'general', schema: z.enum(['lab', 'production']), default: 'lab', description: 'lab: everything on this machine (lab relay, web console, no platform auth). production: real relay, platform credentials required.' },
  { env: 'LAB_SCENARIO', group: 'general', schema: nonEmpty, default: 'lab/default.yaml', description: 'Lab scenario file the embedded lab relay answers from (lab mode only).' },
  { env: 'LOG_LEVEL', group: 'general', schema: z.enum(['debug', 'info', 'warn', 'error']), default: 'info', description: 'Least severe log level written to stderr.' },
  { env: 'POLICY_FILE', group: 'approvals', schema: nonEmpty, default: 'lab/policies/default.yaml', description: 'Roles (viewer, operator, approver), channels and schedules: YAML validated at start.' },
  { env: 'SHUTDOWN_DRAIN_MS', group: 'general', schema: positiveInt.max(10 * 60_000), default: '20000', description: 'On SIGTERM the bot stops taking requests, then lets work in flight (an apply, its re-check) finish for this long; applies still running are handed off to another replica through their expiring lease.' },
  { env: 'CHECK_CONCURRENCY', group: 'general', schema: positiveInt.max(256), default: '8', description: 'Most checks one bot replica runs at once; more wait in the check queue.' },
  { env: 'CHECK_QUEUE_LIMIT', group: 'general', schema: z.coerce.number().int().min(0).max(10_000), default: '64', description: 'Most checks waiting on one replica; the person is told "busy, queued as #n". Past it a check is refused at once with "busy, try again".' },
  { env: 'DC_EVIDENCE_MAX', group: 'general', schema: z.coerce.number().int().min(0).max(32), default: '4', description: 'Most domain controllers a check reads (KDC events, updates, their copy of the delegation): those in the nodes\' sites first, one request each, alongside the node reads. 0 reads none.' },
  { env: 'EVENT_WINDOW_HOURS', group: 'general', schema: positiveInt.max(744), default: '72', description: 'How far back the check reads live-migration events on each node.' },
  { env: 'DOCS_BASE_URL', group: 'general', schema: url, example: 'https://github.com/contoso/triage-bot/blob/main/docs', description: 'Where readers find docs/ (the folder holding findings.md): each finding a person must act on links to its section there. Unset: messages give the repository path docs/findings.md#<code>.' },

  // relay client (bot side)
  { env: 'RELAY_URL', group: 'relay-client', schema: url, example: 'https://relay.contoso.com:8443', description: 'Base URL of triage-relay. Unset in lab mode: the bot starts its own lab relay on loopback.' },
  { env: 'RELAY_KEY_ID', group: 'relay-client', schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), default: 'bot', description: 'Key id the bot signs relay requests with (x-triage-key-id).' },
  { env: 'RELAY_KEY_SECRET', group: 'relay-client', schema: z.string().min(32, 'must be at least 32 characters (use: openssl rand -hex 32)'), secret: true, example: 'change-me-to-64-hex-characters-from-openssl-rand-hex-32-0000000000', description: 'HMAC secret for RELAY_KEY_ID. In lab mode a random one is made at start.' },
  { env: 'RELAY_CA_FILE', group: 'relay-client', schema: nonEmpty, example: '/etc/triage/relay-ca.pem', description: 'CA certificate that signed the relay\'s TLS certificate, when not publicly trusted.' },
  { env: 'RELAY_CLIENT_CERT', group: 'relay-client', schema: nonEmpty, example: '/etc/triage/bot-client.pem', description: 'Client certificate for mTLS to the relay (optional).' },
  { env: 'RELAY_CLIENT_KEY', group: 'relay-client', schema: nonEmpty, example: '/etc/triage/bot-client.key', description: 'Private key of RELAY_CLIENT_CERT.' },
  { env: 'RELAY_TIMEOUT_MS', group: 'relay-client', schema: positiveInt, default: '15000', description: 'Timeout of one relay request.' },
  { env: 'RELAY_CONCURRENCY_PER_HOST', group: 'relay-client', schema: positiveInt.max(64), default: '8', description: 'Most relay requests in flight for one node at a time.' },
  { env: 'APPROVAL_SIGNING_KEY', group: 'approvals', schema: z.string().min(32, 'must be at least 32 characters (use: openssl rand -hex 32)'), secret: true, example: 'change-me-to-a-second-64-hex-character-secret-not-the-relay-key-00', description: 'Key that signs single-use approval tokens for relay writes; the relay holds the same value in RELAY_APPROVAL_KEY. Separate from RELAY_KEY_SECRET.' },
  { env: 'PLAN_LEASE_SECONDS', group: 'approvals', schema: positiveInt.min(3).max(600), default: '30', description: 'Lease of the replica applying a plan, renewed every third of it; recovery on another replica takes a plan over only after its lease expired.' },
  { env: 'REPLICATION_WAIT_SECONDS', group: 'approvals', schema: z.coerce.number().int().min(0).max(3600), default: '120', description: 'After an approved delegation fix, how long the bot waits for every DC of the nodes\' sites to carry it before purging tickets; past it the bot says so and offers "Purge and re-check now".' },
  { env: 'PLAN_TTL_MINUTES', group: 'approvals', schema: positiveInt.max(24 * 60), default: '30', description: 'A proposed fix expires unless approved within this time.' },

  // relay server
  { env: 'RELAY_LISTEN_HOST', group: 'relay-server', schema: nonEmpty, default: '127.0.0.1', description: 'Address triage-relay binds to. Plain HTTP is refused unless this is a loopback address.' },
  { env: 'RELAY_PORT', group: 'relay-server', schema: port, default: '8443', description: 'Port triage-relay listens on (0 picks a free one).' },
  { env: 'RELAY_TLS_CERT', group: 'relay-server', schema: nonEmpty, example: '/etc/triage/relay.pem', description: 'TLS certificate (PEM). Required unless bound to loopback.' },
  { env: 'RELAY_TLS_KEY', group: 'relay-server', schema: nonEmpty, example: '/etc/triage/relay.key', description: 'TLS private key (PEM) of RELAY_TLS_CERT.' },
  { env: 'RELAY_CLIENT_CA', group: 'relay-server', schema: nonEmpty, example: '/etc/triage/bot-ca.pem', description: 'When set, callers must present a client certificate signed by this CA (mTLS).' },
  { env: 'RELAY_KEYS', group: 'relay-server', schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}:[^,\s]{32,}(,[A-Za-z0-9._-]{1,64}:[^,\s]{32,})*$/, 'expected keyid:secret[:read|:write][,keyid:secret...] with secrets of at least 32 characters'), secret: true, example: 'bot:change-me-to-64-hex-characters-from-openssl-rand-hex-32-0000000000:write', description: 'Keys allowed to call the relay, keyid:secret[:scope], comma-separated; several at once for rotation. Scope read: reads only (a write is 403); write (the default): reads and writes. Give the bot its own write key and monitoring a read key.' },
  { env: 'RELAY_BACKEND', group: 'relay-server', schema: z.enum(['lab', 'windows', 'lab-directory']), default: 'lab', description: 'lab answers from a scenario file; windows talks to hosts through JEA and to AD over LDAP; lab-directory takes hosts from the scenario and AD over LDAP (try the bot against a real directory before JEA is set up).' },
  { env: 'RELAY_WRITES_ENABLED', group: 'relay-server', schema: bool, default: 'false', description: 'Allow approved writes (delegation fix, ticket purge, auth type, test migration). Off: every write is refused.' },
  { env: 'RELAY_APPROVAL_KEY', group: 'relay-server', schema: z.string().min(32), secret: true, example: 'change-me-to-a-second-64-hex-character-secret-not-the-relay-key-00', description: 'Verifies approval tokens on writes; the same value as the bot\'s APPROVAL_SIGNING_KEY.' },
  { env: 'RELAY_AUDIT_LOG', group: 'relay-server', schema: nonEmpty, default: 'data/relay-audit.jsonl', description: 'Append-only JSON-lines audit log of every relay request.' },
  { env: 'RELAY_SKEW_SECONDS', group: 'relay-server', schema: positiveInt.max(3600), default: '300', description: 'How far a request timestamp may be behind the relay clock.' },
  { env: 'RELAY_FUTURE_SKEW_SECONDS', group: 'relay-server', schema: z.coerce.number().int().min(0).max(3600), default: '30', description: 'How far a request timestamp may be ahead of the relay clock (at most RELAY_SKEW_SECONDS). Each nonce is remembered until its timestamp is RELAY_SKEW_SECONDS + 1 s old.' },
  { env: 'RELAY_KEY_RATE_PER_SECOND', group: 'relay-server', schema: positiveInt.max(100_000), default: '200', description: 'Requests a second one key may make (token bucket, refilled continuously); past it the key gets 429 with Retry-After, other keys are not affected.' },
  { env: 'RELAY_KEY_BURST', group: 'relay-server', schema: positiveInt.max(1_000_000), default: '1000', description: 'Requests one key may make at once before RELAY_KEY_RATE_PER_SECOND applies.' },
  { env: 'RELAY_NONCES_PER_KEY', group: 'relay-server', schema: positiveInt.max(10_000_000), default: '100000', description: 'Live nonces the relay remembers for each key (its own share: one key filling it gets replay_cache_full, no other key does). At least RELAY_KEY_BURST + RELAY_KEY_RATE_PER_SECOND × (RELAY_SKEW_SECONDS + RELAY_FUTURE_SKEW_SECONDS + 1), so a key within its rate never fills it (the relay refuses to start otherwise).' },
  { env: 'RELAY_UNAUTH_PER_MINUTE', group: 'relay-server', schema: positiveInt.max(1_000_000), default: '120', description: 'Failed authentications a minute from one remote address; past it that address gets 429 before its signature is checked.' },
  { env: 'RELAY_AUDIT_UNAUTH_PER_MINUTE', group: 'relay-server', schema: z.coerce.number().int().min(0).max(1_000_000), default: '60', description: 'Audit lines a minute for unauthenticated requests; the rest are counted in the next such line (unauthenticatedNotLogged). Authenticated requests always get their lines.' },
  { env: 'RELAY_AUDIT_MAX_BYTES', group: 'relay-server', schema: z.coerce.number().int().min(0), default: '104857600', description: 'Rotate the audit log when it reaches this size: it becomes <file>.1 (older files shift to .2 …). 0 never rotates (use logrotate and SIGHUP).' },
  { env: 'RELAY_AUDIT_KEEP', group: 'relay-server', schema: positiveInt.max(1000), default: '10', description: 'Rotated audit files kept; the oldest beyond this is deleted. Ship the log to your SIEM if you need more history.' },

  // directory
  { env: 'LDAP_URL', group: 'directory', schema: z.string().regex(/^ldaps?:\/\/[^\s]+$/, 'expected ldaps://dc01.contoso.com or ldap://... with LDAP_STARTTLS=true'), example: 'ldaps://dc01.contoso.com', description: 'Domain controller the relay reads and writes over LDAP.' },
  { env: 'LDAP_BIND_DN', group: 'directory', schema: nonEmpty, example: 'CN=svc-triage-relay,OU=Service Accounts,DC=contoso,DC=com', description: 'Least-privilege account the relay binds as.' },
  { env: 'LDAP_BIND_PASSWORD', group: 'directory', schema: nonEmpty, secret: true, example: 'change-me', description: 'Password of LDAP_BIND_DN.' },
  { env: 'LDAP_WRITE_BIND_DN', group: 'directory', schema: nonEmpty, example: 'CN=svc-triage-fix,OU=Service Accounts,DC=contoso,DC=com', description: 'Account the relay binds as for its one directory write (the approved delegation fix); it needs the right to change delegation (docs/domain.md, "Risks"). Unset: writes bind as LDAP_BIND_DN.' },
  { env: 'LDAP_WRITE_BIND_PASSWORD', group: 'directory', schema: nonEmpty, secret: true, example: 'change-me', description: 'Password of LDAP_WRITE_BIND_DN.' },
  { env: 'LDAP_BASE_DN', group: 'directory', schema: nonEmpty, example: 'DC=contoso,DC=com', description: 'Search base; read from RootDSE defaultNamingContext when unset.' },
  { env: 'LDAP_STARTTLS', group: 'directory', schema: bool, default: 'false', description: 'Upgrade an ldap:// connection with StartTLS.' },
  { env: 'LDAP_CA_FILE', group: 'directory', schema: nonEmpty, example: '/etc/triage/dc-ca.pem', description: 'CA certificate of the domain controllers\' LDAPS certificates.' },
  { env: 'LDAP_ALLOW_PLAIN', group: 'directory', schema: bool, default: 'false', description: 'Allow plain ldap:// without TLS (test DCs on loopback only).' },

  // windows
  { env: 'PWSH_PATH', group: 'windows', schema: nonEmpty, default: 'pwsh', description: 'PowerShell executable the windows backend starts (pool of long-lived processes).' },
  { env: 'PWSH_POOL_SIZE', group: 'windows', schema: positiveInt.max(256), default: '16', description: 'Most long-lived PowerShell processes at once. They start as a check needs them (one per node with a read waiting: a remote call waits on WinRM, not CPU), and each keeps its JEA sessions open for the nodes it served, so a check of 64 nodes reads them in four rounds of one call each.' },
  { env: 'JEA_CONFIGURATION_NAME', group: 'windows', schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), default: 'HvLmDiag', description: 'JEA session configuration for reads (Invoke-Command -ConfigurationName).' },
  { env: 'JEA_WRITE_CONFIGURATION_NAME', group: 'windows', schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), default: 'HvLmFix', description: 'JEA session configuration for the write role.' },
  { env: 'JEA_DC_CONFIGURATION_NAME', group: 'windows', schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), default: 'HvLmDcDiag', description: 'JEA session configuration on the domain controllers for the DC evidence reads (KDC events, updates; Register-TriageJea.ps1 -DcReaderGroup).' },
  { env: 'PWSH_POOL_WARM', group: 'windows', schema: positiveInt.max(256), default: '4', description: 'PowerShell processes kept running when idle; the others stop after PWSH_POOL_IDLE_MS without work.' },
  { env: 'PWSH_POOL_IDLE_MS', group: 'windows', schema: positiveInt, default: '300000', description: 'How long a PowerShell process above PWSH_POOL_WARM may stay idle before it is stopped.' },
  { env: 'PWSH_SESSION_IDLE_MS', group: 'windows', schema: positiveInt, default: '300000', description: 'A JEA session a PowerShell process keeps open for a node is closed after this long unused (the next read opens a new one).' },
  { env: 'PWSH_HOST_CONCURRENCY', group: 'windows', schema: positiveInt.max(16), default: '2', description: 'Most relay commands running against one node at once (each holds a JEA session on it); more wait their turn.' },

  // store
  { env: 'DATABASE_URL', group: 'store', schema: z.string().regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:./data/triage.db or postgres://user@host/db'), default: 'sqlite:./data/triage.db', description: 'Store: a SQLite file (one process) or PostgreSQL (several replicas).' },
  { env: 'CHECK_RETENTION_DAYS', group: 'store', schema: positiveInt, default: '90', description: 'Check history older than this is pruned. Audit records are never pruned automatically.' },

  // slack
  { env: 'SLACK_BOT_TOKEN', group: 'slack', schema: z.string().regex(/^xoxb-/, 'a bot token starts with xoxb-'), secret: true, example: 'xoxb-...', description: 'Bot token (OAuth & Permissions). Setting it enables the Slack adapter.' },
  { env: 'SLACK_APP_TOKEN', group: 'slack', schema: z.string().regex(/^xapp-/, 'an app-level token starts with xapp-'), secret: true, example: 'xapp-...', description: 'App-level token with connections:write, for Socket Mode.' },
  { env: 'SLACK_SIGNING_SECRET', group: 'slack', schema: nonEmpty, secret: true, example: 'change-me', description: 'Signing secret (Basic Information), for HTTP mode.' },
  { env: 'SLACK_MODE', group: 'slack', schema: z.enum(['socket', 'http']), default: 'socket', description: 'socket needs no public URL; http serves POST /slack/events.' },
  { env: 'SLACK_PORT', group: 'slack', schema: port, default: '3001', description: 'Port of the Slack HTTP endpoint (http mode).' },
  { env: 'SLACK_LISTEN_HOST', group: 'slack', schema: nonEmpty, default: '0.0.0.0', description: 'Address the Slack HTTP endpoint binds to (http mode); 127.0.0.1 when a reverse proxy on the same host terminates TLS.' },
  { env: 'SLACK_APPROVER_GROUP', group: 'slack', schema: z.string().regex(/^S[A-Z0-9]{2,20}$/, 'a Slack user-group id starts with S (e.g. S0123ABCD)'), example: 'S0123ABCD', description: 'Slack user group (id) mentioned on every new plan card so approvers are notified (docs/policy.md says how to find the id). Unset: nobody is mentioned.' },
  { env: 'SLACK_API_URL', group: 'slack', schema: url, example: 'https://slack.com/api/', description: 'Override of the Slack Web API base URL, for proxies and tests.' },
  { env: 'SLACK_USER_GROUPS', group: 'slack', schema: bool, default: 'false', description: 'Read Slack user-group membership (one usergroups.list, cached 5 minutes) so the policy\'s slack-group:S… role members match. Needs the usergroups:read scope (manifests/slack/manifest.yml). Off: slack-group: members match nobody.' },

  // teams
  { env: 'TEAMS_APP_ID', group: 'teams', schema: z.string(), example: '00000000-0000-0000-0000-000000000000', description: 'Microsoft App ID of the bot. Setting it enables the Teams adapter; empty disables Bot Framework auth (lab mode only).' },
  { env: 'TEAMS_APP_PASSWORD', group: 'teams', schema: nonEmpty, secret: true, example: 'change-me', description: 'Client secret of TEAMS_APP_ID (or use TEAMS_CERT_*).' },
  { env: 'TEAMS_CERT_THUMBPRINT', group: 'teams', schema: nonEmpty, example: 'ABCDEF...', description: 'Certificate thumbprint, instead of TEAMS_APP_PASSWORD.' },
  { env: 'TEAMS_CERT_KEY_FILE', group: 'teams', schema: nonEmpty, example: '/etc/triage/teams.key', description: 'Private key file of the certificate.' },
  { env: 'TEAMS_TENANT_ID', group: 'teams', schema: nonEmpty, example: '00000000-0000-0000-0000-000000000000', description: 'Tenant of a single-tenant bot (the default app type).' },
  { env: 'TEAMS_APP_TYPE', group: 'teams', schema: z.enum(['SingleTenant', 'MultiTenant', 'UserAssignedMSI']), default: 'SingleTenant', description: 'Bot Framework app type.' },
  { env: 'TEAMS_PORT', group: 'teams', schema: port, default: '3978', description: 'Port of POST /api/messages.' },
  { env: 'PUBLIC_BASE_URL', group: 'teams', schema: url, example: 'https://triage.contoso.com', description: 'Where Teams users reach the bot (the public base of TEAMS_PORT, without /api/messages). Set: a matrix too big for one message becomes a summary and a "Full matrix" button to GET /reports/<check run id>, a static page the bot serves. Unset: the matrix follows as a monospace grid card.' },
  { env: 'TEAMS_APPROVER_TAG', group: 'teams', schema: z.string().regex(/^[A-Za-z0-9+/=_-]{8,400}$/, 'a Teams tag id (the id from Microsoft Graph GET /teams/{team-id}/tags)'), example: 'MjQzMmI1N2ItMGFiZC00M2RiLWFhN2ItMTZlYWRkMTE1ZDM0IyMxYjAxOTU1Mi0xYjYyLTQ4ZTMtOGI2NC1mMDRkZWQ3YjBhZjA=', description: 'Teams tag (id) mentioned on every new plan card posted in a channel, so its members (the approvers) are notified (docs/policy.md says how to find the id). Needs TEAMS_APPROVER_TAG_NAME. Unset: nobody is mentioned.' },
  { env: 'TEAMS_APPROVER_TAG_NAME', group: 'teams', schema: z.string().regex(/^[^<>&]{1,80}$/, 'the tag\'s name as Teams shows it, without < > &'), example: 'Hyper-V approvers', description: 'Display name of TEAMS_APPROVER_TAG, as the mention shows it.' },

  // web console
  { env: 'WEB_PORT', group: 'web', schema: port, default: '3000', description: 'Port of the lab web console (bound to 127.0.0.1 only).' },
  { env: 'WEB_ENABLED', group: 'web', schema: bool, default: 'true', description: 'Serve the web console (lab mode).' },

  // operations (health, readiness, metrics, shutdown)
  { env: 'OPS_ENABLED', group: 'ops', schema: bool, default: 'true', description: 'Serve GET /healthz, /readyz and /metrics (Prometheus) on OPS_LISTEN_HOST:OPS_PORT, apart from every chat port.' },
  { env: 'OPS_LISTEN_HOST', group: 'ops', schema: nonEmpty, default: '127.0.0.1', description: 'Address the health and metrics listener binds to; 0.0.0.0 in a container so the kubelet and Prometheus reach it.' },
  { env: 'OPS_PORT', group: 'ops', schema: port, default: '9464', description: 'Port of the health and metrics listener (0 picks a free one).' },
  { env: 'READY_TIMEOUT_MS', group: 'ops', schema: positiveInt.max(60_000), default: '2000', description: 'How long /readyz waits for each dependency (store, relay) before calling it down.' },

  // alert-triggered checks (docs/alerts.md); sources, secrets and routes are in the policy file
  { env: 'ALERTS_PORT', group: 'alerts', schema: port, example: '9465', description: 'Port of POST /v1/alerts (Alertmanager, Azure Monitor, generic JSON). Unset: no alert listener (the default). 0 picks a free one.' },
  { env: 'ALERTS_LISTEN_HOST', group: 'alerts', schema: nonEmpty, default: '127.0.0.1', description: 'Address the alert listener binds to. Plain HTTP is refused unless this is a loopback address: set ALERTS_TLS_CERT and ALERTS_TLS_KEY.' },
  { env: 'ALERTS_TLS_CERT', group: 'alerts', schema: nonEmpty, example: '/etc/triage/alerts.pem', description: 'TLS certificate (PEM) of the alert listener.' },
  { env: 'ALERTS_TLS_KEY', group: 'alerts', schema: nonEmpty, example: '/etc/triage/alerts.key', description: 'TLS private key (PEM) of ALERTS_TLS_CERT.' },
  { env: 'ALERTS_MAX_BODY_BYTES', group: 'alerts', schema: positiveInt.max(16 * 1024 * 1024), default: '262144', description: 'Largest alert body accepted; past it the sender gets 413 and nothing runs.' },
];

export const SETTINGS_BY_ENV = new Map(SETTINGS.map((s) => [s.env, s]));
