#!/usr/bin/env bash
# t4003: kill -9 of reup-pos at random points during a run of sales, at least 50 times
# while it was running (recording, talking to the issuer, printing the receipt). Then
# the next start recovers (every sale left 'sending' becomes reversal_pending before
# anything else) and sync delivers the reversals. Afterwards, sale by sale, the journal
# agrees with the issuer's ledger: an approved sale's request is active at the issuer,
# a reversed one is not; the approved sales' cards are exactly the store's active cards;
# nothing is left sending or waiting; the journal verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
"$I" batch create --dir "$S" --plan 1y --count 200 --out "$T/b2.csv" >/dev/null
expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100

on_exit 'kill -KILL "${pid:-}"'
hits=0 tries=0 line=2
while [ "$hits" -lt 50 ] && [ "$tries" -lt 190 ]; do
  s=$(sed -n "${line}p" "$T/b2.csv" | cut -d, -f1)
  line=$((line + 1)) tries=$((tries + 1))
  $POS sell --serial "$s" --cash 40 > /dev/null 2>&1 &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 250)))"
  if kill -KILL "$pid" 2>/dev/null; then hits=$((hits + 1)); fi
  wait "$pid" 2>/dev/null
done
checks=$((checks + 1))
[ "$hits" -ge 50 ] || fail "only $hits of $tries sales were killed while running"
echo "killed $hits of $tries sales while running" >&2

# the next start recovers; sync delivers what waits
for _ in 1 2 3; do $POS sync > "$T/sync.out" 2>&1 && break; sleep 1; done
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale WHERE state IN ('sending', 'reversal_pending', 'void_pending')")" 0 "sales left open"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM outbox WHERE done_at IS NULL")" 0 "waiting in the outbox"

# sale by sale against the issuer's ledger
sqlite3 -separator ' ' "$T/pos.db" "SELECT request_id, state, coalesce(serial, '') FROM sale ORDER BY id" > "$T/sales"
bad=0
while read -r rid state serial; do
  at=$(ledger_sql "$S" "SELECT state FROM request WHERE request_id = '$rid'")
  case $state in
    approved) [ "$at" = active ] || { bad=$((bad + 1)); echo "sale $rid approved, at the issuer '$at'" >&2; } ;;
    reversed) [ "$at" != active ] || { bad=$((bad + 1)); echo "sale $rid reversed, at the issuer active" >&2; } ;;
    declined) [ "$at" != active ] || { bad=$((bad + 1)); echo "sale $rid declined, at the issuer active" >&2; } ;;
    *) bad=$((bad + 1)); echo "sale $rid left $state" >&2 ;;
  esac
done < "$T/sales"
expect_eq "$bad" 0 "sales that disagree with the issuer"
sqlite3 "$T/pos.db" "SELECT serial FROM sale WHERE state = 'approved' ORDER BY serial" > "$T/sold"
ledger_sql "$S" "SELECT serial FROM card WHERE status = 'active' AND store_id = 'WM00001' ORDER BY serial" > "$T/active"
checks=$((checks + 1))
diff -q "$T/sold" "$T/active" >/dev/null || fail "approved sales and active cards differ: $(diff "$T/sold" "$T/active" | head)"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale WHERE state = 'approved' GROUP BY serial HAVING count(*) > 1" | wc -l)" 0 "cards sold twice"
expect_exit 0 $POS verify
finish
