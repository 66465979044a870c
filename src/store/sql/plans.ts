import type { MessageRef } from '../../kernel/refs.js';
import { newPlanId } from '../ids.js';
import { isAllowedTransition, PLAN_STATES, type PlanState } from '../plan-states.js';
import { messageRefSchema } from '../../kernel/refs.js';
import type { NewAuditEvent, NewPlan, Plan, PlanFilter, PlanPatch } from '../store.js';
import { StoreError } from '../store-error.js';
import { appendAudit } from './audit.js';
import { placeholders, type Db, type SqlValue } from './db.js';
import { fromJson, parseWith, toDate, toDateOrNull, toJson, toStringOrNull, type Row } from './rows.js';

// Plans and their state machine. Every transition is one conditional UPDATE
// (… WHERE id = ? AND state IN (…) RETURNING …): the database applies it to the row's
// current state, so of any number of concurrent callers, across processes, exactly one sees
// the row move; the others get no row back (null) and nothing changes.

const COLUMNS =
  'id, kind, check_run_id, cluster, requester, state, plan, expected, snapshot, result, approver, rollback_requester, rollback_approver, ' +
  'message_ref, created_at, updated_at, expires_at, decided_at, applied_at, rolled_back_at, version';

/** Which timestamp a state sets when the plan enters it. */
const STAMPS: Partial<Record<PlanState, string>> = {
  approved: 'decided_at',
  rejected: 'decided_at',
  expired: 'decided_at',
  applied: 'applied_at',
  rolled_back: 'rolled_back_at',
};

const PATCH_COLUMNS: ReadonlyArray<[keyof PlanPatch, string, 'json' | 'text']> = [
  ['snapshot', 'snapshot', 'json'],
  ['result', 'result', 'json'],
  ['approver', 'approver', 'text'],
  ['rollbackRequester', 'rollback_requester', 'text'],
  ['rollbackApprover', 'rollback_approver', 'text'],
  ['messageRef', 'message_ref', 'json'],
];

export async function createPlan(db: Db, p: NewPlan, audit?: NewAuditEvent): Promise<Plan> {
  const id = newPlanId();
  return db.transaction(async (tx) => {
    const r = await tx.query(
      `INSERT INTO plans (id, kind, check_run_id, cluster, requester, state, plan, expected, message_ref, created_at, updated_at, expires_at, version)
       VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, $8, $9, $9, $10, 0) RETURNING ${COLUMNS}`,
      [id, p.kind, p.checkRunId, p.cluster, p.requester, toJson(p.plan), toJson(p.expected), toJson(p.messageRef ?? null), p.createdAt, p.expiresAt],
    );
    if (audit) await appendAudit(db, tx, { ...audit, subjectId: audit.subjectId ?? id });
    return toPlan(db, r.rows[0] as Row);
  });
}

