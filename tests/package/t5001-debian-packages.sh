#!/usr/bin/env bash
# t5001: the Debian packages on a fresh Debian 12 (docs/packaging.md). `./setup.sh package`
# builds them into dist/ and lintian finds no error in them; a minbase bookworm root made
# with debootstrap installs them with `apt-get install ./*.deb`, which must pull every
# dependency; each program runs from /usr/bin and reup-locate answers from
# /usr/share/reup/locator.db, on the command line and served; the postinst made the system
# users and the issuer's initialized state folder; every unit passes
# `systemd-analyze verify` and is enabled; every man page and /etc file is installed;
# remove keeps the state, purge leaves no file of the packages behind.
# Skipped (exit 77) only when this machine cannot make such a root: not root, no
# debootstrap, no mounts, no Debian mirror answering. REUP_TEST_DEBIAN_ROOT=DIR copies a
# minbase root made earlier instead of running debootstrap (quicker when working on this
# test; not fresh).
. "$(dirname "$0")/../cli/lib.sh"
. "$REUP_SOURCE_DIR/tests/tools/debian-root.sh"
src=$REUP_SOURCE_DIR
packages=(reup-issuer reup-locate reup-pos reup-print)
t_start=$(date +%s)
say() { echo "t5001: $(($(date +%s) - t_start)) s: $*"; }
skip() { echo "SKIP: t5001 cannot make a Debian 12 root here: $*"; exit 77; }
# stop DIAGNOSIS: a step the rest depends on failed
stop() { fail "$*"; finish; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "it needs root (debootstrap, mount and chroot)"
command -v debootstrap >/dev/null || skip "debootstrap is missing (apt-get install debootstrap)"
mkdir "$T/probe"
mount -t tmpfs t5001 "$T/probe" 2>/dev/null && umount "$T/probe" ||
  skip "this machine does not let root mount (a container without CAP_SYS_ADMIN?)"
debian_root_mirrors
debian_root_mirror_reachable 2>"$T/mirror.err" ||
  skip "no Debian mirror answers at $debian_mirror: $(head -c 200 "$T/mirror.err")"

say "./setup.sh package"
(cd "$src" && ./setup.sh package) >"$T/package.log" 2>&1 ||
  { tail -n 40 "$T/package.log" >&2; stop "./setup.sh package failed"; }
debs=("$src"/dist/*.deb)
expect_eq "$(cd "$src/dist" && ls -- *.deb | sed 's/_.*//' | tr '\n' ' ')" "${packages[*]} " "the packages in dist/"
say "lintian"
expect_exit 0 lintian --fail-on error "${debs[@]}"
[ "$rc" -eq 0 ] || cat "$T/out" >&2

root=$(mktemp -d /var/tmp/reup-t5001.XXXXXX)
on_exit "debian_root_remove '$root'"
if [ -n "${REUP_TEST_DEBIAN_ROOT:-}" ]; then
  say "copying the root $REUP_TEST_DEBIAN_ROOT"
  cp -a "$REUP_TEST_DEBIAN_ROOT/." "$root/"
else
  say "debootstrap into $root"
  debian_root_bootstrap "$root" >"$T/debootstrap.log" 2>&1 ||
    { tail -n 20 "$T/debootstrap.log" >&2; stop "debootstrap failed although $debian_mirror answers"; }
fi
debian_root_configure "$root"
debian_root_mount "$root" || stop "mounting /dev, /proc and /sys in $root failed"
in_root() { debian_root_run "$root" "$1"; }
# expect_root CODE CMD: CMD (a shell command) in the root must exit with CODE
expect_root() { expect_exit "$1" in_root "$2"; }
# the state of a package as dpkg sees it (ii, rc, un ...)
status_of() { in_root "dpkg-query -W -f='\${db:Status-Abbrev}' $1 2>/dev/null" | tr -d ' '; }

# systemd for systemd-analyze verify, and man-db for the man: links it follows (neither
# is a dependency of the packages)
say "apt-get install systemd man-db"
expect_root 0 "apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd man-db"
[ "$rc" -eq 0 ] || stop "systemd could not be installed in the root: $(tail -c 400 "$T/err")"

say "apt-get install ./*.deb"
mkdir -p "$root/root/t5001"
cp "${debs[@]}" "$root/root/t5001/"
expect_root 0 "cd /root/t5001 && apt-get install -y -q ./*.deb"
[ "$rc" -eq 0 ] || stop "apt-get install ./*.deb failed: $(tail -c 600 "$T/out") $(tail -c 600 "$T/err")"
for p in "${packages[@]}"; do expect_eq "$(status_of "$p")" ii "dpkg's state of $p"; done

say "the programs"
for p in "${packages[@]}"; do
  expect_root 0 "command -v $p"
  expect_out "^/usr/bin/$p$"
  expect_root 0 "$p --help"
  expect_out "^usage: $p "
done
expect_root 0 "reup-locate --version"
expect_out '^reup-locate [0-9]+\.[0-9]+'
# the default database, no --db, no $REUP_LOCATOR_DB: the installed one and no other
expect_root 0 "reup-locate 'Rock Springs, WY'"
expect_out 'Rock Springs'
expect_root 0 "mv /usr/share/reup/locator.db /root/t5001/ && { reup-locate 'Rock Springs, WY'; echo \"exit \$?\"; }; mv /root/t5001/locator.db /usr/share/reup/"
expect_out '^exit 4$'
expect_err '/usr/share/reup/locator.db'

# served as its system user, the page from /usr/share/reup/web (the root shares this
# machine's loopback); chroot, env and setpriv exec, so $! is the server
chroot "$root" /usr/bin/env -i "${debian_root_env[@]}" setpriv --reuid=reup-locate --regid=reup-locate \
  --clear-groups reup-locate serve --listen 127.0.0.1:0 --rate 0 >"$T/serve.out" 2>"$T/serve.log" &
serve=$!
on_exit "kill $serve"
port=$(wait_port "$T/serve.out")
[ -n "$port" ] || stop "reup-locate serve did not start: $(head -c 400 "$T/serve.log")"
checks=$((checks + 1))
grep -q '(the page from /usr/share/reup/web)' "$T/serve.out" || fail "serve's page: $(head -c 300 "$T/serve.out")"
expect_exit 0 curl -fsS "http://127.0.0.1:$port/"
expect_out '<html'
expect_exit 0 curl -fsS "http://127.0.0.1:$port/api/v1/stores?q=Rock+Springs%2C+WY&k=2"
expect_jq '.stores | length == 2'
kill "$serve"
wait "$serve" 2>/dev/null

say "users and state"
for u in reup-issuer reup-locate; do
  state=/var/lib/reup/${u#reup-}
  expect_root 0 "getent passwd $u"
  expect_out "^$u:x:[0-9]+:[0-9]+:[^:]*:$state:/usr/sbin/nologin$"
  expect_eq "$(($(cut -d: -f3 "$T/out") < 1000))" 1 "$u is a system user (uid below 1000)"
  expect_root 0 "getent group $u"
done
expect_root 0 "stat -c '%a %U:%G %n' /var/lib/reup /var/lib/reup/issuer /var/lib/reup/issuer/issuer.key /var/lib/reup/issuer/issuer.db /var/lib/reup/locate"
expect_out '^755 root:root /var/lib/reup$'
expect_out '^700 reup-issuer:reup-issuer /var/lib/reup/issuer$'
expect_out '^600 reup-issuer:reup-issuer /var/lib/reup/issuer/issuer.key$'
expect_out '^600 reup-issuer:reup-issuer /var/lib/reup/issuer/issuer.db$'
expect_out '^755 reup-locate:reup-locate /var/lib/reup/locate$'
# the issuer initialized by the postinst works for its user: a plan and a batch, whose
# first card reup-print draws with the example template
as_issuer="setpriv --reuid=reup-issuer --regid=reup-issuer --clear-groups reup-issuer"
expect_root 0 "$as_issuer plan add --dir /var/lib/reup/issuer --code 1y --months 12 --price 3999 --currency USD"
expect_root 0 "$as_issuer batch create --dir /var/lib/reup/issuer --plan 1y --count 2 --out /var/lib/reup/issuer/t5001.csv"
expect_root 0 "$as_issuer report --dir /var/lib/reup/issuer"
expect_jq '.cards == [{"plan": "1y", "status": "issued", "count": 2}]'
expect_root 0 "IFS=, read -r serial pin plan rest < <(grep -v '^serial' /var/lib/reup/issuer/t5001.csv | head -n 1) &&
  reup-print card --template /etc/reup/card.ini.example --serial \"\$serial\" --pin \"\$pin\" --plan \"\$plan\" --out /root/t5001/card.pdf &&
  head -c 5 /root/t5001/card.pdf"
expect_out '^%PDF-'

say "units, man pages, /etc/reup"
in_root "dpkg-query -L ${packages[*]}" >"$T/installed"
units=$(grep -E '^/lib/systemd/system/[^/]+\.service$' "$T/installed" || true)
expect_eq "$(grep -c . <<<"$units")" "$(find "$src/packaging/systemd" -name '*.service' 2>/dev/null | grep -c .)" \
  "units installed (/lib/systemd/system) against packaging/systemd/*.service"
for u in $units; do
  expect_root 0 "systemd-analyze verify $u"
  expect_root 0 "systemctl is-enabled ${u##*/}"
  expect_out '^enabled$'
done
mans=$(grep -E '^/usr/share/man/man[158]/[^/]+\.[158]\.gz$' "$T/installed" || true)
expect_eq "$(grep -c . <<<"$mans")" "$(find "$src/man" -name '*.[158]' 2>/dev/null | grep -c .)" \
  "man pages installed against man/*.[158]"
for m in $mans; do
  name=${m##*/}
  expect_root 0 "gzip -t $m"
  checks=$((checks + 1))
  gzip -dc "$root$m" | cmp -s - "$src/man/${name%.gz}" || fail "$m is not man/${name%.gz}"
done
etc=$(grep -E '^/etc/reup/[^/]+$' "$T/installed" || true)
expect_eq "$(grep -c . <<<"$etc")" "$(find "$src/packaging/etc" -type f | grep -c .)" \
  "/etc/reup files installed against packaging/etc/*"
in_root "dpkg-query -W -f='\${Conffiles}\n' ${packages[*]}" >"$T/conffiles"
for f in $etc; do
  checks=$((checks + 1))
  grep -q "^ $f " "$T/conffiles" || fail "$f is not a conffile"
done

say "apt-get remove"
expect_root 0 "apt-get remove -y -q ${packages[*]}"
for p in "${packages[@]}"; do expect_eq "$(status_of "$p")" rc "dpkg's state of $p after remove"; done
expect_root 0 "test -s /var/lib/reup/issuer/issuer.key && test -s /var/lib/reup/issuer/issuer.db && test -s /var/lib/reup/issuer/t5001.csv && test -d /var/lib/reup/locate"
for p in "${packages[@]}"; do expect_root 1 "test -e /usr/bin/$p"; done
for f in $etc; do expect_root 0 "test -f $f"; done

say "apt-get purge"
expect_root 0 "apt-get purge -y -q ${packages[*]}"
for p in "${packages[@]}"; do
  s=$(status_of "$p")
  checks=$((checks + 1))
  case $s in un | pn | '') ;; *) fail "dpkg's state of $p after purge: $s" ;; esac
done
expect_root 1 "test -e /var/lib/reup"
expect_root 1 "test -e /etc/reup"
expect_root 1 "test -e /usr/share/reup"
# the units, their links and deb-systemd-helper's records of them
for u in $units; do expect_root 1 "test -e $u || find /etc/systemd /var/lib/systemd -name '${u##*/}*' | grep -q ."; done
# no file of the packages is left (the folders they share with others stay)
checks=$((checks + 1))
while read -r f; do
  [ -d "$root$f" ] || [ ! -e "$root$f" ] || fail "purge left $f"
done <"$T/installed"
# the system users stay, as Debian does it (docs/packaging.md)
expect_root 0 "getent passwd reup-issuer reup-locate"

# What the maintainer scripts made, measured exactly: the root now has every dependency
# (apt keeps them), so a second installation and purge must leave it as it found it.
# The root's files: everything but the kernel's mounts, apt's and dpkg's bookkeeping,
# caches and logs, and this test's folder.
file_list() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./root/t5001 \
    -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache/apt -o -path ./var/cache/man \
    -o -path ./var/cache/debconf -o -path ./var/cache/ldconfig -o -path ./var/log \) -prune -o -print) |
    sed 's|^\.||' | sort >"$1"
}
say "install and purge again"
file_list "$T/files-before"
expect_root 0 "cd /root/t5001 && apt-get install -y -q ./*.deb"
for p in "${packages[@]}"; do expect_eq "$(status_of "$p")" ii "dpkg's state of $p (again)"; done
expect_root 0 "test -s /var/lib/reup/issuer/issuer.key"
expect_root 0 "apt-get purge -y -q ${packages[*]}"
file_list "$T/files-after"
checks=$((checks + 1))
diff "$T/files-before" "$T/files-after" >"$T/left" || fail "install and purge changed the root's files (> left, < gone): $(head -n 20 "$T/left" | tr '\n' ' ')"

say "done"
finish
