import { newActionId } from '../ids.js';
import type { ActionRecord, NewAction } from '../store.js';
import type { Db } from './db.js';
import { fromJson, toDate, toDateOrNull, toJson, toStringOrNull, type Row } from './rows.js';

// What a button carries is only an opaque random id; the kind and payload stay here, so a
// forged or replayed click finds nothing, or finds it expired or already handled.

const COLUMNS = 'id, kind, payload, created_at, expires_at, handled_at, handled_by';

export async function createAction(db: Db, a: NewAction): Promise<ActionRecord> {
  const r = await db.query(`INSERT INTO action_records (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL) RETURNING ${COLUMNS}`, [
    newActionId(),
    a.kind,
    toJson(a.payload),
    a.createdAt,
    a.expiresAt,
  ]);
  return toAction(db, r.rows[0] as Row);
}

export async function getAction(db: Db, id: string): Promise<ActionRecord | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM action_records WHERE id = $1`, [id]);
  return r.rows[0] ? toAction(db, r.rows[0]) : null;
}

export async function markActionHandled(db: Db, id: string, by: string, now: Date): Promise<ActionRecord | null> {
  const r = await db.query(
    `UPDATE action_records SET handled_at = $2, handled_by = $3 WHERE id = $1 AND handled_at IS NULL AND expires_at > $2 RETURNING ${COLUMNS}`,
    [id, now, by],
  );
  return r.rows[0] ? toAction(db, r.rows[0]) : null;
}

export async function pruneActions(db: Db, expiredBefore: Date): Promise<number> {
  return (await db.query('DELETE FROM action_records WHERE expires_at < $1', [expiredBefore])).rowCount;
}

function toAction(db: Db, row: Row): ActionRecord {
  return {
    id: String(row.id),
    kind: String(row.kind),
    payload: fromJson(db.dialect, row.payload),
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    handledAt: toDateOrNull(row.handled_at),
    handledBy: toStringOrNull(row.handled_by),
  };
}
