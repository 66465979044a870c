-- Audit rows cannot be deleted either (issue 16). The one deliberate delete, the admin's
-- export-and-prune, opens a gate row inside its own transaction and closes it before commit.
CREATE TABLE audit_prune_gate (opened_at TEXT NOT NULL);
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_prune_gate)
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
