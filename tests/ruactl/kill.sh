#!/bin/sh
# The database dies in the middle of `ruactl import` (pg_ctl -m immediate
# stop while it runs): the import exits 1 saying to try again later, no
# partial report is visible after the restart (every aggregate_report has
# its record_count records), and the next import completes with exact
# counts. Restarts the fixture server whatever happens.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db

RUNAS=""
[ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
server_up() {
  $RUNAS "$PG_BIN/pg_ctl" -D "$PGDIR/data" status >/dev/null 2>&1
}
start_server() {
  server_up || $RUNAS "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 start >/dev/null
}
trap 'start_server || true; cleanup' EXIT

N=${RUACTL_KILL_FILES:-600}
mkdir "$WORK/in"
i=1
while [ "$i" -le "$N" ]; do
  gen_report "k-$i" | gzip -c >"$WORK/in/k-$i.xml.gz"
  i=$((i + 1))
done

"$RUACTL" import --jobs 2 "$WORK/in" >"$WORK/out" 2>"$WORK/err" &
pid=$!
# Wait until the import has stored some reports (polling the database),
# then stop the server under it.
tries=0
while [ "$(sql 'SELECT count(*) FROM aggregate_report')" -lt 20 ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: the import did not store 20 reports while running (raise RUACTL_KILL_FILES?)"
    exit 1
  fi
  sleep 0.05
done
$RUNAS "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null
rc=0
wait "$pid" || rc=$?
check "import during the outage: exit status (EX_TEMPFAIL)" 75 "$rc"
[ "$rc" = 75 ] || { echo "ruactl's standard error:"; tail -n 60 "$WORK/err"; }
check "import during the outage: says try again later" 1 \
  "$(grep -c '^ruactl: import stopped: the database is unavailable; [0-9]* inputs not attempted; run the same import again later$' "$WORK/err")"
check "import during the outage: a failing input says try again later" 1 \
  "$(grep -q ': try again later: ' "$WORK/err" && echo 1 || echo 0)"
check_prefix "import during the outage: summary" "stored " "$(cat "$WORK/out")"

start_server
partial=$(sql "SELECT count(*) FROM aggregate_report a WHERE record_count <>
                 (SELECT count(*) FROM aggregate_record r WHERE r.report_id = a.id)")
check "no partial report after the restart" 0 "$partial"
before=$(sql 'SELECT count(*) FROM aggregate_report')
echo "info: $before of $N reports stored before the outage"
if [ "$before" -ge "$N" ]; then
  echo "FAIL: every report was stored before the server stopped (raise RUACTL_KILL_FILES)"
  FAILED=1
fi

rc=0
"$RUACTL" import --jobs 2 "$WORK/in" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "import after the restart: exit status" 0 "$rc"
check_prefix "import after the restart: summary" \
  "stored $((N - before)), duplicate $before, quarantined 0, failed 0; $N reports, $((N * 2)) records in " \
  "$(cat "$WORK/out")"
check "aggregate_report rows" "$N" "$(sql 'SELECT count(*) FROM aggregate_report')"
check "aggregate_record rows" "$((N * 2))" "$(sql 'SELECT count(*) FROM aggregate_record')"
check "nothing quarantined" 0 "$(sql 'SELECT count(*) FROM quarantine')"
finish
