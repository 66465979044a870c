import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackAdapter } from '../../../adapters/slack/adapter.js';
import type { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/core/logger.js';
import { FINDING_CODES, type Diagnosis } from '../../../src/diagnostics/findings.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, eventually, sendSigned, slashCommand } from '../../helpers/slack/slack-fake.js';
import { SERVICE_URL, channelMention, postActivity } from '../../helpers/teams/activities.js';

// One truth on every surface (issue 20): the same lab, checked through the CLI, the web console,
// Slack (HTTP mode, Web API faked with nock), Teams (Bot Framework connector faked with nock) and
// the scheduled health post, gives the same findings, the same blocked directions and the same
// "evidence collected" instant. The bot runs as `npm start` runs it (startBot, its lab relay over
// the signed protocol, the real core and extensions) with a wall clock far from the scenario's
// `now`: chat used to judge the lab's event window by the wall clock and showed fewer findings.

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
// The lab policy schedules HVCLUSTER01 (HV01..HV04) at 08:00 Europe/Paris in the console's #incident.
const SLOT = new Date('2027-04-01T06:00:00Z');
const RECORD = /cr_[A-Za-z0-9_-]{16}/;

interface Seen {
  codes: string[];
  blocked: string[];
  collectedAt: string;
}

const seenIn = (d: Pick<Diagnosis, 'findings' | 'directions' | 'collectedAt'>): Seen => ({
  codes: [...new Set(d.findings.map((f) => f.code))].sort(),
  blocked: d.directions.filter((x) => x.status === 'blocked').map((x) => `${x.from}->${x.to}`).sort(),
  collectedAt: d.collectedAt,
});

/** The finding codes a person can read in a rendered message (Block Kit, card or HTML). */
const codesShown = (rendered: string): string[] => FINDING_CODES.filter((c) => new RegExp(`\\b${c}\\b`).test(rendered)).sort();

let bot: RunningBot;
let api: SlackApiFake;
const teamsCalls: string[] = [];
let cli: Seen;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/triage.mjs', 'check', ...NODES, '--json', '--lab', 'lab/default.yaml'], { env: { ...process.env, RELAY_URL: '' } }).catch((e: { stdout: string }) => e);
  cli = seenIn(JSON.parse(stdout) as Diagnosis);

  api = new SlackApiFake();
  api.install();
  nock(SERVICE_URL.replace(/\/amer\/$/, ''))
    .persist()
    .post(/\/amer\/v3\/conversations\/.*/)
    .reply((_uri, body) => {
      teamsCalls.push(JSON.stringify(body));
      return [200, { id: `m${teamsCalls.length}` }];
    })
    .put(/\/amer\/v3\/conversations\/.*/)
    .reply((_uri, body) => {
      teamsCalls.push(JSON.stringify(body));
      return [200, {}];
    });
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    WEB_PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_MODE: 'http',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_PORT: '0',
    SLACK_LISTEN_HOST: '127.0.0.1',
    SLACK_API_URL: API_URL,
    TEAMS_APP_ID: '',
    TEAMS_PORT: '0',
  });
  // The bot's wall clock: 1.5 s before the scheduled slot, four months after the lab's `now`.
  const offset = SLOT.getTime() - 1500 - Date.now();
  bot = await startBot({ config, logger: silentLogger, webPort: 0, labFile: 'lab/default.yaml', clock: { now: () => new Date(Date.now() + offset) }, extensions: botExtensions });
}, 120_000);

afterAll(async () => {
  await bot?.stop();
  nock.cleanAll();
});

async function recordSeen(id: string): Promise<Seen & { evidenceAt: string }> {
  const record = await new StoreBackedCoreStore(bot.store).getCheckRun(id);
  expect(record, `check run ${id}`).toBeDefined();
  return { ...seenIn(record!.diagnosis), evidenceAt: record!.evidence.collectedAt };
}

