import { clusterNameProblem, fail, printable } from '../core/commands.js';
import type { Parsed } from '../core/registry.js';

// The words of the schedule sub-commands, which share `cluster-health` with the core's on-demand
// health check: `cluster-health <cluster> schedule "<cron>" [tz=…] [quiet]`, `cluster-health
// schedules`, `cluster-health unschedule <id>`. Each claims its own arguments (registry.ts).

export const SCHEDULE_EXAMPLE = 'cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet';

export interface ScheduleArgs {
  cluster: string;
  cron: string;
  tz?: string;
  quiet: boolean;
}

export const claimsSchedule = (args: string[]) => args[1] === 'schedule';
export const claimsSchedules = (args: string[]) => args[0] === 'schedules' && args.length === 1;
export const claimsUnschedule = (args: string[]) => args[0] === 'unschedule';

export function parseSchedule(args: string[]): Parsed<ScheduleArgs> {
  const [cluster, , cron, ...options] = args;
  const problem = clusterNameProblem(cluster!);
  if (problem) return fail(problem);
  if (!cron) return fail(`schedule needs a cron expression in quotes. Example: ${SCHEDULE_EXAMPLE}`);
  let tz: string | undefined;
  let quiet = false;
  for (const option of options) {
    if (option.startsWith('tz=')) tz = option.slice(3);
    else if (option === 'quiet') quiet = true;
    else return fail(`Unexpected "${printable(option)}" after the cron expression. Example: ${SCHEDULE_EXAMPLE}`);
  }
  return { ok: true, value: { cluster: cluster!, cron, ...(tz ? { tz } : {}), quiet } };
}

export function parseUnschedule(args: string[]): Parsed<{ id: string }> {
  return args.length === 2 && /^[A-Za-z0-9_-]{1,64}$/.test(args[1]!) ? { ok: true, value: { id: args[1]! } } : fail('unschedule takes one schedule id, as listed by: cluster-health schedules');
}
