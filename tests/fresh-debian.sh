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

# The machine's own Debian mirrors (deb822 .sources or one-line lists), else Debian's.
uris=$({ cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *//p'
         grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } || true)
mirror=$(grep -m1 -E '/debian/?$' <<<"$uris" || echo http://deb.debian.org/debian)
security=$(grep -m1 -E '/debian-security/?$' <<<"$uris" || echo http://deb.debian.org/debian-security)

fresh=1
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/var/tmp}/reup-fresh-debian.XXXXXX")
elif [ -f "$dir/etc/debian_version" ]; then
  fresh=0
else
  mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd)
# the root's / as on an installed system: mktemp's 0700 would shut out every user but root
# (the postgres user of the PostgreSQL tests among them)
chmod 755 "$dir"
logs=$dir.logs
mkdir -p "$logs"

# Stop on every path: processes still running in the root are ended, then every mount
# goes (last first; lazily when busy), then the root unless --keep.
mounts=()
cleanup() {
  local pid i
  trap - EXIT
  set +e
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/root" 2>/dev/null)" = "$dir" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
  done
  sleep 0.5
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null ||
      echo "fresh-debian: could not unmount ${mounts[i]}" >&2
  done
  if grep -q " $dir/" /proc/mounts; then
    echo "fresh-debian: mounts left under $dir; the root is kept" >&2
  elif [ "$keep" -eq 0 ]; then
    rm -rf --one-file-system "$dir"
  else
    echo "fresh-debian: the root is kept in $dir" >&2
  fi
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
  step debootstrap debootstrap --variant=minbase bookworm "$dir" "$mirror" || { report; exit 3; }
fi
# as an installed Debian 12: updates and security updates too
cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
cp /etc/resolv.conf "$dir/etc/resolv.conf"
# npm in the root meets the registry as this machine's npm does
ca=/etc/ssl/certs/ca-certificates.crt
mkdir -p "$dir/etc/ssl"
cp "$ca" "$dir/etc/ssl/machine-ca.crt"
registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)

for m in dev dev/pts dev/shm proc sys; do
  mkdir -p "$dir/$m"
  if [ "$m" = proc ]; then mount -t proc proc "$dir/proc"; else mount --bind "/$m" "$dir/$m"; fi
  mounts+=("$dir/$m")
done

rm -rf "$dir/root/reup"
mkdir -p "$dir/root/reup"
git -C "$src" archive --format=tar HEAD | tar -x -C "$dir/root/reup"

in_root() {
  chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/machine-ca.crt npm_config_cafile=/etc/ssl/machine-ca.crt \
    npm_config_registry="$registry" \
    /bin/bash -c "cd /root/reup && $1"
}
status=0
step setup-run in_root './setup.sh run' || status=1
step setup-test in_root './setup.sh test' || status=1
report
exit "$status"
}
