import { afterEach, expect, it } from 'vitest';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { parseScenario } from '../../../src/lab/load.js';

// The lab console as `npm start` serves it: /migration-check, Show evidence, Save as lab
// scenario; the YAML downloads from the console and is a valid, redacted scenario that
// expects the verdict the console showed.

let bot: RunningBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

async function until<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('not shown in time');
}

it('Save as lab scenario downloads the redacted capture from the console', async () => {
  bot = await startBot({ config: loadConfig({ DATABASE_URL: 'sqlite::memory:' }), logger: silentLogger, webPort: 0, extensions: botExtensions });
  const web = bot.web!;
  const api = (path: string, body: unknown) => fetch(`${web.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const messages = () => web.state.list('olivia');
  await api('/api/command', { persona: 'olivia', channelId: 'incident', text: '/migration-check HV01 HV02' });
  const result = await until(() => messages().find((m) => m.reply.buttons?.some((b) => b.action === 'show-evidence')));
  const show = result.reply.buttons!.find((b) => b.action === 'show-evidence')!;
  await api('/api/action', { persona: 'olivia', messageId: result.id, action: 'show-evidence', recordId: show.recordId });
  const evidence = await until(() => messages().find((m) => m.reply.buttons?.some((b) => b.action === 'save-scenario')));
  await api('/api/action', { persona: 'olivia', messageId: evidence.id, action: 'save-scenario', recordId: show.recordId });
  const saved = await until(() => messages().find((m) => m.reply.attachments?.some((a) => a.filename.endsWith('.yaml'))));
  const index = saved.reply.attachments!.findIndex((a) => a.filename.endsWith('.yaml'));

  const download = await fetch(`${web.url}/api/attachments/${saved.id}/${index}?persona=olivia`);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="incident-cr_[\w-]+\.yaml"$/);
  const yaml = await download.text();
  expect(yaml).not.toMatch(/HV0\d|lab\.test/i);
  const scenario = parseScenario(yaml, 'incident.yaml');
  expect(scenario.expect?.nodes).toEqual(['NODE01', 'NODE02']);
  expect(scenario.expect?.verdict).toBe(result.reply.verdict?.status);
});
