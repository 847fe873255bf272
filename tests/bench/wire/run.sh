#!/bin/sh
# Wire-speed benchmark (issue 8): mail through a private Postfix on loopback
# with no milter and with rua-milter, interleaved, REPS rounds, medians. A
# measuring script, not a test (never run by ctest): it fails only when
# something cannot run or a report is not stored exactly once. It starts its
# own PostgreSQL and two private Postfix instances (identical but for
# smtpd_milters) and stops everything it started, by pid or base directory.
#
# Usage (as root, ~10 min with the defaults):  tests/bench/wire/run.sh
# env: RUA_WIRE_BUILD  Release build dir (default build/wire-rel; built here)
#      RUA_WIRE_OLD    an older rua-milter binary for one A/B line (optional)
#      RUA_WIRE_PLAIN  ordinary messages per run (1000), RUA_WIRE_REPORTS report
#      messages per run (600), RUA_WIRE_REPS rounds (3), RUA_WIRE_TRACE messages
#      sent under strace for the TCP_NODELAY proof (30; 0 to skip)
# Ordinary mail: smtp-source, 8 sessions, to a local non-rua address. Report
# mail: report_sender, 8 threads of distinct aggregate reports to the rua
# address; with no milter the same mails go to a local mailbox (the baseline).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
BUILD=${RUA_WIRE_BUILD:-$SRC/build/wire-rel}
OLD=${RUA_WIRE_OLD:-}
N_PLAIN=${RUA_WIRE_PLAIN:-1000}
N_REPORT=${RUA_WIRE_REPORTS:-600}
REPS=${RUA_WIRE_REPS:-3}
N_TRACE=${RUA_WIRE_TRACE:-30}
SESSIONS=8
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"

[ "$(id -u)" = 0 ] || { echo "wire: must run as root (private Postfix)" >&2; exit 1; }
for tool in postfix smtp-source; do
  rua_postfix_cmd "$tool" >/dev/null || exit 1
