-- A scheduled run's claim is a lease (issue 16): the replica that claims a slot holds it until
-- lease_until and renews it while it runs; done_at is set once the run ended. A claim left
-- unfinished past its lease (the replica died between claim and post) is taken over by another
-- replica, so each slot is posted exactly once. Claims from before this release count as done.
ALTER TABLE run_claims ADD COLUMN lease_until TEXT;
ALTER TABLE run_claims ADD COLUMN done_at TEXT;
UPDATE run_claims SET done_at = claimed_at;
CREATE INDEX run_claims_open ON run_claims (done_at, lease_until);
