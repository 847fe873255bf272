#!/bin/sh
# Start a throwaway PostgreSQL 15 for the tests: initdb in DIR, unix socket
# only (no TCP), owned by the OS user postgres (initdb refuses root). Writes
# the libpq URL to DIR/url. Usage: start.sh DIR
set -eu
DIR=${1:?usage: start.sh DIR}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$BIN/initdb" ] || { echo "start.sh: $BIN/initdb not found (apt-get install postgresql-15)" >&2; exit 1; }
if [ -f "$DIR/data/postmaster.pid" ]; then
  "$(dirname "$0")/stop.sh" "$DIR" || true
fi
rm -rf "$DIR"
mkdir -p "$DIR"
RUNAS=""
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DIR"
  RUNAS="runuser -u postgres --"
fi
$RUNAS "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 ||
  { cat "$DIR/initdb.log" >&2; exit 1; }
cat >>"$DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$DIR'
port = 5432
max_connections = 100
fsync = on
synchronous_commit = on
CONF
$RUNAS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null ||
  { cat "$DIR/server.log" >&2; exit 1; }
"$BIN/psql" -h "$DIR" -U postgres -d postgres -qAt -c "CREATE DATABASE rua" >/dev/null
echo "postgresql:///rua?host=$DIR&user=postgres" >"$DIR/url"
echo "pg started in $DIR: $(cat "$DIR/url")"
