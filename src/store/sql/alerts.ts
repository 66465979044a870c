import { messageRefSchema, type MessageRef } from '../../kernel/refs.js';
import type { AlertClaim, AlertThread } from '../store.js';
import type { Db } from './db.js';
import { fromJson, parseWith, toJson, type Row } from './rows.js';

// Alert threads: the claim that makes an alert post once across replicas is an insert keyed by
// its deduplication key; a row whose window ended, or whose alert was resolved, may be taken
// over by the next firing (a new thread), and so may a claim whose replica never recorded its
// post within the post lease (it died between claim and post). Everything else is a conditional
// update on that row.

/** How long a claim may go without its post before another replica's delivery takes it over. */
export const DEFAULT_POST_LEASE_MS = 2 * 60_000;

export async function claimAlertThread(db: Db, c: AlertClaim): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO alert_threads (dedup_key, source, fingerprint, nodes, owner, first_at, expires_at, seen) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
     ON CONFLICT (dedup_key) DO UPDATE SET owner = excluded.owner, first_at = excluded.first_at, expires_at = excluded.expires_at, seen = 1, message = NULL, resolved_at = NULL
     WHERE alert_threads.expires_at <= excluded.first_at OR alert_threads.resolved_at IS NOT NULL
        OR (alert_threads.message IS NULL AND alert_threads.first_at <= $8)`,
    [c.key, c.source, c.fingerprint, c.nodes.join(','), c.owner, c.now, new Date(c.now.getTime() + c.windowMs), new Date(c.now.getTime() - (c.postLeaseMs ?? DEFAULT_POST_LEASE_MS))],
  );
  return r.rowCount === 1;
}

/** A duplicate delivery: counted; the thread's message comes back to be updated. */
export async function countAlertDuplicate(db: Db, key: string): Promise<AlertThread | null> {
  const r = await db.query('UPDATE alert_threads SET seen = seen + 1 WHERE dedup_key = $1 RETURNING dedup_key, seen, message, resolved_at', [key]);
  return r.rows[0] ? toThread(db, r.rows[0]) : null;
}

export async function setAlertMessage(db: Db, key: string, owner: string, message: MessageRef): Promise<boolean> {
  const r = await db.query('UPDATE alert_threads SET message = $3 WHERE dedup_key = $1 AND owner = $2', [key, owner, toJson(message)]);
  return r.rowCount === 1;
}

/** Marks the thread resolved, once: only the caller that flips it gets the thread back. */
export async function resolveAlertThread(db: Db, key: string, now: Date): Promise<AlertThread | null> {
  const r = await db.query('UPDATE alert_threads SET resolved_at = $2 WHERE dedup_key = $1 AND resolved_at IS NULL RETURNING dedup_key, seen, message, resolved_at', [key, now]);
  return r.rows[0] ? toThread(db, r.rows[0]) : null;
}

export async function pruneAlertThreads(db: Db, expiredBefore: Date): Promise<number> {
  return (await db.query('DELETE FROM alert_threads WHERE expires_at < $1', [expiredBefore])).rowCount;
}

function toThread(db: Db, row: Row): AlertThread {
  const message = fromJson(db.dialect, row.message);
  return {
    key: String(row.dedup_key),
    seen: Number(row.seen),
    message: message === null ? null : parseWith(messageRefSchema, message, 'alert message'),
    resolved: row.resolved_at !== null && row.resolved_at !== undefined,
  };
}
