import { describe, expect, it } from 'vitest';
import { NonceCache } from '../../../src/relay/nonce-cache.js';

describe('NonceCache', () => {
  it('remembers a value until its expiry, then lets it go', () => {
    const c = new NonceCache(10, 0);
    expect(c.remember('n1', 1000, 0)).toBe('new');
    expect(c.remember('n1', 1000, 999)).toBe('seen');
    expect(c.remember('n1', 3000, 1000)).toBe('new');
  });

  it('stays within its capacity by dropping expired values, and refuses rather than forgetting live ones', () => {
    const c = new NonceCache(3, 1_000_000);
    expect(c.remember('a', 100, 0)).toBe('new');
    expect(c.remember('b', 5000, 0)).toBe('new');
    expect(c.remember('c', 5000, 0)).toBe('new');
    expect(c.remember('d', 5000, 200)).toBe('new'); // 'a' expired and made room
    expect(c.size).toBe(3);
    expect(c.remember('e', 5000, 300)).toBe('full');
    expect(c.remember('b', 5000, 300)).toBe('seen');
    expect(c.size).toBe(3);
  });
});
