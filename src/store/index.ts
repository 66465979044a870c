// The store's public face: open it from DATABASE_URL, talk to it through the Store interface.
export { openStore, DEFAULT_DATABASE_URL, type StoreOptions } from './open-store.js';
export * from './store.js';
export { PLAN_STATES, PLAN_TRANSITIONS, FINAL_PLAN_STATES, isAllowedTransition } from './plan-states.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
export { applyRetention, type RetentionResult } from './retention.js';
