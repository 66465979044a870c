import { Cron } from 'croner';
import { printable } from '../core/commands.js';

// Cron expressions read in an IANA time zone (croner). croner treats a single-time job such as
// "30 2 * * *" as fixed-time across DST: in the spring-forward gap it runs at the first valid
// time after the gap, and on the fall-back day it runs once, at the first 02:30. Interval jobs
// ("*/30 * * * *") follow wall-clock instants. Slots are UTC instants (toISOString), the key
// of the run claim that makes each run fire on one replica only.

/** Scheduled health runs are whole-cluster checks: more often than this would hammer the nodes. */
export const MIN_INTERVAL_MINUTES = 5;

export type CronCheck = { ok: true; cron: Cron } | { ok: false; message: string };

const EXAMPLE = 'Example: "0 8 * * 1-5" tz=Europe/Paris';

/** The IANA zone, or undefined when the runtime does not know it. */
export function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses a five-field cron in a zone; a bad one becomes one line for the person who typed it. */
export function parseCron(expression: string, tz: string): CronCheck {
  if (!validZone(tz)) return { ok: false, message: `Unknown time zone "${printable(tz)}": use an IANA name such as Europe/Paris, America/New_York or UTC.` };
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: tz, paused: true, mode: '5-part' });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^CronPattern:\s*/, '') : 'not a cron expression';
    return { ok: false, message: `"${printable(expression)}" is not a valid five-field cron expression (minute hour day month weekday): ${why.split('\n')[0]!.replace(/\.+$/, '')}. ${EXAMPLE}` };
  }
  const next = cron.nextRuns(12, new Date('2030-01-01T00:00:00Z'));
  if (next.length === 0) return { ok: false, message: `"${printable(expression)}" never fires. ${EXAMPLE}` };
  for (let i = 1; i < next.length; i++) {
    if (next[i]!.getTime() - next[i - 1]!.getTime() < MIN_INTERVAL_MINUTES * 60_000) {
      return { ok: false, message: `"${printable(expression)}" fires more often than every ${MIN_INTERVAL_MINUTES} minutes; a cluster health check is heavier than that. ${EXAMPLE}` };
    }
  }
  return { ok: true, cron };
}

/** A schedule's cron that was valid when saved; throws if it no longer parses (zone data changed). */
export function cronOf(expression: string, tz: string): Cron {
  const parsed = parseCron(expression, tz);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.cron;
}

/**
 * The slot to fire now: the latest cron instant that is after `after` and not after `now`, or
 * undefined. Only the latest counts, so after downtime a missed run is made up once, not once
 * per slot missed.
 */
export function dueSlot(cron: Cron, after: Date, now: Date): Date | undefined {
  // previousRuns excludes a run exactly at the reference: look from just after now.
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1));
  return latest && latest.getTime() > after.getTime() ? latest : undefined;
}

/** The first cron instant strictly after `after`. */
export function nextSlot(cron: Cron, after: Date): Date | undefined {
  return cron.nextRun(after) ?? undefined;
}
