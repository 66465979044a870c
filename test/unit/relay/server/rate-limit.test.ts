import { describe, expect, it } from 'vitest';
import { KeyedBuckets, TokenBucket } from '../../../../src/relay/server/rate-limit.js';

describe('TokenBucket', () => {
  it('allows the burst at once, then the rate', () => {
    const b = new TokenBucket(2, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitSeconds(0)).toBe(1);
    expect(b.take(499)).toBe(false);
    expect(b.take(500)).toBe(true);
    expect(b.take(10_000)).toBe(true);
  });
});

describe('KeyedBuckets', () => {
  it('keeps each key to its own budget', () => {
    const k = new KeyedBuckets(1, 2);
    expect([k.take('a', 0), k.take('a', 0), k.take('a', 0)]).toEqual([true, true, false]);
    expect(k.take('b', 0)).toBe(true);
  });

  it('drops the least recently used key past maxKeys (which only ever lets a caller in)', () => {
    const k = new KeyedBuckets(1, 1, 2);
    expect(k.take('a', 0)).toBe(true);
    expect(k.take('b', 0)).toBe(true);
    expect(k.take('c', 0)).toBe(true);
    expect(k.take('a', 0)).toBe(true);
    expect(k.take('c', 0)).toBe(false);
  });
});
