#!/usr/bin/env bash
# t3007: reup-issuer's ledger database: init --database, init --upgrade and the schema
# checks of every command.
# Covers: init --database refuses a URI holding a password (user:password@, password=)
# and one that is not postgresql:// or postgres:// (exit 2, pointing to ~/.pgpass),
# leaving nothing behind; init --upgrade takes --dir alone; a version-1 SQLite ledger is
# refused by every command (card show, report, serve: exit 4, "run reup-issuer init --dir
# DIR --upgrade") and left as it was, until init --upgrade brings it to the latest
# ("schema 1 -> 3", then "up to date") and it works again; a ledger of a newer schema is
# refused by every command and by --upgrade (exit 4, "newer"), and left alone; a
# state directory's database file open to others is refused (exit 4, the chmod to run);
# no PostgreSQL server answering (a socket folder that does not exist): init, the
# commands and serve exit 5 naming the host, and init leaves nothing behind.
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
SRC=${REUP_SOURCE_DIR:?}
gone() { checks=$((checks + 1)); [ ! -e "$1" ] || fail "$1 is left behind: $(ls -la "$1" 2>&1 | head -5)"; }

# URIs init refuses before it makes anything
for uri in 'postgresql://reup:secret@localhost/reup' 'postgres://reup:s3cret@db1,db2/reup' \
  'postgresql:///reup?host=/tmp&password=secret' 'postgresql:///reup?password=secret&host=/tmp'; do
  expect_exit 2 "$I" init --dir "$T/p" --database "$uri"
  expect_err 'must not hold a password.*\.pgpass'
  gone "$T/p"
done
for uri in 'mysql://localhost/reup' "$T/other.db" 'postgresql:/reup'; do
  expect_exit 2 "$I" init --dir "$T/p" --database "$uri"
  expect_err 'not a PostgreSQL URI'
  gone "$T/p"
done
expect_exit 2 "$I" init --dir "$T/p" --upgrade --prefix 1
expect_exit 2 "$I" init --upgrade

# a version-1 ledger (request ids global), as an older reup-issuer left it
S=$T/v1
mkdir -m 700 "$S"
head -c 32 /dev/urandom > "$S/issuer.key"
chmod 600 "$S/issuer.key"
sqlite3 "$S/issuer.db" < "$SRC/issuer/schema/sqlite/0001-issuer.sql"
sqlite3 "$S/issuer.db" "INSERT INTO setting VALUES ('prefix', '4242'), ('next_sequence', '1'); PRAGMA user_version = 1"
chmod 600 "$S/issuer.db"
for cmd in "card show 4242000000000018" report; do
  # shellcheck disable=SC2086
  expect_exit 4 "$I" $cmd --dir "$S"
  expect_err "the ledger's schema is version 1, this reup-issuer uses 3: run reup-issuer init --dir $S --upgrade"
done
expect_exit 4 "$I" serve --dir "$S" --listen 127.0.0.1:0
expect_err 'schema is version 1.*--upgrade'
expect_eq "$(sqlite3 "$S/issuer.db" 'PRAGMA user_version')" 1 "schema after refusals"
expect_exit 0 "$I" init --dir "$S" --upgrade
expect_out 'schema 1 -> 3'
expect_eq "$(sqlite3 "$S/issuer.db" 'PRAGMA user_version')" 3 "schema after the upgrade"
expect_exit 0 "$I" init --dir "$S" --upgrade
expect_out 'schema 3, up to date'
expect_exit 0 "$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD
expect_exit 0 "$I" batch create --dir "$S" --plan 1y --count 3 --out "$T/b.csv"
expect_exit 0 "$I" card show "$(sed -n 2p "$T/b.csv" | cut -d, -f1)" --dir "$S"
expect_jq '.status == "issued"'

# a ledger a newer reup-issuer wrote
N=$T/newer
expect_exit 0 "$I" init --dir "$N"
sqlite3 "$N/issuer.db" 'PRAGMA user_version = 99'
for cmd in report audit; do
  expect_exit 4 "$I" $cmd --dir "$N"
  expect_err 'schema is version 99, written by a newer reup-issuer'
done
expect_exit 4 "$I" serve --dir "$N" --listen 127.0.0.1:0
expect_err 'newer'
expect_exit 4 "$I" init --dir "$N" --upgrade
expect_err 'newer'
expect_eq "$(sqlite3 "$N/issuer.db" 'PRAGMA user_version')" 99 "a newer schema left alone"

# no PostgreSQL server answers: exit 5, the message naming the host
NOPG='postgresql:///reup?host=/nonexistent-dir'
expect_exit 5 "$I" init --dir "$T/pg" --database "$NOPG"
expect_err '/nonexistent-dir'
gone "$T/pg"
P=$T/pgdir
mkdir -m 700 "$P"
head -c 32 /dev/urandom > "$P/issuer.key"
echo "$NOPG" > "$P/database"
chmod 600 "$P/issuer.key" "$P/database"
expect_exit 5 "$I" report --dir "$P"
expect_err '/nonexistent-dir'
expect_exit 5 "$I" serve --dir "$P" --listen 127.0.0.1:0
expect_err '/nonexistent-dir'
expect_exit 5 "$I" init --dir "$P" --upgrade
expect_err '/nonexistent-dir'
# the file naming the database is private like the key
chmod 644 "$P/database"
expect_exit 4 "$I" report --dir "$P"
expect_err "chmod 600 '$P/database'"

finish
