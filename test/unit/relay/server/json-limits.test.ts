import { describe, expect, it } from 'vitest';
import { capForAudit, nestsDeeperThan } from '../../../../src/relay/server/json-limits.js';

// The depth check runs on the request text before JSON.parse; brackets inside strings (escaped
// quotes included) are not nesting.
describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[[1]]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[[[1]]]}', 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${'{'.repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\\\",${'['.repeat(5)}`, 3)).toBe(true);
  });

  it('walks 10,000 levels without recursion', () => {
    expect(nestsDeeperThan('['.repeat(10_000) + ']'.repeat(10_000), 32)).toBe(true);
  });
});

describe('capForAudit', () => {
  it('cuts depth, long strings and long arrays, and leaves small values as they are', () => {
    expect(capForAudit({ node: 'HV01', names: ['A', 'B'] })).toEqual({ node: 'HV01', names: ['A', 'B'] });
    const deep = (n: number): unknown => (n === 0 ? 'x' : [deep(n - 1)]);
    expect(JSON.stringify(capForAudit(deep(12)))).toBe('[[[[[[[["[nested]"]]]]]]]]');
    expect(capForAudit('a'.repeat(1030))).toBe(`${'a'.repeat(1024)}…[+6 chars]`);
    expect((capForAudit(Array.from({ length: 605 }, () => 1)) as unknown[]).slice(-2)).toEqual([1, '[+5 items]']);
  });
});
