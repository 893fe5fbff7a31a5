#!/usr/bin/env bash
# t4002: no answer is "unknown", never "failed". A TLS proxy (tests/tools/faultproxy)
# between reup-pos and the real issuer fails on demand. For each of: drop the request
# before it reaches the issuer, drop the answer after the issuer applied it, hold the
# answer past the POS's timeout, reset the connection in the middle of the answer:
# the sale ends reversal_pending (exit 5) with its reversal waiting (its first try fails
# too), the card is active at the issuer exactly when the activation got there; once the
# path is clear, `reup-pos sync` delivers the reversal, the card is issued again and can
# be sold anew. A refused connection makes no sale at all. A void whose answer is lost
# waits as void_pending and is delivered by sync. Afterwards the invariants of docs/design.md
# hold: every approved sale has an active card at the issuer and every active card an
# approved sale; nothing waits; the journal verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
F=$T/fault
echo pass > "$F"
"${REUP_FAULTPROXY:?}" "$S/tls/cert.pem" "$S/tls/key.pem" "$ISSUER_PORT" "$F" > "$T/proxy.out" 2> "$T/proxy.log" &
PROXY_PID=$!
on_exit 'kill -KILL "${PROXY_PID:-}"'
for _ in $(seq 1 100); do grep -q port "$T/proxy.out" 2>/dev/null && break; sleep 0.05; done
PROXY_PORT=$(awk '{print $2}' "$T/proxy.out")
TIMEOUT_MS=2000 pos_conf "https://127.0.0.1:$PROXY_PORT"
sale_state() { sqlite3 "$T/pos.db" "SELECT state FROM sale WHERE id = $1"; }

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100
n=0
for mode in drop_before drop_after delay reset_mid; do
  n=$((n + 1))
  s=$(serial_n "$n")
  printf '%s POST /v1/activations\ndrop_before POST /v1/reversals\n' "$mode" > "$F"
  expect_exit 5 $POS sell --serial "$s" --cash 40 --json
  expect_jq '.status == "reversal_pending"'
  expect_out "it will be reversed"
  id=$(jq -r .sale_id "$T/out")
  expect_eq "$(sale_state "$id")" reversal_pending "$mode: the sale in the journal"
  want=active; [ "$mode" = drop_before ] && want=issued
  expect_eq "$(card_status "$s")" "$want" "$mode: the card at the issuer before the reversal"
  expect_exit 0 $POS status --json
  expect_jq '.pending == 1'
  expect_exit 5 $POS sync
  echo pass > "$F"
  expect_exit 0 $POS sync
  expect_out "sent 1, still waiting 0"
  expect_eq "$(sale_state "$id")" reversed "$mode: the sale after sync"
  expect_eq "$(card_status "$s")" issued "$mode: the card after the reversal"
  expect_exit 0 $POS sell --serial "$s" --cash 40 --json
  expect_jq '.status == "approved"'
  expect_eq "$(card_status "$s")" active "$mode: the card sold again"
done

# refused: the issuer cannot be asked, no sale is made
pos_conf "https://127.0.0.1:1"
before=$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale")
expect_exit 5 $POS sell --serial "$(serial_n 5)" --cash 40
expect_err "cannot be reached"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM sale")" "$before" "sales after a refused connection"
expect_exit 0 $POS status
expect_out "NOT REACHABLE"

# a void whose answer is lost waits, then goes
TIMEOUT_MS=2000 pos_conf "https://127.0.0.1:$PROXY_PORT"
last=$(sqlite3 "$T/pos.db" "SELECT max(id) FROM sale WHERE state = 'approved'")
vserial=$(sqlite3 "$T/pos.db" "SELECT serial FROM sale WHERE id = $last")
echo "drop_after POST /v1/activations/" > "$F"
expect_exit 0 $POS void "$last" --json
expect_jq '.status == "void_pending"'
expect_eq "$(card_status "$vserial")" issued "the card after a void the issuer applied"
echo pass > "$F"
expect_exit 0 $POS sync
expect_eq "$(sale_state "$last")" voided "the void after sync"

# the invariants
sqlite3 "$T/pos.db" "SELECT serial FROM sale WHERE state = 'approved' ORDER BY serial" > "$T/sold"
ledger_sql "$S" "SELECT serial FROM card WHERE status = 'active' AND store_id = 'WM00001' ORDER BY serial" > "$T/active"
checks=$((checks + 1))
diff -q "$T/sold" "$T/active" >/dev/null || fail "approved sales and active cards differ: $(diff "$T/sold" "$T/active")"
expect_eq "$(wc -l < "$T/sold")" 3 "approved sales"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM outbox WHERE done_at IS NULL")" 0 "waiting in the outbox"
expect_exit 0 $POS verify
finish
