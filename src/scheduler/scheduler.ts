import type { Platform } from '../kernel/platform.js';
import { newRequestId, withRequestId } from '../kernel/request-id.js';
import type { ChatAdapter } from '../core/events.js';
import type { Schedule } from '../store/store.js';
import { cronOf, dueSlot, nextSlot } from './cron.js';
import { runScheduled, type RunOutcome, type ScheduledRunDeps } from './scheduled-run.js';
import { adapterFor } from './targets.js';

// The scheduler: `tick(now)` fires every schedule whose slot has come, and a timer loop calls
// it in production, sleeping until the next slot (at most `maxSleepMs`, so schedules made on
// another replica or edited in the store are seen soon). Time comes from the injected clock;
// tests call tick() with the instants they choose and never wait for a real timer.
//
// Exactly once: the slot (a UTC instant) is claimed in the store before anything runs, and the
// database lets one claim of (schedule, slot) succeed across all replicas. Only the latest due
// slot is considered, counted from the last one fired, so downtime is made up once. The claim is
// a lease renewed while the run lasts and closed when it ends; a claim left open past its lease
// (the replica died between claim and post) is taken over by the next replica that looks.

export interface SchedulerOptions extends ScheduledRunDeps {
  adapters: ChatAdapter[];
  /** This replica's name in run claims (host and pid in production). */
  owner: string;
  /** Longest sleep between two looks at the store. */
  maxSleepMs?: number;
  /** Lease of a run claim, renewed every third of it while the run lasts (default 10 min). */
  claimLeaseMs?: number;
}

export interface Fired {
  scheduleId: string;
  slot: string;
  outcome: RunOutcome | { kind: 'claimed-elsewhere' };
}

