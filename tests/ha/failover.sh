#!/bin/sh
# Many MX hosts, one database that survives losing a server: two private
# Postfix instances on loopback, each with its own rua-milter, both given a
# libpq multi-host URI (target_session_attrs=read-write) naming a PostgreSQL
# primary and its synchronous streaming standby. A bounded burst of distinct
# reports goes to both; after the K-th 250 the primary is crashed
# (pg_ctl stop -m immediate) and the standby promoted, while the burst goes
# on and every 4xx is retried. Afterwards every report is in the new primary
# exactly once, with all its records. It leaves nothing running.
# Usage (as root): failover.sh MILTER RUACTL [crash | sync | single]
#   crash (default): the test above. sync / single: no crash, the burst's
#   rate with a synchronous standby / with a primary alone (tests/bench/ha.sh).
# Env: HA_COUNT (reports, default 300), HA_THREADS (senders, default 8),
#   HA_PORT (first port to try, default 2725), KEEP_WORK=1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: failover.sh MILTER RUACTL [crash|sync|single]}
RUACTL=${2:?usage: failover.sh MILTER RUACTL [crash|sync|single]}
MODE=${3:-crash}
COUNT=${HA_COUNT:-300}
THREADS=${HA_THREADS:-8}
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
# shellcheck source=tests/ha/lib.sh
. "$HERE/lib.sh"

case "$MODE" in crash | sync | single) ;; *) echo "failover.sh: unknown mode $MODE" >&2; exit 64 ;; esac
if [ ! -x "$MILTER" ] || [ ! -x "$RUACTL" ]; then
  echo "failover.sh: waiting for rua-milter and ruactl" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "failover.sh: must run as root (a private Postfix needs it)" >&2; exit 1; }
rua_postfix_cmd postfix >/dev/null || exit 1

