#!/usr/bin/env bash
# t3011: reup-issuer serve --writers, the threads that commit writes.
# Covers: --writers 0, 65, a word, a fraction, a negative or an empty value is refused before
# anything starts (exit 2, "--writers takes a whole number from 1 to 64"). On SQLite (the
# plain run): --writers 2 is refused (exit 2, SQLite has one writer) and --writers 1
# serves. On PostgreSQL (the pg_ run): --writers 3 opens three writing connections to the
# ledger besides the one that reads and the one that listens for terminal rotations
# (pg_stat_activity), the default two, --writers 1 one;
# with several writers four terminals racing over the same 60 cards each get an answer
# to every request and every card is won exactly once.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
A=${REUP_ACTIVATE_ALL:?}
S=$T/state

issuer_world "$S" T1 T2 T3 T4 T5 T6 T7 T8 || { fail "the issuer could not be set up"; finish; exit 1; }

for bad in 0 65 1000 four 1.5 -1 2x ''; do
  expect_exit 2 "$I" serve --dir "$S" --listen 127.0.0.1:0 --writers "$bad"
  expect_err -- '--writers takes a whole number from 1 to 64'
  checks=$((checks + 1))
  ! grep -q 'serving' "$T/out" || fail "--writers '$bad' started the server"
done

# serve_with NAME ARG...: reup-issuer serve in the background, its port in $port
serve_with() {
  local name=$1
  shift
  "$I" serve --dir "$S" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>>"$T/$name.log" &
  pid=$!
  on_exit "kill -KILL $pid"
  port=$(wait_port "$T/$name.out")
  [ -n "$port" ] || { fail "serve $* did not start: $(cat "$T/$name.log")"; finish; exit 1; }
}
stop() {
  kill -TERM "$pid"
  wait "$pid"
  expect_eq "$?" 0 "serve exit status after SIGTERM"
}
# connections: the server's sessions on the ledger's database
connections() {
  ledger_sql "$S" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND application_name = 'reup-issuer'"
}
# race NAME CARDS FIRST: four terminals from T<FIRST> on (request ids are each
# terminal's own: a terminal races once) activating the same new batch of CARDS cards
race() {
  local n p pids=()
  "$I" batch create --dir "$S" --plan 1y --count "$2" --out "$T/$1.csv" >/dev/null
  for n in $(seq "$3" $(($3 + 3))); do
    "$A" "https://127.0.0.1:$port" "$S/tls/cert.pem" "$T/T$n.json" "$T/$1.csv" "$n" >"$T/$1-$n.out" 2>"$T/$1-$n.err" &
    pids+=($!)
  done
  for n in $(seq "$3" $(($3 + 3))); do
    p=${pids[$((n - $3))]}
    checks=$((checks + 1))
    wait "$p" || fail "$1: terminal T$n was not answered every time: $(head -c 300 "$T/$1-$n.err")"
  done
  cat "$T/$1"-?.out >"$T/$1.all"
  expect_eq "$(wc -l <"$T/$1.all")" $((4 * $2)) "$1: answers"
  expect_eq "$(awk '$2 == 201' "$T/$1.all" | wc -l)" "$2" "$1: activations that won"
  expect_eq "$(awk '$2 == 201 { print $1 }' "$T/$1.all" | sort | uniq -d | wc -l)" 0 "$1: serials won twice"
  expect_eq "$(awk '$2 != 201 && $2 != 409' "$T/$1.all" | wc -l)" 0 "$1: answers other than 201 and 409"
}

if on_postgres "$S"; then
  serve_with w3 --writers 3
  expect_eq "$(connections)" 5 "connections with --writers 3 (three writers, one reader, one listener)"
  race w3 60 1
  stop
  serve_with default
  expect_eq "$(connections)" 4 "connections by default (two writers, one reader, one listener)"
  stop
  serve_with w1 --writers 1
  expect_eq "$(connections)" 3 "connections with --writers 1"
  race w1 20 5
  stop
else
  expect_exit 2 "$I" serve --dir "$S" --listen 127.0.0.1:0 --writers 2
  expect_err 'SQLite has one writer'
  serve_with w1 --writers 1
  race w1 20 1
  stop
fi
finish
