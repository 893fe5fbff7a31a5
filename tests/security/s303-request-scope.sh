#!/usr/bin/env bash
# s303: a terminal cannot reach another terminal's requests through their request ids.
# Attacks, over the real API: T2 (another store) and T3 (the same store) each reverse and
# void a request id T1 has activated: each gets the answer of an id never sent (reversal
# {"reversed":false}, void 404 activation_not_found), and T1's card stays active, T1's
# retry still gets its first answer and T1's void still works. A stranger's reversal of an
# id T1 has not sent yet does not refuse T1's later activation of it. Two terminals using
# the same request id each get their own activation, each replayed only to its sender.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/issuer-lib.sh"
state_init
serve
U1=7a1c2a8e-3d4b-4c1a-9e2f-000000000001 U2=7a1c2a8e-3d4b-4c1a-9e2f-000000000002
U3=7a1c2a8e-3d4b-4c1a-9e2f-000000000003
status_of() { api T1 GET "/v1/cards/$1"; jq -r .status "$T/out"; }
expect_status() { checks=$((checks + 1)); [ "$(status_of "$1")" = "$2" ] || fail "card $1 is $(jq -r .status "$T/out"), wanted $2"; }

s0=$(serial 0)
api T1 POST /v1/activations "$(act $U1 "$s0")"
expect_code 201
cp "$T/out" "$T/first"
for stranger in T2 T3; do
  api $stranger POST /v1/reversals "{\"request_id\":\"$U1\"}"
  expect_code 200
  expect_jq '.reversed == false'
  api $stranger POST "/v1/activations/$U1/void" '{"reason":"not mine"}'
  expect_code 404
  expect_jq '.error.code == "activation_not_found"'
  expect_status "$s0" active
done
# T1 goes on unaffected: its retry gets its first answer, its void works
api T1 POST /v1/activations "$(act $U1 "$s0")"
expect_code 201
checks=$((checks + 1)); cmp -s "$T/out" "$T/first" || fail "T1's retry got another answer: $(cat "$T/out")"
api T1 POST "/v1/activations/$U1/void" '{"reason":"customer changed their mind"}'
expect_code 200
expect_status "$s0" issued

# a stranger reverses an id ahead of its owner: T1's activation of it still goes through
api T2 POST /v1/reversals "{\"request_id\":\"$U2\"}"
expect_jq '.reversed == false'
api T1 POST /v1/activations "$(act $U2 "$(serial 1)")"
expect_code 201
expect_status "$(serial 1)" active
# ... while T2's own late activation of that id is refused by its tombstone
api T2 POST /v1/activations "$(act $U2 "$(serial 2)")"
expect_code 409
expect_jq '.error.code == "request_reversed"'

# the same id from two terminals: an activation each
api T2 POST /v1/activations "$(act $U3 "$(serial 3)")"
expect_code 201
cp "$T/out" "$T/t2"
api T3 POST /v1/activations "$(act $U3 "$(serial 4)")"
expect_code 201
cp "$T/out" "$T/t3"
expect_status "$(serial 3)" active
expect_status "$(serial 4)" active
api T2 POST /v1/activations "$(act $U3 "$(serial 3)")"
checks=$((checks + 1)); cmp -s "$T/out" "$T/t2" || fail "T2's retry got another answer"
api T3 POST /v1/activations "$(act $U3 "$(serial 3)")"   # T3 with T2's parameters
expect_code 422
expect_jq '.error.code == "request_id_reused"'
# T2 voids its own: T3's activation of the same id stays
api T2 POST "/v1/activations/$U3/void" '{"reason":"mine"}'
expect_code 200
expect_status "$(serial 3)" issued
expect_status "$(serial 4)" active
stop
finish
