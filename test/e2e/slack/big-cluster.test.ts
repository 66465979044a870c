import nock from 'nock';
import { afterEach, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { checkLimits } from '../../../adapters/slack/limits.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { bigClusterScenario } from '../../helpers/slack/big-cluster.js';
import { API_URL, FakeCore, SIGNING_SECRET, SlackApiFake, eventually, sendSigned, slashCommand } from '../../helpers/slack/slack-fake.js';
import { MemoryCoreStore, allowAll } from '../../helpers/fakes.js';

// /cluster-health on a 64-node cluster through the real core: every message Slack is asked to
// show fits Block Kit, the matrix is summarised, and the whole matrix arrives as a CSV file in
// the result's thread. A few messages only, however many progress edits the check produces.

let adapter: SlackAdapter | undefined;
afterEach(async () => {
  await adapter?.stop();
  nock.cleanAll();
});

it('/cluster-health on 64 nodes: summary in the message, whole matrix as a file, within every limit', async () => {
  const scenario = parseScenario(bigClusterScenario(64), 'big-cluster.yaml');
  const relay = new InProcessRelayClient(new LabBackend(scenario, { latency: { hostMs: 5, directoryMs: 5 } }), 'lab: big-cluster.yaml');
  const real = createBotCore({ relay, clock: fixedClock(scenario.domain.now), store: new MemoryCoreStore(), authorizer: allowAll, logger: silentLogger, eventWindowHours: 72 });
  let done!: Promise<void>;
  const core = new FakeCore(async (event, a) => {
    done = real.handle(event, a);
    await done;
  });
  const api = new SlackApiFake();
  api.install();
  adapter = new SlackAdapter({ botToken: 'xoxb-test', mode: 'http', signingSecret: SIGNING_SECRET, port: 0, listenHost: '127.0.0.1', apiUrl: API_URL, retryConfig: { retries: 0 } });
  await adapter.start(core);

  const res = await sendSigned(`http://127.0.0.1:${adapter.address!.port}/slack/events`, slashCommand('/cluster-health', 'BIG64'));
  expect(res.status).toBe(200);
  await eventually(() => expect(core.events).toHaveLength(1));
  await done;

  const shown = api.messageCalls.filter((c) => c.method.startsWith('chat.'));
  for (const c of shown) expect(checkLimits({ text: c.body.text ?? '', blocks: JSON.parse(c.body.blocks ?? '[]') }), c.method).toEqual([]);
  const posts = api.callsOf('chat.postMessage');
  expect(posts).toHaveLength(2);
  const result = posts[1]!.body;
  expect(result.thread_ts).toBe('1700000001.000100');
  expect(result.blocks).toContain('64 nodes, 4032 directions');
  // By node, not by pair (issue 20); the pairs are in the CSV.
  expect(result.blocks).toContain('N07 cannot migrate out at all; nothing can migrate into N33.');
  expect(result.blocks).not.toContain('⛔ N07 → N01');
  expect(result.blocks).not.toContain('➖');
  const uploads = api.callsOf('files.getUploadURLExternal').map((c) => c.body.filename);
  expect(uploads).toEqual(['direction-matrix.csv']);
  const completes = api.callsOf('files.completeUploadExternal').map((c) => c.body);
  expect(completes.every((c) => c.channel_id === 'C0INCIDENT' && c.thread_ts === '1700000001.000100')).toBe(true);
  expect(api.uploads.length).toBe(uploads.length);
  console.log(`64-node cluster-health: ${posts.length} posts, ${api.callsOf('chat.update').length} updates (${adapter.droppedUpdates} coalesced away), ${uploads.length} file(s): ${uploads.join(', ')}`);
});
