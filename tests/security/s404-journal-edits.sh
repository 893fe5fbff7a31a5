#!/usr/bin/env bash
# s404: the journal proves itself. A real journal (cashiers added with a manager's approval,
# sales in cash and by card, a void, a Z report, a cashier locked after wrong PINs, the
# catalog, a reversal waiting in the outbox) is copied, and on each copy one edit is made
# with sqlite3, as someone with the file would: the edits an outside review made unseen
# (a cashier's role raised to manager, a manager's PIN hash swapped for a cashier's, a
# sale's tender from cash to card, a sale marked training, the shift's float, counted cash
# and cashier, outbox rows deleted), then every table and money column, inserted and
# deleted rows, an edited entry body, an edited entry hash, a deleted entry. `reup-pos
# verify` must exit 1 and name the table, row and column (or the entry). Then authority:
# adding a cashier, changing a role or a PIN need a manager's PIN (a cashier's is refused),
# and every such change is an entry that verify replays.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/../cli/pos-lib.sh"

$POS cashier add --id 1001 --name "Maria Jensen" --role manager --pin - <<< 4321 >/dev/null
for c in 2002:1111 3003:3333; do
  expect_exit 0 $POS cashier add --id "${c%:*}" --name "Cashier ${c%:*}" --role cashier --manager 1001 \
    --manager-pin - --pin - <<< $'4321\n'"${c#*:}"
done
expect_exit 0 $POS shift open --cashier 2002 --pin - --float 100 <<< 1111
expect_exit 0 $POS sell --serial "$(serial_n 1)" --cash 50        # sale 1: cash
expect_exit 0 $POS sell --serial "$(serial_n 2)" --card           # sale 2: card
expect_exit 0 $POS void 2 --manager 1001 --pin - <<< 4321         # voided
expect_exit 0 $POS shift close --counted 140                      # Z report 1, shift 1
expect_exit 0 $POS shift open --cashier 2002 --pin - --float 50 <<< 1111
expect_exit 0 $POS sell --serial "$(serial_n 4)" --cash 40        # sale 3
kill -KILL "$ISSUER_PID"; wait "$ISSUER_PID" 2>/dev/null
$POS void 3 --manager 1001 --pin - <<< 4321 >/dev/null 2>&1      # the void waits in the outbox
for _ in 1 2 3 4 5; do $POS shift open --cashier 3003 --pin - --float 1 <<< 0000 >/dev/null 2>&1; done
expect_exit 6 $POS shift open --cashier 3003 --pin - --float 1 <<< 3333
expect_exit 0 $POS verify
expect_out "the journal is intact"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM outbox WHERE done_at IS NULL AND kind = 'void'")" 1 "the void waiting"
expect_eq "$(sqlite3 "$T/pos.db" "SELECT count(*) FROM catalog")" 2 "the catalog's plans"

