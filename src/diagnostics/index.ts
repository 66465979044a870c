// Public API of the diagnostics engine.
export { collectEvidence, migrationSpnsOf, type CollectOptions } from './collect.js';
export { diagnose, sortFindings } from './diagnose.js';
export { runCheck } from './run-check.js';
export { computeDirections } from './directions.js';
export { computeVerdict } from './verdict.js';
export { runChecks, CHECKS, type Check } from './checks/index.js';
export { classifyEvent, hresultsOf, isLmFailure, LM_FAILURE_EVENT_IDS, type ClassifiedEvent, type EventClass } from './classify-event.js';
export { CORRELATION_WINDOW_DAYS, CUMULATIVE_UPDATES, HARDENING_MONTHS, describeUpdate } from './hardening-updates.js';
export { SKEW_ERROR_SECONDS, SKEW_WARNING_SECONDS } from './checks/clock.js';
export type { Evidence, HostEvidence, DirectoryEvidence, Outcome } from './evidence.js';
export * from './findings.js';
