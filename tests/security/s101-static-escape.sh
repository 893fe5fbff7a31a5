#!/usr/bin/env bash
# s101: the static files of reup-locate serve stay inside the web folder.
# Attack: request targets that try to reach files beside or above --web DIR: no leading
# slash ("../outside.txt", "-private/x" which once read DIR-private/x), "..", "%2e%2e",
# "%2f", "%5c" and raw backslashes, double encoding ("%252e"), "//", a sibling folder
# whose name starts with DIR's, absolute-form targets, "*", NULs ("%00"), hidden files,
# a symbolic link inside the folder to a file outside, a linked folder, a FIFO. Each is
# sent byte for byte (curl --path-as-is --request-target) to a server started with
# --web DIR and to one with --web DIR/, and must get 404 (or 400) and never the outside
# files' content. The page's own files (index, a nested file, the gzip copy, /config.json)
# still serve, with their Content-Security-Policy and Cache-Control.
. "$(dirname "$0")/../cli/lib.sh"
W=$T/web
mkdir -p "$W/sub" "$T/web-private" "$T/outdir"
printf '<!doctype html><title>Re-Up stores</title><p>page</p>\n' > "$W/index.html"
gzip -k "$W/index.html"
printf 'console.log(1)\n' > "$W/app.js"
printf 'nested()\n' > "$W/sub/page.js"
printf 'HIDDEN-SECRET\n' > "$W/.env"
printf 'OUTSIDE-SECRET\n' > "$T/outside.txt"
printf 'PRIVATE-SECRET\n' > "$T/web-private/x"
printf 'LINKED-SECRET\n' > "$T/outdir/x"
ln -s "$T/outside.txt" "$W/link-out"
ln -s ../outside.txt "$W/rel-out"
ln -s "$T/outdir" "$W/linkdir"
mkfifo "$W/pipe.js"

# start NAME WEBDIR: a server on a free loopback port; its base URL in $base
start() {
  "$REUP_LOCATE" serve --listen 127.0.0.1:0 --web "$2" --rate 0 > "$T/$1.out" 2> "$T/$1.log" &
  local pid=$!
  on_exit "kill -TERM $pid; wait $pid"
  local port; port=$(wait_port "$T/$1.out")
  [ -n "$port" ] || { fail "$1: serve did not start: $(cat "$T/$1.log")"; finish; exit 1; }
  base=http://127.0.0.1:$port
}

# hostile TARGET...: each target, sent as is, gets 404 or 400 and none of the secrets
hostile() {
  local t code
  for t in "$@"; do
    rm -f "$T/body"
    code=$(curl -s --max-time 5 --path-as-is --request-target "$t" -o "$T/body" -w '%{http_code}' "$base/" || true)
    checks=$((checks + 2))
    case $code in 404 | 400) ;; *) fail "$name: '$t' answered $code, wanted 404 or 400: $(head -c 200 "$T/body")" ;; esac
    if grep -q 'SECRET' "$T/body"; then fail "$name: '$t' leaked: $(head -c 200 "$T/body")"; fi
  done
}

for name in plain slash; do
  if [ "$name" = plain ]; then start "$name" "$W"; else start "$name" "$W/"; fi
  hostile "../outside.txt" "-private/x" "../web-private/x" "..%2foutside.txt" "%2e%2e/outside.txt" \
    "/../outside.txt" "/%2e%2e/outside.txt" "/%2E%2E/outside.txt" "/%2e%2e%2foutside.txt" "/..%2foutside.txt" \
    "/%252e%252e/outside.txt" "/%252e%252e%252foutside.txt" "/..%5coutside.txt" "/..\\outside.txt" \
    "/sub/..\\..\\outside.txt" "//../outside.txt" "//$T/outside.txt" "/sub//../../outside.txt" \
    "/sub/%2e%2e/%2e%2e/outside.txt" "/../web-private/x" "/%2e%2e/web-private/x" "/..%2fweb-private%2fx" \
    "/link-out" "/rel-out" "/linkdir/x" "/linkdir%2fx" "/%2eenv" "/.env" "/sub/../.env" \
    "$base/../outside.txt" "http://127.0.0.1/%2e%2e/outside.txt" "*" "/index.html%00" "/%00/../outside.txt" \
    "/sub/page.js%00.html" "/pipe.js" "/sub/" "/sub"
  # the page's own files still serve
  while read -r path want type; do
    code=$(curl -s --max-time 5 -H 'Accept-Encoding: gzip' -D "$T/headers" -o "$T/body" -w '%{http_code}' "$base$path")
    checks=$((checks + 4))
    [ "$code" = 200 ] || fail "$name: $path answered $code"
    if ! zcat -f "$T/body" | grep -q "$want"; then fail "$name: $path is not the file: $(head -c 100 "$T/body")"; fi
    grep -qi "content-type: $type" "$T/headers" || fail "$name: $path: $(cat "$T/headers")"
    grep -qi "content-security-policy: default-src 'self'" "$T/headers" || fail "$name: $path without its policy"
  done <<EOF
/ Re-Up text/html
/index.html Re-Up text/html
/app.js console text/javascript
/sub/page.js nested text/javascript
/config.json tiles application/json
EOF
  code=$(curl -s -H 'Accept-Encoding: gzip' -D "$T/headers" -o "$T/body" -w '%{http_code}' "$base/index.html")
  checks=$((checks + 2))
  grep -qi 'content-encoding: gzip' "$T/headers" || fail "$name: the gzip copy was not sent"
  grep -qi 'cache-control: no-cache' "$T/headers" || fail "$name: index.html without no-cache"
done
finish
