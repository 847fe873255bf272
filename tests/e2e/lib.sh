# shellcheck shell=sh
# Shell helpers shared by the end-to-end scripts (tests/e2e, tests/sendmail),
# the wire benchmark and scripts/demo.sh (sourced, not run): the Postfix
# tools to use, free loopback ports, a rua-milter config, starting and
# stopping the milter we started (by its pid only), waiting for a Postfix
# queue to drain, numbered assertions.
# Nothing here may stop a process it did not start itself.

# Which Postfix the tests and the demo run: a private, unpacked copy when env
# RUA_POSTFIX_ROOT names one or scripts/install-deps.sh wrote
# /var/lib/rua-milter-tests/postfix.env (another MTA owns this host), else the
# system's. Sourcing this file exports LD_LIBRARY_PATH for the private copy:
# its binaries look for their libraries in /usr/lib/postfix (RUNPATH).
RUA_POSTFIX_ENV_FILE=${RUA_POSTFIX_ENV_FILE:-/var/lib/rua-milter-tests/postfix.env}
# rua_postfix_select: sets RUA_POSTFIX_ROOT (and LD_LIBRARY_PATH) in this
# shell; run again once install-deps.sh may have written postfix.env.
rua_postfix_select() {
  if [ -z "${RUA_POSTFIX_ROOT:-}" ] && [ -f "$RUA_POSTFIX_ENV_FILE" ]; then
    RUA_POSTFIX_ROOT=$(sed -n 's/^RUA_POSTFIX_ROOT=//p' "$RUA_POSTFIX_ENV_FILE")
  fi
  RUA_POSTFIX_ROOT=${RUA_POSTFIX_ROOT:-}
  if [ -n "$RUA_POSTFIX_ROOT" ]; then
    export RUA_POSTFIX_ROOT
    case ":${LD_LIBRARY_PATH:-}:" in
    *":$RUA_POSTFIX_ROOT/usr/lib/postfix:"*) ;;
    *) LD_LIBRARY_PATH="$RUA_POSTFIX_ROOT/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
    esac
    export LD_LIBRARY_PATH
  fi
}
rua_postfix_select

