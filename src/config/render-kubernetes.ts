import { stringify } from 'yaml';
import { SETTINGS, type SettingDef } from './settings.js';

// deploy/kubernetes/configmap.yaml and secret.example.yaml, generated from the settings table like
// .env.example (`npm run docs:config`; a test checks they have not drifted): a ConfigMap with the
// bot's plain settings and a Secret template with its secret ones. The relay's settings are left
// out: it runs on Windows.

const BOT_GROUPS: ReadonlySet<SettingDef['group']> = new Set(['general', 'relay-client', 'approvals', 'store', 'slack', 'teams', 'ops']);
/** Not marked secret in the table, but a PostgreSQL URL carries its password. */
const CREDENTIAL_URLS = new Set(['DATABASE_URL']);
/** What production changes from the lab defaults. */
const PRODUCTION: Record<string, string> = {
  TRIAGE_MODE: 'production',
  POLICY_FILE: '/etc/triage/policy/policy.yaml',
  OPS_LISTEN_HOST: '0.0.0.0',
  SLACK_MODE: 'socket',
};
/** Lab-only settings, and those whose mere presence switches a feature on. */
const LEAVE_OUT = new Set(['LAB_SCENARIO', 'TEAMS_APP_ID', 'TEAMS_PORT', 'TEAMS_APP_TYPE', 'SLACK_MODE', 'SLACK_PORT', 'SLACK_LISTEN_HOST']);

export const K8S_NAME = 'triage-bot';

export function renderKubernetesConfig(): { configMap: string; secretExample: string } {
  const bot = SETTINGS.filter((s) => BOT_GROUPS.has(s.group));
  const plain = bot.filter((s) => !s.secret && !CREDENTIAL_URLS.has(s.env) && !LEAVE_OUT.has(s.env) && (s.default !== undefined || PRODUCTION[s.env] !== undefined || s.env === 'RELAY_URL'));
  const secret = bot.filter((s) => s.secret || CREDENTIAL_URLS.has(s.env));
  const labels = { 'app.kubernetes.io/name': K8S_NAME };
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${K8S_NAME}-config`, labels },
    data: Object.fromEntries(plain.map((s) => [s.env, PRODUCTION[s.env] ?? s.default ?? s.example ?? ''])),
  };
  const secretDoc = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${K8S_NAME}-secrets`, labels },
    type: 'Opaque',
    stringData: Object.fromEntries(secret.map((s) => [s.env, s.env === 'DATABASE_URL' ? 'postgres://triage:change-me@postgres:5432/triage' : (s.example ?? 'change-me')])),
  };
  const generated = '# Generated from src/config/settings.ts by `npm run docs:config`; do not edit by hand.';
  const secretHeader = [
    generated,
    '# A TEMPLATE, never applied as it is: create the real Secret from your values, e.g.',
    '#   kubectl create secret generic triage-bot-secrets --from-env-file=bot-secrets.env',
    '# (or through your secret store). Leave out the Slack or Teams keys you do not use.',
  ];
  return {
    configMap: `${generated}\n# The bot's plain settings with production values; teams: add TEAMS_APP_ID, TEAMS_TENANT_ID here.\n${stringify(configMap, { lineWidth: 0 })}`,
    secretExample: `${secretHeader.join('\n')}\n${stringify(secretDoc, { lineWidth: 0 })}`,
  };
}
