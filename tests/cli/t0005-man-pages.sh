#!/usr/bin/env bash
# t0005: the six man pages (man/*.[158]) are clean and render.
# Covers: each page is there, with a .TH naming it and its section; `groff -man -ww -z`
# and `man --warnings -E UTF-8 -l` give no warning (LC_ALL=C.UTF-8), nor groff's ascii
# device and man in the C locale; `man -l` renders it with its NAME line ("name - what it
# is"), and lexgrog finds its whatis entry; it has the sections a reader looks for (the
# programs' EXIT STATUS, FILES, EXAMPLES..., the servers' SIGNALS); every Re-Up page it
# names exists. The lint check is shown to fail on pages broken on purpose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/man-lib.sh"

for tool in groff man lexgrog perl; do
  checks=$((checks + 1)); command -v $tool >/dev/null || fail "$tool is not installed (setup.sh installs it)"
done

for page in $MAN_PAGES; do
  f=$MAN_DIR/$page name=${page%.*} section=${page##*.}
  checks=$((checks + 1))
  [ -f "$f" ] || { fail "man/$page is missing"; continue; }
  checks=$((checks + 1))
  upper=$(echo "$name" | tr a-z A-Z)
  grep -Eq "^\.TH $upper $section " "$f" || fail "man/$page: no '.TH $upper $section'"

  checks=$((checks + 1))
  out=$(man_lint "$f") || fail "man/$page is not clean: $out"

  # a terminal without UTF-8 (groff's ascii device) too
  checks=$((checks + 1))
  out=$(LC_ALL=C groff -man -Tascii -ww -z "$f" 2>&1 >/dev/null; LC_ALL=C man --warnings -l "$f" 2>&1 >/dev/null)
  [ -z "$out" ] || fail "man/$page is not clean in the C locale: $out"

  rc=0
  man -l "$f" >"$T/rendered" 2>"$T/rendered.err" || rc=$?
  expect_eq "$rc" 0 "man -l man/$page exit"
  checks=$((checks + 1))
  [ -s "$T/rendered" ] || fail "man -l man/$page printed nothing"
  checks=$((checks + 1))
  grep -A1 -x NAME "$T/rendered" | tail -n 1 | grep -Eq "^ +$name +- +[a-z]" ||
    fail "man -l man/$page: no NAME line '$name - ...': $(grep -A1 -x NAME "$T/rendered" | tail -n 1)"

  # the whatis entry apropos(1) and lintian read
  checks=$((checks + 1))
  lexgrog "$f" 2>&1 | grep -Fq ": \"$name - " || fail "man/$page: lexgrog finds no whatis entry: $(lexgrog "$f" 2>&1)"

  man_text "$f" >"$T/text"
  sections="NAME|SYNOPSIS|DESCRIPTION"
  case $section in
    1 | 8) sections="$sections|COMMANDS|OPTIONS|EXIT STATUS|ENVIRONMENT|FILES|EXAMPLES" ;;
    5) sections="$sections|FILES|EXAMPLES" ;;
  esac
  case $name in reup-locate | reup-issuer) sections="$sections|SIGNALS" ;; esac
  while IFS= read -r s; do
    checks=$((checks + 1))
    grep -qx "$s" "$T/text" || fail "man/$page has no $s section"
  done < <(tr '|' '\n' <<<"$sections|SEE ALSO")

  # SEE ALSO and the text name other Re-Up pages as name(N): each is one of ours
  for ref in $(grep -oE 'reup-[a-z.-]+\([158]\)' "$T/text" | sort -u); do
    checks=$((checks + 1))
    ref_page=$(echo "$ref" | sed -E 's/\(([158])\)$/.\1/')
    [ -f "$MAN_DIR/$ref_page" ] || fail "man/$page names $ref, which is not in man/"
  done
done

# the lint check can fail: a macro that does not exist (groff), a line that cannot be
# broken (man's 80 columns), and a page that is not there
cp "$MAN_DIR/reup-pos.conf.5" "$T/bad-macro.5"
echo ".XYZZY not a macro" >>"$T/bad-macro.5"
checks=$((checks + 1))
! man_lint "$T/bad-macro.5" >/dev/null || fail "man_lint passed a page with an undefined macro"
# each of the two tools sees it by itself
checks=$((checks + 1))
[ -n "$(groff -man -ww -z "$T/bad-macro.5" 2>&1)" ] || fail "groff -ww was silent on an undefined macro"
checks=$((checks + 1))
[ -n "$(man --warnings -E UTF-8 -l "$T/bad-macro.5" 2>&1 >/dev/null)" ] ||
  fail "man --warnings was silent on an undefined macro"
{
  cat "$MAN_DIR/reup-pos.conf.5"
  echo ".SH BROKEN"
  printf 'https://%0100d.example\n' 0
} >"$T/bad-break.5"
checks=$((checks + 1))
groff -man -ww -z "$T/bad-break.5" 2>&1 | grep -q "can't break line" ||
  fail "groff -ww did not warn about a line it cannot break"
checks=$((checks + 1))
! man_lint "$T/bad-break.5" >/dev/null || fail "man_lint passed a page with a line that cannot be broken"
checks=$((checks + 1))
! man_lint "$T/no-such-page.1" >/dev/null 2>&1 || fail "man_lint passed a page that does not exist"

finish
