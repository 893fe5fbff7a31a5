#!/usr/bin/env bash
# t3001: reup-issuer's back-office commands on a fresh state directory.
# Covers: init (files and their modes, development certificate for localhost/127.0.0.1,
# refusing to initialize twice); plan add (minor units, GTIN check digit, currency,
# duplicates); terminal add (credentials JSON once, 64 hex digits, duplicates); batch
# create (10,000 cards: header, mode 0600, Luhn serials, Damm PINs checked independently,
# no duplicates, PINs never stored in the database, never overwriting a batch file, unknown
# plan); card show (the GET /v1/cards fields) and card block (one card, a batch); the audit
# log is append-only; audit --since and report; exit codes (docs/exit-codes.md): 2 usage
# errors, bad serials and what exists already (nothing done), 3 unknown plans, cards and
# batches, 4 a missing or insecure state directory.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
S=$T/state
mode() { stat -c %a "$1"; }

expect_exit 0 issuer_init "$S" --prefix 4242
expect_eq "$(mode "$S")" 700 "state dir mode"
if on_postgres "$S"; then
  checks=$((checks + 1)); [ ! -e "$S/issuer.db" ] || fail "issuer.db made for a ledger on PostgreSQL"
else
  expect_eq "$(mode "$S/issuer.db")" 600 "issuer.db mode"
fi
expect_eq "$(mode "$S/issuer.key")" 600 "issuer.key mode"
expect_eq "$(stat -c %s "$S/issuer.key")" 32 "issuer.key size"
expect_eq "$(mode "$S/tls/key.pem")" 600 "TLS key mode"
checks=$((checks + 1))
openssl x509 -in "$S/tls/cert.pem" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:127.0.0.1" ||
  fail "certificate lacks 127.0.0.1"
checks=$((checks + 1))
openssl verify -CAfile "$S/tls/cert.pem" "$S/tls/cert.pem" >/dev/null 2>&1 || fail "certificate does not verify against itself"
expect_exit 2 "$I" init --dir "$S"
expect_err 'initialized already; nothing done'
expect_exit 2 "$I" init
expect_exit 2 "$I" init --dir "$T/x" --prefix 10000

expect_exit 0 "$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD --gtin 00012345678905
expect_out 'plan 1y: 12 months, 3999 minor units of USD'
expect_exit 2 "$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD
expect_err "plan '1y' exists already; nothing done"
expect_exit 2 "$I" plan add --dir "$S" --code 5y --months 60 --price 149.99 --currency USD
expect_err 'price'
expect_exit 2 "$I" plan add --dir "$S" --code 5y --months 60 --price 14999 --currency usd
expect_err 'ISO 4217'
expect_exit 2 "$I" plan add --dir "$S" --code 5y --months 60 --price 14999 --currency USD --gtin 00012345678906
expect_err 'check digit'
expect_exit 2 "$I" plan add --dir "$S" --code "5 y" --months 60 --price 14999 --currency USD
expect_exit 2 "$I" plan add --dir "$S" --code 5y --months 0 --price 14999 --currency USD
expect_exit 0 "$I" plan add --dir "$S" --code 5y --months 60 --price 14999 --currency USD

expect_exit 0 "$I" terminal add --dir "$S" --store WM00001 --terminal T1
expect_jq '.terminal == "T1" and .store == "WM00001" and (.secret | test("^[0-9a-f]{64}$"))'
expect_exit 2 "$I" terminal add --dir "$S" --store WM00002 --terminal T1
expect_err "terminal .T1. exists already; nothing done"
expect_exit 2 "$I" terminal add --dir "$S" --store "WM 1" --terminal T2
expect_exit 2 "$I" terminal add --dir "$S" --store WM00001

