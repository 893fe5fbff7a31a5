#!/usr/bin/env bash
# t0006: each program's man page against its --help.
# Covers: every option (--long-name, -k) that a program's --help shows, or the --help of
# any command it names, appears in its man page; every command it names is in the
# page's SYNOPSIS as "program command"; every exit code of an "Exit codes" block of
# those helps is in the page's EXIT STATUS with the help's words. The options and
# commands are read from the help texts, not listed here, so a new option or command
# without its man page fails. Each check is shown to fail on a page missing one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/man-lib.sh"

check_program() {
  local prog=$1 page=$2 name out
  name=$(basename "$prog")
  checks=$((checks + 1))
  help_texts "$prog" >"$T/$name.help" || { fail "$name --help failed"; return; }
  man_text "$MAN_DIR/$page" >"$T/$name.text"
  checks=$((checks + 1))
  [ "$(grep -v '^COMMAND ' "$T/$name.help" | options_in | wc -l)" -gt 3 ] ||
    fail "found too few options in $name's help: $(options_in <"$T/$name.help" | tr '\n' ' ')"
  checks=$((checks + 1))
  out=$(man_missing_options "$T/$name.help" "$T/$name.text") ||
    fail "man/$page lacks options $name's help shows: $(tr '\n' ' ' <<<"$out")"
  checks=$((checks + 1))
  [ "$(grep -c '^COMMAND ' "$T/$name.help")" -gt 0 ] || fail "found no command in $name's help"
  checks=$((checks + 1))
  out=$(man_missing_commands "$name" "$T/$name.help" "$T/$name.text") ||
    fail "man/$page's SYNOPSIS lacks commands $name's help names: $(tr '\n' ' ' <<<"$out")"
  checks=$((checks + 1))
  grep -q '^Exit codes' "$T/$name.help" || fail "$name --help has no 'Exit codes' block"
  checks=$((checks + 1))
  out=$(man_missing_codes "$T/$name.help" "$T/$name.text") ||
    fail "man/$page's EXIT STATUS lacks (or words otherwise) $name's exit codes: $out"
}

check_program "$REUP_LOCATE" reup-locate.1
check_program "$REUP_ISSUER" reup-issuer.8
check_program "$REUP_PRINT" reup-print.1
check_program "$REUP_POS" reup-pos.1

# the subcommands' helps were read: their own options are among those checked
for o in --tiles-attribution --all-features --dpi --job-size --on-demand --manager-pin; do
  checks=$((checks + 1))
  cat "$T"/*.help | options_in | grep -qx -- "$o" || fail "$o was not found in any help text"
done

# the commands were read from the helps: some of each program's are among them
for c in "reup-locate serve" "reup-issuer plan add" "reup-print batch" "reup-pos cashier unlock"; do
  checks=$((checks + 1))
  grep -qx "COMMAND ${c#* }" "$T/${c%% *}.help" || fail "'$c' was not found as a command in its help"
done

# each check fails on a page that lacks what it checks
sed '/dpi/d' "$MAN_DIR/reup-print.1" >"$T/no-dpi.1"
man_text "$T/no-dpi.1" >"$T/no-dpi.text"
checks=$((checks + 1))
out=$(man_missing_options "$T/reup-print.help" "$T/no-dpi.text") && fail "a page without --dpi passed"
expect_eq "$out" "--dpi" "options missing from a page without --dpi"
sed '/^\.B reup-print batch$/d' "$MAN_DIR/reup-print.1" >"$T/no-batch.1"
man_text "$T/no-batch.1" >"$T/no-batch.text"
checks=$((checks + 1))
out=$(man_missing_commands reup-print "$T/reup-print.help" "$T/no-batch.text") &&
  fail "a SYNOPSIS without batch passed"
expect_eq "$out" "batch" "commands missing from a SYNOPSIS without batch"
awk '/^\.SH EXIT STATUS/ { on = 1 } on && $0 == ".B 5" { $0 = ".B 9" } 1' "$MAN_DIR/reup-print.1" >"$T/no-5.1"
man_text "$T/no-5.1" >"$T/no-5.text"
checks=$((checks + 1))
out=$(man_missing_codes "$T/reup-print.help" "$T/no-5.text") && fail "an EXIT STATUS without 5 passed"
expect_eq "$(echo "$out" | awk '{ print $1 }')" 5 "codes missing from an EXIT STATUS without 5"
sed 's/^the other side refused/the far side refused/' "$MAN_DIR/reup-print.1" >"$T/other-6.1"
man_text "$T/other-6.1" >"$T/other-6.text"
checks=$((checks + 1))
out=$(man_missing_codes "$T/reup-print.help" "$T/other-6.text") && fail "an EXIT STATUS with other words for 6 passed"
expect_eq "$(echo "$out" | awk '{ print $1 }')" 6 "codes worded otherwise in an EXIT STATUS"

finish
