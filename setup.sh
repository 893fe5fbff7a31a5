#!/usr/bin/env bash
# Re-Up set-up: installs what is missing (Debian 12), builds, builds the default
# database, then runs the main job or the whole test suite.
#
#   ./setup.sh run     set up, then run a card's whole life on this machine
#                      (tools/card-life.sh: issuer, printed cards, a sale at the till,
#                      the customer's redemption, the Z report, the store locator)
#   ./setup.sh test    set up, then run every test: the normal build, the ASan+UBSan
#                      build and the libFuzzer targets
#   ./setup.sh build   set up only
#   ./setup.sh package set up, then build the Debian packages into dist/ (docs/packaging.md)
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case $mode in run|test|build|package) ;; *) echo "usage: ./setup.sh [run|test|build|package]" >&2; exit 2;; esac

# What the set-up relies on, checked so that a machine it does not fit is told what is
# wrong and what to do instead of failing somewhere later. Exit 3: the machine does not fit.
problems=()
problem() { problems+=("$1"); }
# version_ge A B: version A is B or newer
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }
stop_if_problems() {
  ((${#problems[@]})) || return 0
  echo "setup: this machine does not fit the set-up:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 3
}
# os_release FIELD: a field of /etc/os-release, read in a subshell so its names stay there
os_release() { (. /etc/os-release 2>/dev/null && eval "echo \"\${$1:-}\""); }
os_name=$(os_release PRETTY_NAME); os_name=${os_name:-an unknown system}
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  problem "it is $os_name, without apt-get and dpkg: the set-up installs Debian 12 (bookworm) packages; use Debian 12, or install the packages listed in setup.sh and Node.js 18 or newer by hand and build as docs/development.md says"
elif [ "$(os_release ID)" != debian ] || [ "$(os_release VERSION_ID)" != 12 ]; then
  # another Debian release or a derivative may well work: the package names are Debian 12's
  echo "setup: warning: this is $os_name; the set-up is made for Debian 12 (bookworm) and its package names" >&2
fi
stop_if_problems

# Debian packages the build and the tests need.
packages=(
  build-essential cmake pkg-config xz-utils sqlite3
  libsqlite3-dev libjansson-dev libutf8proc-dev libcsv-dev libcmocka-dev libssl-dev libmicrohttpd-dev libgnutls28-dev libcurl4-openssl-dev
  libcairo2-dev libpango1.0-dev libqrencode-dev libzint-dev libcups2-dev libinih-dev fonts-dejavu-core
  clang libclang-rt-14-dev clang-format jq openssl curl
  cups-daemon cups-client poppler-utils zbar-tools tmux libncurses-dev uuid-dev
  chromium
  procps bc xxd
  libpq-dev postgresql
  # services (sd_notify, systemd-analyze), man pages, and the Debian packages and their test
  libsystemd-dev systemd man-db groff-base lintian debootstrap file fakeroot
  ca-certificates
)
# npm brings the page's front-end packages; a Node.js already on the machine will do
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  { $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || {
    echo "setup: apt-get could not install ${missing[*]}: see its message above; check the network and the" \
      "Debian 12 sources in /etc/apt/, or install them by hand, then run setup.sh again" >&2
    exit 3
  }
fi

# The versions the build and the tests need, whatever was there before the set-up.
if ! command -v cmake >/dev/null 2>&1; then
  problem "cmake is missing: apt-get install cmake"
elif ! version_ge "$(cmake --version | sed -n '1s/^cmake version //p')" 3.25; then
  problem "$(cmake --version | head -n 1) is too old: the build needs 3.25 or newer (Debian 12's cmake package)"
fi
for tool in cc:build-essential make:build-essential pkg-config:pkg-config clang:clang clang-format:clang-format chromium:chromium; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || problem "${tool%%:*} is missing: apt-get install ${tool#*:}"
done
# the issuer's ledger on PostgreSQL: libpq to build, and PostgreSQL 15's server programs for
# the private clusters the tests start (tests/tools/pg-lib.sh); no system service is used
if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists libpq; then
  problem "libpq's headers are missing (pkg-config libpq): apt-get install libpq-dev"
fi
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  problem "PostgreSQL 15's server programs are missing (no /usr/lib/postgresql/15/bin/initdb): the tests labelled postgres need Debian 12's postgresql package, PostgreSQL 15: apt-get install postgresql postgresql-15"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  problem "Node.js or npm is missing: apt-get install nodejs npm (Debian 12's Node.js 18 will do)"
elif ! version_ge "$(node -p process.versions.node)" 18; then
  problem "Node.js $(node -p process.versions.node) is too old: the page's tests need 18 or newer; remove it and run setup.sh again to get Debian 12's nodejs, or install 18 or newer"
fi
stop_if_problems

# The page's packages (Leaflet, the atlases) and the browser driver for its tests, as
# web/package-lock.json pins them; again only when the lock changed.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: installing the page's npm packages" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ "$mode" = package ]; then
  # A build of its own: the programs look for the database and the page where the packages
  # put them, with Debian's hardening flags (fortify, stack protector, full RELRO); no
  # tests, no benchmarks.
  flags() { DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1"; }
  cmake -S . -B build-pkg -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_C_FLAGS="$(flags CPPFLAGS) $(flags CFLAGS)" -DCMAKE_EXE_LINKER_FLAGS="$(flags LDFLAGS)" \
    -DREUP_LOCATOR_DEFAULT_DB=/usr/share/reup/locator.db -DREUP_WEB_DEFAULT_DIR=/usr/share/reup/web \
    -DREUP_TESTS=OFF -DREUP_BENCH=OFF >/dev/null
  cmake --build build-pkg -j"$jobs"
  rm -rf dist
  (cd build-pkg && cpack -G DEB) >build-pkg/cpack.log 2>&1 || { cat build-pkg/cpack.log >&2; exit 1; }
  ls dist/*.deb
  exit 0
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

case $mode in
run)
  exec tools/card-life.sh build
  ;;
test)
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DREUP_SANITIZE=ON -DREUP_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREUP_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j"$jobs"
  status=0
  ctest --test-dir build --output-on-failure -j"$jobs" || status=1
  ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
  ctest --test-dir build-fuzz --output-on-failure -j"$jobs" || status=1
  if [ $status -ne 0 ]; then echo "setup: some tests failed" >&2; fi
  exit $status
  ;;
esac
