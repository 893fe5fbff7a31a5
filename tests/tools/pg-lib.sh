# tests/tools/pg-lib.sh - private PostgreSQL clusters for the tests (sourced after
# tests/cli/lib.sh, whose on_exit stops and removes each cluster on every path of the test).
# A cluster has a NAME (letters, digits, _ and -) and a fresh folder /tmp/reup-pg-NAME.XXXXXX
# with data/ and sock/ (root's home and the build tree may be closed to the postgres user):
# no TCP at all (listen_addresses = ''), only the unix socket sock/.s.PGSQL.PORT; local
# connections are trusted, host ones rejected. The bootstrap superuser is `postgres`; the
# role `reup` (LOGIN, CREATEDB, not a superuser) is what the programs under test connect
# as. As root, initdb and pg_ctl refuse to run: the server runs as the `postgres` system
# user (Debian's postgresql-common makes it) and its folder is that user's.
#
#   pg_bindir                       the server programs' folder (PostgreSQL 15 preferred)
#   pg_start NAME [SETTING...]      a cluster, each SETTING a postgresql.conf line such as
#                                   fsync=on; sets PG_HOST to its socket folder
#   pg_host NAME / pg_port NAME     its socket folder / its port
#   pg_psql NAME [PSQL ARG...]      psql as the superuser on database postgres (-X -At, stop
#                                   on the first error)
#   pg_createdb NAME DB             a new empty database DB owned by reup; prints its URI
#   pg_uri NAME DB                  the URI of database DB as reup
#   pg_start_primary NAME [SET...]  a primary that commits only once standby1 has the commit
#                                   (so pg_createdb on it only once its standby runs)
#   pg_start_standby PRIMARY NAME   standby1 of PRIMARY: streaming, synchronous, hot
#   pg_multihost_uri DB PRIMARY STANDBY   both in one URI, target_session_attrs=read-write
#   pg_stop NAME / pg_restart NAME  a clean stop / start again (after pg_stop or pg_kill9)
#   pg_kill9 NAME                   kill -9 the postmaster and every child: a crash
#   pg_promote NAME                 promote a standby and wait until it takes writes
# The functions return non-zero with a message on stderr when something fails; they keep
# their state in the calling shell, so never call pg_start* in $( ).

declare -gA _pg_base=() _pg_port=()
PG_SUPERUSER=postgres
PG_ROLE=reup

# pg_bindir: prints the folder of initdb, pg_ctl, postgres and pg_basebackup
pg_bindir() {
  local d
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return 0; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  echo "pg-lib: PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql" \
    "(Debian 12: PostgreSQL 15, in /usr/lib/postgresql/15/bin)" >&2
  return 1
}

# _pg_run CMD...: a server program as the cluster's owner (postgres when we are root)
_pg_run() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

_pg_known() {
  [ -n "${_pg_base[$1]:-}" ] || { echo "pg-lib: no cluster named '$1'" >&2; return 1; }
}
pg_host() { _pg_known "$1" && echo "${_pg_base[$1]}/sock"; }
pg_port() { _pg_known "$1" && echo "${_pg_port[$1]}"; }
_pg_data() { echo "${_pg_base[$1]}/data"; }

# _pg_new NAME PORT: the cluster's folder, removed (server and all) when the test ends
_pg_new() {
  local name=$1 base
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || { echo "pg-lib: bad cluster name '$name'" >&2; return 1; }
  [ -z "${_pg_base[$name]:-}" ] || { echo "pg-lib: cluster '$name' exists already" >&2; return 1; }
  declare -F on_exit >/dev/null || { echo "pg-lib: source tests/cli/lib.sh first (on_exit)" >&2; return 1; }
  _PG_BIN=$(pg_bindir) || return 1
  if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
    echo "pg-lib: as root the cluster runs as the system user postgres, which is missing:" \
      "apt-get install postgresql (postgresql-common makes it)" >&2
    return 1
  fi
  base=$(mktemp -d "/tmp/reup-pg-$name.XXXXXX") || return 1
  _pg_base[$name]=$base
  _pg_port[$name]=$2
  on_exit "pg_remove $name"
  mkdir "$base/sock" || return 1
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$base" || return 1; fi
}

