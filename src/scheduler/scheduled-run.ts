import type { Clock } from '../kernel/clock.js';
import type { CoreStore } from '../core/core-store.js';
import type { ConversationRef } from '../kernel/refs.js';
import type { ChatAdapter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { dateText } from '../core/mention.js';
import { textReply } from '../core/reply.js';
import { runCheck } from '../diagnostics/run-check.js';
import { RelayError } from '../relay/protocol.js';
import type { RelayClient } from '../relay/relay-client.js';
import type { Schedule } from '../store/store.js';
import type { SchedulerStore } from './scheduler-store.js';
import { diffRuns, somethingFails } from './health-diff.js';
import { healthReply } from './health-reply.js';
import { previousRun } from './previous-run.js';
import { resolveTarget, targetGone } from './targets.js';

// One scheduled run, after its slot was claimed: the cluster's nodes, the check, the comparison
// with the previous run, the post (or, in quiet mode, silence when nothing fails and nothing
// changed). A cluster or channel that is gone pauses the schedule with a note instead of
// failing again at every slot.

export interface ScheduledRunDeps {
  store: SchedulerStore;
  /** Saves the run with its evidence, so the post's buttons (evidence, fix, re-run) work. */
  coreStore: CoreStore;
  relay: RelayClient;
  clock: Clock;
  /** Evidence is judged at this instant (the lab scenario's `now` in lab mode); default `clock`. */
  evidenceClock?: Clock;
  logger: Logger;
  eventWindowHours: number;
}

export type RunOutcome =
  | { kind: 'posted'; recordId: string }
  | { kind: 'quiet'; recordId: string }
  | { kind: 'paused'; reason: string }
  | { kind: 'failed'; reason: string };

export async function runScheduled(deps: ScheduledRunDeps, adapter: ChatAdapter, schedule: Schedule, slot: Date): Promise<RunOutcome> {
  const requester = `schedule:${schedule.id}`;
  const target = await resolveTarget(deps.store, schedule.target);
  let nodes: string[];
  try {
    nodes = (await deps.relay.call('cluster.nodes', { cluster: schedule.cluster }, { requester })).nodes;
  } catch (err) {
    if (err instanceof RelayError && (err.code === 'NOT_FOUND' || err.code === 'UNKNOWN_HOST')) {
      return pause(deps, adapter, schedule, target, `cluster ${schedule.cluster} no longer exists (${err.message})`);
    }
    return failed(deps, adapter, schedule, target, `the relay did not list the cluster's nodes (${err instanceof Error ? err.message : String(err)})`);
  }
  if (nodes.length < 2) return failed(deps, adapter, schedule, target, `cluster ${schedule.cluster} has ${nodes.length} node(s); live migration needs two`);

  const previous = await previousRun(deps.store, schedule.cluster, deps.logger);
  const { diagnosis, evidence } = await runCheck(deps.relay, nodes, { clock: deps.evidenceClock ?? deps.clock, eventWindowHours: deps.eventWindowHours, requester });
  const diff = diffRuns(previous?.snapshot ?? null, diagnosis);
  const record = await deps.coreStore.saveCheckRun({
    nodes,
    cluster: schedule.cluster,
    requesterId: 'scheduler',
    scheduleId: schedule.id,
    conversation: target,
    createdAt: deps.clock.now().toISOString(),
    diagnosis,
    evidence,
  });
  if (schedule.quiet && !somethingFails(diagnosis) && !diff.changed) return { kind: 'quiet', recordId: record.id };

  const context = [`Scheduled ${schedule.id} · "${schedule.cron}" ${schedule.tz}${schedule.quiet ? ' · quiet' : ''} · slot ${dateText(slot.toISOString())}`];
  const reply = healthReply(diagnosis, diff, { cluster: schedule.cluster, recordId: record.id, ...(previous ? { previousAt: previous.at } : {}), context });
  try {
    await adapter.post(target, reply);
  } catch (err) {
    const gone = targetGone(err);
    if (gone) return pause(deps, undefined, schedule, target, `the channel is no longer reachable: ${gone}`);
    throw err;
  }
  return { kind: 'posted', recordId: record.id };
}

/** Stops the schedule for good, says so where it can, and keeps the reason for `schedules`. */
async function pause(deps: ScheduledRunDeps, adapter: ChatAdapter | undefined, schedule: Schedule, target: ConversationRef, reason: string): Promise<RunOutcome> {
  await deps.store.pauseSchedule(schedule.id, reason, deps.clock.now());
  await deps.store.appendAudit({ at: deps.clock.now(), actor: 'system', action: 'schedule.paused', subjectId: schedule.id, outcome: 'paused', details: { reason } });
  deps.logger.warn('schedule paused', { scheduleId: schedule.id, reason });
  const note = `Scheduled cluster health ${schedule.id} (${schedule.cluster}) is paused: ${reason}. Remove it with: cluster-health unschedule ${schedule.id}`;
  if (adapter) await adapter.post(target, textReply(note, { status: 'error' })).catch((err: unknown) => deps.logger.warn('could not post the pause note', { scheduleId: schedule.id, error: (err as Error).message }));
  return { kind: 'paused', reason };
}

/** A run that could not happen this time: said in the channel (a failure is never quiet). */
async function failed(deps: ScheduledRunDeps, adapter: ChatAdapter, schedule: Schedule, target: ConversationRef, reason: string): Promise<RunOutcome> {
  deps.logger.warn('scheduled run failed', { scheduleId: schedule.id, reason });
  const note = `Scheduled cluster health ${schedule.id} (${schedule.cluster}) could not run: ${reason}. It will try again at the next slot.`;
  try {
    await adapter.post(target, textReply(note, { status: 'error' }));
  } catch (err) {
    const gone = targetGone(err);
    if (gone) return pause(deps, undefined, schedule, target, `the channel is no longer reachable: ${gone}`);
  }
  return { kind: 'failed', reason };
}
