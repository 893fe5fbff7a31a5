#!/usr/bin/env bash
# t2001: reup-print renders cards that read back. Covers: one card as PDF (with its back)
# and PNG in English, Danish and Spanish, the PIN from standard input; a 100-card batch
# in each layout (cr80, sheet-letter-10, sheet-a4-10) rasterised at 300 dpi and decoded:
# every QR code is the redemption URL with its card's PIN and every Code 128 its serial,
# exactly the batch file's; page counts, backs, words per language; outputs mode 0600
# and no temporary file left; bad batch rows named by line with nothing written (Luhn,
# Damm, unknown plan, a serial twice, a short row, not a batch file); usage errors,
# template errors and texts that do not fit (exit 4).
. "$(dirname "$0")/lib.sh"
I=${REUP_ISSUER:?}
P=${REUP_PRINT:?}
S=$T/state
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" batch create --dir "$S" --plan 1y --count 100 --out "$T/b.csv" >/dev/null
serial=$(sed -n 2p "$T/b.csv" | cut -d, -f1)
pin=$(sed -n 2p "$T/b.csv" | cut -d, -f2)
url="https://my.example.com/redeem?pin=$pin"
# one zbarimg a page: one run over many pages was seen to miss a symbol it reads alone
decode() { local f; for f in "$@"; do zbarimg -q "$f" 2>/dev/null; done | sort; }

# one card, each language, PDF with its back and PNG
for lang in en da es; do
  expect_exit 0 "$P" card --serial "$serial" --pin "$pin" --plan 1y --lang "$lang" --back --out "$T/c-$lang.pdf"
  expect_eq "$(pdfinfo "$T/c-$lang.pdf" | awk '/^Pages:/ {print $2}')" 2 "pages of a card with its back ($lang)"
  expect_eq "$(stat -c %a "$T/c-$lang.pdf")" 600 "mode of a card PDF"
  pdftoppm -r 300 -png -f 1 -l 1 "$T/c-$lang.pdf" "$T/c-$lang"
  expect_eq "$(decode "$T/c-$lang"-*.png | tr '\n' ' ')" "CODE-128:$serial QR-Code:$url " "codes on the $lang card"
  expect_exit 0 "$P" card --serial "$serial" --pin - --plan 1y --lang "$lang" --png "$T/p-$lang.png" <<< "$pin"
  expect_eq "$(decode "$T/p-$lang.png" | tr '\n' ' ')" "CODE-128:$serial QR-Code:$url " "codes on the $lang PNG"
done
checks=$((checks + 3))
pdftotext "$T/c-en.pdf" - | grep -q "1 year of service" || fail "the English card lacks its plan"
pdftotext "$T/c-da.pdf" - | grep -q "1 års abonnement" || fail "the Danish card lacks its plan"
pdftotext "$T/c-es.pdf" - | grep -q "Introduzca el PIN" || fail "the Spanish card lacks its second step"

