import path from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';
import { silentLogger } from '../../../src/core/logger.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { API_URL, SIGNING_SECRET, SlackApiFake, blockActions, eventually, sendSigned, slashCommand } from '../../helpers/slack/slack-fake.js';
import { MemoryCoreStore, allowAll } from '../../helpers/fakes.js';

// "Save as lab scenario" on Slack: check → Show evidence → Save as lab scenario uploads a
// redacted YAML file into the thread, and that file, loaded as a lab, gives the same verdict.

class TrackedCore implements CoreHandler {
  readonly running: Promise<void>[] = [];
  constructor(private readonly inner: CoreHandler) {}
  handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    const p = this.inner.handle(event, adapter);
    this.running.push(p);
    return p;
  }
  async idle(count: number): Promise<void> {
    await eventually(() => expect(this.running.length).toBeGreaterThanOrEqual(count));
    await Promise.all(this.running);
  }
}

let adapter: SlackAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  adapter = undefined;
  nock.cleanAll();
});

/** The file's bytes inside the multipart upload body. */
function filePart(body: string): string {
  const start = body.indexOf('\r\n\r\n') + 4;
  return body.slice(start, body.lastIndexOf('\r\n--'));
}

type Block = { type: string; elements?: Array<Record<string, unknown>> };
const buttonOf = (blocks: string, actionId: string) =>
  (JSON.parse(blocks) as Block[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((b) => b.action_id === actionId);

describe('Save as lab scenario (Slack)', () => {
  it('uploads the redacted scenario into the thread, and it reproduces the verdict', async () => {
    const file = path.resolve(import.meta.dirname, '../../../lab/delegation-missing-cifs-sofs.yaml');
    const scenario = await loadScenario(file);
    const relay = new InProcessRelayClient(new LabBackend(scenario), 'lab');
    const core = new TrackedCore(createBotCore({ relay, clock: fixedClock(scenario.domain.now), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 }));
    const api = new SlackApiFake();
    api.install();
    adapter = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 0 } });
    await adapter.start(core);
    const url = `http://127.0.0.1:${adapter.address!.port}/slack/events`;

    await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    await core.idle(1);
    const result = api.callsOf('chat.postMessage')[1]!;
    const show = buttonOf(result.body.blocks!, 'triage:show-evidence')!;
    await sendSigned(url, blockActions([{ ...show, block_id: 'b' }], { message: { ts: result.body.ts ?? '1700000002.000100', thread_ts: result.body.thread_ts } }));
    await core.idle(2);
    const evidence = api.callsOf('chat.postMessage')[2]!;
    const save = buttonOf(evidence.body.blocks!, 'triage:save-scenario');
    expect(save, 'the evidence message offers Save as lab scenario').toBeDefined();
    const uploadsBefore = api.uploadBodies.length;

    await sendSigned(url, blockActions([{ ...save!, block_id: 'b' }], { message: { ts: evidence.body.ts ?? '1700000003.000100', thread_ts: result.body.thread_ts } }));
    await core.idle(3);
    await eventually(() => expect(api.callsOf('files.completeUploadExternal').length).toBeGreaterThan(0));
    const names = api.callsOf('files.getUploadURLExternal').map((c) => c.body.filename);
    expect(names.some((n) => /^incident-cr_.+\.yaml$/.test(n ?? ''))).toBe(true);
    const yaml = api.uploadBodies.slice(uploadsBefore).find((b) => b.includes('expect:'))!;
    expect(yaml).toBeDefined();
    expect(yaml).not.toMatch(/HV0[12]|lab\.test/i);
    const complete = api.callsOf('files.completeUploadExternal').at(-1)!;
    expect(complete.body.thread_ts).toBe(result.body.thread_ts);

    const redacted = parseScenario(filePart(yaml), 'incident.yaml');
    const again = await runCheck(new InProcessRelayClient(new LabBackend(redacted), 'capture'), redacted.expect!.nodes, { clock: fixedClock(redacted.domain.now), eventWindowHours: 72 });
    expect(again.diagnosis.verdict.status).toBe('blocked');
    expect(again.diagnosis.verdict.rootCauses).toEqual(['DELEGATION_MISSING_CIFS']);
    expect(again.diagnosis.directions.map((d) => `${d.from}>${d.to}:${d.status}`).sort()).toEqual(['NODE01>NODE02:blocked', 'NODE02>NODE01:ok'].sort());
  });
});
