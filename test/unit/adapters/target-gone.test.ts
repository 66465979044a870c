import { describe, expect, it } from 'vitest';
import { slackFailure } from '../../../adapters/slack/outbound.js';
import { WebAdapter } from '../../../adapters/web/adapter.js';
import { TargetGoneError } from '../../../src/core/target-gone.js';
import { isUserSafe } from '../../../src/core/user-error.js';
import { silentLogger } from '../../../src/core/logger.js';
import { targetGone } from '../../../src/scheduler/targets.js';

// "The conversation is gone for the bot" is one typed error from every adapter; the scheduler
// reads only that type (Teams' 403/404 and Slack's is_archived through the real adapters:
// test/e2e/scheduler/scheduled-posts.test.ts).

const slackApiError = (code: string) => Object.assign(new Error(`An API error occurred: ${code}`), { data: { ok: false, error: code } });

describe('Slack failures', () => {
  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'team_access_not_granted', 'no_permission'])('%s is a TargetGoneError with Slack\'s code as the reason', (code) => {
    const err = slackFailure(slackApiError(code));
    expect(err).toBeInstanceOf(TargetGoneError);
    expect(targetGone(err)).toBe(`Slack answered ${code}`);
  });

  it('tells the person to invite the bot when it is not a member (and only then is the message shown)', () => {
    const notMember = slackFailure(slackApiError('not_in_channel')) as TargetGoneError;
    expect(notMember.message).toBe('triage-bot is not a member of this channel: invite it with /invite @triage-bot, then try again.');
    expect(isUserSafe(notMember)).toBe(true);
    expect(isUserSafe(slackFailure(slackApiError('is_archived')))).toBe(false);
  });

  it('leaves a passing failure as it was, so the schedule tries again', () => {
    const limited = slackApiError('ratelimited');
    expect(slackFailure(limited)).toBe(limited);
    expect(targetGone(limited)).toBeUndefined();
  });
});

describe('the scheduler reads the type, not the words', () => {
  it('a plain error that merely says "not a member of this channel" is not taken for a gone channel', () => {
    expect(targetGone(new Error('triage-bot is not a member of this channel: invite it'))).toBeUndefined();
    expect(targetGone(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toBeUndefined();
  });
});

describe('the lab console', () => {
  it('an edit of a message it no longer has is a TargetGoneError', async () => {
    const web = new WebAdapter({ port: 0, personas: [{ id: 'engineer', label: 'Engineer' }], logger: silentLogger });
    const posted = await web.post({ platform: 'web', channelId: 'incident' }, { header: 'x' });
    await expect(web.update(posted, { header: 'y' })).resolves.toBeUndefined();
    const gone = web.update({ conversation: posted.conversation, messageId: 'm999' }, { header: 'y' });
    await expect(gone).rejects.toBeInstanceOf(TargetGoneError);
    await expect(gone).rejects.toMatchObject({ platform: 'web', reason: 'the lab console has no message m999 (it restarted since)' });
  });
});