done
for tool in psql strace python3; do
  command -v "$tool" >/dev/null || { echo "wire: $tool not found (scripts/install-deps.sh)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/rua-wire-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
PF_NONE="$WORK/pf-none"
PF_MILTER="$WORK/pf-milter"
RUA_MILTER_PID=""
cleanup() {
  rc=$?
  rua_milter_stop
  "$SRC/tests/e2e/postfix-down.sh" "$PF_NONE" >/dev/null 2>&1 || true
  "$SRC/tests/e2e/postfix-down.sh" "$PF_MILTER" >/dev/null 2>&1 || true
  [ -f "$PG/data/postmaster.pid" ] && "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
  echo "wire: raw outputs in $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '== %s\n' "$*" >&2; }
die() { echo "wire: $*" >&2; exit 1; }

say "Release build in $BUILD (rua-milter, ruactl, ruactl-store, report_sender)"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
# shellcheck disable=SC2086
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $LAUNCHER >"$WORK/configure.log" 2>&1 ||
  { cat "$WORK/configure.log"; exit 1; }
cmake --build "$BUILD" -j2 --target rua-milter ruactl ruactl-store report_sender >"$WORK/build.log" 2>&1 ||
  { tail -n 30 "$WORK/build.log"; exit 1; }
MILTER="$BUILD/milter/rua-milter"
RUACTL="$BUILD/ruactl/ruactl"
SENDER="$BUILD/tests/bench/report_sender"

say "PostgreSQL in $PG"
"$SRC/tests/pg/start.sh" "$PG" >/dev/null
DBURL="postgresql:///rua_wire?host=$PG&user=postgres"
psql "postgresql:///postgres?host=$PG&user=postgres" -qAtX -c "CREATE DATABASE rua_wire" >/dev/null
export RUA_SQL_DIR="$SRC/sql"
{
  "$RUACTL" --database "$DBURL" db migrate &&
    "$RUACTL" --database "$DBURL" account add bench &&
    "$RUACTL" --database "$DBURL" rua add dmarc@example.net --account bench --domain example.com
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "database set-up failed"; }
q() { psql "$DBURL" -qAtX -c "$1"; }

# shellcheck disable=SC2046
set -- $(rua_free_ports 2625)
SMTP_MILTER=$1 MPORT=$2
# shellcheck disable=SC2046
set -- $(rua_free_ports $((SMTP_MILTER + 10)))
SMTP_NONE=$1
say "Postfix with rua-milter on 127.0.0.1:$SMTP_MILTER (milter $MPORT), without on $SMTP_NONE"
"$SRC/tests/e2e/postfix-up.sh" "$PF_MILTER" "$SMTP_MILTER" "$MPORT" "example.net example.org" >/dev/null
"$SRC/tests/e2e/postfix-up.sh" "$PF_NONE" "$SMTP_NONE" "$MPORT" "example.net example.org" >/dev/null
"$(rua_postfix_cmd postconf)" -c "$PF_NONE/etc" -e "smtpd_milters=" "non_smtpd_milters="
"$(rua_postfix_cmd postfix)" -c "$PF_NONE/etc" reload >/dev/null 2>&1
[ -z "$("$(rua_postfix_cmd postconf)" -c "$PF_NONE/etc" -h smtpd_milters)" ] || die "the baseline Postfix still has a milter"
rua_milter_conf "$WORK/milter.conf" "$MPORT" "$DBURL" example.net "$WORK/milter.pid"

# Waits (up to 300 s per instance) until both Postfix queues are empty, so a
# run never pays for the deliveries of the run before (the baseline's are
# real Maildir deliveries, a milter run's reports are discarded).
drain() {
  for _pf in "$PF_NONE" "$PF_MILTER"; do
    _i=0
    while ! "$(rua_postfix_cmd postqueue)" -c "$_pf/etc" -p 2>/dev/null | grep -q 'Mail queue is empty'; do
      _i=$((_i + 1))
      [ "$_i" -le 3000 ] || die "queue of $_pf not empty after 300 s"
      sleep 0.1
    done
  done
}

# start_milter BINARY LABEL: starts it and waits (up to 60 s) for its registry.
start_milter() {
  rua_milter_start "$1" "$WORK/milter.conf" "$WORK/milter-$2.log" "$MPORT" || die "cannot start $1"
  _i=0
  until grep -q "registry loaded" "$WORK/milter-$2.log"; do
    _i=$((_i + 1))
    [ "$_i" -le 600 ] || die "$1 did not load its registry within 60 s"
    sleep 0.1
  done
}

# seconds since the epoch, as a decimal
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.1f}')" "$@"; }

# plain MODE PORT BASE ROUND: ordinary mail with smtp-source; appends "MODE RATE".
plain() {
  drain
  _t0=$(now)
  "$(rua_postfix_cmd smtp-source)" -s "$SESSIONS" -m "$N_PLAIN" -l 1024 -f bench@example.org -t user@example.org \
    "127.0.0.1:$2" >>"$WORK/smtp-source.log" 2>&1 || die "smtp-source ($1) failed"
  _t1=$(now)
  _r=$(rate "$N_PLAIN" "$_t0" "$_t1")
  echo "$1 $_r" >>"$WORK/plain.txt"
  say "round $4 ordinary $1: $_r msg/s"
}

# report MODE PORT BASE ROUND: distinct reports with report_sender; with a
# milter, every one must be stored exactly once.
report() {
  drain
  _prefix="wire-$$-$4-$1"
  "$SENDER" "$2" dmarc@example.net "$_prefix" "$N_REPORT" "$SESSIONS" >"$WORK/sender-$_prefix.txt" 2>&1 ||
    { cat "$WORK/sender-$_prefix.txt" >&2; die "report_sender ($1) failed"; }
  _r=$(sed -n 's/.*msg_per_s=\([0-9.]*\).*/\1/p' "$WORK/sender-$_prefix.txt")
  _m=$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' "$WORK/sender-$_prefix.txt")
  echo "$1 $_r $_m" >>"$WORK/report.txt"
  if [ "$1" != none ]; then
    _rows=$(q "SELECT count(*), count(DISTINCT report_id) FROM aggregate_report WHERE report_id LIKE '$_prefix-%'")
    [ "$_rows" = "$N_REPORT|$N_REPORT" ] || die "$1 round $4: stored (rows|distinct) $_rows, sent $N_REPORT"
    say "round $4 report $1: $_r msg/s, median $_m ms per message, stored exactly once: $N_REPORT"
  else
    say "round $4 report $1: $_r msg/s, median $_m ms per message"
  fi
}

: >"$WORK/plain.txt"
: >"$WORK/report.txt"
MODES="none milter"
[ -n "$OLD" ] && MODES="$MODES old"
# run_mode MODE ROUND: ordinary then report mail through one configuration.
run_mode() {
  case "$1" in
  none)
    plain none "$SMTP_NONE" "$PF_NONE" "$2"
    report none "$SMTP_NONE" "$PF_NONE" "$2"
    ;;
  *)
    _binary=$MILTER
    [ "$1" = old ] && _binary=$OLD
    start_milter "$_binary" "$1-$2"
    plain "$1" "$SMTP_MILTER" "$PF_MILTER" "$2"
    report "$1" "$SMTP_MILTER" "$PF_MILTER" "$2"
    rua_milter_stop
    ;;
  esac
}
round=1
while [ "$round" -le "$REPS" ]; do
  # The order turns each round, so a machine that speeds up or slows down
  # during the run favours no configuration.
  order=$MODES
  _k=1
  while [ "$_k" -lt "$round" ]; do
    order="${order#* } ${order%% *}"
    _k=$((_k + 1))
  done
  for mode in $order; do
    run_mode "$mode" "$round"
  done
  round=$((round + 1))