const MIN_SLEEP_MS = 250;

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  /** Ticks still running: a long check must not delay another schedule's slot. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly warned = new Set<Platform>();

  constructor(private readonly opts: SchedulerOptions) {}

  /** Fires every due schedule once; resolves with what each did. */
  async tick(now: Date = this.opts.clock.now()): Promise<Fired[]> {
    const due: Array<{ schedule: Schedule; adapter: ChatAdapter; slot: Date }> = [];
    for (const schedule of await this.opts.store.listSchedules({ includePaused: false })) {
      const adapter = this.adapterOf(schedule);
      if (!adapter) continue;
      const slot = this.dueSlotOf(schedule, now);
      if (slot) due.push({ schedule, adapter, slot });
    }
    // Slots another replica claimed and never finished (it died before posting): run them now.
    const active = new Map((await this.opts.store.listSchedules({ includePaused: false })).map((s) => [s.id, s]));
    for (const open of await this.opts.store.listAbandonedRuns(now)) {
      const schedule = active.get(open.scheduleId);
      const adapter = schedule ? this.adapterOf(schedule) : undefined;
      if (!schedule || !adapter || due.some((d) => d.schedule.id === open.scheduleId && d.slot.toISOString() === open.slot)) continue;
      this.opts.logger.warn('taking over a scheduled run another replica claimed and never finished', { scheduleId: open.scheduleId, slot: open.slot, owner: open.owner });
      due.push({ schedule, adapter, slot: new Date(open.slot) });
    }
    // Each run is an event of its own: its log lines, relay calls and audit rows share a request id.
    return Promise.all(due.map((d) => withRequestId(newRequestId(), () => this.fire(d.schedule, d.adapter, d.slot, now))));
  }

  /** The earliest slot after `now` among active schedules. */
  async nextDue(now: Date): Promise<Date | undefined> {
    let earliest: Date | undefined;
    for (const schedule of await this.opts.store.listSchedules({ includePaused: false })) {
      const next = safeNext(schedule, now);
      if (next && (!earliest || next < earliest)) earliest = next;
    }
    return earliest;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(0);
  }

  /** Look again soon (a schedule was added or removed here). */
  wake(): void {
    if (!this.running || !this.timer) return;
    clearTimeout(this.timer);
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
    await Promise.allSettled([...this.inFlight]);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.current = this.loopOnce();
    }, ms);
    this.timer.unref();
  }

  private async loopOnce(): Promise<void> {
    const { clock, logger } = this.opts;
    // Not awaited: the slot is claimed and recorded as fired at the start of a run, so the next
    // look (possibly while this one still runs) does not fire it again.
    const ticking = this.tick(clock.now()).catch((err: unknown) => logger.error('scheduler tick failed', { error: err instanceof Error ? err.message : String(err) }));
    this.inFlight.add(ticking);
    void ticking.finally(() => this.inFlight.delete(ticking));
    await settledOrSoon(ticking);
    let delay = this.opts.maxSleepMs ?? 60_000;
    try {
      const now = clock.now();
      const next = await this.nextDue(now);
      if (next) delay = Math.min(delay, Math.max(MIN_SLEEP_MS, next.getTime() - now.getTime()));
    } catch (err) {
      logger.warn('scheduler could not plan its next wake-up', { error: err instanceof Error ? err.message : String(err) });
    }
    if (this.running) this.arm(delay);
  }

  private adapterOf(schedule: Schedule): ChatAdapter | undefined {
    const adapter = adapterFor(this.opts.adapters, schedule.target.platform);
    if (!adapter && !this.warned.has(schedule.target.platform)) {
      // Another replica may have this platform configured: skip without claiming the slot.
      this.warned.add(schedule.target.platform);
      this.opts.logger.warn('schedules target a platform this replica does not run', { platform: schedule.target.platform, scheduleId: schedule.id });
    }
    return adapter;
  }

  private dueSlotOf(schedule: Schedule, now: Date): Date | undefined {
    try {
      const after = schedule.lastFiredSlot ? new Date(schedule.lastFiredSlot) : schedule.createdAt;
      return dueSlot(cronOf(schedule.cron, schedule.tz), after, now);
    } catch (err) {
      // Validated when saved; only a change of the runtime's zone data gets here.
      this.opts.logger.error('schedule cron no longer valid', { scheduleId: schedule.id, error: (err as Error).message });
      return undefined;
    }
  }

  private async fire(schedule: Schedule, adapter: ChatAdapter, slot: Date, now: Date): Promise<Fired> {
    const key = slot.toISOString();
    const { store, logger } = this.opts;
    const lease = this.opts.claimLeaseMs;
    if (!(await store.claimRun(schedule.id, key, this.opts.owner, now, lease))) return { scheduleId: schedule.id, slot: key, outcome: { kind: 'claimed-elsewhere' } };
    await store.recordScheduleFired(schedule.id, key);
    const heartbeat = setInterval(() => {
      void store.renewRunClaim(schedule.id, key, this.opts.owner, this.opts.clock.now(), lease).catch(() => undefined);
    }, Math.max(1000, Math.floor((lease ?? 10 * 60_000) / 3)));
    heartbeat.unref();
    try {
      const outcome = await runScheduled(this.opts, adapter, schedule, slot);
      logger.info('scheduled run', { scheduleId: schedule.id, slot: key, outcome: outcome.kind });
      return { scheduleId: schedule.id, slot: key, outcome };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      logger.error('scheduled run failed', { scheduleId: schedule.id, slot: key, error: reason });
      return { scheduleId: schedule.id, slot: key, outcome: { kind: 'failed', reason } };
    } finally {
      clearInterval(heartbeat);
      // The run ended (posted, or failed and logged): nobody takes this slot over.
      await store.completeRun(schedule.id, key, this.opts.owner, this.opts.clock.now()).catch((err: unknown) => logger.warn('could not close a run claim', { scheduleId: schedule.id, slot: key, error: (err as Error).message }));
    }
  }
}

/** Waits for a tick that finishes quickly (the usual case), but no longer than a second. */
async function settledOrSoon(p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
}

function safeNext(schedule: Schedule, now: Date): Date | undefined {
  try {
    return nextSlot(cronOf(schedule.cron, schedule.tz), now);
  } catch {
    return undefined;
  }
}
