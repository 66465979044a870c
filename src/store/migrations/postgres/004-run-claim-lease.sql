-- A scheduled run's claim is a lease (issue 16); see the SQLite file for the meaning.
ALTER TABLE run_claims ADD COLUMN lease_until TIMESTAMPTZ;
ALTER TABLE run_claims ADD COLUMN done_at TIMESTAMPTZ;
UPDATE run_claims SET done_at = claimed_at;
CREATE INDEX run_claims_open ON run_claims (done_at, lease_until);