# a batch in each layout: every code reads back exactly
tail -n +2 "$T/b.csv" | cut -d, -f1 | sed 's/^/CODE-128:/' > "$T/want"
tail -n +2 "$T/b.csv" | cut -d, -f2 | sed 's|^|QR-Code:https://my.example.com/redeem?pin=|' >> "$T/want"
sort -o "$T/want" "$T/want"
for layout in cr80:100 sheet-letter-10:10 sheet-a4-10:10; do
  name=${layout%%:*} pages=${layout##*:}
  expect_exit 0 "$P" batch "$T/b.csv" --layout "$name" --out "$T/$name.pdf"
  expect_out "wrote 100 cards of batch B000001 on $pages pages"
  expect_eq "$(pdfinfo "$T/$name.pdf" | awk '/^Pages:/ {print $2}')" "$pages" "pages of $name"
  mkdir -p "$T/r-$name"
  if [ "$name" = cr80 ]; then
    pdftoppm -r 300 -png "$T/$name.pdf" "$T/r-$name/p"
  else
    # each card on its own, at 300 dpi: zbar was seen to miss one of ten QR codes on a
    # whole page at 300 dpi that it reads at 200 or 400 dpi and in the card alone
    pw=$([ "$name" = sheet-a4-10 ] && echo 210 || echo 215.9)
    ph=$([ "$name" = sheet-a4-10 ] && echo 297 || echo 279.4)
    for page in $(seq 1 "$pages"); do
      for slot in $(seq 0 9); do
        read -r x y w h < <(awk -v pw="$pw" -v ph="$ph" -v s="$slot" 'BEGIN {
          x0 = (pw - 171.2) / 2; y0 = (ph - 270) / 2; d = 300 / 25.4
          printf "%d %d %d %d\n", (x0 + (s % 2) * 85.6) * d, (y0 + int(s / 2) * 54) * d, 85.6 * d + 1, 54 * d + 1 }')
        pdftoppm -r 300 -png -f "$page" -l "$page" -x "$x" -y "$y" -W "$w" -H "$h" "$T/$name.pdf" "$T/r-$name/p$page-$slot"
      done
    done
  fi
  decode "$T/r-$name"/*.png > "$T/got-$name"
  checks=$((checks + 1))
  diff -q "$T/want" "$T/got-$name" >/dev/null ||
    fail "$name: decoded codes differ from the batch file: $(diff "$T/want" "$T/got-$name" | head -5)"
  rm -rf "$T/r-$name"
done
# backs on a sheet: a page of backs after each page of fronts, without codes
printf '[card]\nback = yes\n' > "$T/back.ini"
expect_exit 0 "$P" batch "$T/b.csv" --layout sheet-a4-10 --template "$T/back.ini" --out "$T/backs.pdf"
expect_eq "$(pdfinfo "$T/backs.pdf" | awk '/^Pages:/ {print $2}')" 20 "pages of fronts and backs"
pdftoppm -r 150 -png -f 2 -l 2 "$T/backs.pdf" "$T/back"
expect_eq "$(decode "$T"/back-*.png | wc -l)" 0 "codes on a page of backs"
checks=$((checks + 1))
pdftotext -f 2 -l 2 "$T/backs.pdf" - | grep -q "How to renew" || fail "the back lacks its title"

# bad rows: every one named, nothing written
bad=$T/bad.csv
{
  head -3 "$T/b.csv"
  sed -n 4p "$T/b.csv" | sed 's/^\(.\{15\}\)\(.\)/\1X/' | tr X 0            # serial: a digit changed
  sed -n 5p "$T/b.csv" | awk -F, '{ d = substr($2, 16, 1); $2 = substr($2, 1, 15) (d + 1) % 10; print }' OFS=,
  sed -n 6p "$T/b.csv" | sed 's/,1y,/,5y,/'
  sed -n 2p "$T/b.csv"
  echo "4242000000000018,123"
} > "$bad"
# the changed serial digit must really break its Luhn digit for the test to mean something
[ "$(sed -n 4p "$bad" | cut -c1-16)" != "$(sed -n 4p "$T/b.csv" | cut -c1-16)" ] || sed -i '4s/^\(.\{14\}\)./\19/' "$bad"
expect_exit 2 "$P" batch "$bad" --layout cr80 --out "$T/bad.pdf"
expect_err "bad.csv:4: the serial's check digit \(Luhn\) is wrong"
expect_err "bad.csv:5: the PIN's check digit \(Damm\) is wrong"
expect_err "bad.csv:6: the plan '5y' is not in the card template"
expect_err "bad.csv:7: serial $serial appears twice"
expect_err "bad.csv:8: fewer than 4 fields"
expect_err "5 bad lines in .*nothing was printed"
checks=$((checks + 1)); [ ! -e "$T/bad.pdf" ] || fail "a PDF was written for a bad batch"
printf 'hello\n' > "$T/notbatch.csv"
expect_exit 2 "$P" batch "$T/notbatch.csv" --layout cr80 --out "$T/x.pdf"
expect_err "notbatch.csv:1: the first line must be 'serial,pin,plan,batch'"
expect_exit 2 "$P" batch "$T/missing.csv" --layout cr80 --out "$T/x.pdf"
expect_err "cannot open the batch file"

# usage and template errors
expect_exit 2 "$P" batch "$T/b.csv" --out "$T/x.pdf"
expect_exit 2 "$P" batch "$T/b.csv" --layout sheet-b5 --out "$T/x.pdf"
expect_err "not one of cr80, sheet-letter-10, sheet-a4-10"
expect_exit 2 "$P" batch "$T/b.csv" --layout cr80 --out "$T/x.pdf" --printer q
expect_exit 2 "$P" batch "$T/b.csv" --layout cr80 --out "$T/x.pdf" --resume
expect_exit 2 "$P" card --serial 4242000000000019 --pin "$pin" --plan 1y --out "$T/x.pdf"
expect_err "the serial '4242000000000019' is wrong"
expect_exit 2 "$P" card --serial "$serial" --pin 1234567890123456 --plan 1y --out "$T/x.pdf"
expect_err "the PIN is wrong"
expect_exit 2 "$P" card --serial "$serial" --pin "$pin" --plan 9y --out "$T/x.pdf"
expect_exit 2 "$P" card --serial "$serial" --pin "$pin" --plan 1y --lang fr --out "$T/x.pdf"
expect_exit 2 "$P" frobnicate
expect_exit 0 "$P" --help
expect_out "Exit codes"
printf '[card]\nlanguage = fr\n' > "$T/bad.ini"
expect_exit 4 "$P" card --serial "$serial" --pin "$pin" --plan 1y --template "$T/bad.ini" --out "$T/x.pdf"
expect_err "bad.ini: line 2: language 'fr'"
printf '[card]\nbrand = Transcontinental Telecommunications Incorporated\n' > "$T/long.ini"
expect_exit 4 "$P" batch "$T/b.csv" --layout cr80 --template "$T/long.ini" --out "$T/x.pdf"
expect_err "the brand text .* does not fit on the card"
checks=$((checks + 1)); [ ! -e "$T/x.pdf" ] || fail "a PDF was written after an error"
checks=$((checks + 1))
[ -z "$(ls -A "$TMPDIR")" ] && [ -z "$(ls "$T" | grep '\.tmp-')" ] || fail "temporary files were left behind: $(ls -A "$TMPDIR" "$T")"
finish
