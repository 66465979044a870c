import { App, verifySlackRequest } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { boltLogger } from '../../../../adapters/slack/bolt-logger.js';
import { GuardedHttpReceiver } from '../../../../adapters/slack/guarded-receiver.js';
import { createLogger } from '../../../../src/core/logger.js';
import { SIGNING_SECRET, appMention, eventually, sendSigned, sign, slashCommand } from '../../../helpers/slack/slack-fake.js';

// The HTTP receiver answers 200 as soon as a request is verified and judged, then hands it to
// Bolt's own processing (routing, middleware, listeners). The ack must not wait for a listener:
// here the listener never calls ack() and never finishes, and Slack still gets its 200 at once
// (Bolt's own receiver would hold the request until its 3 s unhandled-request timeout).

let app: App | undefined;
const logged: Array<{ level: string; msg: string }> = [];

async function start(register: (a: App) => void): Promise<string> {
  const receiver = new GuardedHttpReceiver({ signingSecret: SIGNING_SECRET, log: createLogger('info', (l) => logged.push(JSON.parse(l) as { level: string; msg: string })) });
  // authorize instead of a token: Bolt would otherwise call auth.test on the first request.
  app = new App({ receiver, logger: boltLogger(createLogger('error', () => undefined)), authorize: async () => ({ botToken: 'xoxb-test', botUserId: 'UBOT', botId: 'BBOT' }) });
  register(app);
  await app.start({ port: 0, host: '127.0.0.1' });
  const server = (receiver as unknown as { server: { address(): AddressInfo } }).server;
  return `http://127.0.0.1:${server.address().port}/slack/events`;
}

afterEach(async () => {
  await app?.stop();
  app = undefined;
  logged.length = 0;
});

describe('GuardedHttpReceiver', () => {
  it('answers 200 before the listener runs, and the listener gets the validated command', async () => {
    const seen: Array<Record<string, unknown>> = [];
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    const url = await start((a) =>
      a.command('/migration-check', async ({ command }) => {
        seen.push(command as unknown as Record<string, unknown>);
        await held;
      }),
    );
    const res = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(seen).toHaveLength(0);
    await eventually(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toMatchObject({ command: '/migration-check', text: 'HV01 HV02', user_id: 'U0ALICE', channel_id: 'C0INCIDENT' });
    finish();
  });

  it("passes Slack's redelivery headers to Bolt (retryNum, retryReason)", async () => {
    const retries: Array<[number | undefined, string | undefined]> = [];
    const url = await start((a) => a.event('app_mention', async ({ context }) => void retries.push([context.retryNum, context.retryReason])));
    const req = appMention('<@UBOT> check HV01 HV02');
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': req.contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(req.body, ts), 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' }, body: req.body });
    expect(res.status).toBe(200);
    await eventually(() => expect(retries).toEqual([[2, 'http_timeout']]));
  });

  it('refuses a wrong signature with 401 and runs no listener', async () => {
    let ran = 0;
    const url = await start((a) => a.command(/.*/, async () => void (ran += 1)));
    const res = await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'), { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    // A valid command afterwards is processed: the refused one would have been seen first.
    expect((await sendSigned(url, slashCommand('/cluster-health', 'HV'))).status).toBe(200);
    await eventually(() => expect(ran).toBe(1));
  });

  it('logs a listener that throws; the request was already answered 200', async () => {
    const url = await start((a) =>
      a.command('/migration-check', async () => {
        throw new Error('listener bug');
      }),
    );
    expect((await sendSigned(url, slashCommand('/migration-check', 'HV01 HV02'))).status).toBe(200);
    await eventually(() => expect(logged.some((l) => l.level === 'error' && l.msg.includes('listener failed'))).toBe(true));
  });

  // The receiver checks the v0 signature itself (one HMAC, crypto.timingSafeEqual) instead of
  // calling Bolt's verifySlackRequest (tsscmp: a random key and two more HMACs per request).
  // Bolt stays the oracle: for every signature below, the receiver accepts exactly what Bolt does.
  it("accepts exactly the signatures Bolt's verifySlackRequest accepts", async () => {
    const url = await start((a) => a.command(/.*/, async () => undefined));
    const req = slashCommand('/migration-check', 'HV01 HV02');
    const now = Math.floor(Date.now() / 1000);
    const good = sign(req.body, now);
    const cases: Array<[string, { timestamp: number; signature: string }]> = [
      ['the right signature', { timestamp: now, signature: good }],
      ['signed 4 min 50 s ago', { timestamp: now - 290, signature: sign(req.body, now - 290) }],
      ['signed 5 min 10 s ago', { timestamp: now - 310, signature: sign(req.body, now - 310) }],
      ['another body', { timestamp: now, signature: sign(`${req.body}&x=1`, now) }],
      ['another secret', { timestamp: now, signature: sign(req.body, now, 'not-the-signing-secret') }],
      ['another timestamp', { timestamp: now, signature: sign(req.body, now - 1) }],
      ['upper-case hex', { timestamp: now, signature: `v0=${good.slice(3).toUpperCase()}` }],
      ['v1 prefix', { timestamp: now, signature: `v1=${good.slice(3)}` }],
      ['one digit short', { timestamp: now, signature: good.slice(0, -1) }],
      ['one digit more', { timestamp: now, signature: `${good}0` }],
      ['last digit changed', { timestamp: now, signature: `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}` }],
    ];
    for (const [name, opts] of cases) {
      let bolt = 200;
      try {
        verifySlackRequest({ signingSecret: SIGNING_SECRET, body: req.body, headers: { 'x-slack-signature': opts.signature, 'x-slack-request-timestamp': opts.timestamp } });
      } catch {
        bolt = 401;
      }
      expect({ name, status: (await sendSigned(url, req, opts)).status }).toEqual({ name, status: bolt });
    }
  });
});
