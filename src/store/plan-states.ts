// The approval state machine, as data. The store refuses any transition that is not an edge
// here (a programming error), and applies the allowed ones with compare-and-swap, so a double
// click or a second replica finds the row already moved and gets null.
export const PLAN_STATES = [
  'proposed',
  'approved',
  'applying',
  'applied',
  'failed',
  'rejected',
  'expired',
  'rolling_back',
  'rolled_back',
] as const;

export type PlanState = (typeof PLAN_STATES)[number];

export const PLAN_TRANSITIONS: Readonly<Record<PlanState, readonly PlanState[]>> = {
  proposed: ['approved', 'rejected', 'expired'],
  // approved → failed settles a plan whose apply never started (the replica stopped in between).
  approved: ['applying', 'failed'],
  applying: ['applied', 'failed'],
  applied: ['rolling_back'],
  // rolling_back → applied: the rollback wrote nothing (compare-and-swap miss), the fix stays.
  rolling_back: ['rolled_back', 'failed', 'applied'],
  failed: [],
  rejected: [],
  expired: [],
  rolled_back: [],
};

/** States a plan never leaves. */
export const FINAL_PLAN_STATES: ReadonlySet<PlanState> = new Set(
  PLAN_STATES.filter((s) => PLAN_TRANSITIONS[s].length === 0),
);

export function isAllowedTransition(from: PlanState, to: PlanState): boolean {
  return PLAN_TRANSITIONS[from].includes(to);
}
