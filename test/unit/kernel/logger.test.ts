import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/kernel/logger.js';
import { currentRequestId, newRequestId, requestIdSchema, withRequestId } from '../../../src/kernel/request-id.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info', name?: string) {
  const lines: string[] = [];
  const logger = createLogger(level, (l) => lines.push(l), name ? { name } : {});
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the one logger', () => {
  it('writes one JSON object per line with time, level label, message and fields', () => {
    const { logger, lines, parsed } = capture('info', 'triage-bot');
    logger.info('check finished', { nodes: 2, verdict: 'blocked' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'info', msg: 'check finished', nodes: 2, verdict: 'blocked', service: 'triage-bot' });
    expect(new Date(String(line!.time)).toISOString()).toBe(line!.time);
  });

  it('drops lines below its level and says so to callers that want to skip formatting', () => {
    const { logger, parsed } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(parsed().map((l) => l.level)).toEqual(['warn', 'error']);
    expect(logger.isLevelEnabled('debug')).toBe(false);
    expect(logger.isLevelEnabled('error')).toBe(true);
  });

  it('binds fields in child loggers, nested', () => {
    const { logger, parsed } = capture();
    logger.child({ component: 'slack' }).child({ plan: 'p-1' }).warn('lease lost', { fence: 3 });
    expect(parsed()[0]).toMatchObject({ component: 'slack', plan: 'p-1', fence: 3, msg: 'lease lost' });
  });

  it('redacts secrets by path: top level, one level down and in headers', () => {
    const { logger, lines } = capture();
    logger.info('request', {
      headers: { authorization: 'Bearer eyJsecret', 'x-triage-signature': 'v1=abcdef', 'content-type': 'application/json' },
      token: 'xoxb-123-secret',
      slack: { signingSecret: 'shh-signing', appToken: 'xapp-1-secret' },
      relay: { secret: 'k'.repeat(40) },
      password: 'hunter2',
    });
    const text = lines.join('\n');
    for (const secret of ['eyJsecret', 'v1=abcdef', 'xoxb-123-secret', 'shh-signing', 'xapp-1-secret', 'k'.repeat(40), 'hunter2']) expect(text).not.toContain(secret);
    const line = JSON.parse(lines[0]!);
    expect(line.headers).toEqual({ authorization: '[redacted]', 'x-triage-signature': '[redacted]', 'content-type': 'application/json' });
    expect(line.slack.signingSecret).toBe('[redacted]');
  });

  it('logs an Error passed as `error` as its message and code: one line, no stack', () => {
    const { logger, lines } = capture();
    logger.warn('relay refused the call', { error: Object.assign(new Error('request not authenticated: unknown key'), { code: 'UNAUTHORIZED' }) });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).error).toBe('request not authenticated: unknown key (UNAUTHORIZED)');
    expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('stamps lines written while an event is handled with its request id, unless a child bound one', async () => {
    const { logger, parsed } = capture();
    const id = newRequestId();
    logger.info('before');
    await withRequestId(id, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info('inside, after an await');
      logger.child({ requestId: 'other-id-123' }).info('bound');
    });
    logger.info('after');
    expect(parsed().map((l) => [l.msg, l.requestId])).toEqual([['before', undefined], ['inside, after an await', id], ['bound', 'other-id-123'], ['after', undefined]]);
    expect(currentRequestId()).toBeUndefined();
  });

  it('accepts UUIDs and similar ids, refuses ids that could forge log or header content', () => {
    expect(requestIdSchema.safeParse(newRequestId()).success).toBe(true);
    expect(requestIdSchema.safeParse('slack:Ev0123ABC.456').success).toBe(true);
    for (const bad of ['', 'short', 'has space inside', 'quote"inside-it', 'line\nbreak-id', 'x'.repeat(129), '-leading-hyphen']) {
      expect(requestIdSchema.safeParse(bad).success, bad).toBe(false);
    }
  });
});
