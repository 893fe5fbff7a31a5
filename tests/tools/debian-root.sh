# tests/tools/debian-root.sh - a fresh Debian 12 (bookworm) minbase root to install into,
# for tests/fresh-debian.sh and tests/package/t5001-debian-packages.sh (sourced, not run).
# Needs root: debootstrap, mount and chroot.
#
#   debian_root_mirrors          sets $debian_mirror and $debian_security: the machine's own
#                                Debian mirrors (deb822 .sources or one-line lists), else Debian's
#   debian_root_mirror_reachable the mirror answers (a bookworm Release file within 30 s)
#   debian_root_bootstrap DIR    debootstrap --variant=minbase bookworm into DIR
#   debian_root_configure DIR    apt sources as an installed Debian 12 (updates, security),
#                                the machine's resolv.conf
#   debian_root_mount DIR        /dev, /dev/pts, /dev/shm, /proc and /sys in DIR
#   debian_root_run DIR CMD      CMD (a bash command line) in DIR as root, with a clean
#                                environment: the "VAR=VALUE" words of $debian_root_env
#   debian_root_remove DIR [keep]
#                                ends the processes running in DIR, unmounts everything under
#                                it (deepest first; lazily when busy), then deletes DIR unless
#                                keep is given or a mount could not go. Safe on every path:
#                                register it before the first mount.

debian_root_env=(HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

debian_root_mirrors() {
  local uris
  uris=$({ cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *//p'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } || true)
  debian_mirror=$(grep -m1 -E '/debian/?$' <<<"$uris" || echo http://deb.debian.org/debian)
  debian_security=$(grep -m1 -E '/debian-security/?$' <<<"$uris" || echo http://deb.debian.org/debian-security)
  debian_mirror=${debian_mirror%/} debian_security=${debian_security%/}
}

debian_root_mirror_reachable() {
  curl -fsS --max-time 30 -o /dev/null "$debian_mirror/dists/bookworm/Release"
}

debian_root_bootstrap() {
  debootstrap --variant=minbase bookworm "$1" "$debian_mirror"
}

debian_root_configure() {
  # the root's / as on an installed system: mktemp's 0700 would shut out every other user
  chmod 755 "$1"
  cat >"$1/etc/apt/sources.list" <<EOF
deb $debian_mirror bookworm main
deb $debian_mirror bookworm-updates main
deb $debian_security bookworm-security main
EOF
  cp /etc/resolv.conf "$1/etc/resolv.conf"
}

debian_root_mount() {
  local m
  for m in dev dev/pts dev/shm proc sys; do
    mkdir -p "$1/$m"
    if [ "$m" = proc ]; then mount -t proc proc "$1/proc"; else mount --bind "/$m" "$1/$m"; fi || return
  done
}

debian_root_run() {
  chroot "$1" /usr/bin/env -i "${debian_root_env[@]}" /bin/bash -c "$2"
}

debian_root_remove() {
  local dir pid m left=0
  dir=$(cd "$1" 2>/dev/null && pwd) || return 0
  for pid in /proc/[0-9]*; do
    [ "$(readlink "$pid/root" 2>/dev/null)" = "$dir" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
  done
  sleep 0.5
  # /proc/mounts lists a mount after the one it sits on: the last first
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || {
      echo "debian-root: could not unmount $m" >&2
      left=1
    }
  done < <(awk -v d="$dir/" 'substr($2, 1, length(d)) == d { print $2 }' /proc/mounts | tac)
  if [ "$left" -eq 1 ] || grep -q " $dir/" /proc/mounts; then
    echo "debian-root: mounts left under $dir; the root is kept" >&2
  elif [ "${2:-}" = keep ]; then
    echo "debian-root: the root is kept in $dir" >&2
  else
    rm -rf --one-file-system "$dir"
  fi
}
