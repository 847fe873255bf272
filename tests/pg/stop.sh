#!/bin/sh
# Stop the PostgreSQL that start.sh started in DIR. Usage: stop.sh DIR
set -eu
DIR=${1:?usage: stop.sh DIR}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -f "$DIR/data/postmaster.pid" ] || { echo "pg not running in $DIR"; exit 0; }
RUNAS=""
[ "$(id -u)" = 0 ] && RUNAS="runuser -u postgres --"
$RUNAS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
echo "pg stopped in $DIR"
