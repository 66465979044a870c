-- Audit rows cannot be deleted either (issue 16). The admin's export-and-prune sets
-- triage.audit_prune for its own transaction only (set_config(…, true)).
CREATE FUNCTION audit_events_no_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('triage.audit_prune', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'audit_events is append-only';
  END IF;
  RETURN OLD;
END
$fn$;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_no_delete();
