import { hostname } from 'node:os';
import type { PolicySchedule } from '../approvals/policy-schema.js';
import type { CoreExtension } from '../core/registry.js';
import { clusterPresenter } from './health-command.js';
import { syncPolicySchedules } from './policy-schedules.js';
import { scheduleCommand, schedulesCommand, unscheduleCommand, type ScheduleCommandDeps } from './schedule-commands.js';
import type { Logger } from '../core/logger.js';
import type { SchedulerStore } from './scheduler-store.js';
import { claimsSchedule, claimsSchedules, claimsUnschedule, parseSchedule, parseUnschedule, SCHEDULE_EXAMPLE } from './schedule-grammar.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

// The scheduler module as the bot sees it: its commands and the cluster presenter (an extension
// of the core, registry.ts), and the loop that fires scheduled runs. The composition root starts
// the loop after the adapters and stops it before them.

export { Scheduler } from './scheduler.js';
export { diffRuns } from './health-diff.js';

export interface SchedulerModule {
  extension: CoreExtension;
  scheduler: Scheduler;
}

export interface SchedulerModuleOptions extends Omit<SchedulerOptions, 'owner'> {
  owner?: string;
  policySchedules: PolicySchedule[];
}

export async function createSchedulerModule(opts: SchedulerModuleOptions): Promise<SchedulerModule> {
  await syncPolicySchedules(opts.store, opts.policySchedules, opts.clock.now(), opts.logger);
  const scheduler = new Scheduler({ ...opts, owner: opts.owner ?? `${hostname()}:${process.pid}` });
  const deps = { store: opts.store, clock: opts.clock, changed: () => scheduler.wake() };
  const extension = scheduleCommands({ ...deps, logger: opts.logger });
  return { extension, scheduler };
}

/** The commands, and the presenter of cluster results, the scheduler adds to the core. */
export function scheduleCommands(deps: ScheduleCommandDeps & { logger: Logger; store: SchedulerStore }): CoreExtension {
  return {
    name: 'scheduler',
    register(r) {
      // Sub-commands of the core's `cluster-health`, each claiming its own words.
      r.command({
        name: 'cluster-health-schedule',
        word: 'cluster-health',
        claims: claimsSchedule,
        parse: parseSchedule,
        role: 'operator',
        handle: scheduleCommand(deps),
        help: `/${SCHEDULE_EXAMPLE} — a scheduled health post in this channel (schedules, unschedule <id>).`,
        example: SCHEDULE_EXAMPLE,
      });
      r.command({ name: 'cluster-health-schedules', word: 'cluster-health', claims: claimsSchedules, parse: () => ({ ok: true, value: {} }), role: 'viewer', handle: schedulesCommand(deps) });
      r.command({ name: 'cluster-health-unschedule', word: 'cluster-health', claims: claimsUnschedule, parse: parseUnschedule, role: 'operator', handle: unscheduleCommand(deps) });
      // On-demand cluster health and Re-run say what changed since the cluster's previous run.
      r.presentCluster(clusterPresenter(deps.store, deps.logger));
    },
  };
}
