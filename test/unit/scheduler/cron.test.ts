import { describe, expect, it } from 'vitest';
import { dueSlot, nextSlot, parseCron } from '../../../src/scheduler/cron.js';

// Cron in IANA zones (croner): the instants each expression fires at, across both DST changes
// of 2027 in Europe/Paris (spring forward 28 March 02:00 → 03:00, fall back 31 October
// 03:00 → 02:00), and the one-line refusals a person sees.

function cron(expression: string, tz: string) {
  const parsed = parseCron(expression, tz);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cron;
}

function runs(expression: string, tz: string, from: string, n: number): string[] {
  const c = cron(expression, tz);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i++) {
    at = nextSlot(c, at)!;
    out.push(at.toISOString());
  }
  return out;
}

describe('cron instants across DST (Europe/Paris)', () => {
  it('"30 2 * * *" runs at 03:00 CEST on the spring-forward day (02:30 does not exist) and once on the fall-back day', () => {
    expect(runs('30 2 * * *', 'Europe/Paris', '2027-03-26T12:00:00Z', 3)).toEqual([
      '2027-03-27T01:30:00.000Z', // 02:30 CET
      '2027-03-28T01:00:00.000Z', // 03:00 CEST: first valid time after the gap
      '2027-03-29T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(runs('30 2 * * *', 'Europe/Paris', '2027-10-29T12:00:00Z', 3)).toEqual([
      '2027-10-30T00:30:00.000Z', // 02:30 CEST
      '2027-10-31T00:30:00.000Z', // the first 02:30 of the day only (not again at 01:30Z)
      '2027-11-01T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('"0 8 * * *" stays at 08:00 local time across both changes', () => {
    expect(runs('0 8 * * *', 'Europe/Paris', '2027-03-26T12:00:00Z', 3)).toEqual(['2027-03-27T07:00:00.000Z', '2027-03-28T06:00:00.000Z', '2027-03-29T06:00:00.000Z']);
    expect(runs('0 8 * * *', 'Europe/Paris', '2027-10-29T12:00:00Z', 3)).toEqual(['2027-10-30T06:00:00.000Z', '2027-10-31T07:00:00.000Z', '2027-11-01T07:00:00.000Z']);
  });

  it('weekdays only: "0 8 * * 1-5" skips the weekend in the zone, not in UTC', () => {
    // Friday 2027-11-05 → Monday 2027-11-08 08:00 in Tokyo is Sunday 23:00 UTC.
    expect(runs('0 8 * * 1-5', 'Asia/Tokyo', '2027-11-05T00:00:00Z', 1)).toEqual(['2027-11-07T23:00:00.000Z']);
  });
});

describe('dueSlot: the one slot to fire now', () => {
  const daily = cron('0 8 * * *', 'Europe/Paris');

  it('is the slot itself at its exact instant, and nothing a millisecond before', () => {
    expect(dueSlot(daily, new Date('2027-03-27T07:00:00Z'), new Date('2027-03-28T06:00:00.000Z'))?.toISOString()).toBe('2027-03-28T06:00:00.000Z');
    expect(dueSlot(daily, new Date('2027-03-27T07:00:00Z'), new Date('2027-03-28T05:59:59.999Z'))).toBeUndefined();
  });

  it('after three missed days, only the latest missed slot', () => {
    expect(dueSlot(daily, new Date('2027-03-25T07:00:00Z'), new Date('2027-03-29T09:00:00Z'))?.toISOString()).toBe('2027-03-29T06:00:00.000Z');
  });

  it('nothing once that slot has fired', () => {
    expect(dueSlot(daily, new Date('2027-03-29T06:00:00Z'), new Date('2027-03-29T23:00:00Z'))).toBeUndefined();
  });
});

describe('refusals are one line', () => {
  const message = (expression: string, tz: string) => {
    const parsed = parseCron(expression, tz);
    return parsed.ok ? 'accepted' : parsed.message;
  };

  it.each([
    ['0 8 * *', 'UTC', /^"0 8 \* \*" is not a valid five-field cron expression .*exactly five, six, or seven space separated parts are required\. Example: "0 8 \* \* 1-5" tz=Europe\/Paris$/],
    ['61 8 * * *', 'UTC', /^"61 8 \* \* \*" is not a valid five-field cron expression .*Invalid value for minute: 61\. Example/],
    ['0 0 8 * * *', 'UTC', /requires exactly 5 parts/],
    ['* * * * *', 'UTC', /^"\* \* \* \* \*" fires more often than every 5 minutes; a cluster health check is heavier than that\./],
    ['0 8 * * *', 'Europe/Pariss', /^Unknown time zone "Europe\/Pariss": use an IANA name such as Europe\/Paris, America\/New_York or UTC\.$/],
    ['0 8 * * *', 'Mars/Olympus_Mons', /^Unknown time zone/],
  ])('%s in %s', (expression, tz, expected) => {
    const text = message(expression, tz);
    expect(text).toMatch(expected);
    expect(text).not.toContain('\n');
  });

  it('accepts a valid expression and zone', () => {
    expect(message('0 8 * * 1-5', 'Europe/Paris')).toBe('accepted');
    expect(message('*/15 * * * *', 'UTC')).toBe('accepted');
  });
});
