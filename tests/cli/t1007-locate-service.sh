#!/usr/bin/env bash
# t1007: reup-locate serve under a service manager (docs/services.md).
# Covers: readiness by sd_notify: READY=1 with MAINPID and a STATUS line arrives once,
# after the port accepts (tests/tools/notifysocket connects the moment it reads it);
# a server that cannot start (no database) sends no READY=1; a $NOTIFY_SOCKET nobody
# listens on changes nothing. SIGHUP: RELOADING=1 then READY=1; a keep-alive connection
# opened before the reload is answered after it on the same connection; a database
# swapped in with rename(2) answers from then on (its own stores), the old one before; a
# file that is not a locator database (garbage, an empty file, a missing path) is refused
# with a log line and the database before keeps answering; requests running through a
# series of reloads all answer 200 from one database or the other. SIGTERM: STOPPING=1,
# exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/notify-lib.sh"
L=$REUP_LOCATE
D=$REUP_SOURCE_DIR/data

# two small databases, each with one store near Rock Springs, WY: OLD1 (chain "Old Shop")
# and NEW1 (chain "New Shop")
xz -dc "$D/geonames/postal/US.txt.xz" | awk -F '\t' '$2 == "82901" || $2 == "82001"' >"$T/US.txt"
for which in old new; do
  id=$(echo "$which" | tr a-z A-Z)1
  printf 'id,chain,name,address,city,region,postal,country,lat,lon\n%s,%s Shop,%s Shop,1 Main St,Rock Springs,WY,82901,US,41.59,-109.21\n' \
    "$id" "${which^}" "${which^}" >"$T/$which.csv"
  "$L" import --db "$T/$which.db" --countries "$D/geonames/countryInfo.txt" \
    --admin1 "$D/geonames/admin1CodesASCII.txt" --postal "$T/US.txt" --stores "$T/$which.csv" >/dev/null ||
    { fail "cannot build $which.db"; finish; exit 1; }
done
cp "$T/old.db" "$T/live.db"

# store_at: the id of the nearest store to 82901 over a new connection, in $got
store_at() { got=$(curl -s "http://127.0.0.1:$port/api/v1/stores?q=82901&k=1" | jq -r '.stores[0].id'); }

# a server that cannot open its database says nothing to the manager
expect_no_ready "$L" serve --listen 127.0.0.1:0 --web "" --db "$T/nonexistent.db"
expect_eq "$rc" 4 "serve on a missing database"

# nobody listening on $NOTIFY_SOCKET: it serves as without one
NOTIFY_SOCKET=$T/nobody.sock "$L" serve --listen 127.0.0.1:0 --web "" --db "$T/live.db" \
  >"$T/nobody.out" 2>"$T/nobody.log" &
opid=$!
on_exit "kill -KILL $opid"
port=$(wait_port "$T/nobody.out")
[ -n "$port" ] || fail "serve did not start without a listener: $(cat "$T/nobody.log")"
store_at
expect_eq "$got" OLD1 "the store answered with nobody on NOTIFY_SOCKET"
kill -TERM "$opid"
rc=0; wait "$opid" || rc=$?
expect_eq "$rc" 0 "exit after SIGTERM with nobody on NOTIFY_SOCKET"

# readiness: the first message is READY=1, and the port accepts when it comes
serve_notified "$L" serve --listen 127.0.0.1:0 --web "" --rate 0 --db "$T/live.db"
checks=$((checks + 1))
grep -q "^STATUS=serving http on 127.0.0.1:0, port $port, from $T/live.db$" "$T/msgs" ||
  fail "no STATUS line naming the port and database: $(cat "$T/msgs")"
store_at
expect_eq "$got" OLD1 "the store before any reload"

# a keep-alive connection from before the reload: HTTP/1.1 on fd 3
exec 3<>"/dev/tcp/127.0.0.1/$port"
on_exit 'exec 3>&-'
# ask_kept: one request on fd 3; the nearest store's id in $got ("" when no answer)
ask_kept() {
  local line len=0
  got=
  printf 'GET /api/v1/stores?q=82901&k=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&3 || return
  while IFS= read -r -t 30 line <&3; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case ${line,,} in content-length:*) len=${line#*: } ;; esac
  done
  [ "$len" -gt 0 ] && got=$(head -c "$len" <&3 | jq -r '.stores[0].id')
}
ask_kept
expect_eq "$got" OLD1 "the kept connection before the reload"