# _pg_conf NAME [SETTING...]: the cluster's own lines at the end of its postgresql.conf
# (later lines win, so a standby's copy of its primary's file is overridden the same way)
_pg_conf() {
  local name=$1 s
  shift
  {
    echo "# pg-lib.sh"
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '${_pg_base[$name]}/sock'"
    echo "port = ${_pg_port[$name]}"
    # the dynamic shared memory in data/, not /dev/shm: a crashed cluster leaves nothing behind
    echo "dynamic_shared_memory_type = mmap"
    for s in "$@"; do echo "$s"; done
  } >>"$(_pg_data "$name")/postgresql.conf"
}

# _pg_launch NAME: pg_ctl start, waiting until the server takes connections
_pg_launch() {
  local name=$1 data
  data=$(_pg_data "$name")
  if ! _pg_run "$_PG_BIN/pg_ctl" -D "$data" -l "${_pg_base[$name]}/postgres.log" -w -t 60 start >/dev/null 2>&1; then
    echo "pg-lib: cluster '$name' did not start: $(tail -5 "${_pg_base[$name]}/postgres.log" 2>/dev/null)" >&2
    return 1
  fi
}

pg_psql() {
  local name=$1
  shift
  _pg_known "$name" || return 1
  "$_PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$(pg_host "$name")" -p "${_pg_port[$name]}" \
    -U "$PG_SUPERUSER" -d postgres "$@"
}

pg_start() {
  local name=$1
  shift
  _pg_new "$name" 5432 || return 1
  local base=${_pg_base[$name]}
  # -N: no fsync of the new files; the tests do not survive the machine's crash anyway
  if ! _pg_run "$_PG_BIN/initdb" -D "$base/data" -U "$PG_SUPERUSER" --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C -N >"$base/initdb.log" 2>&1; then
    echo "pg-lib: initdb failed for cluster '$name': $(tail -5 "$base/initdb.log")" >&2
    return 1
  fi
  # fsync off unless the caller says otherwise: a kill -9 of the server loses nothing the
  # kernel has, and the tests do not crash the machine
  _pg_conf "$name" "fsync = off" "$@"
  _pg_launch "$name" || return 1
  # committed locally: a primary's first commit must not wait for a standby not made yet
  PGOPTIONS='-c synchronous_commit=local' pg_psql "$name" \
    -c "CREATE ROLE $PG_ROLE LOGIN CREATEDB NOSUPERUSER" >/dev/null || return 1
  PG_HOST=$base/sock
}

# pg_uri NAME DB: the URI of DB on cluster NAME, as reup
pg_uri() {
  _pg_known "$1" || return 1
  local port=
  [ "${_pg_port[$1]}" = 5432 ] || port="&port=${_pg_port[$1]}"
  echo "postgresql:///$2?host=${_pg_base[$1]}/sock$port&user=$PG_ROLE"
}

pg_createdb() {
  _pg_known "$1" || return 1
  "$_PG_BIN/createdb" -h "$(pg_host "$1")" -p "${_pg_port[$1]}" -U "$PG_ROLE" "$2" || return 1
  pg_uri "$1" "$2"
}

# _pg_alive PID: the process runs (a zombie does not: the postmaster's parent is init,
# which may take seconds to reap it)
_pg_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# _pg_pid NAME: the postmaster's pid, when it runs (and it is this cluster's: a crashed
# server's pid may belong to another process by now)
_pg_pid() {
  local pid data
  data=$(_pg_data "$1")
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && _pg_alive "$pid" && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$data" && echo "$pid"
}

pg_stop() {
  _pg_known "$1" || return 1
  _pg_run "$_PG_BIN/pg_ctl" -D "$(_pg_data "$1")" -m fast -w -t 60 stop >/dev/null
}

pg_restart() { _pg_known "$1" && _pg_launch "$1"; }

pg_kill9() {
  local pid data
  _pg_known "$1" || return 1
  data=$(_pg_data "$1")
  pid=$(_pg_pid "$1") || return 0
  # its small System V segment outlives it: pid and segment id, for pg_remove
  echo "$pid $(sed -n '7{s/^ *[0-9]* *\([0-9]*\).*/\1/;p}' "$data/postmaster.pid")" >>"${_pg_base[$1]}/crashed"
  _pg_kill_tree "$pid" || { echo "pg-lib: cluster '$1' still has processes after kill -9" >&2; return 1; }
  # init may take seconds to reap the dead postmaster, and until then a new one takes the
  # zombie for a live server in the lock files and refuses to start
  rm -f "$data/postmaster.pid" "$(pg_host "$1")/.s.PGSQL.${_pg_port[$1]}.lock"
}

