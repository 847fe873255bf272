#!/bin/sh
# PgBouncer in front of PostgreSQL, in the mode rua-milter supports: session
# pooling (the store prepares statements per connection, the migration runner
# and the alert worker hold session-level advisory locks, the worker LISTENs:
# none of that survives transaction pooling in PgBouncer 1.18). A private
# pgbouncer on a unix socket of its own in front of a private server; ruactl
# migrates, imports reports with four workers and finds them duplicates the
# second time, all through it; rua-milter -n accepts the URI. It leaves
# nothing running: the bouncer is stopped by the pid in its own pid file.
# Usage: pgbouncer.sh MILTER RUACTL
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: pgbouncer.sh MILTER RUACTL}
RUACTL=${2:?usage: pgbouncer.sh MILTER RUACTL}
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
# shellcheck source=tests/ha/lib.sh
. "$HERE/lib.sh"
BOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$BOUNCER" ] || { echo "pgbouncer.sh: pgbouncer not installed (scripts/install-deps.sh)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/rua-ha-bouncer-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
BD="$WORK/bouncer"
PGPORT=5435
BPORT=6435
cleanup() {
  rc=$?
  if [ -f "$BD/pgbouncer.pid" ]; then
    pid=$(cat "$BD/pgbouncer.pid")
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
      i=$((i + 1))
      sleep 0.1
    done
  fi
  ha_pg_stop "$PG" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "pgbouncer: kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "pgbouncer: setup failed: $*" >&2; exit 1; }
FAILS=0
N=0

ha_pg_primary "$PG" "$PGPORT" || die "the primary"

# ---- the bouncer: unix socket only (no listen_addr), session pooling ---------
mkdir -p "$BD"
printf '"postgres" ""\n' >"$BD/userlist.txt"
cat >"$BD/pgbouncer.ini" <<EOF
[databases]
rua = host=$PG port=$PGPORT dbname=rua user=postgres

[pgbouncer]
unix_socket_dir = $BD
listen_port = $BPORT
auth_type = trust
auth_file = $BD/userlist.txt
admin_users = postgres
pool_mode = session
server_reset_query = DISCARD ALL
default_pool_size = 8
max_client_conn = 40
logfile = $BD/pgbouncer.log
pidfile = $BD/pgbouncer.pid
EOF
[ "$(id -u)" = 0 ] && chown -R postgres:postgres "$BD"
ha_pg_as_owner "$BOUNCER" -d "$BD/pgbouncer.ini" >"$WORK/bouncer.out" 2>&1 ||
  { cat "$WORK/bouncer.out" "$BD/pgbouncer.log" >&2; die "pgbouncer did not start"; }
i=0
while [ ! -S "$BD/.s.PGSQL.$BPORT" ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || { cat "$BD/pgbouncer.log" >&2; die "pgbouncer did not listen"; }
  sleep 0.1
done

URL="postgresql:///rua?host=$BD&port=$BPORT&user=postgres"
DIRECT="postgresql:///rua?host=$PG&port=$PGPORT&user=postgres"
export RUA_SQL_DIR="$SRC/sql"
{
  "$RUACTL" --database "$URL" db migrate &&
    "$RUACTL" --database "$URL" account add acme &&
    "$RUACTL" --database "$URL" domain add example.net --account acme &&
    "$RUACTL" --database "$URL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log" >&2; die "ruactl set-up through pgbouncer"; }

mkdir -p "$WORK/in"
for i in $(seq 1 20); do
  python3 "$SRC/tests/e2e/make_report.py" eml "$WORK/in/r$i.eml" --report-id "bouncer-$i" \
    --records 4 >/dev/null
done
first=$("$RUACTL" --database "$URL" import --jobs 4 "$WORK/in" 2>"$WORK/import1.err")
expect "import through pgbouncer (session pooling)" "stored 20, duplicate 0, quarantined 0, failed 0" \
  "$(echo "$first" | sed -n 's/;.*//p' | head -n 1)"
again=$("$RUACTL" --database "$URL" import --jobs 4 "$WORK/in" 2>"$WORK/import2.err")
expect "the same again: every report a duplicate" "stored 0, duplicate 20, quarantined 0, failed 0" \
  "$(echo "$again" | sed -n 's/;.*//p' | head -n 1)"
expect "rows in the server: reports|records" "20|80" \
  "$(psql "$DIRECT" -qAtX -c "SELECT count(*), (SELECT count(*) FROM aggregate_record) FROM aggregate_report")"
# The bouncer's own accounting: the work went through it, in session mode.
expect "pgbouncer's pool for rua is in session mode" "session" \
  "$(psql -h "$BD" -p "$BPORT" -U postgres -d pgbouncer -qAtX -F ' ' -c 'SHOW POOLS' |
    awk '$1 == "rua" {print $NF}')"
expect "pgbouncer carried transactions for rua" "yes" \
  "$(psql -h "$BD" -p "$BPORT" -U postgres -d pgbouncer -qAtX -F ' ' -c 'SHOW STATS' |
    awk '$1 == "rua" && $2 > 40 {print "yes"}')"
CONF="$WORK/milter.conf"
printf 'Socket unix:%s/milter.sock\nDatabaseURI %s\nReportDomains example.net\n' "$WORK" "$URL" >"$CONF"
if [ "$(id -u)" = 0 ]; then echo "UserID nobody" >>"$CONF"; fi
"$MILTER" -n -c "$CONF" >"$WORK/check.out" 2>&1
expect "rua-milter -n through pgbouncer" "0" "$?"
[ "$FAILS" -eq 0 ] || { cat "$WORK/import1.err" "$WORK/check.out"; tail -n 20 "$BD/pgbouncer.log"; }

if [ "$FAILS" -ne 0 ]; then
  echo "pgbouncer: $FAILS of $N checks failed"
  exit 1
fi
echo "pgbouncer: all $N checks passed"
