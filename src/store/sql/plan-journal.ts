import type { Json, NewStep, PlanLease, PlanStep, StepState } from '../store.js';
import { StoreError } from '../store-error.js';
import type { Db } from './db.js';
import { fromJson, toDate, toDateOrNull, toJson, type Row } from './rows.js';

// The step journal and the apply lease. A replica runs a plan's steps only under a live lease;
// the lease is taken with one conditional upsert (free or expired only), so of any number of
// replicas exactly one holds it, and each take raises the fencing token. A step is recorded
// before it runs, in the same transaction that checks the lease is still this replica's (the
// lease row is locked in PostgreSQL; SQLite serialises writers), so a replica that lost its
// lease cannot start a step.

const LEASE_COLUMNS = 'plan_id, owner, fencing_token, expires_at';
const STEP_COLUMNS = 'id, plan_id, step_key, attempt, idempotency_key, op, target, state, owner, fencing_token, detail, started_at, finished_at';

export async function acquirePlanLease(db: Db, planId: string, owner: string, now: Date, ttlMs: number): Promise<PlanLease | null> {
  const r = await db.query(
    `INSERT INTO plan_leases (plan_id, owner, fencing_token, expires_at, renewed_at) VALUES ($1, $2, 1, $3, $4)
     ON CONFLICT (plan_id) DO UPDATE SET owner = excluded.owner, fencing_token = plan_leases.fencing_token + 1,
       expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
     WHERE plan_leases.expires_at <= $4
     RETURNING ${LEASE_COLUMNS}`,
    [planId, owner, new Date(now.getTime() + ttlMs), now],
  );
  return r.rows[0] ? toLease(r.rows[0]) : null;
}

/** Renews while owner and token are unchanged: a take by anyone else raised the token. */
export async function renewPlanLease(db: Db, lease: PlanLease, now: Date, ttlMs: number): Promise<boolean> {
  const r = await db.query(
    `UPDATE plan_leases SET expires_at = $1, renewed_at = $2 WHERE plan_id = $3 AND owner = $4 AND fencing_token = $5`,
    [new Date(now.getTime() + ttlMs), now, lease.planId, lease.owner, lease.fencingToken],
  );
  return r.rowCount > 0;
}

export async function releasePlanLease(db: Db, lease: PlanLease, now: Date): Promise<void> {
  await db.query(`UPDATE plan_leases SET expires_at = $1 WHERE plan_id = $2 AND owner = $3 AND fencing_token = $4`, [now, lease.planId, lease.owner, lease.fencingToken]);
}

export async function getPlanLease(db: Db, planId: string): Promise<PlanLease | null> {
  const r = await db.query(`SELECT ${LEASE_COLUMNS} FROM plan_leases WHERE plan_id = $1`, [planId]);
  return r.rows[0] ? toLease(r.rows[0]) : null;
}

export async function beginStep(db: Db, planId: string, step: NewStep, lease: PlanLease, now: Date): Promise<PlanStep | null> {
  if (lease.planId !== planId) throw new StoreError('STORE_INVALID_TRANSITION', `A lease of plan ${lease.planId} cannot run a step of plan ${planId}.`);
  return db.transaction(async (tx) => {
    const held = await tx.query(
      `SELECT plan_id FROM plan_leases WHERE plan_id = $1 AND owner = $2 AND fencing_token = $3 AND expires_at > $4${db.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
      [planId, lease.owner, lease.fencingToken, now],
    );
    if (!held.rows[0]) return null;
    const last = await tx.query<{ n: unknown }>(`SELECT COALESCE(MAX(attempt), 0) AS n FROM plan_steps WHERE plan_id = $1 AND step_key = $2`, [planId, step.stepKey]);
    const attempt = Number(last.rows[0]?.n ?? 0) + 1;
    const r = await tx.query(
      `INSERT INTO plan_steps (plan_id, step_key, attempt, idempotency_key, op, target, state, owner, fencing_token, detail, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'started', $7, $8, $9, $10) RETURNING ${STEP_COLUMNS}`,
      [planId, step.stepKey, attempt, `${planId}:${step.stepKey}:${attempt}`, step.op, step.target, lease.owner, lease.fencingToken, toJson(step.detail ?? null), now],
    );
    return toStep(db, r.rows[0] as Row);
  });
}

export async function finishStep(db: Db, id: number, state: Exclude<StepState, 'started'>, detail: Json, now: Date): Promise<PlanStep | null> {
  const r = await db.query(`UPDATE plan_steps SET state = $1, detail = $2, finished_at = $3 WHERE id = $4 RETURNING ${STEP_COLUMNS}`, [state, toJson(detail), now, id]);
  return r.rows[0] ? toStep(db, r.rows[0]) : null;
}

export async function listSteps(db: Db, planId: string): Promise<PlanStep[]> {
  const r = await db.query(`SELECT ${STEP_COLUMNS} FROM plan_steps WHERE plan_id = $1 ORDER BY id`, [planId]);
  return r.rows.map((row) => toStep(db, row));
}

function toLease(row: Row): PlanLease {
  return { planId: String(row.plan_id), owner: String(row.owner), fencingToken: Number(row.fencing_token), expiresAt: toDate(row.expires_at) };
}

const STATES: readonly StepState[] = ['started', 'ok', 'failed', 'verified', 'unverified'];

function toStep(db: Db, row: Row): PlanStep {
  const state = String(row.state) as StepState;
  if (!STATES.includes(state)) throw new StoreError('STORE_CORRUPT_ROW', `Plan step ${String(row.id)} has an unknown state.`);
  return {
    id: Number(row.id),
    planId: String(row.plan_id),
    stepKey: String(row.step_key),
    attempt: Number(row.attempt),
    idempotencyKey: String(row.idempotency_key),
    op: String(row.op),
    target: String(row.target),
    state,
    owner: String(row.owner),
    fencingToken: Number(row.fencing_token),
    detail: fromJson(db.dialect, row.detail),
    startedAt: toDate(row.started_at),
    finishedAt: toDateOrNull(row.finished_at),
  };
}
