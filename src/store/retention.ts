import type { Store } from './store.js';

// Housekeeping the bot runs now and then (at start and daily): check history past the
// retention setting (CHECK_RETENTION_DAYS), button records a day after they expired, and run
// claims older than a week (far older than any catch-up window), and alert threads whose
// deduplication window ended a week ago. Audit is never pruned here:
// only an admin's exportAndPruneAudit removes audit events.

export interface RetentionResult {
  checkRuns: number;
  actions: number;
  runClaims: number;
  /** Alert threads whose deduplication window ended over a week ago. */
  alertThreads: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function applyRetention(store: Store, checkRetentionDays: number, now: Date): Promise<RetentionResult> {
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return {
    checkRuns: await store.pruneCheckRuns(ago(checkRetentionDays)),
    actions: await store.pruneActions(ago(1)),
    runClaims: await store.pruneRunClaims(ago(7)),
    alertThreads: await store.pruneAlertThreads(ago(7)),
  };
}