WORK=$(mktemp -d /tmp/rua-ha-XXXXXX)
chmod 0755 "$WORK"
PGA="$WORK/pga"
PGB="$WORK/pgb"
PORT_A=5433
PORT_B=5434
PIDS=""
cleanup() {
  rc=$?
  for pid in $PIDS; do
    RUA_MILTER_PID=$pid
    rua_milter_stop
  done
  "$SRC/tests/e2e/postfix-down.sh" "$WORK/pf1" >/dev/null 2>&1 || true
  "$SRC/tests/e2e/postfix-down.sh" "$WORK/pf2" >/dev/null 2>&1 || true
  ha_pg_stop "$PGA" immediate 2>/dev/null || true
  ha_pg_stop "$PGB" immediate 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "failover: kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "failover: setup failed: $*" >&2; exit 1; }
FAILS=0
N=0

# ---- PostgreSQL: a primary, and (but for `single`) a synchronous standby ----
ha_pg_primary "$PGA" "$PORT_A" || die "the primary"
URL="postgresql:///rua?host=$PGA&port=$PORT_A&user=postgres"
if [ "$MODE" != single ]; then
  ha_pg_standby "$PGA" "$PORT_A" "$PGB" "$PORT_B" standby_b || die "standby did not start"
  ha_pg_make_sync "$PGA" "$PORT_A" || die "the standby did not become synchronous"
  expect "primary's standby is synchronous" "standby_b=sync" "$(ha_pg_sync "$PGA" "$PORT_A")"
  URL="postgresql:///rua?host=$PGA,$PGB&port=$PORT_A,$PORT_B&target_session_attrs=read-write&user=postgres"
fi
export RUA_SQL_DIR="$SRC/sql"
{
  "$RUACTL" --database "$URL" db migrate &&
    "$RUACTL" --database "$URL" account add acme &&
    "$RUACTL" --database "$URL" domain add example.net --account acme &&
    "$RUACTL" --database "$URL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log" >&2; die "ruactl set-up over $URL"; }
q() { psql "$URL" -qAtX -c "$1"; }

# ---- two MX paths: Postfix -> rua-milter, each with the multi-host URI ------
PORTS1=$(rua_free_ports "${HA_PORT:-2725}") || die "no free ports"
P1_SMTP=${PORTS1% *}
P1_MILTER=${PORTS1#* }
PORTS2=$(rua_free_ports $((P1_SMTP + 10))) || die "no free ports"
P2_SMTP=${PORTS2% *}
P2_MILTER=${PORTS2#* }
for i in 1 2; do
  eval "mport=\$P${i}_MILTER"
  eval "sport=\$P${i}_SMTP"
  # shellcheck disable=SC2154 # set by the eval above
  rua_milter_conf "$WORK/milter$i.conf" "$mport" "$URL" example.net "$WORK/milter$i.pid"
  printf 'PoolSize 4\nEomDeadline 30\n' >>"$WORK/milter$i.conf"
  "$MILTER" -n -c "$WORK/milter$i.conf" >"$WORK/check$i.log" 2>&1 ||
    { cat "$WORK/check$i.log" >&2; die "rua-milter -n refuses the multi-host URI"; }
  rua_milter_start "$MILTER" "$WORK/milter$i.conf" "$WORK/milter$i.log" "$mport" ||
    die "rua-milter $i did not start"
  PIDS="$PIDS $RUA_MILTER_PID"
  # shellcheck disable=SC2154
  "$SRC/tests/e2e/postfix-up.sh" "$WORK/pf$i" "$sport" "$mport" example.net dmarc@example.net \
    >/dev/null || die "postfix $i did not start"
done
echo "     two MX paths: smtp $P1_SMTP -> milter $P1_MILTER, smtp $P2_SMTP -> milter $P2_MILTER;" \
  "database $(echo "$URL" | sed 's/?.*//') ($MODE)"

# ---- the burst (with the crash in its middle) -------------------------------
CRASH=""
if [ "$MODE" = crash ]; then
  echo "runuser -u postgres -- $HA_PG_BIN/pg_ctl -D $PGA/data -m immediate -w -t 60 stop >/dev/null" \
    >"$WORK/crash.sh"
  echo "runuser -u postgres -- $HA_PG_BIN/pg_ctl -D $PGB/data -w -t 60 promote >/dev/null" \
    >"$WORK/promote.sh"
  CRASH="--crash-after $((COUNT / 3)) --crash-cmd 'sh $WORK/crash.sh' --promote-cmd 'sh $WORK/promote.sh'"
fi
eval "python3 '$HERE/burst.py' --ports '$P1_SMTP,$P2_SMTP' --count '$COUNT' --threads '$THREADS' \
  --prefix ha --log '$WORK/burst.log' $CRASH" >"$WORK/burst.out" 2>&1
BURST_RC=$?
cat "$WORK/burst.out"
SUMMARY=$(tail -n 1 "$WORK/burst.out")
field() { echo "$SUMMARY" | sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; }
expect "burst client finished" 0 "$BURST_RC"
expect "every report answered 250 in the end" "$COUNT" "$(field ok_final)"
expect "no report refused for good (5xx or retries exhausted)" 0 "$(field failed)"
if [ "$MODE" = crash ]; then
  expect "the standby is the primary now" "f" "$(q 'SELECT pg_is_in_recovery()')"
  expect "the old primary is down" "no" "$([ -f "$PGA/data/postmaster.pid" ] && echo yes || echo no)"
  expect "250s before the crash" "yes" "$([ "$(field ok_before_crash)" -gt 0 ] && echo yes || echo no)"
  expect "250s after the crash" "yes" "$([ "$(field ok_after_crash)" -gt 0 ] && echo yes || echo no)"
  expect "some answers were 4xx and retried" "yes" \
    "$(awk '$4 >= 400 && $4 < 500' "$WORK/burst.log" | grep -q . && echo yes || echo no)"
fi

# ---- exactly once -----------------------------------------------------------
rua_wait_queue_empty "$WORK/pf1" || true
rua_wait_queue_empty "$WORK/pf2" || true
expect "reports stored: rows|distinct ids|sum(record_count)" "$COUNT|$COUNT|$((COUNT * 3))" \
  "$(q "SELECT count(*), count(DISTINCT report_id), coalesce(sum(record_count), 0)
        FROM aggregate_report WHERE report_id LIKE 'ha-%'")"
expect "aggregate_record rows" "$((COUNT * 3))" \
  "$(q "SELECT count(*) FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id
        WHERE a.report_id LIKE 'ha-%'")"
awk '$4 == 250 {print $1}' "$WORK/burst.log" | LC_ALL=C sort -u >"$WORK/acked"
q "SELECT report_id FROM aggregate_report WHERE report_id LIKE 'ha-%'" | LC_ALL=C sort >"$WORK/stored"
expect "the ids acknowledged 250 are the ids stored, each once" "same" \
  "$(cmp -s "$WORK/acked" "$WORK/stored" && echo same || echo differ)"
expect "nothing quarantined" 0 "$(q 'SELECT count(*) FROM quarantine')"
expect "nothing delivered to the rua mailboxes (milter fallback)" 0 \
  "$(find "$WORK/pf1/mail" "$WORK/pf2/mail" -type f -path '*/new/*' 2>/dev/null | wc -l | tr -d ' ')"
ANSWERS=$(awk '{print $4}' "$WORK/burst.log" | sort | uniq -c | awk '{printf "%s%s x%s", s, $2, $1; s=", "}')
RETRY_TEXT=$(awk '$4 >= 400 && $4 < 500 {$1=$2=$3=$5=$6=""; print}' "$WORK/burst.log" |
  sed 's/^ *//' | sort | uniq -c | sort -rn | head -n 3)
# How the crash met the messages in flight: commits whose outcome was unknown
# (451) and retries that found their report already stored (250, duplicate).
IN_DOUBT=$(cat "$WORK/milter1.log" "$WORK/milter2.log" | grep -c 'commit in doubt')
DUPLICATES=$(cat "$WORK/milter1.log" "$WORK/milter2.log" | grep -c ': duplicate rua=')
echo "     answers: $ANSWERS; commits in doubt: $IN_DOUBT; retries found stored: $DUPLICATES"
[ -z "$RETRY_TEXT" ] || echo "$RETRY_TEXT" | sed 's/^/     4xx: /'
echo "     figures ($MODE): sent=$(field sent) 250_first_time=$(field ok_first)" \
  "4xx_then_retried=$(field retried) stored=$(q "SELECT count(*) FROM aggregate_report WHERE report_id LIKE 'ha-%'")" \
  "crash_to_first_250_s=$(field recovery_s) promote_s=$(field promote_s)" \
  "burst_s=$(field elapsed_s) reports_per_s=$(field rate)"
if [ "$FAILS" -ne 0 ]; then
  echo "failover: $FAILS of $N checks failed; milter logs:"
  tail -n 20 "$WORK/milter1.log" "$WORK/milter2.log"
  exit 1
fi
echo "failover ($MODE): all $N checks passed"
