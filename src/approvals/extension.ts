import type { CoreExtension } from '../core/context.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { auditCommand } from './audit-command.js';
import { approveHandler, rejectHandler } from './decide.js';
import { proposeFixHandler, refreshPlanHandler } from './fix-handlers.js';
import { drainApplies } from './plan-lease.js';
import { purgeRecheckHandler } from './purge-recheck.js';
import { expirePlans, recoverPlans, type RecoveryOptions } from './recovery.js';
import { rollbackHandler } from './rollback.js';
import { testMigrationHandler } from './test-migration.js';

// The approvals module as the core sees it: the audit command and the plan buttons. Buttons are
// routed with the viewer role and check their own role inside, so that every refusal (wrong role
// included) lands in the audit log with who clicked what.

export function approvalsExtension(deps: ApprovalsDeps): CoreExtension {
  return {
    commands: { audit: { role: 'viewer', handle: auditCommand(deps) } },
    actions: {
      'propose-fix': { role: 'viewer', handle: proposeFixHandler(deps) },
      'refresh-plan': { role: 'viewer', handle: refreshPlanHandler(deps) },
      approve: { role: 'viewer', handle: approveHandler(deps) },
      reject: { role: 'viewer', handle: rejectHandler(deps) },
      rollback: { role: 'viewer', handle: rollbackHandler(deps) },
      'test-migration': { role: 'viewer', handle: testMigrationHandler(deps) },
      'purge-recheck': { role: 'viewer', handle: purgeRecheckHandler(deps) },
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
