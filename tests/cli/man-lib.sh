# shellcheck shell=bash disable=SC2034 # sourced by the tests, which use its variables
# tests/cli/man-lib.sh - the man pages (man/*.[158]) for t0005 and t0006 (sourced after
# lib.sh, not run). Every helper prints what it finds wrong and returns 1, so a test can
# run it on a page broken on purpose and expect it to fail.
MAN_DIR=${REUP_SOURCE_DIR:?}/man
# the six pages: one per program, one per file format
MAN_PAGES="reup-locate.1 reup-print.1 reup-pos.1 reup-issuer.8 reup-pos.conf.5 reup-card-template.5"
export LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat MANWIDTH=80

# man_lint PAGE: groff's and man's warnings, all of them; prints them, 1 when there are any
man_lint() {
  local page=$1 bad=0
  LC_ALL=C.UTF-8 groff -man -ww -z "$page" >/dev/null 2>"$T/lint.err" || bad=1
  [ ! -s "$T/lint.err" ] || bad=1
  LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" >/dev/null 2>>"$T/lint.err" || bad=1
  [ ! -s "$T/lint.err" ] || bad=1
  cat "$T/lint.err"
  return $bad
}

# man_text PAGE: the page as plain text, each paragraph on one line (no wrapping, so no
# hyphenation breaks an option in two)
man_text() { groff -man -Tascii -rLL=20000n -P-cbou "$1" 2>/dev/null; }

# man_section NAME < TEXT: the lines of one section of man_text's output
man_section() { awk -v s="$1" '$0 == s { on = 1; next } on && /^[A-Z]/ { exit } on'; }

# options_in < TEXT: every option a text names (--long-name, or -k: one letter), once each;
# -wal, -shm and the minus of -109.2 are not options
options_in() {
  perl -ne 'print "$1\n" while /(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9]|-[A-Za-z])(?![\w-])/g' | sort -u
}

# help_texts PROG: PROG --help, then the --help of every command its help names (the word
# after "PROG " that starts a usage line, or the word that starts an indented line, and
# the word after it), to standard output, then the commands as "COMMAND name" lines.
# The commands run where no configuration, state directory or print server is found, so
# that one that took --help for something else could do nothing.
help_texts() {
  local prog=$1 name cmds c out rc pre
  name=$(basename "$prog")
  "$prog" --help >"$T/help.main" || return 1
  cat "$T/help.main"
  cmds=$(
    {
      grep -oE "^(usage:)? +$name [a-z][a-z-]*( [a-z][a-z-]*)?" "$T/help.main" | sed "s/.*$name //"
      grep -oE '^  [a-z][a-z-]*( [a-z][a-z-]*)?' "$T/help.main" | sed 's/^  //'
    } | awk '{ print $1; if (NF > 1) print $1 " " $2 }' | sort -u
  )
  mkdir -p "$T/nowhere"
  pre=()
  [ "$name" != reup-pos ] || pre=(--config "$T/nowhere/pos.conf")
  while IFS= read -r c; do
    [ -n "$c" ] || continue
    rc=0
    # shellcheck disable=SC2086 # c is one or two words
    out=$(cd "$T/nowhere" && HOME="$T/nowhere" XDG_CONFIG_HOME="$T/nowhere" XDG_STATE_HOME="$T/nowhere" \
      REUP_ISSUER_DIR="$T/nowhere/issuer" REUP_PRINT_LEDGER="$T/nowhere/ledger.db" CUPS_SERVER=127.0.0.1:9 \
      timeout 20 "$prog" "${pre[@]}" $c --help </dev/null 2>&1) || rc=$?
    [ "$rc" -ne 124 ] || { echo "$name $c --help did not end in 20 s" >&2; return 1; }
    case $out in *usage:*) printf '%s\n' "$out" ;; esac
  done <<<"$cmds"
  printf '%s\n' "$cmds" | sed 's/^/COMMAND /'
}

# man_missing_options HELP TEXT: the options HELP names that TEXT does not; 1 when any
man_missing_options() {
  local missing
  missing=$(comm -23 <(grep -v '^COMMAND ' "$1" | options_in) <(options_in <"$2"))
  [ -z "$missing" ] || { echo "$missing"; return 1; }
}

# man_missing_commands PROG HELP TEXT: the commands HELP names (its COMMAND lines) that
# the page's SYNOPSIS does not show as "PROG command"; 1 when any
man_missing_commands() {
  local prog=$1 c bad=0 synopsis
  synopsis=$(man_section SYNOPSIS <"$3" | tr -s ' \n' '  ')
  while IFS= read -r c; do
    case " $synopsis " in *" $prog $c "* | *" $prog $c"[[:space:]]*) ;; *) echo "$c"; bad=1 ;; esac
  done < <(sed -n 's/^COMMAND //p' "$2")
  return $bad
}

# man_missing_codes HELP TEXT: every line "  N  words" of an "Exit codes" block of HELP
# that the page's EXIT STATUS does not give as the tag N over a text starting with those
# words; 1 when any
man_missing_codes() {
  local missing
  missing=$(awk '/^Exit codes/ { on = 1; next } on && /^  [0-9]+  / { print; next } { on = 0 }' "$1" | sort -u |
    STATUS=$(man_section "EXIT STATUS" <"$2") awk '
      BEGIN { n = split(ENVIRON["STATUS"], line, "\n") }
      {
        code = $1; words = $0; sub(/^ *[0-9]+ +/, "", words); found = 0
        for (i = 1; i <= n; i++) {
          l = line[i]; sub(/^ +/, "", l)
          if (l !~ /^[0-9]+ /) continue
          tag = l; sub(/ .*/, "", tag); text = l; sub(/^[0-9]+ +/, "", text)
          if (tag == code && index(text, words) == 1) found = 1
        }
        if (!found) print
      }')
  [ -z "$missing" ] || { echo "$missing"; return 1; }
}
