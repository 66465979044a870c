-- triage-bot store, SQLite dialect. Timestamps are ISO-8601 UTC text (toISOString), which sorts
-- and compares correctly as text; JSON columns are text.

CREATE TABLE check_runs (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  cluster      TEXT,
  nodes        TEXT NOT NULL,
  requester    TEXT,
  schedule_id  TEXT,
  conversation TEXT,
  verdict      TEXT NOT NULL,
  diagnosis    TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX check_runs_cluster_created ON check_runs (cluster, created_at);
CREATE INDEX check_runs_created ON check_runs (created_at);

CREATE TABLE action_records (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  payload     TEXT,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  handled_at  TEXT,
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
  plan               TEXT,
  expected           TEXT,
  snapshot           TEXT,
  result             TEXT,
  approver           TEXT,
  rollback_requester TEXT,
  rollback_approver  TEXT,
  message_ref        TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  expires_at         TEXT NOT NULL,
  decided_at         TEXT,
  applied_at         TEXT,
  rolled_back_at     TEXT,
  version            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plans_state_expires ON plans (state, expires_at);
CREATE INDEX plans_check_run ON plans (check_run_id);

CREATE TABLE audit_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject_id  TEXT,
  outcome     TEXT NOT NULL,
  details     TEXT
);
CREATE INDEX audit_events_subject ON audit_events (subject_id, id);
CREATE INDEX audit_events_at ON audit_events (at);
-- Append-only, enforced by the database too: only the admin export-and-prune may delete.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TABLE schedules (
  id              TEXT PRIMARY KEY,
  cluster         TEXT NOT NULL,
  cron            TEXT NOT NULL,
  tz              TEXT NOT NULL,
  quiet           INTEGER NOT NULL,
  target          TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  source          TEXT NOT NULL CHECK (source IN ('chat', 'policy')),
  created_at      TEXT NOT NULL,
  paused_reason   TEXT,
  paused_at       TEXT,
  last_fired_slot TEXT
);

CREATE TABLE run_claims (
  schedule_id TEXT NOT NULL,
  slot        TEXT NOT NULL,
  owner       TEXT NOT NULL,
  claimed_at  TEXT NOT NULL,
  PRIMARY KEY (schedule_id, slot)
);
CREATE INDEX run_claims_claimed ON run_claims (claimed_at);

CREATE TABLE conversations (
  platform   TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  ref        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (platform, channel_id)
);

CREATE TABLE identity_links (
  platform  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  person_id TEXT NOT NULL,
  linked_by TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  PRIMARY KEY (platform, user_id)
);
CREATE INDEX identity_links_person ON identity_links (person_id);
