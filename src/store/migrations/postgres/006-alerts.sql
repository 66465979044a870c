-- Alert threads (issue 22); see the SQLite file for the meaning.
CREATE TABLE alert_threads (
  dedup_key   TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  nodes       TEXT NOT NULL,
  owner       TEXT NOT NULL,
  first_at    TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  seen        INTEGER NOT NULL DEFAULT 1,
  message     JSONB,
  resolved_at TIMESTAMPTZ
);
CREATE INDEX alert_threads_expires ON alert_threads (expires_at);