done

# The proof: the milter under strace, one message at a time. After the
# end-of-message reply ('d', discard) the next command from Postfix arrives
# at once with TCP_NODELAY; without it ~40 ms later (Nagle + delayed ACK).
trace() {
  _log="$WORK/strace-$2.txt"
  RUA_MILTER_PID=""
  strace -f -tt -e trace=setsockopt,accept,accept4,read,write,writev -o "$_log" \
    "$1" -f -c "$WORK/milter.conf" >"$WORK/milter-trace-$2.log" 2>&1 &
  RUA_MILTER_PID=$!
  _i=0
  until grep -q "registry loaded" "$WORK/milter-trace-$2.log"; do
    _i=$((_i + 1))
    [ "$_i" -le 600 ] || die "$1 under strace did not start within 60 s"
    sleep 0.1
  done
  "$SENDER" "$SMTP_MILTER" dmarc@example.net "wire-$$-trace-$2" "$N_TRACE" 1 >"$WORK/sender-trace-$2.txt" 2>&1 ||
    die "report_sender under strace ($2) failed"
  # Stop the milter itself (strace's only child), then strace ends with it.
  _strace=$RUA_MILTER_PID
  RUA_MILTER_PID=$(pgrep -P "$_strace" | head -n 1)
  rua_milter_stop
  _i=0
  while kill -0 "$_strace" 2>/dev/null && [ "$_i" -lt 100 ]; do
    _i=$((_i + 1))
    sleep 0.1
  done
  wait "$_strace" 2>/dev/null || true
  python3 "$HERE/strace_gaps.py" "$2" "$_log"
}
if [ "$N_TRACE" -gt 0 ]; then
  say "strace proof: $N_TRACE messages, one at a time"
  trace "$MILTER" milter | tee "$WORK/proof.txt"
  [ -n "$OLD" ] && trace "$OLD" old | tee -a "$WORK/proof.txt"
fi

python3 "$HERE/summary.py" "$WORK/plain.txt" "$WORK/report.txt" "$N_PLAIN" "$N_REPORT" "$REPS"
