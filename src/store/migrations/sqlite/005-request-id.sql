-- The request id of the event that wrote an audit row (issue 21): the same id is in the bot's
-- log lines and the relay's audit line, so one incident can be followed end to end. Rows written
-- before this migration, and rows the bot writes outside any event, have none (NULL).
ALTER TABLE audit_events ADD COLUMN request_id TEXT;
CREATE INDEX audit_events_request ON audit_events (request_id) WHERE request_id IS NOT NULL;
