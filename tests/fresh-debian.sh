#!/usr/bin/env bash
# tests/fresh-debian.sh - the README's two commands on a fresh Debian 12: makes a minbase
# bookworm root with debootstrap, copies the repository's current commit into it, and runs
# `./setup.sh run` then `./setup.sh test` there as root with a clean environment. Reports
# each command's exit status and wall time; exits 0 only when every command did.
# Not a ctest test: it takes long (the set-up installs some 200 packages, builds three
# builds and runs the whole suite). Run it before closing anything that touches set-up.
#
# usage: tests/fresh-debian.sh [--keep] [--dir DIR]
#   --keep     keep the root afterwards (it is removed by default)
#   --dir DIR  make the root in DIR (default: a new folder under ${TMPDIR:-/var/tmp});
#              a root kept by an earlier --keep is used again without debootstrap: quicker,
#              but no longer fresh, so only for chasing a failure
# Needs root (debootstrap, mount, chroot) and Debian's mirror; the npm registry is reached
# with the same registry address and CA bundle as on this machine.
# Exit codes: 0 every command passed, 1 a command failed, 2 usage, 3 the root could not
# be made.
set -euo pipefail
# read whole before it runs: the script may be edited while a run goes on
{
src=$(cd "$(dirname "$0")/.." && pwd)

keep=0 dir=
while (($#)); do
  case $1 in
  --keep) keep=1 ;;
  --dir) dir=${2:?--dir needs a folder}; shift ;;
  -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "fresh-debian: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian: run it as root (debootstrap, mount and chroot need it)" >&2; exit 2; }
command -v debootstrap >/dev/null || {
  echo "fresh-debian: installing debootstrap" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

. "$src/tests/tools/debian-root.sh"
debian_root_mirrors
mirror=$debian_mirror

fresh=1
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/var/tmp}/reup-fresh-debian.XXXXXX")
elif [ -f "$dir/etc/debian_version" ]; then
  fresh=0
else
  mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd)
logs=$dir.logs
mkdir -p "$logs"

# Stop on every path: processes still running in the root are ended, then every mount
# goes, then the root unless --keep.
cleanup() {
  trap - EXIT
  set +e
  debian_root_remove "$dir" "$([ "$keep" -eq 0 ] || echo keep)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

results=()
# step NAME CMD...: runs CMD with its output in $logs/NAME.log; records status and time
step() {
  local name=$1 t0 rc=0; shift
  t0=$(date +%s)
  echo "fresh-debian: $name ..." >&2
  "$@" >"$logs/$name.log" 2>&1 || rc=$?
  results+=("$(printf '%-20s exit %-3s %5ss' "$name" "$rc" "$(($(date +%s) - t0))")")
  echo "fresh-debian: $name: exit $rc after $(($(date +%s) - t0)) s (log: $logs/$name.log)" >&2
  [ "$rc" -eq 0 ] || tail -n 40 "$logs/$name.log" >&2
  return "$rc"
}
report() {
  echo "fresh-debian: Debian 12 minbase from $mirror; logs in $logs"
  printf '  %s\n' "${results[@]}"
}

if [ "$fresh" -eq 1 ]; then
  step debootstrap debian_root_bootstrap "$dir" || { report; exit 3; }
fi
# as an installed Debian 12: updates and security updates too; / open to every user (the
# postgres user of the PostgreSQL tests among them)
debian_root_configure "$dir"
# npm in the root meets the registry as this machine's npm does
ca=/etc/ssl/certs/ca-certificates.crt
mkdir -p "$dir/etc/ssl"
cp "$ca" "$dir/etc/ssl/machine-ca.crt"
registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)

debian_root_mount "$dir" || { echo "fresh-debian: could not mount /dev, /proc or /sys in $dir" >&2; exit 3; }

rm -rf "$dir/root/reup"
mkdir -p "$dir/root/reup"
git -C "$src" archive --format=tar HEAD | tar -x -C "$dir/root/reup"

debian_root_env+=(NODE_EXTRA_CA_CERTS=/etc/ssl/machine-ca.crt npm_config_cafile=/etc/ssl/machine-ca.crt
  npm_config_registry="$registry")
in_root() { debian_root_run "$dir" "cd /root/reup && $1"; }
status=0
step setup-run in_root './setup.sh run' || status=1
step setup-test in_root './setup.sh test' || status=1
report
exit "$status"
}
