import { currentRequestId } from '../../kernel/request-id.js';
import type { AuditEvent, AuditFilter, NewAuditEvent } from '../store.js';
import type { Db, Queryable, SqlValue } from './db.js';
import { fromJson, toDate, toJson, toStringOrNull, type Row } from './rows.js';

// Append-only: this file inserts and reads. The one delete is the admin's export-and-prune,
// which returns every row it removes; the schema refuses UPDATE and any other DELETE with triggers.

const COLUMNS = 'id, at, actor, action, subject_id, outcome, details, request_id';

/** Takes a Queryable so a plan transition can append its event inside its own transaction. */
export async function appendAudit(db: Db, q: Queryable, e: NewAuditEvent): Promise<AuditEvent> {
  const r = await q.query(`INSERT INTO audit_events (at, actor, action, subject_id, outcome, details, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`, [
    e.at,
    e.actor,
    e.action,
    e.subjectId,
    e.outcome,
    toJson(e.details),
    e.requestId !== undefined ? e.requestId : (currentRequestId() ?? null),
  ]);
  return toAuditEvent(db, r.rows[0] as Row);
}

export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, v: SqlValue) => {
    params.push(v);
    where.push(clause.replace('?', `$${params.length}`));
  };
  if (filter.subjectId !== undefined) add('subject_id = ?', filter.subjectId);
  if (filter.actor !== undefined) add('actor = ?', filter.actor);
  if (filter.requestId !== undefined) add('request_id = ?', filter.requestId);
  if (filter.since !== undefined) add('at >= ?', filter.since);
  if (filter.until !== undefined) add('at < ?', filter.until);
  params.push(filter.limit ?? 1000);
  const sql = `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`;
  return (await db.query(sql, params)).rows.map((row) => toAuditEvent(db, row));
}

/** The one delete: the database refuses DELETE on audit_events unless this transaction opens the gate. */
export async function exportAndPruneAudit(db: Db, before: Date): Promise<AuditEvent[]> {
  const rows = await db.transaction(async (tx) => {
    if (db.dialect === 'postgres') await tx.query(`SELECT set_config('triage.audit_prune', 'on', true)`);
    else await tx.query(`INSERT INTO audit_prune_gate (opened_at) VALUES ($1)`, [new Date()]);
    const r = await tx.query(`DELETE FROM audit_events WHERE at < $1 RETURNING ${COLUMNS}`, [before]);
    if (db.dialect === 'sqlite') await tx.query(`DELETE FROM audit_prune_gate`);
    return r.rows;
  });
  return rows.map((row) => toAuditEvent(db, row)).sort((a, b) => a.id - b.id);
}

function toAuditEvent(db: Db, row: Row): AuditEvent {
  return {
    id: Number(row.id),
    at: toDate(row.at),
    actor: String(row.actor),
    action: String(row.action),
    subjectId: toStringOrNull(row.subject_id),
    outcome: String(row.outcome),
    details: fromJson(db.dialect, row.details),
    requestId: toStringOrNull(row.request_id),
  };
}
