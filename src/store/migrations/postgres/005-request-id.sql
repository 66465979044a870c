-- The request id of the event that wrote an audit row (issue 21); see the SQLite file. Adding a
-- nullable column rewrites no row, so the append-only triggers are not involved.
ALTER TABLE audit_events ADD COLUMN request_id TEXT;
CREATE INDEX audit_events_request ON audit_events (request_id) WHERE request_id IS NOT NULL;
