import type { OperationName, OpParams, OpResult } from './protocol.js';

// The bot's view of the relay: one typed call per allow-listed operation. Three transports
// implement it: the signed HTTP client (`client.ts`), the in-process lab relay (tests, CLI
// without a relay) and decorators such as the core's observing client. A call carries an operation
// id and validated parameters, never a command string; failures are thrown as `RelayError`.
export interface RelayClient {
  call<O extends OperationName>(op: O, params: OpParams<O>, options?: CallOptions): Promise<OpResult<O>>;
  /** Where the answers come from, for the context line of a reply ("lab: default.yaml"). */
  readonly description: string;
}

export interface CallOptions {
  /** Who asked, for the relay's audit log (a stable platform id, never a display name). */
  requester?: string;
  /** The event this call is made for (x-triage-request-id); default: the current one (kernel/request-id.ts). */
  requestId?: string;
  signal?: AbortSignal;
}
