import { describe, expect, it } from 'vitest';
import { actionEvent, commandEvent, mentionText, parseAction } from '../../../../adapters/slack/inbound.js';
import { UpdateCoalescer } from '../../../../adapters/slack/update-coalescer.js';
import { escapeMrkdwn, chunkLines } from '../../../../adapters/slack/mrkdwn.js';

const ack = async (): Promise<void> => {};

describe('Slack payloads to InboundEvent', () => {
  it('ignores slash commands that are not ours and payloads without a user', () => {
    expect(commandEvent({ command: '/deploy', text: 'prod', user_id: 'U1', channel_id: 'C1' }, ack)).toBeUndefined();
    expect(commandEvent({ command: '/migration-check', text: 'HV01 HV02', channel_id: 'C1' }, ack)).toBeUndefined();
    expect(commandEvent({ command: '/Migration-Check', text: '  HV01   HV02 ', user_id: 'U1', channel_id: 'C1' }, ack)?.text).toBe('migration-check HV01   HV02');
  });

  it('strips every mention of the bot from an app_mention, and a bare mention asks for help', () => {
    expect(mentionText('<@UBOT> migration-check HV01 HV02')).toBe('migration-check HV01 HV02');
    expect(mentionText('hey <@UBOT|triage-bot>  cluster-health CLU1')).toBe('hey cluster-health CLU1');
    expect(mentionText('<@UBOT>')).toBe('help');
  });

  it('reads the action name from action_id and the record id from value only', () => {
    expect(parseAction({ action_id: 'triage:propose-fix', value: 'cr_1' })).toEqual({ name: 'propose-fix', recordId: 'cr_1' });
    expect(parseAction({ action_id: 'triage:approve:3', value: 'pl_9' })).toEqual({ name: 'approve', recordId: 'pl_9' });
    expect(parseAction({ action_id: 'triage:propose-fix' })).toBeUndefined();
    expect(parseAction({ action_id: 'other:propose-fix', value: 'cr_1' })).toBeUndefined();
    expect(parseAction({ action_id: 'triage:test-migration', block_id: 'x', selected_option: { value: 'vm1' } })).toBeUndefined();
    expect(parseAction({ action_id: 'triage:test-migration', block_id: 'triage-choice:3-0:cr_1', selected_option: { value: 'vm1' } })).toEqual({ name: 'test-migration', recordId: 'cr_1', value: 'vm1' });
  });

  it('gives a click on an ephemeral message no message to edit', () => {
    const event = actionEvent({ user: { id: 'U1' }, container: { channel_id: 'C1', is_ephemeral: true } }, { name: 'rerun', recordId: 'cr_1' }, ack);
    expect(event?.message).toBeUndefined();
    expect(event?.conversation).toEqual({ platform: 'slack', channelId: 'C1' });
  });
});

describe('UpdateCoalescer', () => {
  it('sends the first and the latest edit, drops those in between, and reports a failure to its caller', async () => {
    const sent: number[] = [];
    let fail = false;
    const c = new UpdateCoalescer<number>(async (_k, v) => {
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw new Error('message_not_found');
      sent.push(v);
    }, { minIntervalMs: 0 });
    await Promise.all([1, 2, 3, 4].map((v) => c.submit('m', v)));
    expect(sent).toEqual([1, 4]);
    expect(c.dropped).toBe(2);
    fail = true;
    await expect(c.submit('m', 5)).rejects.toThrow('message_not_found');
    fail = false;
    await Promise.all([c.submit('a', 1), c.submit('b', 2)]);
    expect(sent).toEqual([1, 4, 1, 2]);
  });
});

describe('UpdateCoalescer pacing', () => {
  it('starts at most one update per second per message, and the last edit always lands', async () => {
    let t = 0;
    const starts: Array<[string, number, number]> = [];
    const c = new UpdateCoalescer<number>(
      async (k, v) => {
        starts.push([k, t, v]);
        t += 5; // the call itself takes 5 ms
      },
      { now: () => t, sleep: async (ms) => void (t += ms) },
    );
    // 18 progress edits of one message within a few milliseconds, as a 64-node check makes them.
    const edits = Array.from({ length: 18 }, (_, i) => c.submit('m', i + 1));
    await Promise.all([...edits, c.submit('other', 1)]);
    const mine = starts.filter(([k]) => k === 'm');
    expect(mine.map(([, , v]) => v)).toEqual([1, 18]);
    for (let i = 1; i < mine.length; i++) expect(mine[i]![1] - mine[i - 1]![1]).toBeGreaterThanOrEqual(1000);
    // Another message is not held back by this one.
    expect(starts.find(([k]) => k === 'other')).toBeDefined();
    // An edit a second after the last one goes at once.
    t += 2000;
    const before = t;
    await c.submit('m', 19);
    expect(starts.at(-1)).toEqual(['m', before, 19]);
  });
});

describe('mrkdwn helpers', () => {
  it('escapes broadcasts and links but keeps a plain user mention', () => {
    expect(escapeMrkdwn('Run by <@U0ALICE> <!channel> <https://x|y> a&b')).toBe('Run by <@U0ALICE> &lt;!channel&gt; &lt;https://x|y&gt; a&amp;b');
  });

  it('splits long text without losing or breaking an entity', () => {
    const line = `${'x'.repeat(9)}&amp;${'y'.repeat(20)}`;
    const chunks = chunkLines([line], 12);
    expect(chunks.join('')).toBe(line);
    expect(chunks.every((c) => c.length <= 12)).toBe(true);
    expect(chunks.some((c) => c.startsWith('&amp;'))).toBe(true);
  });
});

describe('boltLogger', () => {
  it('forwards Bolt log lines to the bot logger and never throws on odd arguments', async () => {
    const { boltLogger } = await import('../../../../adapters/slack/bolt-logger.js');
    const lines: Array<[string, string]> = [];
    const log = boltLogger({ debug: (m) => lines.push(['debug', m]), info: (m) => lines.push(['info', m]), warn: (m) => lines.push(['warn', m]), error: (m) => lines.push(['error', m]), child: () => { throw new Error('not used'); }, isLevelEnabled: () => true });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.warn('Failed to verify', new Error('bad signature'), cyclic, 3);
    expect(lines).toEqual([['warn', 'Failed to verify bad signature [object Object] 3']]);
  });
});
