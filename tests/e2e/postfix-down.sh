#!/bin/sh
# Stops the private Postfix that postfix-up.sh started under BASE and waits
# for its master to go. Never touches any other Postfix instance.
# Usage: postfix-down.sh BASE
set -eu
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
BASE=${1:?usage: postfix-down.sh BASE}
[ -f "$BASE/etc/main.cf" ] || exit 0
PIDFILE="$BASE/spool/pid/master.pid"
PID=""
[ -f "$PIDFILE" ] && PID=$(tr -d ' \n' <"$PIDFILE")
POSTFIX=$(rua_postfix_cmd postfix) || exit 1
"$POSTFIX" -c "$BASE/etc" stop >/dev/null 2>&1 || true
if [ -n "$PID" ]; then
  i=0
  # A stopped master may linger as a zombie until PID 1 reaps it; that is gone
  # for our purposes, so look at the process state too.
  while [ -d "/proc/$PID" ] && [ "$(awk '{print $3}' "/proc/$PID/stat" 2>/dev/null)" != Z ]; do
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then
      echo "postfix-down.sh: master $PID still running, killing it" >&2
      kill -9 "$PID" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
fi
echo "postfix down: $BASE"
