#!/usr/bin/env bash
# t1009: the locator page in the reader's language, its offline map, the far search, the
# phone layout, accessibility and speed. With curl: reup-locate serve answers / and
# /index.html in the language langpick chooses (Accept-Language, ?lang winning, English
# otherwise), with <html lang>, Content-Language and Vary: Accept-Language, gzipped too;
# a web folder without the language pages still gets its index.html. In headless Chromium
# (tests/web/map.mjs): Danish words, km and Danish numbers; the switcher keeps the search;
# the far-away message for København and "show the nearest anyway"; place names at zooms
# 4, 7 and 10 that never overlap; county lines up close in Wyoming; none of it over tiles;
# the nearest store on the first screen of a 360x640 phone in each language; axe-core
# without violations; the first paint of results after Enter (median of 21 searches,
# written to build/tests/artifacts/t1009/first-paint.json) within 300 ms.
. "$(dirname "$0")/lib.sh"
: "${REUP_WEB_DIR:?}"
A=${REUP_TEST_ARTIFACTS:-$T/artifacts}/t1009
start() { # start NAME ARGS...: a server on a loopback port; its port in NAME_PORT
  local name=$1
  shift
  "$REUP_LOCATE" serve --listen 127.0.0.1:0 --rate 0 "$@" > "$T/$name.out" 2> "$T/$name.log" &
  eval "${name}_PID=$!"
  on_exit "kill -KILL \"\${${name}_PID:-}\""
  eval "${name}_PORT=\$(wait_port \"\$T/$name.out\")"
  [ -n "$(eval echo "\$${name}_PORT")" ] || { fail "serve did not start: $(cat "$T/$name.log")"; finish; exit 1; }
}
start page --web "$REUP_WEB_DIR"
B=http://127.0.0.1:$page_PORT

# the page's language: LANG_OF_PAGE, Content-Language and Vary for each way of asking
lang_of() { sed -n 's/.*<html lang="\([a-z]*\)">.*/\1/p' "$T/out"; }
while IFS='|' read -r path accept want; do
  get -H "Accept-Language: $accept" "$B$path"
  expect_code 200 "$path with Accept-Language '$accept'"
  expect_eq "$(lang_of)" "$want" "<html lang> of $path with Accept-Language '$accept'"
  expect_header "^Content-Language: $want"
  expect_header '^Vary: Accept-Encoding, Accept-Language'
  expect_header '^Cache-Control: no-cache'
done <<'LIST'
/|da|da
/|da-DK,da;q=0.9,en;q=0.5|da
/|es-ES|es
/|en-US,en;q=0.9|en
/|fr-FR, de;q=0.5|en
/||en
/|fr, es;q=0.3, da;q=0.7|da
/index.html|da|da
/?lang=es|da|es
/?lang=da&q=Rock+Springs|en-US|da
/?lang=xx|es|es
/index.html?lang=en|da|en
LIST
# the Danish page says the Danish catalogue's words
get -H 'Accept-Language: da' "$B/"
expect_out "$(jq -r '."locate.title"' "$REUP_SOURCE_DIR/i18n/catalog/da.json")"
# gzipped: the same variant, the same headers
get -H 'Accept-Language: es' -H 'Accept-Encoding: gzip' "$B/"
expect_header '^Content-Encoding: gzip'
expect_header '^Content-Language: es'
checks=$((checks + 1))
gzip -dc < "$T/out" | grep -q '<html lang="es">' || fail "the gzipped Spanish page is not Spanish"
# HEAD answers as GET does
get -I -H 'Accept-Language: da' "$B/"
expect_header '^Content-Language: da'
# the other files do not vary by language
get -H 'Accept-Language: da' "$B/app.js"
checks=$((checks + 1))
grep -qi '^Content-Language' "$T/headers" && fail "app.js has a Content-Language"
expect_header '^Vary: Accept-Encoding'

# a web folder assembled before the languages (index.html alone) is still served
mkdir -p "$T/oldweb"
printf '<!doctype html><html lang="en"><title>old</title></html>\n' > "$T/oldweb/index.html"
start old --web "$T/oldweb"
get -H 'Accept-Language: da' "http://127.0.0.1:$old_PORT/"
expect_code 200 "a folder without index.da.html"
expect_out '<title>old</title>'
checks=$((checks + 1))
grep -qi '^Content-Language' "$T/headers" && fail "one page for all has no Content-Language"

# the same database behind an online tile layer (unreachable: the page must not need it)
start tiles --web "$REUP_WEB_DIR" --tiles 'http://127.0.0.1:1/{z}/{x}/{y}.png'

checks=$((checks + 1))
timeout -k 5 360 node "$REUP_SOURCE_DIR/tests/web/map.mjs" "$B" "http://127.0.0.1:$tiles_PORT" "$A" ||
  fail "the page's checks failed"
finish
