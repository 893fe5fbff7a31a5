#!/usr/bin/env bash
# s405: the issuer anchors the terminal's journal. Every signed request carries the
# chain's head (ReUp-Journal-Head, signed) and the issuer keeps the latest; `verify` asks
# for it. Attacks, each against a real issuer: (1) restore an older copy of pos.db after
# more sales (rolled back): verify exits 1 naming it; (2) edit a sale's amount in the sale
# row and in its journal entry, then recompute the whole chain's hashes exactly as
# pos/journal.c does, so that the local check passes (shown with the issuer stopped):
# verify still exits 1, the issuer's head not being in the chain; (3) with the issuer
# stopped, verify says it checked locally only (exit 0, warning; exit 1 with --strict);
# (4) the Z report carries the head (the slip is a second anchor) and the close sends it:
# the issuer's head is then the terminal's last entry. A rolled-back terminal that keeps
# selling is not refused, and the issuer keeps its lower head as an anomaly in the audit log.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-lib.sh"
expect_eq() { checks=$((checks + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', wanted '$2'"; }
db=$T/pos.db
snapshot() { sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null && cp "$db" "$1"; }
restore() { cp "$1" "$db" && rm -f "$db-wal" "$db-shm" && chmod 600 "$db"; }
issuer_head() { sqlite3 "$S/issuer.db" "SELECT seq || ':' || hash FROM journal_head WHERE kind = 'head' ORDER BY seq DESC LIMIT 1"; }
local_head() { sqlite3 "$db" "SELECT seq || ':' || lower(hex(hash)) FROM entry ORDER BY seq DESC LIMIT 1"; }

$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321 >/dev/null
$POS shift open --cashier 1001 --pin - --float 100 <<< 4321 >/dev/null
expect_exit 0 $POS sell --serial "$(serial_n 1)" --cash 50
expect_exit 0 $POS sell --serial "$(serial_n 2)" --cash 50
expect_exit 0 $POS verify
expect_out "the journal is intact, and holds the journal head the issuer saw"
snapshot "$T/older.db"
expect_exit 0 $POS sell --serial "$(serial_n 3)" --cash 50
sent=$(issuer_head)
[ -n "$sent" ] || fail "the issuer recorded no journal head"
snapshot "$T/current.db"

# (1) rolled back: an older copy of the journal, intact in itself
restore "$T/older.db"
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: the issuer saw journal entry ${sent%%:*}, but this journal ends at entry [0-9]+: it was rolled back"
# the rolled-back terminal still sells (a sale is never refused for this), and the issuer
# keeps the latest head, with the lower one as an anomaly it can show
expect_exit 0 $POS sell --serial "$(serial_n 4)" --cash 50
expect_eq "$(issuer_head)" "$sent" "the issuer's head after a lower one"
expect_eq "$(sqlite3 "$S/issuer.db" "SELECT count(*) > 0 FROM journal_head WHERE kind = 'anomaly'")" 1 "anomalies kept"
"$I" audit --dir "$S" > "$T/audit.json"
expect_eq "$(jq '[.[] | select(.action == "journal head" and .outcome == "anomaly")] | length > 0' "$T/audit.json")" true "the anomaly in the audit log"
expect_exit 1 $POS verify
expect_err "journal entry ${sent%%:*} is not the one the issuer saw .*: the chain was rebuilt, or an older copy restored and written to since"

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
expect_exit 1 $POS verify
expect_err "the journal is not the one the issuer saw: journal entry ${sent%%:*} is not the one the issuer saw .*: the chain was rebuilt"

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
expect_exit 0 $POS verify
expect_out "holds the journal head the issuer saw"
finish
