-- The step journal and the apply lease (issue 16); see the SQLite file for the meaning.
CREATE TABLE plan_steps (
  id              BIGSERIAL PRIMARY KEY,
  plan_id         TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  step_key        TEXT NOT NULL,
  attempt         INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  op              TEXT NOT NULL,
  target          TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('started', 'ok', 'failed', 'verified', 'unverified')),
  owner           TEXT NOT NULL,
  fencing_token   BIGINT NOT NULL,
  detail          JSONB,
  started_at      TIMESTAMPTZ NOT NULL,
  finished_at     TIMESTAMPTZ,
  UNIQUE (plan_id, step_key, attempt)
);
CREATE INDEX plan_steps_plan ON plan_steps (plan_id, id);

CREATE TABLE plan_leases (
  plan_id        TEXT PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
  owner          TEXT NOT NULL,
  fencing_token  BIGINT NOT NULL,
  expires_at     TIMESTAMPTZ NOT NULL,
  renewed_at     TIMESTAMPTZ NOT NULL
);