expect_exit 0 "$I" batch create --dir "$S" --plan 1y --count 10000 --out "$T/b1.csv"
expect_out 'batch B000001: 10000 cards'
expect_eq "$(mode "$T/b1.csv")" 600 "batch file mode"
expect_eq "$(head -1 "$T/b1.csv")" "serial,pin,plan,batch" "batch header"
expect_eq "$(tail -n +2 "$T/b1.csv" | wc -l)" 10000 "batch rows"
expect_eq "$(tail -n +2 "$T/b1.csv" | cut -d, -f1 | sort -u | wc -l)" 10000 "distinct serials"
expect_eq "$(tail -n +2 "$T/b1.csv" | cut -d, -f2 | sort -u | wc -l)" 10000 "distinct PINs"
expect_eq "$(tail -n +2 "$T/b1.csv" | cut -d, -f3,4 | sort -u)" "1y,B000001" "plan and batch columns"
# Luhn on serials and Damm on PINs, computed here independently of the program
bad=$(tail -n +2 "$T/b1.csv" | awk -F, '
  BEGIN { split("0317598642 7092154863 4206871359 1750983426 6123045978 3674209581 5869720134 8945362017 9438617205 2581436790", r, " ")
          for (i = 0; i < 10; i++) for (j = 0; j < 10; j++) D[i, j] = substr(r[i + 1], j + 1, 1) }
  { s = $1; sum = 0
    for (i = 0; i < 16; i++) { d = substr(s, 16 - i, 1) + 0; if (i % 2) { d *= 2; if (d > 9) d -= 9 } sum += d }
    if (length(s) != 16 || sum % 10) { print "serial " s; next }
    p = $2; x = 0; for (i = 1; i <= 16; i++) x = D[x, substr(p, i, 1) + 0]
    if (length(p) != 16 || x != 0) print "pin " p }' | head -3)
expect_eq "$bad" "" "check digits"
pin=$(sed -n 2p "$T/b1.csv" | cut -d, -f2)
serial=$(sed -n 2p "$T/b1.csv" | cut -d, -f1)
checks=$((checks + 1))
if ledger_text "$S" | grep -aq "$pin"; then fail "a PIN is stored in the ledger"; fi
expect_exit 2 "$I" batch create --dir "$S" --plan 1y --count 5 --out "$T/b1.csv"
expect_err 'will not overwrite.*nothing done'
expect_eq "$(tail -n +2 "$T/b1.csv" | wc -l)" 10000 "existing batch file untouched"
expect_exit 3 "$I" batch create --dir "$S" --plan 9y --count 5 --out "$T/b9.csv"
expect_err "no plan '9y'"
checks=$((checks + 1)); [ ! -e "$T/b9.csv" ] && [ ! -e "$T/b9.csv.tmp" ] || fail "failed batch left a file"
expect_exit 2 "$I" batch create --dir "$S" --plan 1y --count 0 --out "$T/b0.csv"
expect_exit 0 "$I" batch create --dir "$S" --plan 5y --count 3 --out "$T/b2.csv"
expect_out 'batch B000002'
# serials continue where the last batch ended
expect_eq "$(sed -n 2p "$T/b2.csv" | cut -c1-15)" "424200000010001" "next serial"

expect_exit 0 "$I" card show "$serial" --dir "$S"
expect_jq ".serial == \"$serial\" and .plan == \"1y\" and .status == \"issued\" and .activated_at == null and .store_id == null"
grouped=$(echo "$serial" | sed 's/\(....\)/\1 /g; s/ $//')
expect_exit 0 "$I" card show "$grouped" --dir "$S"
wrong=$(echo "$serial" | cut -c1-15)$(( ($(echo "$serial" | cut -c16) + 1) % 10 ))
expect_exit 2 "$I" card show "$wrong" --dir "$S"
expect_err 'check digit'
expect_exit 3 "$I" card show 4242999999999991 --dir "$S"   # valid Luhn, never issued
expect_err "no card with serial 4242999999999991"

expect_exit 0 "$I" card block "$serial" --dir "$S"
expect_out 'blocked 1 card'
expect_exit 0 "$I" card show "$serial" --dir "$S"
expect_jq '.status == "blocked"'
expect_exit 0 "$I" card block --batch B000002 --dir "$S"
expect_out 'blocked 3 cards'
expect_exit 3 "$I" card block --batch B999999 --dir "$S"
expect_exit 2 "$I" card block "$serial" --batch B000002 --dir "$S"

# the audit log records every change and refuses edits
expect_eq "$(ledger_sql "$S" "select count(*) from audit where action in ('plan add','terminal add','batch create','block')")" 7 "audit rows"
checks=$((checks + 1))
if ledger_sql "$S" "update audit set outcome = 'x'" 2>/dev/null; then fail "audit row was updated"; fi
checks=$((checks + 1))
if ledger_sql "$S" "delete from audit" 2>/dev/null; then fail "audit rows were deleted"; fi
if on_postgres "$S"; then
  checks=$((checks + 1))
  if ledger_sql "$S" "truncate audit" 2>/dev/null; then fail "audit was truncated"; fi
fi
expect_eq "$(ledger_sql "$S" "select count(*) from audit")" 7 "audit rows after the edits"

# audit and report
expect_exit 0 "$I" audit --dir "$S"
expect_jq 'length == 7 and .[0].action == "plan add" and .[0].actor == "operator" and (.[0].at | test("Z$")) and (map(.id) == (map(.id) | sort))'
expect_exit 0 "$I" audit --dir "$S" --since 2999-01-01
expect_jq 'length == 0'
expect_exit 0 "$I" audit --dir "$S" --since "$(date -u +%Y-%m-%d)"
expect_jq 'length == 7'
expect_exit 2 "$I" audit --dir "$S" --since yesterday
expect_err 'UTC time'
expect_exit 0 "$I" report --dir "$S"
expect_jq '(.cards | map(select(.plan == "1y" and .status == "issued"))[0].count) == 9999 and
           (.cards | map(select(.status == "blocked")) | map(.count) | add) == 4 and (.batches | length) == 2 and
           .terminals == [.terminals[0]] and .terminals[0].id == "T1" and .subscriptions[0].accounts == 0'

# state directory problems
expect_exit 4 "$I" card show "$serial" --dir "$T/nowhere"
expect_err 'not an issuer state directory'
chmod 644 "$S/issuer.key"
expect_exit 4 "$I" card show "$serial" --dir "$S"
expect_err 'chmod 600'
chmod 600 "$S/issuer.key"
REUP_ISSUER_DIR=$S expect_exit 0 "$I" card show "$serial"

expect_exit 2 "$I"
expect_exit 2 "$I" frobnicate
expect_exit 2 "$I" plan add --dir "$S" --bogus x
expect_exit 0 "$I" --help
expect_out '^usage: reup-issuer'

finish
