#!/usr/bin/env bash
# Starts Debian's PostgreSQL on 127.0.0.1:5432 for the test suite, installing it first when it is
# missing, and makes sure the test role exists. Idempotent: run it as often as you like.
# Used by .ci/run and by the test setup (test/helpers/postgres.ts) on a machine where nothing
# answers yet. The role and password are test-only values (see TEST_POSTGRES_URL in the README).
set -euo pipefail

ROLE=triage_test
PASSWORD=triage_test

if [ "$(id -u)" != 0 ]; then
  echo "postgres-up: run as root (it installs and starts Debian's postgresql), or set TEST_POSTGRES_URL" >&2
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
# The package creates the cluster `main`; a machine where it was removed gets it back.
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 50); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 0.2
done
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "postgres-up: PostgreSQL $version did not start on 127.0.0.1:5432" >&2; exit 1; }

# Tests create and drop their own databases, install triggers and take advisory locks: a
# superuser role with a password (the cluster asks for passwords over TCP).
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SQL
echo "postgres-up: PostgreSQL $version on 127.0.0.1:5432, role $ROLE"
