import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../../adapters/slack/bolt-logger.js';
import { createLogger } from '../../../../src/core/logger.js';

// Bolt logs debug lines for every request; a bot not logging at debug must not pay for
// formatting them (the argument's JSON is never built), and one that does still gets them.
describe('boltLogger', () => {
  const part = () => {
    const counted = { formatted: 0, toJSON: () => ((counted.formatted += 1), 'body') };
    return counted;
  };

  it('drops debug lines unformatted when the bot logs at info', () => {
    const lines: string[] = [];
    const log = boltLogger(createLogger('info', (l) => lines.push(l)));
    const arg = part();
    log.debug('request body', arg);
    log.info('started', arg);
    expect(arg.formatted).toBe(1);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['started "body"']);
  });

  it('formats and writes them when the bot logs at debug', () => {
    const lines: string[] = [];
    const log = boltLogger(createLogger('debug', (l) => lines.push(l)), 'slack', 'debug');
    const arg = part();
    log.debug('request body', arg);
    expect(arg.formatted).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'debug', msg: 'request body "body"', component: 'slack' });
  });
});
