import type { CoreExtension } from '../core/registry.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit } from './approvals-deps.js';
import { AUDIT_EXAMPLE, auditCommand, parseAudit } from './audit-command.js';
import { approveHandler, rejectHandler } from './decide.js';
import { proposeFixHandler, refreshPlanHandler } from './fix-handlers.js';
import { personKeyOf } from './identity.js';
import { drainApplies } from './plan-lease.js';
import { expirePlans, recoverPlans, type RecoveryOptions } from './recovery.js';
import { rollbackHandler } from './rollback.js';
import { testMigrationHandler } from './test-migration.js';

// The approvals module as the core sees it: the audit command and the plan buttons, each with
// the least role it needs (the core's chain enforces it and tells the person why not). Every
// refusal, the wrong role included, lands in the audit log with who clicked what: the chain's
// refusals through the audit sink registered here, the others from the handlers.

export function approvalsExtension(deps: ApprovalsDeps): CoreExtension {
  return {
    name: 'approvals',
    register(r) {
      r.command({ name: 'audit', word: 'audit', parse: parseAudit, role: 'viewer', handle: auditCommand(deps), help: `/${AUDIT_EXAMPLE} — the audit trail of a fix.`, example: AUDIT_EXAMPLE });
      r.action({ name: 'propose-fix', role: 'operator', refusal: { purpose: 'to propose a fix', audit: 'plan.propose' }, handle: proposeFixHandler(deps) });
      r.action({ name: 'refresh-plan', role: 'operator', refusal: { purpose: 'to propose a fix', audit: 'plan.refresh' }, handle: refreshPlanHandler(deps) });
      r.action({ name: 'approve', role: 'approver', refusal: { purpose: 'to approve a plan', suffix: 'Nothing was done.', audit: 'plan.approve' }, handle: approveHandler(deps) });
      r.action({
        name: 'reject',
        role: 'approver',
        refusal: { purpose: 'to reject a plan', suffix: 'Nothing was done.', audit: 'plan.reject' },
        // The proposer may withdraw their own plan.
        alsoAllowed: async (ctx, click) => {
          const plan = await deps.store.getPlan(click.recordId);
          return plan !== null && plan.requester === (await personKeyOf(ctx.event.actor, deps));
        },
        handle: rejectHandler(deps),
      });
      r.action({ name: 'rollback', role: 'operator', refusal: { purpose: 'to propose a rollback', audit: 'rollback.propose' }, handle: rollbackHandler(deps) });
      r.action({ name: 'test-migration', role: 'operator', refusal: { purpose: 'to test a migration', audit: 'test-migration.propose' }, handle: testMigrationHandler(deps) });
      // Refusals are recorded under the person's key (one per human, linked identities included).
      r.auditWith(async (e) => audit(deps, await personKeyOf(e.actor, deps), e.action, e.subjectId, e.outcome, e.details));
    },
  };
}

export interface ApprovalsRuntime {
  /** Stops the recovery timer. */
  stop(): void;
  /** Graceful stop: lets the applies in flight finish, handing off those still running at the deadline. */
  drain(deadlineMs: number): Promise<void>;
}

/**
 * Settles plans a previous run left half-done, then expires due plans and repeats the
 * recovery on a timer (a plan in its grace period at start is settled on a later tick).
 */
export async function startApprovals(deps: ApprovalsDeps, options: RecoveryOptions & { intervalMs?: number } = {}): Promise<ApprovalsRuntime> {
  const tick = async () => {
    try {
      await expirePlans(deps);
      await recoverPlans(deps, options);
    } catch (err) {
      deps.logger.warn('plan expiry/recovery pass failed; will retry', { error: (err as Error).message });
    }
  };
  await tick();
  const timer = setInterval(() => void tick(), options.intervalMs ?? 30_000);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    drain: async (deadlineMs) => {
      clearInterval(timer);
      const { handedOff } = await drainApplies(deadlineMs);
      if (handedOff.length) deps.logger.warn('stopping with plans still applying; their leases will expire and another replica resumes them', { plans: handedOff });
    },
  };
}