# _pg_kill_tree PID: kill -9 a postmaster and its children, and wait until they are gone
_pg_kill_tree() {
  local pid=$1 kids p _
  # stopped first, it forks no child between the list and the kill
  kill -STOP "$pid" 2>/dev/null
  kids=$(pgrep -P "$pid")
  # shellcheck disable=SC2086
  kill -KILL "$pid" $kids 2>/dev/null
  for _ in $(seq 1 200); do
    for p in $pid $kids; do _pg_alive "$p" && break; p=; done
    [ -z "$p" ] && return 0
    sleep 0.05
  done
  return 1
}

pg_promote() {
  _pg_known "$1" || return 1
  _pg_run "$_PG_BIN/pg_ctl" -D "$(_pg_data "$1")" -w -t 60 promote >/dev/null
}

# pg_remove NAME (on_exit): the server stopped, whatever state it is in, and its folder gone
pg_remove() {
  local name=$1 data pid shm _
  data=$(_pg_data "$name")
  if pid=$(_pg_pid "$name"); then
    _pg_run "$_PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1
    # pg_ctl returns once the pid file is gone, a moment before the postmaster is
    for _ in $(seq 1 100); do _pg_alive "$pid" || break; sleep 0.05; done
    ! _pg_alive "$pid" || _pg_kill_tree "$pid"
  fi
  # a crashed server's System V segment, unless a restart took it back: removed when it is
  # still the one that postmaster made and nothing is attached
  if [ -f "${_pg_base[$name]}/crashed" ]; then
    while read -r pid shm; do
      [ -n "$shm" ] || continue
      ipcs -m -p | awk -v id="$shm" -v pid="$pid" '$1 == id && $3 == pid { f = 1 } END { exit !f }' &&
        ipcs -m | awk -v id="$shm" '$2 == id && $6 == 0 { f = 1 } END { exit !f }' &&
        ipcrm -m "$shm"
    done <"${_pg_base[$name]}/crashed"
  fi
  rm -rf "${_pg_base[$name]}"
  unset "_pg_base[$name]" "_pg_port[$name]"
}

pg_start_primary() {
  local name=$1
  shift
  pg_start "$name" "wal_level = replica" "max_wal_senders = 10" "synchronous_commit = on" \
    "synchronous_standby_names = 'standby1'" "fsync = on" "$@"
}

pg_start_standby() {
  local primary=$1 name=$2 base data state= _
  shift 2
  _pg_known "$primary" || return 1
  _pg_new "$name" 5433 || return 1
  base=${_pg_base[$name]}
  data=$base/data
  # -R: standby.signal and primary_conninfo; -C -S: a slot, so the primary keeps the WAL
  # this standby has not had while it is down; -N: no fsync of the copy, as initdb -N
  if ! _pg_run "$_PG_BIN/pg_basebackup" -D "$data" -h "$(pg_host "$primary")" -p "${_pg_port[$primary]}" \
    -U "$PG_SUPERUSER" -X stream -R -C -S standby1 -c fast -N >"$base/basebackup.log" 2>&1; then
    echo "pg-lib: pg_basebackup from '$primary' failed: $(tail -5 "$base/basebackup.log")" >&2
    return 1
  fi
  # the primary knows this standby by application_name; once promoted it has no standby of
  # its own, so it must not wait for one
  echo "primary_conninfo = 'host=$(pg_host "$primary") port=${_pg_port[$primary]} user=$PG_SUPERUSER application_name=standby1'" \
    >>"$data/postgresql.auto.conf"
  _pg_conf "$name" "synchronous_standby_names = ''" "$@"
  _pg_launch "$name" || return 1
  for _ in $(seq 1 600); do
    state=$(pg_psql "$primary" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")
    [ "$state" = sync ] && return 0
    sleep 0.05
  done
  echo "pg-lib: standby '$name' is not a synchronous standby of '$primary' after 30 s (state '$state')" >&2
  return 1
}

pg_multihost_uri() {
  _pg_known "$2" && _pg_known "$3" || return 1
  echo "postgresql:///$1?host=$(pg_host "$2"),$(pg_host "$3")&port=${_pg_port[$2]},${_pg_port[$3]}&target_session_attrs=read-write&user=$PG_ROLE"
}
