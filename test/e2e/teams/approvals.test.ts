import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { TeamsAdapter } from '../../../adapters/teams/adapter.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { approvalsExtension } from '../../../src/approvals/extension.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import { parsePolicy } from '../../../src/approvals/policy-load.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { randomRelaySecret } from '../../../src/relay/signing.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { WriteCountingBackend } from '../../helpers/approvals/flow.js';
import { CHANNEL, SERVICE_URL, USER, cardAction, channelMention, decodedPath, postActivity } from '../../helpers/teams/activities.js';
import { cardProblems } from '../../helpers/teams/validate-card.js';

// The two-person fix flow through Teams: the real core with the approvals extension, the policy
// authorizer, a SQLite store and the signed relay (writes enabled) in front of the default lab
// scenario. Buttons are adaptiveCard/action invokes; the plan card is edited in place.

const ROOT_MSG = '1700000000000';
const BOB = { id: '29:2bob', name: 'Bob Approver', aadObjectId: 'b0b00000-0000-0000-0000-000000000002' };
const POLICY = `
channels: { teams: ["*"] }
people:
  - { name: ada, displayName: "Ada", teams: "${USER.aadObjectId}" }
  - { name: bob, displayName: "Bob", teams: "${BOB.aadObjectId}" }
roles:
  viewer: ["*"]
  operator: ["person:ada"]
  approver: ["person:ada", "person:bob"]
remediation: { mode: kcd, includeCifs: true }
planTtlMinutes: 30
`;

interface Call {
  call: string;
  id: string;
  card: unknown;
}

let adapter: TeamsAdapter;
let relay: RunningRelay;
let client: HttpRelayClient;
let store: Store;
let backend: WriteCountingBackend;
const calls: Call[] = [];

beforeEach(async () => {
  calls.length = 0;
  const clock = fixedClock('2026-11-20T09:00:00Z');
  const secret = randomRelaySecret();
  const approvalKey = randomRelaySecret();
  const lab = new LabBackend(await loadScenario(path.resolve(import.meta.dirname, '../../fixtures/lab/approvals.yaml')), { latency: { hostMs: 0, directoryMs: 0 } });
  backend = new WriteCountingBackend(lab);
  const audit = path.join(mkdtempSync(path.join(tmpdir(), 'teams-approvals-')), 'relay-audit.jsonl');
  relay = await startRelayServer({ backend, keys: { bot: secret }, writesEnabled: true, approvalKey, audit, clock, logger: silentLogger });
  client = new HttpRelayClient({ url: relay.url, keyId: 'bot', secret, clock, timeoutMs: 20_000 });
  store = await openStore('sqlite::memory:');
  const policy = parsePolicy(POLICY, 'teams-policy.yaml');
  const authorizer = new PolicyAuthorizer(policy, client);
  adapter = new TeamsAdapter({
    auth: new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppType: 'MultiTenant' }),
    appId: '',
    port: 0,
    host: '127.0.0.1',
    invokeDeadlineMs: 10_000,
  });
  const deps = { store, relay: client, policy, authorizer, clock, logger: silentLogger, approvalKey, planTtlMinutes: 30, eventWindowHours: 72, adapters: [adapter] };
  const core = createBotCore({ relay: client, clock, store: new StoreBackedCoreStore(store), authorizer, logger: silentLogger, eventWindowHours: 72, extensions: [approvalsExtension(deps)] });
  const record = (method: string) =>
    function (uri: string, requestBody: unknown): [number, object] {
      const body = requestBody as { attachments?: Array<{ content: unknown }> };
      const id = method === 'PUT' ? decodedPath(uri).split('/').at(-1)! : `m${calls.length + 1}`;
      calls.push({ call: `${method} ${decodedPath(uri).replace('/amer/v3/conversations/', '')}`, id, card: body.attachments?.[0]?.content });
      return [200, { id }];
    };
  nock(SERVICE_URL.replace(/\/amer\/$/, '')).persist().post(/\/amer\/v3\/conversations\/.*/).reply(record('POST')).put(/\/amer\/v3\/conversations\/.*/).reply(record('PUT'));
  await adapter.start(core);
});

afterEach(async () => {
  await adapter.stop();
  client.close();
  await relay.close();
  await store.close();
  nock.cleanAll();
});

const json = (x: unknown) => JSON.stringify(x);
function withVerb(verb: string): { call: Call; recordId: string } {
  const call = [...calls].reverse().find((c) => c.call.startsWith('POST') && json(c.card).includes(`"verb":"${verb}"`));
  if (!call) throw new Error(`no card with ${verb}: ${calls.map((c) => c.call).join(', ')}`);
  const recordId = new RegExp(`"verb":"${verb}","data":\\{"recordId":"([^"]+)"\\}`).exec(json(call.card))![1]!;
  return { call, recordId };
}

describe('the fix flow in Teams', () => {
  it('proposes, refuses self-approval, and applies on a second person\'s approval, editing the plan card', async () => {
    await postActivity(adapter.port, channelMention('migration-check HV01 HV02 HV03 HV04', { id: ROOT_MSG }));
    await adapter.idle();
    const result = withVerb('propose-fix');

    const proposed = await postActivity(adapter.port, cardAction('propose-fix', { recordId: result.recordId }, result.call.id, ROOT_MSG));
    await adapter.idle();
    expect(proposed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('to plan the fix') });
    const plan = withVerb('approve');
    // The proposer is a Teams mention: <at>…</at> in the text and its entity on the card.
    expect(json(plan.call.card)).toMatch(/Proposed by <at>Ada[^<]*<\/at>/);
    expect(json(plan.call.card)).toContain('"type":"mention"');
    expect(plan.call.call).toBe(`POST ${CHANNEL};messageid=${ROOT_MSG}/activities/${ROOT_MSG}`);

    const self = await postActivity(adapter.port, cardAction('approve', { recordId: plan.recordId }, plan.call.id, ROOT_MSG));
    await adapter.idle();
    expect(self.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('two-person rule') });
    expect(backend.writes).toHaveLength(0);

    const before = calls.length;
    const approved = await postActivity(adapter.port, cardAction('approve', { recordId: plan.recordId }, plan.call.id, ROOT_MSG, BOB));
    // Bob sees the plan card change at once, in the invoke response.
    expect(approved.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const answered = (approved.body as { value: unknown }).value;
    expect(json(answered)).toMatch(/Approved by (person:)?bob; applying/);
    expect(cardProblems(answered)).toEqual([]);
    await adapter.idle();

    expect(backend.writes.length).toBeGreaterThan(0);
    const edits = calls.slice(before).filter((c) => c.call === `PUT ${CHANNEL};messageid=${ROOT_MSG}/activities/${plan.call.id}`);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(json(edits.at(-1)!.card)).toMatch(/Applied \(approved by (person:)?bob\)/);
    expect(json(calls.slice(before).map((c) => c.card))).toContain('Re-check after');
    for (const c of calls) expect(cardProblems(c.card)).toEqual([]);
  });
});
