import { describe, expect, it } from 'vitest';
import { newActionId, newPlanId, newScheduleId, randomId } from '../../../src/store/ids.js';

describe('store ids', () => {
  it('are prefixed, of fixed length, and free of look-alike characters', () => {
    expect(newPlanId()).toMatch(/^pl_[a-hj-km-np-z2-9]{16}$/);
    expect(newActionId()).toMatch(/^ac_[a-hj-km-np-z2-9]{25}$/);
    expect(newScheduleId()).toMatch(/^sc_[a-hj-km-np-z2-9]{8}$/);
  });

  it('do not repeat and use every character of the alphabet', () => {
    const ids = Array.from({ length: 5000 }, () => randomId('x', 12));
    expect(new Set(ids).size).toBe(ids.length);
    const chars = new Set(ids.join('').replace(/x_/g, ''));
    expect(chars.size).toBe(31);
  });
});
