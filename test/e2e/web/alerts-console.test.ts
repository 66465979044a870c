import { plainName, renderMentions } from '../../../src/core/mention.js';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/core/logger.js';

// The bot as `npm start` runs it, with ALERTS_PORT set and an alerts section in the policy file:
// a signed generic alert naming HV01 and HV02 appears in the lab console's #incident channel,
// with the check in its thread, posted by the bot's own identity.

const SECRET = 'wef-secret-0123456789abcdef0123456789abcdef';
let bot: RunningBot | undefined;
let dir: string | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  delete process.env.ALERTS_WEF_SECRET;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a generic alert posted to POST /v1/alerts shows in the lab console with its check', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'alerts-bot-'));
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `${readFileSync('lab/policies/default.yaml', 'utf8')}
alerts:
  sources:
    - { name: wef, format: generic, auth: { hmacSecretEnv: ALERTS_WEF_SECRET } }
  routes:
    - { cluster: HVCLUSTER01, targets: [ { platform: web, channelId: incident } ] }
`,
  );
  process.env.ALERTS_WEF_SECRET = SECRET;
  const lines: string[] = [];
  bot = await startBot({
    config: loadConfig({ DATABASE_URL: 'sqlite::memory:', POLICY_FILE: policy, ALERTS_PORT: '0' }),
    logger: createLogger('info', (l) => lines.push(l)),
    webPort: 0,
    extensions: botExtensions,
  });
  const started = lines.map((l) => JSON.parse(l) as { msg: string; url?: string }).find((l) => l.msg === 'alert listener started');
  expect(started?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/alerts$/);

  const body = JSON.stringify({ nodes: ['HV01', 'HV02'], cluster: 'HVCLUSTER01', source: 'wef', summary: 'Event 21502 on HV01', severity: 'error', fingerprint: 'wef-HV01-21502' });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const res = await fetch(`${started!.url}?source=wef`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-triage-signature': signature }, body });
  expect(res.status).toBe(202);

  const web = bot.web!;
  const inIncident = () => web.state.list('olivia').filter((m) => m.channelId === 'incident');
  for (let i = 0; i < 100 && !inIncident().some((m) => m.reply.buttons?.some((b) => b.action === 'rerun')); i++) await new Promise((r) => setTimeout(r, 50));
  const alert = inIncident().find((m) => m.reply.header.startsWith('Alert ·'));
  expect(alert?.reply.verdict?.text).toContain('error alert from wef: Event 21502 on HV01');
  const result = inIncident().find((m) => m.reply.buttons?.some((b) => b.action === 'rerun'));
  expect(result?.reply.header).toBe('Live migration check · HV01, HV02');
  // As the console shows it: the actor is a mention element, rendered as the plain name.
  expect(renderMentions(result?.reply.context?.[0] ?? '', plainName)).toMatch(/^Run by alert from wef · /);
});
