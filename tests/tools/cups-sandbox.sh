# cups-sandbox.sh: a private cupsd, sourced by the printing and POS tests (tests/cli/t2*.sh,
# pos-lib.sh) and by tools/card-life.sh, the README's first command.
# cups_start DIR: writes DIR/cupsd.conf and DIR/cups-files.conf (every path inside DIR),
# links the system's CUPS programs with the reuptest backend, starts `cupsd -f` on
# 127.0.0.1:$CUPS_PORT and DIR/sock, waits until it answers, and adds the raw queue
# `cards` whose documents land in DIR/out. cups_stop / cups_kill9 end it; cups_restart.
# Sourced after tests/tools/on-exit.sh (tests/cli/lib.sh sources it): the script's exit
# stops cupsd whatever happened. As root, cupsd runs the backend (mode 0700) as root and
# drops to lp for the rest; as another user, it runs all of it as that user.

cups_write_conf() {
  local d=$1
  mkdir -p "$d/out" "$d/spool/temp" "$d/state" "$d/cache" "$d/log" "$d/bin/backend" "$d/ppd"
  for x in /usr/lib/cups/*; do
    [ "$(basename "$x")" = backend ] || ln -sf "$x" "$d/bin/"
  done
  install -m 0700 "$(dirname "${BASH_SOURCE[0]}")/reuptest-backend" "$d/bin/backend/reuptest"
  chmod 0755 "$d" "$d/out"
  chown lp "$d/spool" "$d/spool/temp" "$d/cache" 2>/dev/null || true
  cat > "$d/cupsd.conf" <<CONF
Listen 127.0.0.1:$CUPS_PORT
Listen $d/sock
Browsing Off
WebInterface No
PreserveJobHistory Yes
DirtyCleanInterval 0
LogLevel info
<Location />
  Order deny,allow
  Allow 127.0.0.1
  Allow @LOCAL
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
CONF
  cat > "$d/cups-files.conf" <<CONF
User lp
Group lp
SystemGroup root
FileDevice Yes
ServerRoot $d
StateDir $d/state
CacheDir $d/cache
RequestRoot $d/spool
TempDir $d/spool/temp
AccessLog $d/log/access_log
ErrorLog $d/log/error_log
PageLog $d/log/page_log
ServerBin $d/bin
DataDir /usr/share/cups
Printcap $d/printcap
CONF
}

cups_launch() {
  local d=$1
  cupsd -f -c "$d/cupsd.conf" >> "$d/log/cupsd.out" 2>&1 &
  CUPSD_PID=$!
  for _ in $(seq 1 100); do
    CUPS_SERVER=$d/sock lpstat -r 2>/dev/null | grep -q "is running" && return 0
    sleep 0.05
  done
  echo "cupsd did not start: $(tail -5 "$d/log/error_log" "$d/log/cupsd.out" 2>/dev/null)" >&2
  return 1
}

cups_start() {
  CUPS_DIR=$1
  local try
  # stopped on every path of the test (lib.sh's on_exit), a restarted one too
  on_exit cups_stop
  for try in 1 2 3 4 5; do
    # below the ephemeral range (32768 up), where the servers of other tests listen on port 0
    CUPS_PORT=${CUPS_PORT:-$(( 20000 + RANDOM % 12000 ))}
    cups_write_conf "$CUPS_DIR"
    cups_launch "$CUPS_DIR" || return 1
    lpadmin -h "$CUPS_DIR/sock" -p cards -E -v "reuptest:$CUPS_DIR/out" || return 1
    # the port may belong to another test's cupsd (a random port, tests run side by side):
    # this one answers on it only when the queue there is ours
    if lpstat -h "127.0.0.1:$CUPS_PORT" -v cards 2>/dev/null | grep -q "reuptest:$CUPS_DIR/out"; then
      CUPS_HOST=127.0.0.1:$CUPS_PORT
      return 0
    fi
    cups_stop
    CUPS_PORT=
  done
  echo "cupsd could not listen on a free port of its own" >&2
  return 1
}

# cups_add_queue NAME: another raw queue into the same folder (files end in -NAME.pdf).
cups_add_queue() { lpadmin -h "$CUPS_DIR/sock" -p "$1" -E -v "reuptest:$CUPS_DIR/out"; }

cups_stop() {
  [ -n "${CUPSD_PID:-}" ] || return 0
  stop_process "$CUPSD_PID"
  CUPSD_PID=
  pkill -KILL -f "$CUPS_DIR/bin/backend" 2>/dev/null || true
}

cups_kill9() {
  kill -KILL "$CUPSD_PID" 2>/dev/null
  wait "$CUPSD_PID" 2>/dev/null
  CUPSD_PID=
  # the backend of the job in flight dies with the server's job
  pkill -KILL -f "$CUPS_DIR/bin/backend" 2>/dev/null || true
}

cups_restart() { cups_launch "$CUPS_DIR"; }

# The serials in every document that reached the queue's folder, one a line.
cups_printed_serials() {
  local f
  for f in "$CUPS_DIR"/out/job-*.pdf; do
    [ -e "$f" ] || continue
    pdftotext -layout "$f" - | grep -oE '[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}' | tr -d ' '
  done
}
