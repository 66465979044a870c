import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { checkLimits } from '../../../adapters/slack/limits.js';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, appMention, blockActions, eventually, sendSigned, slashCommand } from '../../helpers/slack/slack-fake.js';

// The whole bot as `npm start` builds it (lab relay over the signed protocol, SQLite store,
// policy, approvals), with Slack in HTTP mode: an operator checks, proposes the fix, cannot
// approve it herself (two-person rule), and a second approver approves it; the plan message is
// edited to applied and the re-check is posted, all through signed Slack requests.

const OLIVIA = 'U0OLIVIA';
const ADAM = 'U0ADAM';
let bot: RunningBot;
let api: SlackApiFake;
let url: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slack-approvals-'));
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    [
      'channels:',
      '  slack: ["*"]',
      'people:',
      `  - { name: olivia, displayName: "Olivia", slack: ${OLIVIA}, ad: olivia@lab.test }`,
      `  - { name: adam, displayName: "Adam", slack: ${ADAM}, ad: adam@lab.test }`,
      'roles:',
      '  viewer: ["*"]',
      '  operator: ["person:olivia", "person:adam"]',
      '  approver: ["person:olivia", "person:adam"]',
      'remediation: { mode: kcd, includeCifs: true }',
      'planTtlMinutes: 30',
      '',
    ].join('\n'),
  );
  const config = loadConfig({
    TRIAGE_MODE: 'lab',
    LAB_SCENARIO: 'test/fixtures/lab/approvals.yaml',
    POLICY_FILE: policy,
    DATABASE_URL: `sqlite:${path.join(dir, 'triage.db')}`,
    WEB_ENABLED: 'false',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_MODE: 'http',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_PORT: '0',
    SLACK_LISTEN_HOST: '127.0.0.1',
    SLACK_API_URL: API_URL,
  });
  api = new SlackApiFake();
  api.install();
  bot = await startBot({ config, logger: silentLogger, extensions: botExtensions });
  const slack = bot.adapters.find((a) => a.platform === 'slack') as SlackAdapter;
  url = `http://127.0.0.1:${slack.address!.port}/slack/events`;
});

afterAll(async () => {
  await bot?.stop();
  nock.cleanAll();
});

type Block = { type: string; elements?: Array<Record<string, unknown>> };
const buttonsOf = (blocks: string | undefined): Array<Record<string, unknown>> =>
  (JSON.parse(blocks ?? '[]') as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

function findButton(actionId: string): { button: Record<string, unknown>; ts: string; thread?: string } | undefined {
  const posts = api.callsOf('chat.postMessage');
  for (let i = api.calls.length - 1; i >= 0; i -= 1) {
    const c = api.calls[i]!;
    if (c.method !== 'chat.postMessage' && c.method !== 'chat.update') continue;
    const button = buttonsOf(c.body.blocks).find((b) => b.action_id === actionId);
    if (!button) continue;
    const ts = c.method === 'chat.update' ? c.body.ts! : `${1_700_000_000 + posts.indexOf(c) + 1}.000100`;
    return { button, ts, ...(c.body.thread_ts ? { thread: c.body.thread_ts } : {}) };
  }
  return undefined;
}

async function click(actionId: string, user: string): Promise<void> {
  const found = findButton(actionId);
  expect(found, `a ${actionId} button was shown`).toBeDefined();
  const res = await sendSigned(url, blockActions([{ ...found!.button, block_id: 'b' }], { user, message: { ts: found!.ts, ...(found!.thread ? { thread_ts: found!.thread } : {}) } }));
  expect(res.status).toBe(200);
}

/** What the person was told only to themselves (response_url answers and ephemeral posts), from `from` on. */
const toldPrivately = (from: { responses: number; ephemeral: number }): string =>
  [...api.responses.slice(from.responses).map((r) => String(r.body.text)), ...api.callsOf('chat.postEphemeral').slice(from.ephemeral).map((c) => c.body.text ?? '')].join('\n');
const privateMark = () => ({ responses: api.responses.length, ephemeral: api.callsOf('chat.postEphemeral').length });

it('check, propose, self-approval refused, second person approves: all through Slack', async () => {
  await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02', { user: OLIVIA }));
  await eventually(() => expect(findButton('triage:propose-fix')).toBeDefined(), 15_000);

  await click('triage:propose-fix', OLIVIA);
  await eventually(() => expect(findButton('triage:approve')).toBeDefined(), 15_000);

  const beforeRefusal = privateMark();
  const callsBefore = api.messageCalls.length;
  await click('triage:approve', OLIVIA);
  await eventually(() => expect(toldPrivately(beforeRefusal)).toContain('two-person rule'));
  // Checkpoint: Olivia asks for help after the refusal; once that answer is in, the refused
  // click has long been handled, and it posted nothing in the channel.
  const beforeHelp = privateMark();
  await sendSigned(url, appMention('<@UBOT> help', { user: OLIVIA }));
  await eventually(() => expect(toldPrivately(beforeHelp)).toContain('Commands'));
  expect(api.messageCalls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);

  const beforeApprove = api.messageCalls.length;
  await click('triage:approve', ADAM);
  const after = () => api.messageCalls.slice(beforeApprove).map((c) => `${c.method}: ${c.body.text}`);
  await eventually(() => {
    expect(after().some((t) => t.startsWith('chat.update') && /Applied \(approved by adam\)/.test(t))).toBe(true);
    expect(after().some((t) => t.startsWith('chat.postMessage') && /Re-check after fix .*Healthy/.test(t))).toBe(true);
  }, 15_000);

  for (const c of api.messageCalls.filter((x) => x.method.startsWith('chat.'))) {
    expect(checkLimits({ text: c.body.text ?? '', blocks: JSON.parse(c.body.blocks ?? '[]') }), c.method).toEqual([]);
  }
}, 60_000);
