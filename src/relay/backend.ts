import type { OperationName, OpParams, OpResult } from './protocol.js';

// What the relay server (and the in-process lab relay) dispatch a validated operation to.
// Backends: lab (scenario file), windows (PowerShell through JEA) and directory (LDAP); the
// server composes them by operation prefix. A backend receives parameters that already passed
// the protocol's zod schema (and, for writes, an approval check) and throws `RelayError` with a
// stable code on failure (CONFLICT with `details.current` for a compare-and-swap miss).
export interface BackendContext {
  /** Stable id of the person the bot acts for, for audit. */
  requester?: string;
  /** Id of the approval that authorised a write. */
  approvalId?: string;
  signal?: AbortSignal;
  /** Set on the directory reads the relay makes to check a write's limits (write-limits.ts). */
  purpose?: 'write-limits';
  /** The caller's deadline on this process's wall clock (Unix ms), when it sent one: no write may start past it. */
  deadlineMs?: number;
}

export interface RelayBackend {
  readonly name: string;
  /** Operations this backend answers; the server routes only these to it. */
  supports(op: OperationName): boolean;
  handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>>;
  close?(): Promise<void>;
  /**
   * True when every result is built in this process from data already held to the protocol (the
   * lab: a validated scenario), so the relay does not validate it again before sending it; the
   * client validates what it receives either way (once per process boundary). A backend that
   * reads another process's output (PowerShell, LDAP) leaves this unset and is validated.
   */
  readonly resultsConform?: boolean;
}