# a new database renamed into place, then SIGHUP
cp "$T/new.db" "$T/live.db.tmp" && mv "$T/live.db.tmp" "$T/live.db"
kill -HUP "$pid"
wait_msg "$T/msgs" '^READY=1$' 2 || fail "no READY=1 after SIGHUP: $(cat "$T/serve.log")"
checks=$((checks + 1))
[ "$(grep -E '^(READY|RELOADING)=1$' "$T/msgs" | tr '\n' ' ')" = "READY=1 RELOADING=1 READY=1 " ] ||
  fail "not RELOADING=1 then READY=1: $(cat "$T/msgs")"
expect_eq "$(grep -c 'SIGHUP: reopened the store database' "$T/serve.log")" 1 "the reload's log line"
ask_kept
expect_eq "$got" NEW1 "the kept connection after the reload (the same connection, the new database)"
store_at
expect_eq "$got" NEW1 "a new connection after the reload"
ask_kept
expect_eq "$got" NEW1 "the kept connection once more"

# files that are not a locator database are refused; the one before keeps answering
printf 'not a database at all\n' >"$T/garbage.db"
: >"$T/empty.db"
n=2
for bad in garbage empty missing; do
  cp "$T/live.db" "$T/keep.db"
  if [ "$bad" = missing ]; then rm "$T/live.db"; else mv "$T/$bad.db" "$T/live.db"; fi
  kill -HUP "$pid"
  n=$((n + 1))
  wait_msg "$T/msgs" '^READY=1$' "$n" || fail "no READY=1 after refusing the $bad file"
  expect_eq "$(grep -c "SIGHUP: $T/live.db refused" "$T/serve.log")" $((n - 2)) "the log line refusing the $bad file"
  store_at
  expect_eq "$got" NEW1 "after the $bad file was refused"
  ask_kept
  expect_eq "$got" NEW1 "the kept connection after the $bad file was refused"
  mv "$T/keep.db" "$T/live.db"
done
checks=$((checks + 1))
grep -q "^STATUS=.*the last reload was refused" "$T/msgs" || fail "no STATUS saying the reload was refused"
checks=$((checks + 1))
kill -0 "$pid" 2>/dev/null || fail "the server died on a refused reload"

# requests running through a series of reloads: every one answered, from either database
for i in $(seq 1 300); do echo "url = \"http://127.0.0.1:$port/api/v1/stores?q=82901&k=1\""; done >"$T/urls"
for c in 1 2 3; do
  curl -s -K "$T/urls" -w '\n%{http_code}\n' >"$T/burst$c.out" &
  eval "cpid$c=$!"
done
for i in $(seq 1 6); do
  if [ $((i % 2)) = 1 ]; then src=old; else src=new; fi
  cp "$T/$src.db" "$T/live.db.tmp" && mv "$T/live.db.tmp" "$T/live.db"
  kill -HUP "$pid"
  n=$((n + 1))
  wait_msg "$T/msgs" '^READY=1$' "$n" || fail "no READY=1 after reload $i of the burst"
done
wait "$cpid1" "$cpid2" "$cpid3"
checks=$((checks + 1))
[ "$(cat "$T"/burst?.out | grep -cx 200)" = 900 ] ||
  fail "not every request of the burst answered 200: $(cat "$T"/burst?.out | grep -x '[0-9]*' | sort | uniq -c)"
checks=$((checks + 1))
[ "$(cat "$T"/burst?.out | grep -o '"id": *"[A-Z]*1"' | grep -cE 'OLD1|NEW1')" = 900 ] ||
  fail "a burst answer came from neither database"
store_at
expect_eq "$got" NEW1 "after the burst's last reload (new)"

# SIGTERM: STOPPING=1, exit 0
expect_stopping
finish
