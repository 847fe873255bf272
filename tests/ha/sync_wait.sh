#!/bin/sh
# A COMMIT whose wait for the synchronous standby is cancelled: PostgreSQL
# then reports success with only a WARNING ("canceling wait for synchronous
# replication"), although the report is on the primary alone and would be
# lost with it. The store must call that outcome unknown (try later), and the
# retry, once the standby is back, finds the report stored: exactly once.
# Private primary and standby on unix sockets; the standby is stopped, an
# import waits in COMMIT (wait event SyncRep) and that wait is cancelled with
# pg_cancel_backend. It leaves nothing running.
# Usage: sync_wait.sh RUACTL
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
RUACTL=${1:?usage: sync_wait.sh RUACTL}
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
# shellcheck source=tests/ha/lib.sh
. "$HERE/lib.sh"

WORK=$(mktemp -d /tmp/rua-ha-sync-XXXXXX)
chmod 0755 "$WORK"
PGA="$WORK/pga"
PGB="$WORK/pgb"
PORT_A=5436
PORT_B=5437
IMPORT_PID=""
cleanup() {
  rc=$?
  [ -z "$IMPORT_PID" ] || kill "$IMPORT_PID" 2>/dev/null || true
  ha_pg_stop "$PGA" immediate 2>/dev/null || true
  ha_pg_stop "$PGB" immediate 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "sync_wait: kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "sync_wait: setup failed: $*" >&2; exit 1; }
FAILS=0
N=0

ha_pg_primary "$PGA" "$PORT_A" || die "the primary"
URL="postgresql:///rua?host=$PGA&port=$PORT_A&user=postgres"
export RUA_SQL_DIR="$SRC/sql"
{
  "$RUACTL" --database "$URL" db migrate &&
    "$RUACTL" --database "$URL" account add acme &&
    "$RUACTL" --database "$URL" domain add example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log" >&2; die "ruactl set-up"; }
ha_pg_standby "$PGA" "$PORT_A" "$PGB" "$PORT_B" standby_b || die "standby did not start"
ha_pg_make_sync "$PGA" "$PORT_A" || die "the standby did not become synchronous"
python3 "$SRC/tests/e2e/make_report.py" eml "$WORK/r.eml" --report-id sync-wait-1 >/dev/null

# ---- the standby goes; the import's COMMIT waits for it; the wait is cancelled
ha_pg_stop "$PGB" || die "cannot stop the standby"
"$RUACTL" --database "$URL" import --jobs 1 "$WORK/r.eml" >"$WORK/import1.out" 2>"$WORK/import1.err" &
IMPORT_PID=$!
admin() { psql -h "$PGA" -p "$PORT_A" -U postgres -d postgres -qAtX -c "$1"; }
i=0
while [ "$(admin "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")" != 1 ]; do
  i=$((i + 1))
  [ "$i" -le 300 ] || die "the import never waited for the standby"
  sleep 0.1
done
expect "cancelled a COMMIT waiting for the standby" "t" \
  "$(admin "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")"
wait "$IMPORT_PID"
status=$?
IMPORT_PID=""
expect "the import says try again (EX_TEMPFAIL), not stored" 75 "$status"
expect "and why" 1 "$(grep -c 'commit not confirmed by the synchronous standby' "$WORK/import1.err")"
expect "the primary holds the report all the same (committed locally)" 1 \
  "$(psql "$URL" -qAtX -c "SELECT count(*) FROM aggregate_report WHERE report_id = 'sync-wait-1'")"

# ---- the standby is back: the retry finds the report, exactly once ------------
ha_pg_start "$PGB" || die "standby did not start again"
"$RUACTL" --database "$URL" import --jobs 1 "$WORK/r.eml" >"$WORK/import2.out" 2>"$WORK/import2.err"
expect "the retry: a duplicate" "stored 0, duplicate 1, quarantined 0, failed 0" \
  "$(sed -n 's/;.*//p' "$WORK/import2.out" | head -n 1)"
expect "stored exactly once" 1 \
  "$(psql "$URL" -qAtX -c "SELECT count(*) FROM aggregate_report WHERE report_id = 'sync-wait-1'")"

if [ "$FAILS" -ne 0 ]; then
  cat "$WORK/import1.out" "$WORK/import1.err"
  echo "sync_wait: $FAILS of $N checks failed"
  exit 1
fi
echo "sync_wait: all $N checks passed"
