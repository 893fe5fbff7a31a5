#!/usr/bin/env bash
# Re-Up set-up: installs what is missing (Debian 12), builds, builds the default
# database, then runs the main job or the whole test suite.
#
#   ./setup.sh run     set up, then find the stores nearest to Rock Springs, WY
#   ./setup.sh test    set up, then run every test: the normal build, the ASan+UBSan
#                      build and the libFuzzer targets
#   ./setup.sh build   set up only
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case $mode in run|test|build) ;; *) echo "usage: ./setup.sh [run|test|build]" >&2; exit 2;; esac

# Debian packages the build and the tests need.
packages=(
  build-essential cmake pkg-config xz-utils sqlite3
  libsqlite3-dev libjansson-dev libutf8proc-dev libcsv-dev libcmocka-dev libssl-dev libmicrohttpd-dev libcurl4-openssl-dev
  libcairo2-dev libpango1.0-dev libqrencode-dev libzint-dev libcups2-dev libinih-dev fonts-dejavu-core
  clang libclang-rt-14-dev clang-format jq openssl curl
  cups-daemon cups-client poppler-utils zbar-tools tmux libncurses-dev uuid-dev
  chromium
  procps
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
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The page's packages (Leaflet, the atlases) and the browser driver for its tests, as
# web/package-lock.json pins them; again only when the lock changed.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: installing the page's npm packages" >&2
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

case $mode in
run)
  build/bin/reup-locate "Rock Springs, WY"
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