# rua_postfix_cmd NAME: prints the path of Postfix's tool NAME (postfix,
# postconf, postqueue, smtp-source...) in the Postfix chosen above; fails,
# saying so on stderr, when it is not there.
rua_postfix_cmd() {
  if [ -n "$RUA_POSTFIX_ROOT" ]; then
    _c="$RUA_POSTFIX_ROOT/usr/sbin/$1"
  else
    _c=$(PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" command -v "$1") || _c=""
  fi
  if [ -z "$_c" ] || [ ! -x "$_c" ]; then
    echo "postfix tool $1 not found${RUA_POSTFIX_ROOT:+ under $RUA_POSTFIX_ROOT}" \
      "(scripts/install-deps.sh)" >&2
    return 1
  fi
  echo "$_c"
}

# expect NAME EXPECTED ACTUAL: one numbered assertion of an end-to-end
# script; counts in N and FAILS, which the script sets to 0 and reports.
expect() {
  N=$((N + 1))
  if [ "$2" = "$3" ]; then
    echo "ok   $N $1: $3"
  else
    echo "FAIL $N $1: expected '$2', got '$3'"
    FAILS=$((FAILS + 1))
  fi
}

# Prints "SMTP_PORT MILTER_PORT": the first pair from BASE (step 10) with
# neither port listening on this machine.
rua_free_ports() {
  _p=${1:-2525}
  while [ "$_p" -lt 65000 ]; do
    if ! ss -ltnH "( sport = :$_p or sport = :$((_p + 1)) )" | grep -q .; then
      echo "$_p $((_p + 1))"
      return 0
    fi
    _p=$((_p + 10))
  done
  echo "rua_free_ports: no free port pair" >&2
  return 1
}

# rua_milter_conf FILE PORT DATABASE_URL REPORT_DOMAINS PIDFILE
rua_milter_conf() {
  cat >"$1" <<EOF
# rua-milter configuration written by tests/e2e/lib.sh
Socket inet:$2@127.0.0.1
DatabaseURI $3
ReportDomains $4
AfterIngest remove
OnBadReport quarantine
PidFile $5
LogLevel info
EOF
  # As root the milter must drop to a user; nobody can still reach a
  # PostgreSQL unix socket in a world-readable directory.
  if [ "$(id -u)" = 0 ]; then echo "UserID nobody" >>"$1"; fi
}

# rua_milter_start BINARY CONFIG LOGFILE PORT: runs the milter in the
# foreground in the background of this shell; sets RUA_MILTER_PID and waits
# (up to 30 s) for it to listen on PORT.
rua_milter_start() {
  "$1" -f -c "$2" >"$3" 2>&1 &
  RUA_MILTER_PID=$!
  _i=0
  while ! ss -ltnH "sport = :$4" | grep -q .; do
    if ! kill -0 "$RUA_MILTER_PID" 2>/dev/null; then
      echo "rua-milter exited before listening on port $4; its output:" >&2
      cat "$3" >&2
      RUA_MILTER_PID=""
      return 1
    fi
    _i=$((_i + 1))
    if [ "$_i" -gt 300 ]; then
      echo "rua-milter did not listen on port $4 within 30 s" >&2
      return 1
    fi
    sleep 0.1
  done
}

# shellcheck disable=SC2034 # RUA_MILTER_STATUS is read by the caller
# Stops the milter started by rua_milter_start: SIGTERM, then up to 10 s for
# libmilter to notice, then SIGKILL. Sets RUA_MILTER_STATUS to its exit status.
rua_milter_stop() {
  RUA_MILTER_STATUS=""
  [ -n "${RUA_MILTER_PID:-}" ] || return 0
  kill -TERM "$RUA_MILTER_PID" 2>/dev/null || true
  _i=0
  while kill -0 "$RUA_MILTER_PID" 2>/dev/null &&
    [ "$(awk '{print $3}' "/proc/$RUA_MILTER_PID/stat" 2>/dev/null)" != Z ]; do
    _i=$((_i + 1))
    if [ "$_i" -gt 100 ]; then
      echo "rua-milter $RUA_MILTER_PID still running 10 s after SIGTERM, killing it" >&2
      kill -KILL "$RUA_MILTER_PID" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  RUA_MILTER_STATUS=0
  wait "$RUA_MILTER_PID" || RUA_MILTER_STATUS=$?
  RUA_MILTER_PID=""
}

# Waits (up to 30 s) until the private Postfix under BASE has nothing queued.
rua_wait_queue_empty() {
  _i=0
  rua_postfix_select
  _pq=$(rua_postfix_cmd postqueue) || return 1
  while ! "$_pq" -c "$1/etc" -p 2>/dev/null | grep -q 'Mail queue is empty'; do
    _i=$((_i + 1))
    if [ "$_i" -gt 300 ]; then
      echo "queue of $1 not empty after 30 s:" >&2
      "$_pq" -c "$1/etc" -p >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

# shellcheck disable=SC2034 # the variables set here are the caller's
# The common start of an end-to-end script run as NAME (a word: messages,
# the work directory and the database are named after it), with HERE its
# folder and PG_DIR the pg fixture: WORK (PF is its private Postfix), the
# database DB (DBURL; ADMIN is the server's postgres database), FAILS and N
# for the assertions, q (SQL on DB) and die. At exit, however the script
# ends: the milter stopped, Postfix stopped, rua_e2e_extra_cleanup run when
# the script defines it, DB dropped, WORK removed (KEEP_WORK=1 keeps it).
rua_e2e_begin() {
  RUA_E2E_NAME=$1
  WORK=$(mktemp -d "/tmp/rua-$1-XXXXXX")
  chmod 0755 "$WORK"
  PF="$WORK/postfix"
  DB="rua_$1_$$"
  DBURL="postgresql:///$DB?host=$PG_DIR&user=postgres"
  ADMIN="postgresql:///postgres?host=$PG_DIR&user=postgres"
  RUA_MILTER_PID=""
  FAILS=0
  N=0
  trap rua_e2e_cleanup EXIT
  trap 'exit 130' INT TERM
  # shellcheck disable=SC2317 # called by the script that began
  q() { psql "$DBURL" -qAtX -c "$1"; }
  # shellcheck disable=SC2317 # called by the script that began
  die() {
    echo "$RUA_E2E_NAME: setup failed: $*" >&2
    exit 1
  }
}

rua_e2e_cleanup() {
  _rc=$?
  rua_milter_stop
  "$HERE/postfix-down.sh" "$PF" >/dev/null 2>&1 || true
  if command -v rua_e2e_extra_cleanup >/dev/null 2>&1; then rua_e2e_extra_cleanup; fi
  psql "$ADMIN" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "$RUA_E2E_NAME: kept $WORK"; else rm -rf "$WORK"; fi
  exit "$_rc"
}
