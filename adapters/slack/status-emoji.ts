import type { DirectionStatus, Severity } from '../../src/diagnostics/findings.js';
import type { Reply } from '../../src/core/reply.js';

// One emoji per status, as Unicode rather than `:shortcodes:` so it also shows inside code
// blocks (the direction grid) and in the plain-text fallback and attachments.

export type ReplyStatus = NonNullable<Reply['verdict']>['status'];

export const VERDICT_EMOJI: Record<ReplyStatus, string> = {
  healthy: '✅',
  blocked: '⛔',
  degraded: '⚠️',
  unknown: '❔',
  info: 'ℹ️',
  error: '❌',
  pending: '⏳',
  awaiting: '✋',
};

export const VERDICT_LABEL: Record<ReplyStatus, string> = {
  healthy: 'Healthy',
  blocked: 'Blocked',
  degraded: 'Degraded',
  unknown: 'Unknown',
  info: 'Info',
  error: 'Error',
  pending: 'Running',
  // A plan waiting for a person is not running: nothing happens until someone approves it.
  awaiting: 'Awaiting approval',
};

export const DIRECTION_EMOJI: Record<DirectionStatus, string> = { ok: '✅', blocked: '⛔', unknown: '❔' };

export const SEVERITY_EMOJI: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };
