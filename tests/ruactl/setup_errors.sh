#!/bin/sh
# ruactl's setup errors against the fixture server: each failure has its own
# one line on standard error and its exit status (78 EX_CONFIG: fix the
# setup; 75 EX_TEMPFAIL: try again later), and no password given in the
# connection string ever reaches standard output or standard error.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$WORK"
SECRET=hunter2-ops-secret

# run WHAT EXPECTED_STATUS EXPECTED_STDERR ARGS...: ruactl ARGS..., checked
# for the exit status, the exact standard error, and the secret nowhere.
run() {
  what=$1 status=$2 expected=$3
  shift 3
  rc=0
  "$RUACTL" "$@" >out 2>err || rc=$?
  check "$what: exit status" "$status" "$rc"
  check "$what: stderr" "$expected" "$(cat err)"
  if grep -q "$SECRET" out err; then
    check "$what: the password stays hidden" "absent" "present"
  fi
}

# A malformed URI that libpq echoes back whole, password included.
BAD="postgresql://rua:$SECRET@[::1/rua"
run "malformed URI" 78 \
  "ruactl: invalid database connection string: end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgresql://rua:***@[::1/rua\"" \
  --database "$BAD" rua list
RUA_DATABASE_URL=$BAD
export RUA_DATABASE_URL
run "malformed URI from the environment" 78 \
  "ruactl: invalid database connection string: end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgresql://rua:***@[::1/rua\"" \
  rua list
run "malformed URI, db migrate" 78 \
  "ruactl: invalid database connection string: end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgresql://rua:***@[::1/rua\"" \
  db migrate --sql-dir "$SRC/sql"
run "malformed key=value string" 78 \
  "ruactl: invalid database connection string: missing \"=\" after \"oops\" in connection info string" \
  --database "host=/tmp password=$SECRET oops" rua list
unset RUA_DATABASE_URL
run "a mistyped option with a password" 2 \
  "ruactl: unknown option '--databse=postgresql://rua:***@localhost/rua' (try 'ruactl --help')" \
  --databse="postgresql://rua:$SECRET@localhost/rua" rua list

# A socket directory that does not exist is a setup error; a missing socket
# in an existing directory is a server that is down: try again later.
run "no such socket directory" 78 \
  "ruactl: cannot use the database: connection to server on socket \"$WORK/nodir/.s.PGSQL.5432\" failed: No such file or directory (no such socket directory)" \
  --database "postgresql://rua:$SECRET@/rua?host=$WORK/nodir" rua list
mkdir "$WORK/down"
run "server down" 75 \
  "ruactl: try again later: cannot connect to the database: connection to server on socket \"$WORK/down/.s.PGSQL.5432\" failed: No such file or directory" \
  --database "postgresql://rua:$SECRET@/rua?host=$WORK/down" rua list

[ -f "$PGDIR/url" ] || { echo "no $PGDIR/url: the pg fixture is not running"; exit 1; }
MISSING="t_ruactl_missing_$$"
run "missing database" 78 \
  "ruactl: cannot use the database: database \"$MISSING\" does not exist" \
  --database "$(db_url "$MISSING")&password=$SECRET" rua list
run "missing role" 78 \
  "ruactl: cannot use the database: role \"nobody_$$\" does not exist" \
  --database "$(db_url rua | sed "s|user=postgres|user=nobody_$$|")" rua list

# An empty database: every command but db migrate and db status says what to do.
DB="t_ruactl_setup_errors_$$"
psql "$(db_url postgres)" -qAtX -c "CREATE DATABASE $DB" >/dev/null
URL=$(db_url "$DB")
run "unmigrated database" 78 \
  "ruactl: the database has no rua-milter schema: run 'ruactl db migrate'" \
  --database "$URL" rua list
run "unmigrated database, import" 78 \
  "ruactl: the database has no rua-milter schema: run 'ruactl db migrate'" \
  --database "$URL" import "$WORK"
rc=0
"$RUACTL" --database "$URL" db status --sql-dir "$SRC/sql" >out 2>err || rc=$?
check "unmigrated database: db status works" "0 pending" "$rc $(awk 'NR == 2 { print $3 }' out)"

# Migrated but one migration short: pending.
LAST=$(ls "$SRC/sql" | grep -E '^[0-9]+_.*\.sql$' | sort | tail -n 1)
mkdir "$WORK/sql"
cp "$SRC"/sql/*.sql "$WORK/sql/"
rm "$WORK/sql/$LAST"
"$RUACTL" --database "$URL" db migrate --sql-dir "$WORK/sql" >/dev/null
run "a migration pending" 78 \
  "ruactl: the database schema is not up to date (1 migration pending, from $LAST): run 'ruactl db migrate'" \
  --database "$URL" --sql-dir "$SRC/sql" rua list
"$RUACTL" --database "$URL" db migrate --sql-dir "$SRC/sql" >/dev/null
run "migrated database" 0 "" --database "$URL" --sql-dir "$SRC/sql" rua list

# A database migrated by a newer version is refused, by db migrate too.
psql "$URL" -qAtX -c "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')" >/dev/null
KNOWN=$(echo "$LAST" | cut -c1-4)
NEWER="ruactl: the database schema is newer than this rua-milter: migration 9999_future is applied, this version knows migrations up to $KNOWN; upgrade rua-milter (and ruactl)"
run "newer database" 78 "$NEWER" --database "$URL" --sql-dir "$SRC/sql" rua list
run "newer database, db migrate" 78 "$NEWER" --database "$URL" db migrate --sql-dir "$SRC/sql"
run "newer database, summary" 78 "$NEWER" --database "$URL" --sql-dir "$SRC/sql" summary --domain example.net

finish
