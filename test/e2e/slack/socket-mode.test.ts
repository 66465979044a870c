import nock from 'nock';
import { afterEach, expect, it } from 'vitest';
import { SlackAdapter } from '../../../adapters/slack/adapter.js';
import { textReply } from '../../../src/core/reply.js';
import { API_URL, FakeCore, HOOKS_HOST, SlackApiFake, eventually } from '../../helpers/slack/slack-fake.js';
import { SocketModeServer } from '../../helpers/slack/socket-mode-server.js';

// Socket Mode (the default): the app opens a WebSocket to the URL apps.connections.open gives
// it (here a loopback stand-in for Slack), receives envelopes and acks each by envelope id.

let adapter: SlackAdapter | undefined;
let server: SocketModeServer | undefined;
afterEach(async () => {
  await adapter?.stop();
  await server?.stop();
  nock.cleanAll();
});

it('receives a slash command over Socket Mode, acks its envelope at once, and replies through response_url', async () => {
  server = new SocketModeServer();
  const api = new SlackApiFake();
  api.socketUrl = await server.start();
  api.install();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const core = new FakeCore(async (event) => {
    await event.ack(textReply('Checking HV01, HV02…', { ephemeral: true }));
    await gate;
  });
  adapter = new SlackAdapter({ botToken: 'xoxb-test', appToken: 'xapp-test', mode: 'socket', apiUrl: API_URL, retryConfig: { retries: 0 } });
  await adapter.start(core);
  await server.connected;
  expect(api.callsOf('apps.connections.open')).toHaveLength(1);

  const sentAt = Date.now();
  server.send({
    envelope_id: 'env-1',
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: {
      token: 'x', team_id: 'T0TEAM', team_domain: 'contoso', channel_id: 'C0INCIDENT', channel_name: 'incident-hyperv',
      user_id: 'U0ALICE', user_name: 'alice', command: '/migration-check', text: 'HV01 HV02', api_app_id: 'A0TRIAGE',
      is_enterprise_install: 'false', response_url: `${HOOKS_HOST}/commands/T0TEAM/1/sock`, trigger_id: 't',
    },
  });
  await eventually(() => expect(server!.received.map((r) => r.message.envelope_id)).toContain('env-1'));
  const ackMs = server.received.find((r) => r.message.envelope_id === 'env-1')!.at - sentAt;
  expect(ackMs).toBeLessThan(1000);
  await eventually(() => expect(core.events.map((e) => e.text)).toEqual(['migration-check HV01 HV02']));
  expect(core.events[0]!.actor.id).toBe('U0ALICE');
  await eventually(() => expect(api.responses.map((r) => r.body.response_type)).toEqual(['ephemeral']));
  release();

  // A button click arrives as an "interactive" envelope, a mention as "events_api".
  server.send({
    envelope_id: 'env-2',
    type: 'interactive',
    accepts_response_payload: false,
    payload: {
      type: 'block_actions', user: { id: 'U0BOB', username: 'bob' }, api_app_id: 'A0TRIAGE', team: { id: 'T0TEAM' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0INCIDENT', is_ephemeral: false },
      channel: { id: 'C0INCIDENT' }, message: { type: 'message', ts: '1700000001.000100', text: 'x' },
      response_url: `${HOOKS_HOST}/actions/T0TEAM/2/sock`, trigger_id: 't',
      actions: [{ type: 'button', action_id: 'triage:rerun', block_id: 'b', value: 'cr_socket', action_ts: '1700000002.0' }],
    },
  });
  server.send({
    envelope_id: 'env-3',
    type: 'events_api',
    accepts_response_payload: false,
    payload: {
      team_id: 'T0TEAM', api_app_id: 'A0TRIAGE', type: 'event_callback', event_id: 'Ev1', event_time: 1700000003,
      event: { type: 'app_mention', user: 'U0ALICE', text: '<@UBOT> help', ts: '1700000003.000100', channel: 'C0INCIDENT', event_ts: '1700000003.000100' },
      authorizations: [{ team_id: 'T0TEAM', user_id: 'UBOT', is_bot: true }],
    },
  });
  await eventually(() => expect(server!.received.map((r) => r.message.envelope_id)).toEqual(expect.arrayContaining(['env-1', 'env-2', 'env-3'])));
  await eventually(() => expect(core.events.map((e) => [e.kind, e.text])).toEqual([['command', 'migration-check HV01 HV02'], ['action', 'rerun'], ['mention', 'help']]));
  expect(core.events[1]!.action).toEqual({ name: 'rerun', recordId: 'cr_socket' });
  console.log(`socket mode: slash-command envelope acked in ${ackMs} ms`);
});

it('refuses to start with a token Slack rejects, naming the setting to fix', async () => {
  const api = new SlackApiFake();
  api.script('auth.test', { status: 200, body: { ok: false, error: 'invalid_auth' } });
  api.install();
  const bad = new SlackAdapter({ botToken: 'xoxb-revoked', appToken: 'xapp-test', mode: 'socket', apiUrl: API_URL, retryConfig: { retries: 0 } });
  await expect(bad.start(new FakeCore())).rejects.toThrow('Slack did not accept SLACK_BOT_TOKEN (invalid_auth)');
  await bad.stop();

  api.script('apps.connections.open', { status: 200, body: { ok: false, error: 'invalid_auth' } });
  const badApp = new SlackAdapter({ botToken: 'xoxb-test', appToken: 'xapp-revoked', mode: 'socket', apiUrl: API_URL, retryConfig: { retries: 0 } });
  await expect(badApp.start(new FakeCore())).rejects.toThrow(/Socket Mode did not connect .*SLACK_APP_TOKEN/);
});
