import { newScheduleId } from '../ids.js';
import { conversationRefSchema } from '../../kernel/refs.js';
import type { NewSchedule, Schedule, ScheduleFilter } from '../store.js';
import type { Db } from './db.js';
import { fromJson, parseWith, toDate, toDateOrNull, toJson, toStringOrNull, type Row } from './rows.js';

// Schedules, and the claim that makes each scheduled run fire on one replica only: claiming is
// an insert into a table whose primary key is (schedule, slot). The database lets exactly one
// insert of a key succeed, whichever replica and however many at once.

const COLUMNS = 'id, cluster, cron, tz, quiet, target, created_by, source, created_at, paused_reason, paused_at, last_fired_slot';

export async function createSchedule(db: Db, s: NewSchedule): Promise<Schedule> {
  const r = await db.query(
    `INSERT INTO schedules (id, cluster, cron, tz, quiet, target, created_by, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [newScheduleId(), s.cluster, s.cron, s.tz, s.quiet, toJson(s.target), s.createdBy, s.source, s.createdAt],
  );
  return toSchedule(db, r.rows[0] as Row);
}

/** Keeps pause state and the last fired slot: reloading the policy must not re-fire a run. */
export async function upsertSchedule(db: Db, s: NewSchedule & { id: string }): Promise<Schedule> {
  const r = await db.query(
    `INSERT INTO schedules (id, cluster, cron, tz, quiet, target, created_by, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, cron = excluded.cron, tz = excluded.tz, quiet = excluded.quiet,
       target = excluded.target, created_by = excluded.created_by, source = excluded.source
     RETURNING ${COLUMNS}`,
    [s.id, s.cluster, s.cron, s.tz, s.quiet, toJson(s.target), s.createdBy, s.source, s.createdAt],
  );
  return toSchedule(db, r.rows[0] as Row);
}

export async function getSchedule(db: Db, id: string): Promise<Schedule | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id]);
  return r.rows[0] ? toSchedule(db, r.rows[0]) : null;
}

export async function listSchedules(db: Db, filter: ScheduleFilter = {}): Promise<Schedule[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.cluster !== undefined) where.push(`cluster = $${params.push(filter.cluster)}`);
  if (filter.includePaused === false) where.push('paused_reason IS NULL');
  const sql = `SELECT ${COLUMNS} FROM schedules ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
  return (await db.query(sql, params)).rows.map((row) => toSchedule(db, row));
}

export async function deleteSchedule(db: Db, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query('DELETE FROM run_claims WHERE schedule_id = $1', [id]);
    return (await tx.query('DELETE FROM schedules WHERE id = $1', [id])).rowCount === 1;
  });
}

export async function pauseSchedule(db: Db, id: string, reason: string, now: Date): Promise<Schedule | null> {
  const r = await db.query(`UPDATE schedules SET paused_reason = $2, paused_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, reason, now]);
  return r.rows[0] ? toSchedule(db, r.rows[0]) : null;
}

export async function resumeSchedule(db: Db, id: string): Promise<Schedule | null> {
  const r = await db.query(`UPDATE schedules SET paused_reason = NULL, paused_at = NULL WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  return r.rows[0] ? toSchedule(db, r.rows[0]) : null;
}

/** Slots are ISO-8601 UTC instants (toISOString), so text order is time order. */
export async function recordScheduleFired(db: Db, id: string, slot: string): Promise<boolean> {
  const r = await db.query('UPDATE schedules SET last_fired_slot = $2 WHERE id = $1 AND (last_fired_slot IS NULL OR last_fired_slot < $2)', [id, slot]);
  return r.rowCount === 1;
}

/** Ten minutes: a scheduled run renews its claim while it runs, so this only bounds a dead replica's hold. */
export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;

/**
 * True for exactly one caller per (schedule, slot): the first, or one taking over a claim whose
 * run never finished and whose lease expired (the replica that claimed it died).
 */
export async function claimRun(db: Db, scheduleId: string, slot: string, owner: string, now: Date, leaseMs = DEFAULT_CLAIM_LEASE_MS): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO run_claims (schedule_id, slot, owner, claimed_at, lease_until) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (schedule_id, slot) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
     WHERE run_claims.done_at IS NULL AND run_claims.lease_until IS NOT NULL AND run_claims.lease_until <= excluded.claimed_at`,
    [scheduleId, slot, owner, now, new Date(now.getTime() + leaseMs)],
  );
  return r.rowCount === 1;
}

export async function renewRunClaim(db: Db, scheduleId: string, slot: string, owner: string, now: Date, leaseMs = DEFAULT_CLAIM_LEASE_MS): Promise<boolean> {
  const r = await db.query('UPDATE run_claims SET lease_until = $4 WHERE schedule_id = $1 AND slot = $2 AND owner = $3 AND done_at IS NULL', [scheduleId, slot, owner, new Date(now.getTime() + leaseMs)]);
  return r.rowCount === 1;
}

export async function completeRun(db: Db, scheduleId: string, slot: string, owner: string, now: Date): Promise<boolean> {
  const r = await db.query('UPDATE run_claims SET done_at = $4 WHERE schedule_id = $1 AND slot = $2 AND owner = $3 AND done_at IS NULL', [scheduleId, slot, owner, now]);
  return r.rowCount === 1;
}

/** Claims whose run never finished and whose lease has expired: another replica should run them. */
export async function listAbandonedRuns(db: Db, now: Date): Promise<Array<{ scheduleId: string; slot: string; owner: string }>> {
  const r = await db.query('SELECT schedule_id, slot, owner FROM run_claims WHERE done_at IS NULL AND lease_until IS NOT NULL AND lease_until <= $1 ORDER BY slot', [now]);
  return r.rows.map((row) => ({ scheduleId: String(row.schedule_id), slot: String(row.slot), owner: String(row.owner) }));
}

export async function pruneRunClaims(db: Db, olderThan: Date): Promise<number> {
  return (await db.query('DELETE FROM run_claims WHERE claimed_at < $1', [olderThan])).rowCount;
}

function toSchedule(db: Db, row: Row): Schedule {
  return {
    id: String(row.id),
    cluster: String(row.cluster),
    cron: String(row.cron),
    tz: String(row.tz),
    quiet: Boolean(row.quiet),
    target: parseWith(conversationRefSchema, fromJson(db.dialect, row.target), 'schedule target'),
    createdBy: String(row.created_by),
    source: row.source === 'policy' ? 'policy' : 'chat',
    createdAt: toDate(row.created_at),
    pausedReason: toStringOrNull(row.paused_reason),
    pausedAt: toDateOrNull(row.paused_at),
    lastFiredSlot: toStringOrNull(row.last_fired_slot),
  };
}