rm -f "$T/base.db"
sqlite3 "$T/pos.db" "VACUUM INTO '$T/base.db'"
# edited SQL WORDS: on a fresh copy of the journal, SQL is not seen by verify unless it
# exits 1 naming WORDS
edited() {
  rm -f "$T/pos.db" "$T/pos.db-wal" "$T/pos.db-shm"
  cp "$T/base.db" "$T/pos.db"
  chmod 600 "$T/pos.db"
  sqlite3 "$T/pos.db" "$1" || fail "the edit failed: $1"
  expect_exit 1 $POS verify
  expect_err "$2"
}
# what an outside review changed unseen
edited "UPDATE cashier SET role = 'manager' WHERE id = '2002'" "table cashier, row 2002, column role: journal says cashier, table says manager"
edited "UPDATE cashier SET (pin_salt, pin_hash) = (SELECT pin_salt, pin_hash FROM cashier WHERE id = '2002') WHERE id = '1001'" "table cashier, row 1001, column pin_salt"
edited "UPDATE cashier SET pin_hash = (SELECT pin_hash FROM cashier WHERE id = '2002') WHERE id = '1001'" "table cashier, row 1001, column pin_hash"
edited "UPDATE sale SET tender = 'card' WHERE id = 1" "table sale, row 1, column tender: journal says cash, table says card"
edited "UPDATE sale SET training = 1 WHERE id = 1" "table sale, row 1, column training"
edited "UPDATE shift SET float_cents = 0 WHERE id = 1" "table shift, row 1, column float_cents"
edited "UPDATE shift SET counted_cents = 10000 WHERE id = 1" "table shift, row 1, column counted_cents"
edited "UPDATE shift SET cashier = '1001' WHERE id = 2" "table shift, row 2, column cashier"
edited "DELETE FROM outbox WHERE done_at IS NULL" "outbox item [0-9]* is in the journal but not in the outbox table: deleted \\(table outbox, row"
# every table, every money column, rows added and removed
edited "UPDATE sale SET amount_cents = 1 WHERE id = 3" "sale 3 has another amount than the journal: edited \\(table sale, row 3, column amount_cents"
edited "UPDATE sale SET cash_cents = 4000 WHERE id = 1" "table sale, row 1, column cash_cents"
edited "UPDATE sale SET change_cents = 0 WHERE id = 1" "table sale, row 1, column change_cents"
edited "UPDATE sale SET state = 'approved' WHERE id = 3" "table sale, row 3, column state: journal says void_pending, table says approved"
edited "UPDATE sale SET serial = '$(serial_n 9)' WHERE id = 3" "table sale, row 3, column serial"
edited "UPDATE sale SET currency = 'EUR' WHERE id = 1" "table sale, row 1, column currency"
edited "UPDATE shift SET training = 1 WHERE id = 2" "table shift, row 2, column training"
edited "UPDATE shift SET closed_at = '2030-01-01T00:00:00Z' WHERE id = 1" "table shift, row 1, column closed_at"
edited "UPDATE shift SET z_number = 7 WHERE id = 1" "table shift, row 1, column z_number"
edited "UPDATE catalog SET price_cents = 1 WHERE code = '1y'" "table catalog, row 1y, column price_cents"
edited "DELETE FROM catalog WHERE code = '3m'" "plan 3m is in the journal but not in the catalog table: deleted"
edited "INSERT INTO catalog VALUES ('free', 12, 0, 'USD', '2026-01-01T00:00:00Z')" "plan free is not in the journal: added behind its back \\(table catalog, row free\\)"
edited "UPDATE outbox SET done_at = '2026-01-01T00:00:00Z' WHERE done_at IS NULL" "table outbox, row [0-9]*, column done_at"
edited "UPDATE outbox SET next_at = 4102444800 WHERE done_at IS NULL" "table outbox, row [0-9]*, column next_at"
edited "UPDATE cashier SET failed_pins = 0, locked_until = NULL WHERE id = '3003'" "table cashier, row 3003, column failed_pins"
edited "UPDATE cashier SET name = 'Someone Else' WHERE id = '2002'" "table cashier, row 2002, column name"
edited "INSERT INTO cashier SELECT '9999', 'Mallory', 'manager', pin_salt, pin_hash, created_at, 0, NULL FROM cashier WHERE id = '2002'" "cashier 9999 is not in the journal: added behind its back \\(table cashier, row 9999\\)"
edited "DROP TRIGGER sale_no_delete; DELETE FROM sale WHERE id = 3" "sale 3 is in the journal but not in the sales table: deleted \\(table sale, row 3\\)"
edited "INSERT INTO sale SELECT 9, 'x', shift, kind, serial, plan, 1, currency, tender, 1, 0, 'approved', auth_code, message, 0, created_at, changed_at FROM sale WHERE id = 1" "sale 9 is not in the journal: added behind its back \\(table sale, row 9\\)"
edited "DROP TRIGGER zreport_no_update; UPDATE zreport SET body = replace(body, '140', '100')" "Z report 1 does not match its shift's closing entry: edited \\(table zreport, row 1, column body"
edited "DROP TRIGGER zreport_no_delete; DELETE FROM zreport" "Z report 1 is in the journal but not in the Z reports table: deleted"
# the entries themselves
first_sale=$(sqlite3 "$T/base.db" "SELECT min(seq) FROM entry WHERE type = 'sale_begin'")
edited "DROP TRIGGER entry_no_update; UPDATE entry SET body = replace(body, '\"cash\"', '\"card\"') WHERE seq = $first_sale" "journal entry $first_sale \\(sale_begin\\) was changed after it was written"
edited "DROP TRIGGER entry_no_update; UPDATE entry SET hash = zeroblob(32) WHERE seq = 3" "journal entry 3 \\(cashier_add\\) was changed after it was written"
edited "DROP TRIGGER entry_no_delete; DELETE FROM entry WHERE seq = $first_sale" "journal entry $first_sale is missing"
edited "DROP TRIGGER entry_no_delete; DELETE FROM entry WHERE seq = (SELECT max(seq) FROM entry)" "cashier 3003 has another count of wrong PINs or lock than the journal: edited \\(table cashier, row 3003, column failed_pins"

# authority: every change of a cashier needs a manager, and is an entry verify replays
rm -f "$T/pos.db" "$T/pos.db-wal" "$T/pos.db-shm"
cp "$T/base.db" "$T/pos.db"
chmod 600 "$T/pos.db"
expect_exit 2 $POS cashier add --id 4004 --name Eve --role manager --pin - <<< 4444
expect_err "a manager's approval is needed: give --manager ID"
expect_exit 2 $POS cashier add --id 4004 --name Eve --role manager --manager 2002 --manager-pin - --pin - <<< $'1111\n4444'
expect_err "cashier 2002 is not a manager"
expect_exit 6 $POS cashier add --id 4004 --name Eve --role manager --manager 1001 --manager-pin - --pin - <<< $'1234\n4444'
expect_exit 2 $POS cashier role 2002 manager --manager 2002 --pin - <<< 1111
expect_exit 2 $POS cashier role 2002 manager
expect_err "give --manager ID"
expect_exit 2 $POS cashier pin 1001 --manager 2002 --manager-pin - --pin - <<< $'1111\n5555'
expect_eq "$(sqlite3 "$T/pos.db" "SELECT group_concat(id || role) FROM cashier WHERE id IN ('2002', '4004')")" "2002cashier" "nothing changed by the refused commands"
expect_exit 0 $POS cashier role 2002 manager --manager 1001 --pin - <<< 4321
expect_out "cashier 2002 is now a manager, approved by manager 1001"
expect_exit 0 $POS cashier pin 3003 --manager 1001 --manager-pin - --pin - <<< $'4321\n3456'
expect_exit 0 $POS cashier unlock 3003 --manager 2002 --pin - <<< 1111
expect_exit 0 $POS cashier add --id 4004 --name Eve --role cashier --manager 2002 --manager-pin - --pin - <<< $'1111\n4444'
expect_exit 0 $POS shift close --counted 40
expect_exit 0 $POS shift open --cashier 3003 --pin - --float 1 <<< 3456
expect_exit 0 $POS verify
expect_eq "$(sqlite3 "$T/pos.db" "SELECT group_concat(type, ' ') FROM (SELECT type FROM entry WHERE type IN ('cashier_role', 'cashier_pin', 'cashier_unlock', 'cashier_add') AND body LIKE '%\"by\":%' ORDER BY seq)")" \
  "cashier_add cashier_add cashier_role cashier_pin cashier_unlock cashier_add" "approved changes in the chain"
finish
