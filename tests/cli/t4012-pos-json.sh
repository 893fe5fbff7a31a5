#!/usr/bin/env bash
# t4012: with --json, every exit of every reup-pos command that takes it prints exactly one
# JSON object on stdout: refusals and errors as {"status", "error": {"code", "message"}},
# the message the same words as on stderr, the exit code the documented one. Provoked:
# a usage error, a bad serial, a bad amount, no shift, too little cash, a double scan, an
# unknown sale, a sale that cannot be voided, no manager's approval, a wrong PIN, a shift
# open already, no Z report, a declined card, no answer from the issuer, a configuration
# error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pos-lib.sh"
# one_object: stdout of the last run is exactly one JSON object
one_object() {
  checks=$((checks + 1))
  [ "$(jq -s 'length' "$T/out" 2>/dev/null)" = 1 ] && jq -e 'type == "object"' "$T/out" >/dev/null ||
    fail "stdout is not exactly one JSON object: $(head -c 400 "$T/out")"
}
# refused EXIT STATUS CODE CMD...: CMD exits EXIT with one object {"status": STATUS, "error":
# {"code": CODE, "message": the first line of stderr after warnings}}
refused() {
  local want=$1 status=$2 code=$3
  shift 3
  expect_exit "$want" "$@"
  one_object
  expect_jq ".status == \"$status\" and .error.code == \"$code\""
  expect_eq "reup-pos: $(jq -r .error.message "$T/out")" "$(grep -v "^reup-pos: warning" "$T/err" | head -1)" "the message of $code on stdout and stderr"
}
$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin 4321 >/dev/null
$POS cashier add --id 2002 --name "Tom Berg" --role cashier --pin 1111 --manager 1001 --manager-pin 4321 >/dev/null
s1=$(serial_n 1)

refused 2 refused usage $POS sell --json
refused 2 refused usage $POS sell --serial "$s1" --cash 50 --bogus --json
refused 2 refused usage $POS void --json
refused 2 refused usage $POS report --json
refused 2 refused usage $POS status --json extra
refused 2 refused usage $POS shift close --json
refused 2 refused bad_serial $POS sell --serial 1234 --cash 50 --json
refused 2 refused bad_amount $POS sell --serial "$s1" --cash lots --json
refused 2 refused no_shift $POS sell --serial "$s1" --cash 50 --json
refused 3 refused no_shift $POS report --x --json
refused 2 refused no_shift $POS shift close --counted 10 --json
refused 3 refused no_zreport $POS report --z 9 --json
refused 2 refused no_approval $POS void 1 --json
refused 6 refused pin_refused $POS shift open --cashier 2002 --pin 9999 --float 100 --json

expect_exit 0 $POS shift open --cashier 2002 --pin 1111 --float 100 --json
one_object
expect_jq '.status == "open" and .shift_id == 1 and .cashier == "2002" and .float_cents == 10000'
refused 2 refused shift_open $POS shift open --cashier 2002 --pin 1111 --float 100 --json
refused 2 refused cash_short $POS sell --serial "$s1" --cash 10 --json
expect_exit 0 $POS sell --serial "$s1" --cash 50 --json
one_object
expect_jq '.status == "approved" and .sale_id == 1 and (has("error") | not)'
refused 2 refused card_in_sale $POS sell --serial "$s1" --cash 50 --json
refused 3 refused no_sale $POS void 99 --manager 1001 --pin 4321 --json
refused 6 refused pin_refused $POS void 1 --manager 1001 --pin 9999 --json
refused 6 refused not_manager $POS void 1 --manager 2002 --pin 1111 --json
refused 6 refused unknown_plan $POS sell --on-demand nosuch --cash 50 --json
expect_exit 0 $POS report --x --json
one_object
expect_jq '.sales_count == 1'
expect_exit 0 $POS status --json
one_object
expect_jq '.shift_open == true and .issuer_reachable == true'

# declined: a card the issuer has blocked; the sale's object carries the error too
"$I" card block "$(serial_n 2)" --dir "$S" >/dev/null
expect_exit 6 $POS sell --serial "$(serial_n 2)" --cash 50 --json
one_object
expect_jq '.status == "declined" and .error.code == "declined" and (.error.message | length) > 0'
refused 2 refused not_voidable $POS void 2 --manager 1001 --pin 4321 --json

# no answer: the issuer stopped
kill -KILL "$ISSUER_PID"
wait "$ISSUER_PID" 2>/dev/null
refused 5 no_answer no_answer $POS sell --serial "$(serial_n 4)" --cash 50 --json
expect_exit 0 $POS status --json
one_object
expect_jq '.issuer_reachable == false'

# a configuration error
refused 4 error config $POS --config "$T/nosuch.conf" sell --serial "$(serial_n 4)" --cash 50 --json
refused 4 error config $POS --config "$T/nosuch.conf" status --json
refused 4 error config $POS --config "$T/nosuch.conf" void 1 --json
refused 4 error config $POS --config "$T/nosuch.conf" report --x --json
refused 4 error config $POS --config "$T/nosuch.conf" shift close --counted 1 --json

# the close, then nothing open
expect_exit 0 $POS shift close --counted 150 --json
one_object
expect_jq '.z_number == 1'
refused 2 refused no_shift $POS shift close --counted 1 --json
refused 3 refused no_shift $POS report --x --json
finish
