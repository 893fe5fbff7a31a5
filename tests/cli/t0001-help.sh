#!/usr/bin/env bash
# t0001: the four programs' --help against their sources and docs/exit-codes.md.
# Covers: every command of each program's dispatch table (the commands[] of its main.c)
# is named in its --help; every exit-code line of each --help (reup-locate's import and
# serve too) has the words of docs/exit-codes.md for its number, and lists the codes the
# table "which program uses which" gives that program; common/exitcode.h gives each
# EXIT_HELP_ line the number of its enum constant and the words of the docs.
. "$(dirname "$0")/lib.sh"
SRC=${REUP_SOURCE_DIR:?}
DOC=$SRC/docs/exit-codes.md

# the words of code N in the docs' table: "| N | words | ... |"
doc_words() { sed -n "s/^| $1 | \([^|]*[^ |]\) |.*/\1/p" "$DOC"; }

# check_help NAME CODES CMD...: CMD's --help (stdout, exit 0) lists exactly CODES, each
# in the docs' words
check_help() {
  local name=$1 want=$2; shift 2
  expect_exit 0 "$@"
  expect_out 'Exit codes \(the same in every reup program, docs/exit-codes.md\):'
  local got="" code words
  while IFS= read -r line; do
    code=${line:2:1} words=${line:5}
    got="$got $code"
    checks=$((checks + 1))
    [ "$words" = "$(doc_words "$code")" ] || fail "$name --help says '$code  $words', docs/exit-codes.md '$(doc_words "$code")'"
  done < <(grep -E '^  [0-9]  ' "$T/out")
  checks=$((checks + 1))
  [ "${got# }" = "$want" ] || fail "$name --help lists exit codes '${got# }', wanted '$want'"
}

# the codes docs/exit-codes.md gives PROGRAM: "| `reup-x` ... | 0 1 2 |"
doc_codes() { sed -n "s/^| \`$1\`[^|]* | \([0-9 ]*[0-9]\) |$/\1/p" "$DOC"; }
for p in reup-locate reup-issuer reup-print reup-pos; do
  checks=$((checks + 1)); [ -n "$(doc_codes $p)" ] || fail "docs/exit-codes.md does not say which codes $p uses"
done
check_help reup-locate "$(doc_codes reup-locate)" "$REUP_LOCATE" --help
sub=$(sed -n 's/^`reup-locate import` and `reup-locate serve` use \([0-9 ]*[0-9]\)\.$/\1/p' "$DOC")
checks=$((checks + 1)); [ -n "$sub" ] || fail "docs/exit-codes.md does not say which codes import and serve use"
check_help "reup-locate import" "$sub" "$REUP_LOCATE" import --help
check_help "reup-locate serve" "$sub" "$REUP_LOCATE" serve --help
check_help reup-issuer "$(doc_codes reup-issuer)" "$REUP_ISSUER" --help
check_help reup-print "$(doc_codes reup-print)" "$REUP_PRINT" --help
check_help reup-pos "$(doc_codes reup-pos)" "$REUP_POS" --help

# every code of the docs' table, from 0 up without a gap, is in common/exitcode.h: the enum
# constant and its --help line carry the same number, the line the docs' words
n=0
while [ -n "$(doc_words $n)" ]; do
  line=$(grep -E "^#define EXIT_HELP_[A-Z_]+ +\"  $n  " "$SRC/common/exitcode.h")
  checks=$((checks + 1))
  [ "$(echo "$line" | sed 's/.*"  [0-9]  \(.*\)\\n"$/\1/')" = "$(doc_words $n)" ] ||
    fail "common/exitcode.h's line for $n is '$line', docs/exit-codes.md says '$(doc_words $n)'"
  constant=$(echo "$line" | sed 's/^#define EXIT_HELP_\([A-Z_]*\) .*/EXIT_\1/')
  checks=$((checks + 1))
  grep -Eq "^ +$constant = $n," "$SRC/common/exitcode.h" || fail "$constant is not $n in common/exitcode.h"
  n=$((n + 1))
done
# the contract's table: 0 to 7, and no more in the header than in the docs
checks=$((checks + 1)); [ "$n" -eq 8 ] || fail "docs/exit-codes.md's table has $n codes, the contract 8 (0-7)"
checks=$((checks + 1))
[ "$(grep -cE '^ +EXIT_[A-Z_]+ = [0-9]+,' "$SRC/common/exitcode.h")" -eq 8 ] ||
  fail "common/exitcode.h has other than the 8 codes of docs/exit-codes.md"

# every command of a program's dispatch table is named in its --help: a line that starts
# with the command (after "usage: " and the program's name, when there)
commands_of() {
  sed -n '/commands\[\] = {/,/};/p' "$SRC/$1" | grep -oE '\{"[a-z-]+", (NULL|"[a-z-]+")?' |
    sed -E 's/\{"([a-z-]+)", ?(NULL|"([a-z-]+)")?/\1 \3/; s/ $//'
}
check_commands() {
  local prog=$1 src=$2 count=0
  run "$prog" --help
  while IFS= read -r c; do
    count=$((count + 1)) checks=$((checks + 1))
    grep -Eq "^ *(usage: )?($(basename "$prog") )?$c( |$)" "$T/out" || fail "$(basename "$prog") --help does not name '$c'"
  done < <(commands_of "$src")
  checks=$((checks + 1)); [ "$count" -gt 0 ] || fail "no commands[] table found in $src"
}
check_commands "$REUP_LOCATE" locator/main.c
check_commands "$REUP_ISSUER" issuer/main.c
check_commands "$REUP_PRINT" printing/main.c
check_commands "$REUP_POS" pos/main.c

finish
