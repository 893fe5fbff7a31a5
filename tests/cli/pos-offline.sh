# tests/cli/pos-offline.sh - a terminal for tests that never reach the issuer or a printer,
# sourced after lib.sh: terminal T1 of store WM00001 ($T/t1.json, mode 0600, from a real
# issuer state in $T/state), $T/pos.conf with the issuer at a loopback port where nothing
# listens and no printers, the journal $T/pos.db. $POS runs reup-pos with it; pos_tmux CMD
# runs CMD in a tmux pane (a terminal) named pos, stopped when the test ends.
I=${REUP_ISSUER:?}
issuer_init "$T/state" >/dev/null
"$I" terminal add --dir "$T/state" --store WM00001 --terminal T1 > "$T/t1.json"
chmod 600 "$T/t1.json"
cat > "$T/pos.conf" <<CONF
[store]
id = WM00001
terminal = T1
[issuer]
url = https://127.0.0.1:9
ca = state/tls/cert.pem
credentials = t1.json
connect_timeout_ms = 500
timeout_ms = 1000
[journal]
path = pos.db
CONF
chmod 644 "$T/pos.conf"
POS="${REUP_POS:?} --config $T/pos.conf"
mode_of() { stat -c %a "$1"; }

. "$(dirname "${BASH_SOURCE[0]}")/tmux-lib.sh"
