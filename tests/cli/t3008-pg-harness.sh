#!/usr/bin/env bash
# t3008: the PostgreSQL test harness (tests/tools/pg-lib.sh) does what the issuer's
# failover tests rely on, shown with psql alone. Covers: a primary and its synchronous
# standby (standby1, streaming, sync); a commit on the primary visible on the standby;
# with the standby stopped a commit on the primary waits (SyncRep) and is released when
# the standby is back; kill -9 of the primary during a burst of single-row commits, the
# standby promoted: the multi-host URI with target_session_attrs=read-write refuses the
# standby while it is read-only, then reaches the promoted server and writes there, and
# every row whose commit was answered before the kill is on it. Both clusters are stopped
# and removed on every path.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tools/pg-lib.sh"
started=$(date +%s.%N)
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# until_eq URI SQL WANT: wait (10 s at most) until SQL answers WANT; prints the last answer
until_eq() {
  local got= _
  for _ in $(seq 1 200); do
    got=$(sql "$1" "$2" 2>/dev/null) && [ "$got" = "$3" ] && break
    sleep 0.05
  done
  echo "$got"
}

pg_start_primary p || { fail "the primary did not start"; finish; exit 1; }
pg_start_standby p s || { fail "the standby did not start"; finish; exit 1; }
expect_eq "$(pg_psql p -c "SELECT application_name, state, sync_state FROM pg_stat_replication")" \
  "standby1|streaming|sync" "the primary's standby"
expect_eq "$(pg_psql s -c "SELECT pg_is_in_recovery()")" t "the standby in recovery"
P=$(pg_createdb p ledger) || { fail "createdb on the primary"; finish; exit 1; }
S=$(pg_uri s ledger)
M=$(pg_multihost_uri ledger p s)
expect_eq "$(sql "$P" "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")" "reup|f" \
  "the role the programs connect as"
expect_exit 0 sql "$P" "CREATE TABLE t (id integer PRIMARY KEY)"
expect_exit 0 sql "$P" "INSERT INTO t VALUES (1)"
expect_eq "$(until_eq "$S" "SELECT count(*) FROM t WHERE id = 1" 1)" 1 "row 1 on the standby"
expect_exit 0 sql "$M" "SELECT current_setting('port'), pg_is_in_recovery()"
expect_out '^5432\|f$'

# the standby down: a commit is written on the primary but not answered
pg_stop s || fail "the standby did not stop"
expect_exit 124 timeout 3 psql -X -q -d "$P" -c "INSERT INTO t VALUES (2)"
expect_eq "$(pg_psql p -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")" 1 \
  "commits waiting for the standby"
pg_restart s || fail "the standby did not start again"
expect_eq "$(until_eq "$(pg_uri p postgres)" "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'" 0)" 0 \
  "commits waiting once the standby is back"
expect_eq "$(until_eq "$S" "SELECT count(*) FROM t WHERE id = 2" 1)" 1 "row 2 on the standby"

# a burst of single-row commits, each id printed once its commit is answered; kill -9 mid-burst
seq 3 1000000 | awk '{ print "INSERT INTO t VALUES (" $1 ");"; print "\\echo " $1 }' |
  stdbuf -oL psql -X -q -v ON_ERROR_STOP=1 -d "$P" >"$T/answered" 2>"$T/burst.err" &
burst=$!
on_exit "kill -KILL $burst"
expect_eq "$(until_eq "$P" "SELECT count(*) >= 300 FROM t" t)" t "rows before the kill"
pg_kill9 p || fail "the primary survived kill -9"
burst_rc=0; wait "$burst" || burst_rc=$?
checks=$((checks + 1)); [ "$burst_rc" -ne 0 ] || fail "the burst ended by itself: the kill was not mid-burst"
answered=$(wc -l <"$T/answered")
checks=$((checks + 1)); [ "$answered" -ge 298 ] || fail "only $answered commits answered before the kill"

# no read-write server until the standby is promoted
expect_exit 2 psql -X -q -d "$M" -c "SELECT 1"
expect_err 'read-only'
pg_promote s || fail "the standby was not promoted"
expect_exit 0 sql "$M" "SELECT current_setting('port'), pg_is_in_recovery()"
expect_out '^5433\|f$'
expect_exit 0 sql "$M" "INSERT INTO t VALUES (0) RETURNING id"
expect_out '^0$'
sql "$M" "SELECT id FROM t" | sort >"$T/have"
{ echo 1; echo 2; cat "$T/answered"; } | sort >"$T/want"
lost=$(comm -23 "$T/want" "$T/have" | wc -l)
expect_eq "$lost" 0 "answered commits missing on the promoted server (of $((answered + 2)))"

echo "t3008: $answered commits answered before the kill; $(echo "$(date +%s.%N) - $started" | bc | cut -c 1-5) s"
finish
