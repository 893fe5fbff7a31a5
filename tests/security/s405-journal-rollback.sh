#!/usr/bin/env bash
# s405: the issuer anchors the terminal's journal. Every signed request carries the
# chain's head (ReUp-Journal-Head, signed) and the issuer keeps every head it saw; `verify`
# walks them all (GET /v1/terminals/me/journal-heads, page by page) and names the first
# the chain does not hold. Attacks, each against a real issuer: (0) a head the chain holds
# sent late, below the latest, is an anomaly verify lets pass; (1) restore an older copy of
# pos.db after more sales (rolled back): verify exits 1 naming it; (2) edit a sale's
# amount in the sale row and in its journal entry, then recompute the whole chain's hashes
# exactly as pos/journal.c does, so that the local check passes (shown with the issuer
# stopped): verify still exits 1, the issuer's heads not being in the chain; (3) with the
# issuer stopped, verify says it checked locally only (exit 0, warning; exit 1 with
# --strict); (4) the Z report carries the head (the slip is a second anchor) and the close
# sends it: the issuer's head is then the terminal's last entry, and the copy that was
# rolled back and sold from in (1) still shows, as an anomaly the chain does not hold;
# (5) an older copy restored and sold from until its head is above every head the issuer
# saw, so that its head is the issuer's latest and the chain holds it: verify exits 1
# naming the first earlier head the chain does not hold; (6) the same with the chain
# rebuilt after an edit in (2). A rolled-back terminal that keeps selling is not refused,
# and the issuer keeps its lower head as an anomaly in the audit log.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-lib.sh"
db=$T/pos.db
snapshot() { sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null && cp "$db" "$1"; }
restore() { cp "$1" "$db" && rm -f "$db-wal" "$db-shm" && chmod 600 "$db"; }
issuer_head() { sqlite3 "$S/issuer.db" "SELECT seq || ':' || hash FROM journal_head WHERE kind = 'head' ORDER BY seq DESC LIMIT 1"; }
local_head() { sqlite3 "$db" "SELECT seq || ':' || lower(hex(hash)) FROM entry ORDER BY seq DESC LIMIT 1"; }
# first_unheld [KIND]: the lowest number of a head (or anomaly) the issuer recorded that the
# journal does not hold with the same hash; "" when it holds every one
first_unheld() {
  sqlite3 "$db" "ATTACH '$S/issuer.db' AS i; SELECT min(h.seq) FROM i.journal_head h LEFT JOIN entry e ON e.seq = h.seq
                 WHERE h.kind = '${1:-head}' AND (e.hash IS NULL OR lower(hex(e.hash)) != h.hash)"
}
# held SEQ:HASH: 1 when the journal has entry SEQ with HASH
held() { sqlite3 "$db" "SELECT count(*) FROM entry WHERE seq = ${1%%:*} AND lower(hex(hash)) = '${1#*:}'"; }
# send_head SEQ:HASH: a signed GET /v1/plans of terminal T1 that carries this head
send_head() {
  local secret ts h sig
  secret=$(jq -r .secret "$T/t1.json"); ts=$(date +%s)
  h=$(printf '' | openssl dgst -sha256 -r | cut -d' ' -f1)
  sig=$(printf '%s\n%s\n%s\n%s\n%s' GET /v1/plans "$ts" "$h" "$1" |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$secret" -r | cut -d' ' -f1)
  curl -s -o /dev/null -w '%{http_code}' --cacert "$S/tls/cert.pem" -H "ReUp-Journal-Head: $1" \
       -H "Authorization: ReUp-HMAC-SHA256 terminal=T1, ts=$ts, sig=$sig" "https://127.0.0.1:$ISSUER_PORT/v1/plans"
}
anomalies() { sqlite3 "$S/issuer.db" "SELECT count(*) FROM journal_head WHERE kind = 'anomaly'"; }
card=5 # the next card to sell
# sell_past SEQ: sell from this copy until the issuer's latest head is above SEQ
sell_past() {
  local n=0
  while [ "$(issuer_head | cut -d: -f1)" -le "$1" ] && [ $n -lt 6 ]; do
    expect_exit 0 $POS sell --serial "$(serial_n $card)" --cash 50
    card=$((card + 1)); n=$((n + 1))
  done
}

$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321 >/dev/null
$POS shift open --cashier 1001 --pin - --float 100 <<< 4321 >/dev/null
expect_exit 0 $POS sell --serial "$(serial_n 1)" --cash 50
expect_exit 0 $POS sell --serial "$(serial_n 2)" --cash 50
expect_exit 0 $POS verify
expect_out "the journal is intact, and holds every journal head the issuer saw \([1-9][0-9]*\)"
snapshot "$T/older.db"
expect_exit 0 $POS sell --serial "$(serial_n 3)" --cash 50
sent=$(issuer_head)
[ -n "$sent" ] || fail "the issuer recorded no journal head"
snapshot "$T/current.db"

# (0) a head of this chain that comes late (a request overtaken by a later one): below the
# latest and never recorded, so an anomaly; the chain holds it, so verify passes
expect_eq "$(send_head "$(sqlite3 "$db" "SELECT seq || ':' || lower(hex(hash)) FROM entry WHERE seq = 1")")" 200 "a late head"
for _ in $(seq 50); do [ "$(anomalies)" = 1 ] && break; sleep 0.1; done
expect_eq "$(anomalies)" 1 "the late head kept as an anomaly"
expect_eq "$(first_unheld anomaly)" "" "the chain holds the late head"
expect_exit 0 $POS verify
expect_out "holds every journal head the issuer saw"

# (1) rolled back: an older copy of the journal, intact in itself; the first head it does
# not hold is the first the issuer saw above its end
restore "$T/older.db"
first=$(first_unheld)
expect_eq "$first" "$(sqlite3 "$S/issuer.db" "SELECT min(seq) FROM journal_head WHERE kind = 'head' AND seq > $(local_head | cut -d: -f1)")" "the first head above the older copy"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: the issuer saw journal entry $first, but this journal ends at entry [0-9]+: it was rolled back"
# the rolled-back terminal still sells (a sale is never refused for this), and the issuer
# keeps the latest head, with the lower one as an anomaly it can show
expect_exit 0 $POS sell --serial "$(serial_n 4)" --cash 50
expect_eq "$(issuer_head)" "$sent" "the issuer's head after a lower one"
expect_eq "$(sqlite3 "$S/issuer.db" "SELECT count(*) > 0 FROM journal_head WHERE kind = 'anomaly'")" 1 "anomalies kept"
"$I" audit --dir "$S" > "$T/audit.json"
expect_eq "$(jq '[.[] | select(.action == "journal head" and .outcome == "anomaly")] | length > 0' "$T/audit.json")" true "the anomaly in the audit log"
expect_exit 1 $POS verify
expect_err "journal entry $(first_unheld) is not the one the issuer saw .*: the chain was rebuilt, or an older copy restored and written to since"

# (2) rebuilt: sale 1's amount cut in its row and its entry, and every hash after it
# recomputed: SHA-256(prev || "\n" seq "\n" at "\n" type "\n" || body), as pos/journal.c
restore "$T/current.db"
sqlite3 "$db" <<'SQL'
DROP TRIGGER entry_no_update;
UPDATE sale SET amount_cents = 1299 WHERE id = 1;
UPDATE entry SET body = replace(body, '"amount_cents":3999', '"amount_cents":1299')
  WHERE type = 'sale_begin' AND json_extract(body, '$.ops[0].row.id') = 1;
SQL
prev=$(printf '0%.0s' $(seq 64))
sqlite3 -separator ' ' "$db" "SELECT seq, hex(at), hex(type), hex(body) FROM entry ORDER BY seq" > "$T/entries"
{
  echo "BEGIN;"
  while read -r seq at type body; do
    hash=$({ echo -n "$prev" | xxd -r -p; printf '\n%s\n' "$seq"; echo -n "$at" | xxd -r -p; printf '\n';
             echo -n "$type" | xxd -r -p; printf '\n'; echo -n "$body" | xxd -r -p; } | sha256sum | cut -c1-64)
    echo "UPDATE entry SET prev = X'$prev', hash = X'$hash' WHERE seq = $seq;"
    prev=$hash
  done < "$T/entries"
  echo "COMMIT;"
} > "$T/rebuild.sql"
sqlite3 "$db" < "$T/rebuild.sql"
sqlite3 "$db" "CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;"
expect_eq "$(sqlite3 "$db" "SELECT amount_cents FROM sale WHERE id = 1")" 1299 "the edited sale"
snapshot "$T/rebuilt.db"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: journal entry $(first_unheld) is not the one the issuer saw .*: the chain was rebuilt"

# (3) the issuer stopped: the rebuilt chain passes the local check (the recomputation is
# right), and verify says that is all it could check
kill "$ISSUER_PID"; wait "$ISSUER_PID" 2>/dev/null
expect_exit 0 $POS verify
expect_out "the journal is intact here: its chain and its tables agree"
expect_err "checked locally only: the issuer could not be reached"
expect_exit 1 $POS verify --strict
expect_err "checked locally only: the issuer could not be reached"

# (4) the Z report: the head on the slip, and sent to the issuer at the close
restore "$T/current.db"
issuer_start
expect_exit 0 $POS shift close --counted 219.97
zhead=$(jq -r '"\(.journal_head.seq):\(.journal_head.hash)"' "$T/out")
last=$(local_head)
expect_eq "$zhead" "$(sqlite3 "$db" "SELECT seq || ':' || lower(hex(hash)) FROM entry WHERE seq = ${last%%:*} - 1")" "the Z report's head: the chain before its closing entry"
expect_eq "$(issuer_head)" "$last" "the issuer's head after the close"
expect_exit 0 $POS report --z
expect_jq ".journal_head.seq == ${zhead%%:*} and .journal_head.hash == \"${zhead#*:}\" and .z_number == 1"
# every head that counted is this chain's; the copy rolled back in (1) and sold from left
# anomalies it does not hold: verify names the first
expect_eq "$(first_unheld)" "" "this chain holds every head"
bad=$(first_unheld anomaly)
[ -n "$bad" ] || fail "no anomaly of the rolled-back copy"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: another copy of this journal sent the issuer a head that went back: journal entry $bad is not the one the issuer saw"

# (5) rolled back, then used: the older copy sells until its head is above every head the
# issuer saw, which makes it the issuer's latest; the chain holds that one (all a check of
# the latest head could see), not the earlier ones
# used_past_latest COPY WHAT: put COPY back and sell from it until its head passes the
# issuer's latest; then the chain holds that head, and $first is the first it lacks
used_past_latest() {
  restore "$1"
  local latest
  latest=$(issuer_head)
  sell_past "${latest%%:*}"
  [ "$(issuer_head | cut -d: -f1)" -gt "${latest%%:*}" ] || fail "the $2's head did not pass the issuer's latest"
  expect_eq "$(held "$(issuer_head)")" 1 "the chain holds the issuer's latest head, now the $2's"
  first=$(first_unheld)
  [ -n "$first" ] || fail "the issuer saw no head the $2 lacks"
}
used_past_latest "$T/older.db" "rolled-back copy"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: journal entry $first is not the one the issuer saw .*: the chain was rebuilt, or an older copy restored and written to since"

# (6) rebuilt, then used: the chain recomputed in (2) sells until its head is the latest
used_past_latest "$T/rebuilt.db" "rebuilt chain"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: journal entry $first is not the one the issuer saw .*: the chain was rebuilt"
finish
