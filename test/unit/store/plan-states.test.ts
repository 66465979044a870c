import { describe, expect, it } from 'vitest';
import { FINAL_PLAN_STATES, isAllowedTransition, PLAN_STATES, PLAN_TRANSITIONS } from '../../../src/store/plan-states.js';

describe('plan state machine', () => {
  it('has exactly the approval flow edges', () => {
    const edges = PLAN_STATES.flatMap((from) => PLAN_TRANSITIONS[from].map((to) => `${from}->${to}`)).sort();
    expect(edges).toEqual(
      [
        'proposed->approved', 'proposed->rejected', 'proposed->expired',
        'approved->applying', 'approved->failed',
        'applying->applied', 'applying->failed',
        'applied->rolling_back',
        'rolling_back->rolled_back', 'rolling_back->failed', 'rolling_back->applied',
      ].sort(),
    );
  });

  it('never leaves a final state and never goes back to proposed', () => {
    expect([...FINAL_PLAN_STATES].sort()).toEqual(['expired', 'failed', 'rejected', 'rolled_back']);
    for (const s of PLAN_STATES) expect(isAllowedTransition(s, 'proposed')).toBe(false);
    expect(isAllowedTransition('rejected', 'approved')).toBe(false);
    expect(isAllowedTransition('proposed', 'applying')).toBe(false);
  });
});
