-- Alert threads (issue 22): one row per deduplication key (source, fingerprint, node set). The
-- replica whose insert (or takeover of an expired or resolved row) succeeds posts the check;
-- every other delivery of the same alert within the window only counts as a duplicate. The
-- primary key is what makes "posted once" hold across replicas.
CREATE TABLE alert_threads (
  dedup_key   TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  nodes       TEXT NOT NULL,
  owner       TEXT NOT NULL,
  first_at    TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  seen        INTEGER NOT NULL DEFAULT 1,
  message     TEXT,
  resolved_at TEXT
);
CREATE INDEX alert_threads_expires ON alert_threads (expires_at);
