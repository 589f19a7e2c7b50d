#!/usr/bin/env bash
# Make a local PostgreSQL available for the storage tests, then print the line that
# points the tests at it:
#
#   eval "$(.ci/postgres.sh)"      # sets CONSULT_TEST_POSTGRES_URL (and _SEAT_URL)
#
# Idempotent: run it on a fresh Debian machine (as root) or again on one already set
# up. It installs postgresql with apt-get if missing, starts the newest cluster on
# 127.0.0.1, and creates the role and database `consult_test` (the role may create
# schemas in its own database; each test gets a fresh schema and drops it).
# It also creates `consult_test_seat`, the role workstations connect as: it owns
# nothing and may only connect; `consult migrate --workstation-role` grants it the
# rest, schema by schema (the tests prove what it is refused).
# Progress goes to stderr so stdout is only the export lines: the first is the
# owner's URL, as it always was; the second the workstation role's.
set -euo pipefail

ROLE=consult_test
SEAT_ROLE=consult_test_seat
DATABASE=consult_test
PASSWORD=${CONSULT_TEST_POSTGRES_PASSWORD:-consult-test-only}
SEAT_PASSWORD=${CONSULT_TEST_POSTGRES_SEAT_PASSWORD:-consult-seat-test-only}

say() { echo "postgres.sh: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    say "run as root (it may install packages and start a cluster)"
    exit 1
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# The first cluster of the newest installed version; create one if the package did not.
cluster=$(pg_lsclusters --no-header | sort -k1,1V | tail -n 1 || true)
if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    say "creating cluster $version/main"
    pg_createcluster "$version" main >&2
    cluster=$(pg_lsclusters --no-header | sort -k1,1V | tail -n 1)
fi
read -r version name port status _ <<<"$cluster"

if [ "$status" != "online" ]; then
    say "starting cluster $version/$name on port $port"
    # listen on the loopback interface only: the tests connect over TCP to 127.0.0.1.
    conf_dir=/etc/postgresql/$version/$name/conf.d
    mkdir -p "$conf_dir"
    echo "listen_addresses = '127.0.0.1'" >"$conf_dir/consult-test.conf"
    pg_ctlcluster "$version" "$name" start >&2
fi

as_postgres() { runuser -u postgres -- "$@"; }
psql_admin() { as_postgres psql --quiet --no-psqlrc -p "$port" -v ON_ERROR_STOP=1 "$@"; }

# Wait until the server accepts connections (a fresh start can take a moment).
for _ in $(seq 1 30); do
    if as_postgres pg_isready -q -p "$port"; then break; fi
    sleep 1
done
as_postgres pg_isready -q -p "$port" || { say "cluster did not come up"; exit 1; }

psql_admin -v role="$ROLE" -v password="$PASSWORD" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SQL

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
    say "creating database $DATABASE"
    as_postgres createdb -p "$port" -O "$ROLE" "$DATABASE"
fi

# The workstations' role: may connect, owns nothing, cannot create schemas or tables.
psql_admin -d "$DATABASE" -v role="$SEAT_ROLE" -v password="$SEAT_PASSWORD" \
    -v database="$DATABASE" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
REVOKE CREATE ON DATABASE :"database" FROM :"role";
GRANT CONNECT ON DATABASE :"database" TO :"role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

echo "export CONSULT_TEST_POSTGRES_URL=postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/$DATABASE"
echo "export CONSULT_TEST_POSTGRES_SEAT_URL=postgresql+psycopg://$SEAT_ROLE:$SEAT_PASSWORD@127.0.0.1:$port/$DATABASE"
