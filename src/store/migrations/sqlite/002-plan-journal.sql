-- The step journal and the apply lease (issue 16).
-- plan_steps: every step of an apply (each AD modify, each host change, each purge, the
-- verification, the re-check), written before it runs (state 'started') and after
-- ('ok' / 'failed', then 'verified' / 'unverified' once read back). One row per attempt;
-- idempotency_key = <plan>:<step key>:<attempt> names it in both audit trails.
CREATE TABLE plan_steps (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  plan_id         TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  step_key        TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  op              TEXT NOT NULL,
  target          TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('started', 'ok', 'failed', 'verified', 'unverified')),
  owner           TEXT NOT NULL,
  fencing_token   INTEGER NOT NULL,
  detail          TEXT,
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  UNIQUE (plan_id, step_key, attempt)
);
CREATE INDEX plan_steps_plan ON plan_steps (plan_id, id);

-- plan_leases: who is applying a plan now. A lease is taken only when free or expired, renewed
-- by a heartbeat, and every take increments fencing_token (the row is never deleted, so the
-- token only grows); the relay refuses a write carrying a token lower than the highest it saw.
CREATE TABLE plan_leases (
  plan_id        TEXT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
  owner          TEXT NOT NULL,
  fencing_token  INTEGER NOT NULL,
  expires_at     TEXT NOT NULL,
  renewed_at     TEXT NOT NULL
);
