#!/usr/bin/env bash
# tests/tools/with-pg.sh CMD [ARG...]: runs CMD against a private PostgreSQL cluster and
# exits with CMD's status. The cluster (tests/tools/pg-lib.sh: unix socket only, in a fresh
# folder under /tmp) is started first and stopped and removed afterwards, on every path.
# CMD gets, besides its own environment:
#   REUP_TEST_PG_HOST       the cluster's socket folder (its port is 5432)
#   REUP_TEST_PG_USER       reup: a role with LOGIN and CREATEDB, not a superuser
#   REUP_TEST_DATABASE      the URI of the empty database `reup`, owned by reup
#   REUP_TEST_PG_SUPERUSER  postgres, for checks only a superuser may run (pg_amcheck)
#   REUP_TEST_PG_BINDIR     the folder of the server's programs (pg_amcheck, pg_dump)
# REUP_TEST_PG_SETTINGS (optional): more postgresql.conf lines for the cluster, separated
# by spaces, e.g. "fsync=on shared_buffers=256MB" (the tests run with fsync off).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: with-pg.sh CMD [ARG...]" >&2
  exit 2
fi

# cleanup on every path, for pg-lib.sh, as tests/cli/lib.sh gives a test
. "$(dirname "${BASH_SOURCE[0]}")/on-exit.sh"
. "$(dirname "${BASH_SOURCE[0]}")/pg-lib.sh"

settings=()
[ -z "${REUP_TEST_PG_SETTINGS:-}" ] || read -r -a settings <<<"$REUP_TEST_PG_SETTINGS"
if ! pg_start reup "${settings[@]}"; then
  echo "with-pg.sh: no PostgreSQL cluster (see above); $1 not run" >&2
  exit 7
fi
if ! REUP_TEST_DATABASE=$(pg_createdb reup reup); then
  echo "with-pg.sh: could not make the database reup; $1 not run" >&2
  exit 7
fi
export REUP_TEST_PG_HOST=$PG_HOST REUP_TEST_PG_USER=$PG_ROLE REUP_TEST_DATABASE
export REUP_TEST_PG_SUPERUSER=$PG_SUPERUSER REUP_TEST_PG_BINDIR=$_PG_BIN

status=0
"$@" || status=$?
exit "$status"
