import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import { utf16Bytes, MAX_ACTIVITY_BYTES } from '../../../adapters/teams/card-size.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { CHANNEL, SERVICE_URL, cardAction, channelMention, decodedPath, personalMessage, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';
import { MemoryCoreStore, allowAll } from '../../helpers/fakes.js';

// The real core behind the Teams adapter, answering from the shipped lab scenarios: an @mention
// goes in over HTTP to /api/messages, and what Teams would be asked to show comes out through
// the Bot Framework connector (nock). Golden files: test/fixtures/teams/lab-*.json. Every card
// parses with zero adaptivecards problems and every activity stays within the size budget.

const LAB_DIR = path.resolve(import.meta.dirname, '../../../lab');
const GOLDEN_DIR = path.resolve(import.meta.dirname, '../../fixtures/teams');
const scenarios = readdirSync(LAB_DIR).filter((f) => f.endsWith('.yaml')).sort();
const RECORD_ID = /cr_[A-Za-z0-9_-]{16}/g;
const ROOT = '1700000000000';

interface Call {
  call: string;
  body: { type?: string; id?: string; attachments?: Array<{ contentType: string; content: unknown }>; text?: string };
}

let adapter: TeamsAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  nock.cleanAll();
});

function fakeConnector(): Call[] {
  const calls: Call[] = [];
  const record = (method: string) =>
    function (uri: string, body: unknown): [number, object] {
      calls.push({ call: `${method} ${decodedPath(uri).replace('/amer/v3/conversations/', '')}`, body: body as Call['body'] });
      return [200, { id: `m${calls.length}` }];
    };
  nock(SERVICE_URL.replace(/\/amer\/$/, ''))
    .persist()
    .post(/\/amer\/v3\/conversations\/.*/)
    .reply(record('POST'))
    .put(/\/amer\/v3\/conversations\/.*/)
    .reply(record('PUT'));
  return calls;
}

async function startWith(file: string) {
  const scenario = await loadScenario(path.join(LAB_DIR, file));
  const relay = new InProcessRelayClient(new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } }), `lab: ${file}`);
  const core = createBotCore({ relay, clock: fixedClock(scenario.domain.now), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 });
  const calls = fakeConnector();
  const logs: string[] = [];
  adapter = new TeamsAdapter({
    auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }),
    appId: '',
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('debug', (l) => logs.push(l)),
  });
  await adapter.start(core);
  const nodes = scenario.expect?.nodes ?? scenario.hosts.slice(0, 2).map((h) => h.name);
  return { calls, logs, nodes, initiator: scenario.expect?.initiator, port: adapter.port };
}

function expectValidAndSmall(calls: Call[]): void {
  for (const c of calls) {
    expect(utf16Bytes(c.body), `${c.call} within the size budget`).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
    for (const a of c.body.attachments ?? []) expect(cardProblems(a.content), `${c.call} card parses cleanly`).toEqual([]);
  }
}

function expectGolden(name: string, calls: Call[]): void {
  const file = path.join(GOLDEN_DIR, `${name}.json`);
  const shown = calls.map((c) => ({ call: c.call, cards: (c.body.attachments ?? []).map((a) => a.content) }));
  const text = `${JSON.stringify(shown, null, 2).replace(RECORD_ID, 'cr_RECORD')}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
  expect(text, `Teams output differs from ${file} (if intended: UPDATE_GOLDEN=1 npx vitest run test/e2e/teams)`).toBe(readFileSync(file, 'utf8'));
}

const thread = `${CHANNEL};messageid=${ROOT}`;

describe('Teams adapter with the real core on the shipped lab scenarios', () => {
  it.each(scenarios)('@triage-bot migration-check on %s', async (file) => {
    const { calls, logs, nodes, initiator, port } = await startWith(file);
    const text = ['migration-check', ...nodes, ...(initiator ? [`initiator=${initiator}`] : [])].join(' ');
    const res = await postActivity(port, channelMention(text, { id: ROOT }));
    await adapter!.idle();
    expect(res.status).toBe(200);
    expect(logs).toEqual([]);
    expectValidAndSmall(calls);
    // Everything stays in the reply chain of the person's message.
    for (const c of calls) expect(c.call.startsWith(`${c.call.startsWith('PUT') ? 'PUT' : 'POST'} ${thread}/activities/`)).toBe(true);
    expectGolden(`lab-${file.replace(/\.yaml$/, '')}`, calls);
  });

  it('answers the Re-run button over an invoke and refuses a forged record id', async () => {
    const { calls, port } = await startWith('default.yaml');
    await postActivity(port, channelMention('migration-check HV01 HV02', { id: ROOT }));
    await adapter!.idle();
    const result = calls.find((c) => JSON.stringify(c.body).includes('"verb":"rerun"'))!;
    const rerun = JSON.stringify(result.body).match(/"verb":"rerun","data":\{"recordId":"(cr_[A-Za-z0-9_-]{16})"\}/);
    expect(rerun).not.toBeNull();
    const resultId = `m${calls.indexOf(result) + 1}`;
    const before = calls.length;

    const res = await postActivity(port, cardAction('rerun', { recordId: rerun![1] }, resultId, ROOT));
    await adapter!.idle();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Re-running the check on HV01, HV02…' });
    expect(calls.length).toBeGreaterThan(before);
    expectValidAndSmall(calls);

    const after = calls.length;
    const forged = await postActivity(port, cardAction('rerun', { recordId: 'cr_AAAAAAAAAAAAAAAA' }, resultId, ROOT));
    await adapter!.idle();
    expect(forged.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('unknown or forged id') });
    expect(calls.length).toBe(after);

    const malformed = await postActivity(port, cardAction('rerun', { recordId: 7 }, resultId, ROOT));
    await adapter!.idle();
    expect(malformed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('not one triage-bot knows') });
    expect(calls.length).toBe(after);
  });

  it('tells the person in one line what is wrong with bad input, and posts nothing else', async () => {
    const { calls, port } = await startWith('default.yaml');
    await postActivity(port, personalMessage('migration-check HV01'));
    await adapter!.idle();
    expect(calls).toHaveLength(1);
    const texts = JSON.stringify(calls[0]!.body.attachments![0]!.content);
    expect(texts).toMatch(/Example: .*migration-check HV01 HV02/);
    expect(calls[0]!.call).toBe('POST a:1personal-chat/activities');
  });

  it('shows help in personal chat', async () => {
    const { calls, port } = await startWith('default.yaml');
    await postActivity(port, personalMessage('help'));
    await adapter!.idle();
    expect(calls).toHaveLength(1);
    expect(JSON.stringify(calls[0]!.body)).toContain('migration-check HV01 HV02');
    expectValidAndSmall(calls);
  });
});