export async function getPlan(db: Db, id: string): Promise<Plan | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM plans WHERE id = $1`, [id]);
  return r.rows[0] ? toPlan(db, r.rows[0]) : null;
}

export async function listPlans(db: Db, filter: PlanFilter = {}): Promise<Plan[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.states) {
    if (filter.states.length === 0) return [];
    where.push(`state IN (${placeholders(params.length + 1, filter.states.length)})`);
    params.push(...filter.states);
  }
  if (filter.checkRunId !== undefined) where.push(`check_run_id = $${params.push(filter.checkRunId)}`);
  if (filter.cluster !== undefined) where.push(`cluster = $${params.push(filter.cluster)}`);
  const limit = `$${params.push(filter.limit ?? 100)}`;
  const sql = `SELECT ${COLUMNS} FROM plans ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${limit}`;
  return (await db.query(sql, params)).rows.map((row) => toPlan(db, row));
}

export async function transitionPlan(
  db: Db,
  id: string,
  from: readonly PlanState[],
  to: PlanState,
  patch: PlanPatch,
  now: Date,
  audit?: NewAuditEvent,
): Promise<Plan | null> {
  assertEdges(from, to);
  const params: SqlValue[] = [to, now];
  const sets = ['state = $1', 'updated_at = $2', 'version = version + 1'];
  const stamp = STAMPS[to];
  if (stamp) sets.push(`${stamp} = $2`);
  for (const [key, column, type] of PATCH_COLUMNS) {
    if (patch[key] === undefined) continue;
    params.push(type === 'json' ? toJson(patch[key]) : (patch[key] as string | null));
    sets.push(`${column} = $${params.length}`);
  }
  const idParam = params.push(id);
  const inList = placeholders(params.length + 1, from.length);
  params.push(...from);
  const sql = `UPDATE plans SET ${sets.join(', ')} WHERE id = $${idParam} AND state IN (${inList}) RETURNING ${COLUMNS}`;
  return db.transaction(async (tx) => {
    const r = await tx.query(sql, params);
    if (!r.rows[0]) return null;
    if (audit) await appendAudit(db, tx, { ...audit, subjectId: audit.subjectId ?? id });
    return toPlan(db, r.rows[0]);
  });
}

export async function setPlanMessage(db: Db, id: string, messageRef: MessageRef, now: Date): Promise<Plan | null> {
  const r = await db.query(`UPDATE plans SET message_ref = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, toJson(messageRef), now]);
  return r.rows[0] ? toPlan(db, r.rows[0]) : null;
}

export async function expireDuePlans(db: Db, now: Date): Promise<Plan[]> {
  return db.transaction(async (tx) => {
    const r = await tx.query(
      `UPDATE plans SET state = 'expired', updated_at = $1, decided_at = $1, version = version + 1
       WHERE state = 'proposed' AND expires_at <= $1 RETURNING ${COLUMNS}`,
      [now],
    );
    const plans = r.rows.map((row) => toPlan(db, row));
    for (const p of plans) {
      await appendAudit(db, tx, { at: now, actor: 'system', action: 'plan.expired', subjectId: p.id, outcome: 'ok', details: { expiresAt: p.expiresAt.toISOString() } });
    }
    return plans;
  });
}

function assertEdges(from: readonly PlanState[], to: PlanState): void {
  if (from.length === 0) throw new StoreError('STORE_INVALID_TRANSITION', `A plan transition to ${to} needs at least one state to move from.`);
  for (const f of from) {
    if (!isAllowedTransition(f, to)) throw new StoreError('STORE_INVALID_TRANSITION', `A plan cannot go from ${f} to ${to}.`);
  }
}

function toPlan(db: Db, row: Row): Plan {
  const state = String(row.state) as PlanState;
  if (!PLAN_STATES.includes(state)) throw new StoreError('STORE_CORRUPT_ROW', `Plan ${String(row.id)} has an unknown state.`);
  const messageRef = fromJson(db.dialect, row.message_ref);
  return {
    id: String(row.id),
    kind: String(row.kind),
    checkRunId: toStringOrNull(row.check_run_id),
    cluster: toStringOrNull(row.cluster),
    requester: String(row.requester),
    state,
    plan: fromJson(db.dialect, row.plan),
    expected: fromJson(db.dialect, row.expected),
    snapshot: fromJson(db.dialect, row.snapshot),
    result: fromJson(db.dialect, row.result),
    approver: toStringOrNull(row.approver),
    rollbackRequester: toStringOrNull(row.rollback_requester),
    rollbackApprover: toStringOrNull(row.rollback_approver),
    messageRef: messageRef === null ? null : parseWith(messageRefSchema, messageRef, 'message reference'),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    expiresAt: toDate(row.expires_at),
    decidedAt: toDateOrNull(row.decided_at),
    appliedAt: toDateOrNull(row.applied_at),
    rolledBackAt: toDateOrNull(row.rolled_back_at),
    version: Number(row.version),
  };
}
