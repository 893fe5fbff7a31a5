#!/usr/bin/env bash
# s201: reup-print given hostile files. A card template with invalid UTF-8 (a stray
# byte, a cut sequence, an overlong form, a surrogate) is refused with exit 4 naming the
# file and line, before anything is drawn: no Pango warning, no output file. A batch
# "file" that is not a regular file (/dev/zero, which never ends; a FIFO without a
# writer, which would block; a folder) is refused with exit 2 at once, instead of
# spinning, with nothing written and nothing left in the print ledger.
. "$(dirname "$0")/../cli/lib.sh"
I=${REUP_ISSUER:?}
P=${REUP_PRINT:?}
S=$T/state
export TMPDIR=$T/tmp REUP_PRINT_LEDGER=$T/ledger.db
mkdir -p "$TMPDIR"
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" batch create --dir "$S" --plan 1y --count 2 --out "$T/b.csv" >/dev/null
serial=$(sed -n 2p "$T/b.csv" | cut -d, -f1)
pin=$(sed -n 2p "$T/b.csv" | cut -d, -f2)
expect_none() { checks=$((checks + 1)); [ ! -e "$1" ] || fail "$2: '$1' was written"; }
expect_no_pango() { checks=$((checks + 1)); ! grep -q -i pango "$T/err" || fail "Pango warned: $(head -c 300 "$T/err")"; }

n=0
for bytes in 'Re\xffUp' 'Caf\xc3' '\xc0\xaf' '\xed\xa0\x80' '\xf4\x90\x80\x80'; do
  n=$((n + 1))
  printf "# a template\n[card]\nbrand = $bytes\n" > "$T/bad$n.ini"
  expect_exit 4 "$P" card --serial "$serial" --pin - --plan 1y --template "$T/bad$n.ini" --out "$T/c$n.pdf" <<< "$pin"
  expect_err "bad$n\\.ini: line 3: brand is not valid UTF-8"
  expect_no_pango
  expect_none "$T/c$n.pdf" "a card from a template with invalid UTF-8"
  expect_exit 4 "$P" batch "$T/b.csv" --layout cr80 --template "$T/bad$n.ini" --out "$T/s$n.pdf"
  expect_err "line 3: brand is not valid UTF-8"
  expect_none "$T/s$n.pdf" "a batch from a template with invalid UTF-8"
done

mkfifo "$T/fifo"
mkdir "$T/folder"
for f in /dev/zero "$T/fifo" "$T/folder"; do
  start=$(date +%s)
  expect_exit 2 timeout 20 "$P" batch "$f" --layout cr80 --out "$T/z.pdf"
  expect_err "the batch file '$f' is not a regular file"
  checks=$((checks + 1))
  [ $(($(date +%s) - start)) -le 5 ] || fail "refusing '$f' took over 5 s"
  expect_none "$T/z.pdf" "a sheet from '$f'"
done
checks=$((checks + 1))
[ ! -e "$T/ledger.db" ] || [ "$(sqlite3 "$T/ledger.db" 'select count(*) from card')" = 0 ] ||
  fail "the print ledger recorded cards of a refused run"
finish
