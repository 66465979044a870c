import { mintApprovalToken } from '../relay/approval-token.js';
import { RelayError, type OperationName, type OpParams } from '../relay/protocol.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';

// One write of an approved plan through the relay, with its own single-use approval token bound
// to the exact parameters (expected values included) and, when the write runs under a plan
// lease, that lease's fencing token. The steps and their journal are in run-steps.ts.

/** Tokens live only as long as the writes take; the relay also refuses a second use. */
const TOKEN_TTL_SECONDS = 300;

export async function callWrite<O extends OperationName>(deps: ApprovalsDeps, plan: Plan, op: O, params: Omit<OpParams<O>, 'approval'>, requester: string, fence?: number) {
  if (!deps.approvalKey) throw new RelayError('FORBIDDEN', 'APPROVAL_SIGNING_KEY is not set: the bot cannot sign approvals');
  const approval = mintApprovalToken({ key: deps.approvalKey, id: plan.id, op, params: params as Record<string, unknown>, ttlSeconds: TOKEN_TTL_SECONDS, clock: deps.clock, ...(fence !== undefined ? { fence } : {}) });
  return deps.relay.call(op, { ...params, approval } as OpParams<O>, { requester });
}
