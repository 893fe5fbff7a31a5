#!/usr/bin/env bash
# t0007: the systemd units in packaging/systemd and their environment files in
# packaging/etc (docs/services.md).
# Covers: `systemd-analyze verify` of each unit, with ExecStart pointed at the programs
# just built (no warning, no error); the settings the packages rely on (user, state and
# configuration directories, Type=notify, the environment file and its variable,
# ExecStart, ExecReload for the locator); the exposure score of `systemd-analyze security
# --offline=true` at most 2.0 for each; every option the environment files mention is
# one serve takes. That these checks can fail: a misspelled setting and a missing
# program are caught by verify, a unit without its hardening by the score.
. "$(dirname "$0")/lib.sh"
U=$REUP_SOURCE_DIR/packaging/systemd
E=$REUP_SOURCE_DIR/packaging/etc
command -v systemd-analyze >/dev/null ||
  { fail "systemd-analyze is missing: ./setup.sh installs it (package systemd)"; finish; exit 1; }
mkdir -p "$T/units"

# verify_unit FILE: systemd-analyze verify without the man pages (installed by the
# packages, not in the build tree); its output in $T/verify, exit code in $rc
verify_unit() {
  rc=0
  systemd-analyze verify --man=no "$1" >"$T/verify" 2>&1 || rc=$?
}
# score FILE: the overall exposure level, as systemd-analyze security --offline=true says it
score() {
  systemd-analyze security --offline=true --no-pager "$1" 2>&1 |
    sed -n 's/^.*Overall exposure level for [^:]*: \([0-9.]*\) .*$/\1/p'
}
at_most() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }

for unit in reup-issuer reup-locate; do
  f=$U/$unit.service
  prog=${unit#reup-}
  bin=$REUP_LOCATE
  [ "$prog" = issuer ] && bin=${REUP_ISSUER:?}
  sed "s|/usr/bin/$unit |$bin |" "$f" >"$T/units/$unit.service"
  checks=$((checks + 1))
  grep -q "^ExecStart=$bin " "$T/units/$unit.service" || fail "$unit: ExecStart was not pointed at $bin"
  verify_unit "$T/units/$unit.service"
  expect_eq "$rc" 0 "$unit: systemd-analyze verify's exit ($(cat "$T/verify"))"
  checks=$((checks + 1))
  [ ! -s "$T/verify" ] || fail "$unit: systemd-analyze verify says: $(cat "$T/verify")"

  # what the packages and docs rely on
  for line in "Type=notify" "User=$unit" "Group=$unit" "ConfigurationDirectory=reup" \
    "EnvironmentFile=-/etc/reup/$prog.env"; do
    checks=$((checks + 1))
    grep -qx -- "$line" "$f" || fail "$unit: no line '$line'"
  done
  var=REUP_$(echo "$prog" | tr a-z A-Z)_SERVE_OPTIONS
  checks=$((checks + 1))
  grep -q "^#$var=\"" "$E/$prog.env" || fail "$prog.env: no commented default of $var"

  # security: the score, and the threshold option the score is checked with
  s=$(score "$f")
  checks=$((checks + 1))
  at_most "$s" 2.0 || fail "$unit: exposure level '$s', wanted at most 2.0"
  echo "$unit: exposure level $s"
  expect_exit 0 systemd-analyze security --offline=true --threshold=20 --no-pager "$f"

  # every option the environment file mentions is one serve takes
  "$bin" serve --help >"$T/help" 2>&1
  for opt in $(grep -o -- '--[a-z][a-z-]*' "$E/$prog.env" | sort -u); do
    checks=$((checks + 1))
    grep -q -- "$opt" "$T/help" || fail "$prog.env mentions $opt, which '$unit serve --help' does not"
  done
done
for line in "StateDirectory=reup/issuer" "StateDirectoryMode=0700" \
  "ExecStart=/usr/bin/reup-issuer serve --dir /var/lib/reup/issuer \$REUP_ISSUER_SERVE_OPTIONS"; do
  checks=$((checks + 1))
  grep -qxF -- "$line" "$U/reup-issuer.service" || fail "reup-issuer: no line '$line'"
done
for line in "StateDirectory=reup/locate" "ExecStart=/usr/bin/reup-locate serve \$REUP_LOCATE_SERVE_OPTIONS" \
  "ExecReload=/bin/kill -HUP \$MAINPID"; do
  checks=$((checks + 1))
  grep -qxF -- "$line" "$U/reup-locate.service" || fail "reup-locate: no line '$line'"
done

# the checks catch what they are for
sed 's/^ProtectSystem=/ProtectSytem=/' "$T/units/reup-locate.service" >"$T/units/misspelt.service"
verify_unit "$T/units/misspelt.service"
checks=$((checks + 1))
grep -q 'ProtectSytem' "$T/verify" || fail "verify did not catch a misspelt setting: $(cat "$T/verify")"
sed "s|^ExecStart=[^ ]*|ExecStart=$T/no-such-program|" "$T/units/reup-locate.service" >"$T/units/missing.service"
verify_unit "$T/units/missing.service"
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "verify did not catch a missing program"
grep -v -E '^(NoNewPrivileges|Protect|Private|Restrict|SystemCall|Capability|Ambient|LockPersonality|MemoryDeny|RemoveIPC|ProcSubset|DevicePolicy|UMask|KeyringMode)' \
  "$U/reup-locate.service" >"$T/units/bare.service"
s=$(score "$T/units/bare.service")
checks=$((checks + 1))
! at_most "$s" 2.0 || fail "an unhardened unit scored $s"
expect_exit 1 systemd-analyze security --offline=true --threshold=20 --no-pager "$T/units/bare.service"
finish
