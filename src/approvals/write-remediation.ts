import { mintApprovalToken } from '../relay/approval-token.js';
import { RelayError, type OperationName, type OpParams } from '../relay/protocol.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit } from './approvals-deps.js';
import type { Remediation, Step } from './plan-document.js';

// The writes of an approved plan, through the relay, each with its own single-use approval
// token bound to the exact parameters (expected values included): one apply-delegation for all
// computers (compare-and-swap at the relay), then the auth type changes, then a ticket purge on
// every node. Each relay outcome is audited.

/** Tokens live only as long as the writes take; the relay also refuses a second use. */
const TOKEN_TTL_SECONDS = 300;

export type WriteOutcome =
  | { kind: 'written'; steps: Step[] }
  /** The relay answered CONFLICT: AD no longer holds the expected values; nothing was written. */
  | { kind: 'conflict'; steps: Step[]; current: unknown; message: string }
  /** The relay refused before writing (token, validation, unknown computer): nothing was written. */
  | { kind: 'refused'; steps: Step[]; message: string }
  /** The call failed in a way that does not say whether AD was written (timeout, relay down). */
  | { kind: 'unknown'; steps: Step[]; message: string };

const REFUSED_BEFORE_WRITE = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNKNOWN_HOST']);

export async function callWrite<O extends OperationName>(deps: ApprovalsDeps, plan: Plan, op: O, params: Omit<OpParams<O>, 'approval'>, requester: string) {
  if (!deps.approvalKey) throw new RelayError('FORBIDDEN', 'APPROVAL_SIGNING_KEY is not set: the bot cannot sign approvals');
  const approval = mintApprovalToken({ key: deps.approvalKey, id: plan.id, op, params: params as Record<string, unknown>, ttlSeconds: TOKEN_TTL_SECONDS, clock: deps.clock });
  return deps.relay.call(op, { ...params, approval } as OpParams<O>, { requester });
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function writeRemediation(deps: ApprovalsDeps, plan: Plan, remediation: Remediation, who: string, requester: string): Promise<WriteOutcome> {
  const steps: Step[] = [];
  if (remediation.delegation.length > 0) {
    const params = { changes: remediation.delegation.map((c) => ({ computer: c.computer, expected: c.expected, desired: c.desired })) };
    const target = remediation.delegation.map((c) => c.computer).join(', ');
    try {
      const result = await callWrite(deps, plan, 'directory.apply-delegation', params as Omit<OpParams<'directory.apply-delegation'>, 'approval'>, requester);
      steps.push({ op: 'directory.apply-delegation', target, outcome: 'ok' });
      await audit(deps, who, 'relay.apply-delegation', plan.id, 'ok', { applied: result.applied });
    } catch (err) {
      const code = err instanceof RelayError ? err.code : 'INTERNAL';
      steps.push({ op: 'directory.apply-delegation', target, outcome: 'failed', message: messageOf(err) });
      await audit(deps, who, 'relay.apply-delegation', plan.id, code === 'CONFLICT' ? 'conflict' : 'failed', { code, message: messageOf(err), ...(err instanceof RelayError && err.details ? { details: err.details } : {}) });
      if (code === 'CONFLICT') return { kind: 'conflict', steps, current: (err as RelayError & { details?: { current?: unknown } }).details?.current, message: messageOf(err) };
      if (REFUSED_BEFORE_WRITE.has(code)) return { kind: 'refused', steps, message: messageOf(err) };
      return { kind: 'unknown', steps, message: messageOf(err) };
    }
  }
  for (const auth of remediation.migrationAuth) {
    steps.push(await step(deps, plan, who, requester, 'host.set-migration-auth', auth.node, { node: auth.node, expected: auth.expected, authenticationType: auth.desired }));
  }
  for (const node of remediation.purgeTickets) {
    steps.push(await step(deps, plan, who, requester, 'host.purge-tickets', node, { node }));
  }
  return { kind: 'written', steps };
}

async function step<O extends 'host.set-migration-auth' | 'host.purge-tickets'>(deps: ApprovalsDeps, plan: Plan, who: string, requester: string, op: O, node: string, params: Omit<OpParams<O>, 'approval'>): Promise<Step> {
  try {
    const result = await callWrite(deps, plan, op, params, requester);
    await audit(deps, who, `relay.${op.slice(op.indexOf('.') + 1)}`, plan.id, 'ok', { node, result });
    return { op, target: node, outcome: 'ok' };
  } catch (err) {
    await audit(deps, who, `relay.${op.slice(op.indexOf('.') + 1)}`, plan.id, 'failed', { node, code: err instanceof RelayError ? err.code : 'INTERNAL', message: messageOf(err) });
    return { op, target: node, outcome: 'failed', message: messageOf(err) };
  }
}
