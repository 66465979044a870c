import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { parsePolicy } from '../../../src/approvals/policy-load.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, appMention, eventually, sendSigned } from '../../helpers/slack/slack-fake.js';

// whoami as people meet it: `npm start`'s bot (lab policy, web console, Slack in HTTP mode against
// a faked Web API). In the console only the persona who asked sees the answer; in Slack the answer
// is ephemeral; in both the YAML shown loads as a policy and grants that person.

let bot: RunningBot;
let api: SlackApiFake;

beforeAll(async () => {
  api = new SlackApiFake();
  api.install();
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', WEB_PORT: '0', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_MODE: 'http', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_PORT: '0', SLACK_LISTEN_HOST: '127.0.0.1', SLACK_API_URL: API_URL });
  bot = await startBot({ config, logger: silentLogger, webPort: 0, labFile: 'lab/default.yaml', extensions: botExtensions });
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  nock.cleanAll();
});

/** The snippet as shown in the console: one <pre> block, HTML-escaped. */
function yamlIn(html: string): string {
  const block = /<pre class="copy">([^<]*)<\/pre>/.exec(html)?.[1] ?? '';
  return block.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** What a person copies out of the Slack message: the code block's text, as Slack shows it. */
function yamlInBlocks(blocksJson: string): string {
  const texts = (JSON.parse(blocksJson) as Array<{ text?: { text?: string } }>).map((b) => b.text?.text ?? '');
  const block = texts.map((t) => /```\n([\s\S]*?)\n```/.exec(t)?.[1]).find((t) => t !== undefined) ?? '';
  return block.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('whoami', { timeout: 60_000 }, () => {
  it('in the lab console: only the persona who asked sees their ids, as YAML that grants them', async () => {
    const web = bot.web!;
    const res = await fetch(`${web.url}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona: 'vera', channelId: 'incident', text: 'whoami' }) });
    expect(res.status).toBe(202);
    await eventually(() => expect(web.state.list('vera').some((m) => m.reply.header === 'Your ids for the policy file')).toBe(true), 10_000);
    const answer = web.state.list('vera').find((m) => m.reply.header === 'Your ids for the policy file')!;
    expect(answer.html).toContain('You are web user vera');
    expect(answer.html).toContain('Your roles here: viewer.');
    expect(web.state.list('adam').some((m) => m.reply.header === 'Your ids for the policy file')).toBe(false);
    const pasted = parsePolicy(yamlIn(answer.html), 'pasted.yaml');
    expect(await new PolicyAuthorizer(pasted).authorize({ platform: 'web', id: 'vera' }, 'operator')).toEqual({ ok: true });
  });

  it('in Slack, after an @mention: ephemeral, with the member id and the channel', async () => {
    const slack = bot.adapters.find((a) => a.platform === 'slack') as SlackAdapter;
    expect((await sendSigned(`http://127.0.0.1:${slack.address!.port}/slack/events`, appMention('<@UBOT> whoami', { user: 'U0CAROL' }))).status).toBe(200);
    await eventually(() => expect(api.callsOf('chat.postEphemeral')).toHaveLength(1), 10_000);
    const call = api.callsOf('chat.postEphemeral')[0]!.body;
    expect(call.user).toBe('U0CAROL');
    expect(call.channel).toBe('C0INCIDENT');
    expect(api.callsOf('chat.postMessage')).toHaveLength(0);
    const shown = `${call.text ?? ''}\n${call.blocks ?? ''}`;
    expect(shown).toContain('slack: U0CAROL');
    // The snippet is one code block: copied as it stands (no bullets), it loads and grants Carol.
    const copied = yamlInBlocks(call.blocks!);
    expect(copied.split('\n')).toHaveLength(3);
    expect(copied).toContain('channels: { slack: ["C0INCIDENT"] }');
    const pasted = parsePolicy(copied, 'pasted.yaml');
    expect(await new PolicyAuthorizer(pasted).authorize({ platform: 'slack', id: 'U0CAROL' }, 'operator')).toEqual({ ok: true });
  });
});
