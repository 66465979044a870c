import type { Clock } from '../kernel/clock.js';
import type { CommandHandler, HandlerContext } from '../core/context.js';
import { clusterNodes } from '../core/builtin-handlers.js';
import { textReply, type Reply } from '../core/reply.js';
import type { AuditStore, PeopleStore, Schedule, ConversationStore, ScheduleStore } from '../store/store.js';
import { cronOf, nextSlot, parseCron } from './cron.js';
import { dateText } from '../core/mention.js';
import { channelOf } from './targets.js';
import { SCHEDULE_EXAMPLE, type ScheduleArgs } from './schedule-grammar.js';

// The schedule commands: create one for this channel (operator), list them (viewer), remove one
// (operator). Every refusal is one line shown only to the person who typed the command.

export interface ScheduleCommandDeps {
  store: ScheduleStore & AuditStore & ConversationStore & PeopleStore;
  clock: Clock;
  /** Tell the local scheduler loop to look at the store again. */
  changed: () => void;
}


const refuse = (ctx: HandlerContext, text: string) => ctx.event.ack(textReply(text, { ephemeral: true, status: 'error' }));
const DEFAULT_TZ = 'UTC';

export function scheduleCommand(deps: ScheduleCommandDeps): CommandHandler<ScheduleArgs> {
  return async (ctx, command) => {
    const tz = command.tz ?? DEFAULT_TZ;
    const cron = parseCron(command.cron, tz);
    if (!cron.ok) return refuse(ctx, cron.message);
    if (!(await clusterNodes(ctx, command.cluster))) return;
    const now = deps.clock.now();
    const target = channelOf(ctx.event.conversation);
    // The channel's reference (Teams: service URL, tenant) outlives a restart in the store.
    await deps.store.saveConversation(target, now);
    const createdBy = await deps.store.personOf({ platform: ctx.event.actor.platform, userId: ctx.event.actor.id });
    const schedule = await deps.store.createSchedule({ cluster: command.cluster, cron: command.cron, tz, quiet: command.quiet, target, createdBy, source: 'chat', createdAt: now });
    await deps.store.appendAudit({ at: now, actor: createdBy, action: 'schedule.created', subjectId: schedule.id, outcome: 'ok', details: { cluster: schedule.cluster, cron: schedule.cron, tz, quiet: schedule.quiet, target: { platform: target.platform, channelId: target.channelId } } });
    deps.changed();
    const next = nextSlot(cron.cron, now);
    // A date element: each reader's own time on Slack, the cron's zone elsewhere.
    const when = next ? `next run ${dateText(next.toISOString(), tz)}` : 'it has no future run';
    const quiet = command.quiet ? ' Quiet: it posts only when something fails or changed.' : '';
    await ctx.event.ack(textReply(`Scheduled ${schedule.id}: cluster health of ${command.cluster} in this channel at "${command.cron}" ${tz}; ${when}.${quiet} Remove it with: cluster-health unschedule ${schedule.id}`, { ephemeral: true }));
  };
}

export function schedulesCommand(deps: ScheduleCommandDeps): CommandHandler<unknown> {
  return async (ctx) => {
    const schedules = await deps.store.listSchedules();
    await ctx.event.ack(schedulesReply(schedules, ctx.event.conversation.channelId, deps.clock.now()));
  };
}

export function unscheduleCommand(deps: ScheduleCommandDeps): CommandHandler<{ id: string }> {
  return async (ctx, command) => {
    const schedule = await deps.store.getSchedule(command.id);
    if (!schedule) return refuse(ctx, `No schedule ${command.id}. List them with: /cluster-health schedules`);
    const actor = await deps.store.personOf({ platform: ctx.event.actor.platform, userId: ctx.event.actor.id });
    await deps.store.deleteSchedule(schedule.id);
    await deps.store.appendAudit({ at: deps.clock.now(), actor, action: 'schedule.deleted', subjectId: schedule.id, outcome: 'ok', details: { cluster: schedule.cluster, cron: schedule.cron, tz: schedule.tz, source: schedule.source } });
    deps.changed();
    const policy = schedule.source === 'policy' ? ' It comes from the policy file, so it returns at the next start unless it is removed there.' : '';
    await ctx.event.ack(textReply(`Removed ${schedule.id} (cluster health of ${schedule.cluster} at "${schedule.cron}" ${schedule.tz}).${policy}`, { ephemeral: true }));
  };
}

export function scheduleLine(s: Schedule, here: string, now: Date): string {
  const where = `${s.target.platform} ${s.target.channelId}${s.target.channelId === here ? ' (this channel)' : ''}`;
  const parts = [s.id, s.cluster, `"${s.cron}" ${s.tz}`];
  if (s.quiet) parts.push('quiet');
  parts.push(where, `from ${s.source}`);
  if (s.pausedReason) {
    parts.push(`PAUSED${s.pausedAt ? ` since ${dateText(s.pausedAt.toISOString())}` : ''}: ${s.pausedReason}`);
  } else {
    const next = nextOf(s, now);
    parts.push(next ? `next ${dateText(next.toISOString(), s.tz)}` : 'no future run');
  }
  if (s.lastFiredSlot) parts.push(`last ${dateText(s.lastFiredSlot)}`);
  return parts.join(' · ');
}

function nextOf(s: Schedule, now: Date): Date | undefined {
  try {
    return nextSlot(cronOf(s.cron, s.tz), now);
  } catch {
    return undefined;
  }
}

export function schedulesReply(schedules: Schedule[], here: string, now: Date): Reply {
  if (schedules.length === 0) return textReply(`No scheduled cluster health posts. Add one with: /${SCHEDULE_EXAMPLE}`, { ephemeral: true });
  const paused = schedules.filter((s) => s.pausedReason).length;
  return {
    header: 'Scheduled cluster health',
    verdict: { status: 'info', text: `${schedules.length} schedule(s)${paused ? `, ${paused} paused` : ''}.` },
    sections: [{ title: 'Schedules', lines: schedules.map((s) => scheduleLine(s, here, now)) }],
    ephemeral: true,
  };
}
