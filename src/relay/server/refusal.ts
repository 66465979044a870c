import { ERROR_STATUS, RelayError, type RelayErrorCode } from '../protocol.js';
import type { AuditRecord } from './audit-log.js';

// One refused or failed request, as the caller will see it (status, code, safe message) and as
// the audit log and metrics record it (outcome, reason).
export class Refusal {
  constructor(
    readonly status: number,
    readonly code: RelayErrorCode,
    readonly message: string,
    readonly outcome: AuditRecord['outcome'],
    readonly reason?: string,
    readonly details?: unknown,
    /** Sent as Retry-After (429). */
    readonly retryAfterSeconds?: number,
  ) {}

  static fromCode(code: keyof typeof ERROR_STATUS, message: string, outcome: AuditRecord['outcome'], reason?: string): Refusal {
    return new Refusal(ERROR_STATUS[code], code, message, outcome, reason);
  }

  /** A backend's RelayError keeps its code and message; anything else becomes a bare 500. */
  static fromBackendError(e: unknown): Refusal {
    if (e instanceof RelayError && Object.prototype.hasOwnProperty.call(ERROR_STATUS, e.code)) {
      const code = e.code as keyof typeof ERROR_STATUS;
      const status = ERROR_STATUS[code];
      return new Refusal(status, code, e.message, status === 403 ? 'denied' : 'failed', undefined, e.details);
    }
    return new Refusal(500, 'INTERNAL', 'internal error in the relay (details are in the relay log)', 'failed');
  }

  body(): { ok: false; error: { code: string; message: string; details?: unknown } } {
    const error: { code: string; message: string; details?: unknown } = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { ok: false, error };
  }
}

/**
 * Every `reason` the relay writes into an audit line (and counts in /metrics) besides the signing
 * contract's (signing.ts REJECTION_REASONS). docs/relay-protocol.md lists each; a test holds the
 * two lists and the log to each other.
 */
export const REFUSAL_REASONS = [
  'body_too_large',
  'aborted',
  'unauthenticated_rate',
  'method',
  'unknown_operation',
  'key_scope',
  'too_deep',
  'bad_json',
  'bad_params',
  'write_limit',
  'writes_disabled',
  'approval',
  'audit_unwritable',
  'unsupported',
  'bad_request_id',
] as const;
