# shellcheck shell=sh
# Shell helpers for the high-availability tests (sourced, not run): private
# PostgreSQL 15 servers in directories of the test's own, unix sockets only
# (TCP only when a test asks for it), a synchronous streaming standby made
# with pg_basebackup, crash and promotion. Nothing here may stop a server it
# did not start: every pg_ctl names the test's own data directory.

HA_PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# Runs a PostgreSQL tool as the owner of the data directories (initdb refuses
# root).
ha_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# ha_pg_init DIR PORT: a new cluster in DIR/data listening on the unix socket
# DIR/.s.PGSQL.PORT only; trust for local connections and local replication
# (initdb's defaults), WAL kept for one standby.
ha_pg_init() {
  mkdir -p "$1"
  chmod 0755 "$1"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$1"
  ha_pg_as_owner "$HA_PG_BIN/initdb" -D "$1/data" -A trust -U postgres -E UTF8 --no-locale \
    >"$1/initdb.log" 2>&1 || { cat "$1/initdb.log" >&2; return 1; }
  cat >>"$1/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$1'
port = $2
max_connections = 60
fsync = on
synchronous_commit = on
wal_level = replica
max_wal_senders = 4
wal_keep_size = 64MB
CONF
}

# ha_pg_start DIR: starts the cluster in DIR/data and waits until it accepts
# connections (60 s at most).
ha_pg_start() {
  ha_pg_as_owner "$HA_PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 start >/dev/null ||
    { tail -n 30 "$1/server.log" >&2; return 1; }
}

# ha_pg_primary DIR PORT: a new cluster in DIR/data (ha_pg_init), started,
# with an empty database rua; on failure says which step and returns 1.
ha_pg_primary() {
  ha_pg_init "$1" "$2" || { echo "initdb failed" >&2; return 1; }
  ha_pg_start "$1" || { echo "the server did not start" >&2; return 1; }
  psql -h "$1" -p "$2" -U postgres -d postgres -qAtX -c "CREATE DATABASE rua" >/dev/null ||
    { echo "CREATE DATABASE failed" >&2; return 1; }
}

# ha_pg_stop DIR [MODE]: stops the cluster in DIR/data if it runs (fast by
# default; `immediate` is a crash: no checkpoint, clients cut off).
ha_pg_stop() {
  [ -f "$1/data/postmaster.pid" ] || return 0
  ha_pg_as_owner "$HA_PG_BIN/pg_ctl" -D "$1/data" -m "${2:-fast}" -w -t 60 stop >/dev/null
}

# ha_pg_standby PRIMARY_DIR PORT STANDBY_DIR STANDBY_PORT NAME: a streaming
# standby of the primary by pg_basebackup -R over the primary's unix socket,
# reporting application_name NAME, started and caught up. Its own
# synchronous_standby_names is empty: once promoted it has no standby of its
# own and must not wait for one.
ha_pg_standby() {
  mkdir -p "$3"
  chmod 0755 "$3"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$3"
  ha_pg_as_owner "$HA_PG_BIN/pg_basebackup" -h "$1" -p "$2" -U postgres -D "$3/data" -R \
    -X stream -c fast -d "application_name=$5" >"$3/basebackup.log" 2>&1 ||
    { cat "$3/basebackup.log" >&2; return 1; }
  cat >>"$3/data/postgresql.conf" <<CONF
unix_socket_directories = '$3'
port = $4
synchronous_standby_names = ''
hot_standby = on
CONF
  ha_pg_start "$3"
}

# ha_pg_sync DIR PORT: prints the sync_state of the primary's standbys
# ("sync" for a synchronous one).
ha_pg_sync() {
  psql -h "$1" -p "$2" -U postgres -d postgres -qAtX \
    -c "SELECT string_agg(application_name || '=' || sync_state, ',') FROM pg_stat_replication"
}

# ha_pg_make_sync DIR PORT: makes every standby of the primary synchronous
# (synchronous_standby_names = '*', by ALTER SYSTEM after the base backup so
# that the standby does not inherit it) and waits (30 s) until one is.
ha_pg_make_sync() {
  psql -h "$1" -p "$2" -U postgres -d postgres -qAtX \
    -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null ||
    return 1
  _i=0
  while ! ha_pg_sync "$1" "$2" | grep -q '=sync'; do
    _i=$((_i + 1))
    [ "$_i" -le 300 ] || { echo "no synchronous standby after 30 s" >&2; return 1; }
    sleep 0.1
  done
}

# ha_pg_promote DIR: promotes the standby in DIR/data and waits (60 s) until
# it is a primary.
ha_pg_promote() {
  ha_pg_as_owner "$HA_PG_BIN/pg_ctl" -D "$1/data" -w -t 60 promote >/dev/null
}
