import { hostname } from 'node:os';
import type { PolicySchedule } from '../approvals/policy-schema.js';
import type { Command } from '../core/commands.js';
import type { CommandHandler, CoreExtension } from '../core/context.js';
import { clusterHealthCommand, rerunAction } from './health-command.js';
import { syncPolicySchedules } from './policy-schedules.js';
import { scheduleCommand, schedulesCommand, unscheduleCommand } from './schedule-commands.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';

// The scheduler module as the bot sees it: its commands (an extension of the core) and the
// loop that fires scheduled runs. The composition root starts the loop after the adapters and
// stops it before them.

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
  const entry = <N extends Command['name']>(role: 'viewer' | 'operator', handle: CommandHandler<Extract<Command, { name: N }>>) => ({ role, handle });
  const extension: CoreExtension = {
    commands: {
      'cluster-health': entry('viewer', clusterHealthCommand(opts.store, opts.logger)),
      'cluster-health-schedule': entry('operator', scheduleCommand(deps)),
      'cluster-health-schedules': entry('viewer', schedulesCommand(deps)),
      'cluster-health-unschedule': entry('operator', unscheduleCommand(deps)),
    },
    actions: { rerun: { role: 'viewer', handle: rerunAction(opts.store, opts.logger) } },
  };
  return { extension, scheduler };
}
