import type { Diagnosis, VerdictStatus } from '../../diagnostics/findings.js';
import { newCheckRunId } from '../ids.js';
import { conversationRefSchema } from '../../kernel/refs.js';
import type { CheckRun, NewCheckRun } from '../store.js';
import type { Db } from './db.js';
import { fromJson, parseWith, toDate, toJson, toStringOrNull, type Row } from './rows.js';

// Check history: one row per run, newest first per cluster, pruned by age (retention).

const COLUMNS = 'id, cluster, nodes, requester, schedule_id, conversation, verdict, diagnosis, created_at';

export async function saveCheckRun(db: Db, run: NewCheckRun): Promise<CheckRun> {
  const r = await db.query(
    `INSERT INTO check_runs (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [newCheckRunId(), run.cluster, toJson(run.nodes), run.requester, run.scheduleId ?? null, toJson(run.conversation), run.verdict, toJson(run.diagnosis), run.createdAt],
  );
  return toCheckRun(db, r.rows[0] as Row);
}

export async function getCheckRun(db: Db, id: string): Promise<CheckRun | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM check_runs WHERE id = $1`, [id]);
  return r.rows[0] ? toCheckRun(db, r.rows[0]) : null;
}

export async function listCheckRuns(db: Db, cluster: string, limit = 20): Promise<CheckRun[]> {
  const r = await db.query(`SELECT ${COLUMNS} FROM check_runs WHERE cluster = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`, [cluster, limit]);
  return r.rows.map((row) => toCheckRun(db, row));
}

export async function pruneCheckRuns(db: Db, olderThan: Date): Promise<number> {
  const r = await db.query('DELETE FROM check_runs WHERE created_at < $1', [olderThan]);
  return r.rowCount;
}

function toCheckRun(db: Db, row: Row): CheckRun {
  const conversation = fromJson(db.dialect, row.conversation);
  return {
    id: String(row.id),
    cluster: toStringOrNull(row.cluster),
    nodes: fromJson(db.dialect, row.nodes) as string[],
    requester: toStringOrNull(row.requester),
    scheduleId: toStringOrNull(row.schedule_id),
    conversation: conversation === null ? null : parseWith(conversationRefSchema, conversation, 'conversation reference'),
    verdict: String(row.verdict) as VerdictStatus,
    // The store returns what the engine saved; the diagnosis is the engine's own output.
    diagnosis: fromJson(db.dialect, row.diagnosis) as Diagnosis,
    createdAt: toDate(row.created_at),
  };
}
