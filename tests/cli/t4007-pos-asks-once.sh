#!/usr/bin/env bash
# t4007: a sale asks the issuer only what it cannot know (docs/pos.md, "The catalog kept
# here"). The first sale fetches the catalog; the next ones price from the catalog the
# journal keeps and ask twice (the card, the activation), whatever the journal holds.
# When the issuer's price changed meanwhile, the sale is declined (422 amount_mismatch,
# the issuer checks every amount) and the catalog is fetched anew in the same run, so the
# next sale is priced right. The journal verifies afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
# asked SINCE: the issuer's requests logged after line SINCE of its log, one a line
# ("GET /v1/plans"); the log line may come just after the answer
asked() {
  local _i
  for _i in $(seq 1 20); do
    [ "$(wc -l < "$T/serve.log")" -gt "$1" ] && break
    sleep 0.05
  done
  sleep 0.1
  tail -n +"$(($1 + 1))" "$T/serve.log" | awk '{ sub(/\/v1\/cards\/[0-9]+/, "/v1/cards/N", $4); print $3, $4 }'
}
catalog_entries() { sqlite3 "$T/pos.db" "SELECT count(*) FROM entry WHERE type = 'catalog'"; }

expect_exit 0 $POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321
expect_exit 0 $POS shift open --cashier 1001 --pin 4321 --float 100.00

# the first sale: the card, the catalog, the activation
since=$(wc -l < "$T/serve.log")
expect_exit 0 $POS sell --serial "$(serial_n 1)" --cash 40 --json
expect_jq '.status == "approved" and .amount_cents == 3999'
expect_eq "$(asked "$since" | tr '\n' ';')" "GET /v1/cards/N;GET /v1/plans;POST /v1/activations;" \
  "the first sale's requests"
expect_eq "$(catalog_entries)" 1 "catalog entries after the first sale"

# the next ones: the card and the activation only; the journal does not grow a catalog entry
for n in 2 3; do
  since=$(wc -l < "$T/serve.log")
  expect_exit 0 $POS sell --serial "$(serial_n $n)" --cash 40 --json
  expect_jq '.status == "approved" and .amount_cents == 3999'
  expect_eq "$(asked "$since" | tr '\n' ';')" "GET /v1/cards/N;POST /v1/activations;" "sale $n's requests"
done
expect_eq "$(catalog_entries)" 1 "catalog entries after three sales"

# the issuer's price changes: the sale priced from the kept catalog is declined, and the
# catalog is fetched right after the refusal is written
ledger_sql "$S" "UPDATE plan SET price_cents = 4499 WHERE code = '1y'"
since=$(wc -l < "$T/serve.log")
run $POS sell --serial "$(serial_n 4)" --cash 50 --json
expect_jq '.status == "declined"'
expect_out "amount_mismatch"
expect_eq "$(asked "$since" | tr '\n' ';')" "GET /v1/cards/N;POST /v1/activations;GET /v1/plans;" \
  "the declined sale's requests"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT price_cents FROM catalog WHERE code = '1y'")" 4499 \
  "the kept price after the refusal"
expect_eq "$(card_status "$(serial_n 4)")" issued "the declined card at the issuer"

# rung up again: the new price, approved
expect_exit 0 $POS sell --serial "$(serial_n 4)" --cash 50 --json
expect_jq '.status == "approved" and .amount_cents == 4499 and .change_cents == 501'
expect_eq "$(card_status "$(serial_n 4)")" active "the card sold at the new price"

expect_exit 0 $POS verify
finish