describe('the same lab on every surface', { timeout: 60_000 }, () => {
  it('the CLI judges the lab by its scenario clock', () => {
    expect(cli.collectedAt).toBe('2026-11-20T09:00:00.000Z');
    expect(cli.blocked.length).toBeGreaterThan(0);
    // Events inside the scenario's window are part of the verdict (dated by the lab's `now`).
    expect(cli.codes).toContain('LM_AUTH_FAILURE_EVENT');
  });

  it('web console, Slack, Teams and the scheduled post show what the CLI shows', async () => {
    const web = bot.web!;
    const slack = bot.adapters.find((a) => a.platform === 'slack') as SlackAdapter;
    const teams = bot.adapters.find((a) => a.platform === 'teams') as TeamsAdapter;

    const posted = await fetch(`${web.url}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona: 'olivia', channelId: 'incident', text: `/migration-check ${NODES.join(' ')}` }) });
    expect(posted.status).toBe(202);
    expect((await sendSigned(`http://127.0.0.1:${slack.address!.port}/slack/events`, slashCommand('/migration-check', NODES.join(' ')))).status).toBe(200);
    expect((await postActivity(teams.port, channelMention(`migration-check ${NODES.join(' ')}`, { id: '1700000000000' }))).status).toBe(200);

    // What each surface showed as the check's result: its rendered text and the record its buttons carry.
    const results: Record<string, { rendered: string; recordId: string }> = {};
    let webResultId = '';
    await eventually(() => {
      const msg = web.state.list('olivia').find((m) => m.reply.header === `Live migration check · ${NODES.join(', ')}` && m.reply.buttons?.length);
      expect(msg).toBeDefined();
      results.web = { rendered: msg!.html, recordId: msg!.reply.buttons![0]!.recordId };
      webResultId = msg!.id;
    }, 60_000);
    await eventually(() => {
      const msg = api.callsOf('chat.postMessage').find((c) => c.body.blocks?.includes('triage:show-evidence'));
      expect(msg).toBeDefined();
      results.slack = { rendered: msg!.body.blocks!, recordId: RECORD.exec(msg!.body.blocks!)![0] };
    }, 60_000);
    await eventually(() => {
      const msg = teamsCalls.find((c) => c.includes('"verb":"show-evidence"'));
      expect(msg).toBeDefined();
      results.teams = { rendered: msg!, recordId: RECORD.exec(msg!)![0] };
    }, 60_000);
    await eventually(() => {
      const msg = web.state.list('olivia').find((m) => m.channelId === 'incident' && m.reply.header === 'Cluster health · HVCLUSTER01' && m.reply.buttons?.length);
      expect(msg).toBeDefined();
      results.scheduled = { rendered: msg!.html, recordId: msg!.reply.buttons![0]!.recordId };
    }, 60_000);

    // "Show evidence" on the console's result: the same instant, and the failure events the
    // LM_AUTH_FAILURE_EVENT finding counts are in the evidence it attaches.
    const clicked = await fetch(`${web.url}/api/action`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persona: 'olivia', messageId: webResultId, action: 'show-evidence', recordId: results.web!.recordId }) });
    expect(clicked.status).toBe(202);
    await eventually(() => expect(web.state.list('olivia').find((m) => m.reply.header === `Evidence · ${NODES.join(', ')}`)).toBeDefined(), 30_000);
    const shownEvidence = web.state.list('olivia').find((m) => m.reply.header === `Evidence · ${NODES.join(', ')}`)!.reply;
    expect(shownEvidence.verdict?.text).toContain(`Evidence collected ${cli.collectedAt}`);
    const attached = JSON.parse(shownEvidence.attachments![0]!.content) as { collectedAt: string; hosts: Record<string, { events: { ok: boolean; value?: { events: Array<{ id: number; time: string }> } } }> };
    const windowStart = Date.parse(attached.collectedAt) - 72 * 3_600_000;
    const inWindow = Object.values(attached.hosts).flatMap((h) => h.events.value?.events ?? []).filter((e) => e.id === 21502 && Date.parse(e.time) >= windowStart);
    expect(inWindow.length).toBeGreaterThan(0);

    for (const [surface, { rendered, recordId }] of Object.entries(results)) {
      const seen = await recordSeen(recordId);
      expect({ surface, codes: seen.codes, blocked: seen.blocked, collectedAt: seen.collectedAt }).toEqual({ surface, ...cli });
      // "Show evidence" answers from this record: the same instant as the findings.
      expect(seen.evidenceAt, surface).toBe(cli.collectedAt);
      // And what the person reads names exactly those findings.
      expect(codesShown(rendered), surface).toEqual(cli.codes);
    }
  });
});
