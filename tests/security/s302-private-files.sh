#!/usr/bin/env bash
# s302: reup-issuer refuses a state directory whose secrets group or others may open.
# Attacks: the state folder, issuer.db, issuer.db-wal, issuer.db-shm, issuer.key and
# tls/key.pem each made readable by group or others in turn; serve (and a back-office
# command) must refuse to start with exit 4 and a message naming the file and the chmod
# to run, and start again once it is run. Also: init into an existing open folder closes
# it to 0700, and init under umask 000 still writes issuer.db, issuer.key and
# tls/key.pem with mode 0600; files the server and commands create later (-wal, -shm,
# batch files) are 0600 too. On a ledger on PostgreSQL (tests/tools/with-pg.sh) the state
# folder has no issuer.db and no password; the folder, the keys and batch files as above.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/issuer-lib.sh"
mode() { stat -L -c %a "$1"; }
expect_mode() { checks=$((checks + 1)); [ "$(mode "$1")" = "$2" ] || fail "$1 is mode $(mode "$1"), wanted $2"; }

# init into an existing folder anyone may enter, under a umask that takes nothing away
mkdir -m 0777 "$S"
(umask 000 && state_init)
expect_mode "$S" 700
expect_mode "$S/tls" 700
if on_postgres "$S"; then
  checks=$((checks + 1)); [ ! -e "$S/issuer.db" ] || fail "issuer.db made for a ledger on PostgreSQL"
  checks=$((checks + 1)); ! grep -rqiI password "$S" || fail "a password in the state folder: $(grep -rliI password "$S")"
else
  expect_mode "$S/issuer.db" 600
fi
expect_mode "$S/issuer.key" 600
expect_mode "$S/tls/key.pem" 600
(umask 000 && "$I" batch create --dir "$S" --plan 1y --count 2 --out "$T/b2.csv" >/dev/null)
expect_mode "$T/b2.csv" 600

# refused FILE MODE [serve]: with FILE at MODE, serve and (unless the third argument says
# the file is serve's alone) plan add refuse with exit 4, naming the file and the chmod
refused() {
  local file=$1 bad=$2 only=${3:-} good
  [ -e "$file" ] || : >"$file"
  good=$(mode "$file")
  chmod "$bad" "$file"
  # (a server that starts after all is stopped by timeout: the test fails, it does not hang)
  expect_exit 4 timeout 10 "$I" serve --dir "$S" --listen 127.0.0.1:0
  expect_err "'$file' is mode 0?$bad: .*chmod (600|700) '$file'"
  checks=$((checks + 1)); [ ! -s "$T/out" ] || fail "serve started with $file at $bad: $(cat "$T/out")"
  if [ -z "$only" ]; then
    expect_exit 4 "$I" plan add --dir "$S" --code 2y --months 24 --price 6999 --currency USD
    expect_err "'$file' is mode"
  fi
  chmod "$good" "$file"
}
refused "$S" 755
refused "$S" 750
if ! on_postgres "$S"; then
  refused "$S/issuer.db" 644
  refused "$S/issuer.db" 640
fi
refused "$S/issuer.key" 604
refused "$S/tls/key.pem" 640 serve
if ! on_postgres "$S"; then
  refused "$S/issuer.db-wal" 644
  rm -f "$S/issuer.db-wal"
  refused "$S/issuer.db-shm" 660
  rm -f "$S/issuer.db-shm"
fi
# a key elsewhere is checked the same way: through a symbolic link, the file it names
mv "$S/tls/key.pem" "$T/key.pem" && ln -s "$T/key.pem" "$S/tls/key.pem"
refused "$S/tls/key.pem" 644 serve
checks=$((checks + 1)); [ "$(mode "$T/key.pem")" = 600 ] || fail "the key changed mode"

# with everything closed again it serves, and the files SQLite adds while serving are 0600
mask=$(umask); umask 000
serve
umask "$mask"
api T1 POST /v1/activations "$(act 5f0c2a8e-3d4b-4c1a-9e2f-000000000001 "$(serial 0)")"
expect_code 201
if ! on_postgres "$S"; then
  expect_mode "$S/issuer.db-wal" 600
  expect_mode "$S/issuer.db-shm" 600
fi
stop

finish
