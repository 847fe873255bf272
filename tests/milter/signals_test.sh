#!/bin/sh
# Signals against the real daemon, with the private PostgreSQL of the `pg`
# fixture: SIGUSR1 reloads and the daemon keeps running; SIGHUP and SIGTERM
# stop it cleanly (exit 0, the exact log lines, the pid file removed), both
# in the foreground and as a forked daemon. The stop time is printed, never
# asserted: waits are bounded only so that a hang fails instead of blocking.
# Usage: signals_test.sh RUA_MILTER PG_URL_FILE WORK_DIR
set -eu
MILTER=${1:?usage: signals_test.sh RUA_MILTER PG_URL_FILE WORK_DIR}
URL=$(cat "${2:?}")
WORK=${3:?}
rm -rf "$WORK"
mkdir -p "$WORK"
PIDFILE="$WORK/rua-milter.pid"
LOG="$WORK/milter.log"
fail() { echo "signals_test: FAIL: $*" >&2; [ -f "$LOG" ] && sed 's/^/  | /' "$LOG" >&2; exit 1; }

USERLINE=""
if [ "$(id -u)" = 0 ]; then
  USERLINE="UserID nobody"
  chown nobody "$WORK" # the daemon removes its pid file as nobody
fi
cat >"$WORK/milter.conf" <<CONF
Socket unix:$WORK/milter.sock
DatabaseURI $URL
ReportDomains example.net
PidFile $PIDFILE
$USERLINE
CONF

# Waits (bounded) until FILE contains TEXT.
wait_log() {
  i=0
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 600 ] || fail "no \"$2\" in $1 after 60 s"
    sleep 0.1
  done
}
# Waits (bounded) until process $1 has exited (gone, or a zombie that its
# new parent, PID 1, has not reaped yet); prints the milliseconds taken.
wait_gone() {
  start=$(date +%s%N)
  i=0
  while kill -0 "$1" 2>/dev/null &&
    [ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)" != Z ]; do
    i=$((i + 1))
    [ $i -le 600 ] || fail "pid $1 still running 60 s after the signal"
    sleep 0.01
  done
  echo $((($(date +%s%N) - start) / 1000000))
}

# Foreground: SIGUSR1 reloads, then SIGNAL stops. Exit status and log lines.
foreground() {
  signal=$1
  : >"$LOG"
  "$MILTER" -f -c "$WORK/milter.conf" 2>"$LOG" &
  pid=$!
  wait_log "$LOG" "started: socket unix:$WORK/milter.sock"
  [ "$(cat "$PIDFILE")" = "$pid" ] || fail "pid file holds $(cat "$PIDFILE"), not $pid"
  kill -USR1 "$pid"
  wait_log "$LOG" "rua-milter: info: configuration reloaded from $WORK/milter.conf"
  kill -0 "$pid" || fail "SIGUSR1 stopped the daemon"
  start=$(date +%s%N)
  kill -"$signal" "$pid"
  status=0
  wait "$pid" || status=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  [ "$status" = 0 ] || fail "SIG$signal: exit status $status"
  expected="rua-milter: info: stopping on SIG$signal"
  [ "$signal" = HUP ] && expected="$expected (SIGHUP stops rua-milter; SIGUSR1 reloads)"
  grep -qxF -- "$expected" "$LOG" || fail "no line \"$expected\""
  grep -qxF -- "rua-milter: info: stopped" "$LOG" || fail "no line \"rua-milter: info: stopped\""
  [ ! -e "$PIDFILE" ] || fail "SIG$signal: pid file $PIDFILE left behind"
  [ "$(tail -n 1 "$LOG")" = "rua-milter: info: stopped" ] || fail "a line after \"stopped\""
  echo "signals_test: SIG$signal (foreground): stopped in $ms ms, exit 0, pid file removed"
}

foreground HUP
foreground TERM

# A forked daemon (as systemd's Type=forking runs it): the parent writes the
# pid file; SIGTERM and SIGHUP both remove it on the way out.
for signal in TERM HUP; do
  "$MILTER" -c "$WORK/milter.conf" || fail "daemon start: exit status $?"
  [ -s "$PIDFILE" ] || fail "no pid file after the parent exited"
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" || fail "daemon $pid not running"
  # It answers once its socket exists (bound before the fork).
  [ -S "$WORK/milter.sock" ] || fail "no socket $WORK/milter.sock"
  kill -"$signal" "$pid"
  ms=$(wait_gone "$pid")
  [ ! -e "$PIDFILE" ] || fail "forked daemon, SIG$signal: pid file left behind"
  echo "signals_test: SIG$signal (forked daemon): gone in $ms ms, pid file removed"
done
echo "signals_test: PASS"
