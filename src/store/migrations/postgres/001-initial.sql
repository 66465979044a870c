-- triage-bot store, PostgreSQL dialect.

CREATE TABLE check_runs (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  cluster      TEXT,
  nodes        JSONB NOT NULL,
  requester    TEXT,
  schedule_id  TEXT,
  conversation JSONB,
  verdict      TEXT NOT NULL,
  diagnosis    JSONB NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX check_runs_cluster_created ON check_runs (cluster, created_at);
CREATE INDEX check_runs_created ON check_runs (created_at);

CREATE TABLE action_records (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  payload     JSONB,
  created_at  TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  handled_at  TIMESTAMPTZ,
  handled_by  TEXT
);
CREATE INDEX action_records_expires ON action_records (expires_at);

CREATE TABLE plans (
  id                 TEXT PRIMARY KEY,
  kind               TEXT NOT NULL,
  check_run_id       TEXT REFERENCES check_runs (id) ON DELETE SET NULL,
  cluster            TEXT,
  requester          TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'applying', 'applied', 'failed', 'rejected', 'expired', 'rolling_back', 'rolled_back')),
  plan               JSONB,
  expected           JSONB,
  snapshot           JSONB,
  result             JSONB,
  approver           TEXT,
  rollback_requester TEXT,
  rollback_approver  TEXT,
  message_ref        JSONB,
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL,
  expires_at         TIMESTAMPTZ NOT NULL,
  decided_at         TIMESTAMPTZ,
  applied_at         TIMESTAMPTZ,
  rolled_back_at     TIMESTAMPTZ,
  version            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plans_state_expires ON plans (state, expires_at);
CREATE INDEX plans_check_run ON plans (check_run_id);

CREATE TABLE audit_events (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject_id  TEXT,
  outcome     TEXT NOT NULL,
  details     JSONB
);
CREATE INDEX audit_events_subject ON audit_events (subject_id, id);
CREATE INDEX audit_events_at ON audit_events (at);
-- Append-only, enforced by the database too: only the admin export-and-prune may delete.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$fn$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE schedules (
  id              TEXT PRIMARY KEY,
  cluster         TEXT NOT NULL,
  cron            TEXT NOT NULL,
  tz              TEXT NOT NULL,
  quiet           BOOLEAN NOT NULL,
  target          JSONB NOT NULL,
  created_by      TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('chat', 'policy')),
  created_at      TIMESTAMPTZ NOT NULL,
  paused_reason   TEXT,
  paused_at       TIMESTAMPTZ,
  last_fired_slot TEXT
);

CREATE TABLE run_claims (
  schedule_id TEXT NOT NULL,
  slot        TEXT NOT NULL,
  owner       TEXT NOT NULL,
  claimed_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (schedule_id, slot)
);
CREATE INDEX run_claims_claimed ON run_claims (claimed_at);

CREATE TABLE conversations (
  platform   TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  ref        JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (platform, channel_id)
);

CREATE TABLE identity_links (
  platform  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  person_id TEXT NOT NULL,
  linked_by TEXT NOT NULL,
  linked_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (platform, user_id)
);
CREATE INDEX identity_links_person ON identity_links (person_id);
