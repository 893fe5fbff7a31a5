# tests/cli/pos-lib.sh - the world a POS test needs, sourced after lib.sh: an issuer
# (state in $S, 20 cards of plan 1y at 39.99 USD in $T/b.csv, terminal T1 of store
# WM00001) serving over TLS on a loopback port, a private cupsd with the queues
# `receipts` and `cards`, and $T/pos.conf pointing at both. $POS runs reup-pos with it.
. "$(dirname "${BASH_SOURCE[0]}")/../tools/cups-sandbox.sh"
I=${REUP_ISSUER:?}
S=$T/state
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
issuer_init "$S" >/dev/null
"$I" plan add --dir "$S" --code 1y --months 12 --price 3999 --currency USD >/dev/null
"$I" plan add --dir "$S" --code 3m --months 3 --price 1299 --currency USD >/dev/null
"$I" terminal add --dir "$S" --store WM00001 --terminal T1 > "$T/t1.json"
chmod 600 "$T/t1.json"
"$I" batch create --dir "$S" --plan 1y --count 20 --out "$T/b.csv" >/dev/null
serial_n() { sed -n "$(($1 + 1))p" "$T/b.csv" | cut -d, -f1; }

on_exit 'kill -KILL "${ISSUER_PID:-}"'
issuer_start() {
  "$I" serve --dir "$S" --listen "127.0.0.1:${ISSUER_PORT:-0}" > "$T/serve.out" 2>> "$T/serve.log" &
  ISSUER_PID=$!
  ISSUER_PORT=$(wait_port "$T/serve.out")
  [ -n "$ISSUER_PORT" ] || { fail "the issuer did not start: $(cat "$T/serve.log")"; finish; exit 1; }
}
issuer_start
cups_start "$T/cups" || { fail "the private cupsd did not start"; finish; exit 1; }
cups_add_queue receipts

# pos_conf URL: the configuration, the issuer at URL
pos_conf() {
  cat > "$T/pos.conf" <<CONF
[store]
id = WM00001
terminal = T1
currency = USD
language = en
name = Walmart Supercenter 1
address = 2500 Foothill Blvd, Rock Springs, WY
[issuer]
url = $1
ca = state/tls/cert.pem
credentials = t1.json
connect_timeout_ms = ${CONNECT_MS:-3000}
timeout_ms = ${TIMEOUT_MS:-10000}
[journal]
path = pos.db
[printers]
receipt = receipts
card = cards
server = $CUPS_HOST
CONF
}
pos_conf "https://127.0.0.1:$ISSUER_PORT"
POS="${REUP_POS:?} --config $T/pos.conf"
card_status() { "$I" card show "$1" --dir "$S" | jq -r .status; }
