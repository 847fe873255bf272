#!/bin/sh
# `rua-milter -n` against the private PostgreSQL of the `pg` fixture: a
# scratch database before and after `ruactl db migrate`, a database that is
# down, a malformed DatabaseURI holding a password, root without UserID, and
# -N. Exact lines and exit codes; a password is never printed.
# Usage: check_test.sh RUA_MILTER RUACTL PSQL PG_URL_FILE WORK_DIR
set -eu
MILTER=${1:?usage: check_test.sh RUA_MILTER RUACTL PSQL PG_URL_FILE WORK_DIR}
RUACTL=${2:?}
PSQL=${3:?}
URL=$(cat "${4:?}")
WORK=${5:?}
rm -rf "$WORK"
mkdir -p "$WORK"
DB=rua_check_test
# The fixture's URL is postgresql:///rua?host=DIR&user=postgres.
ADMIN_URL=$(printf '%s' "$URL" | sed 's|^postgresql:///rua?|postgresql:///postgres?|')
SCRATCH_URL=$(printf '%s' "$URL" | sed "s|^postgresql:///rua?|postgresql:///$DB?|")
fail() { echo "check_test: FAIL: $*" >&2; exit 1; }
cleanup() { "$PSQL" -qAtX -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
"$PSQL" -qAtX -d "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null

USERLINE=""
[ "$(id -u)" = 0 ] && USERLINE="UserID nobody"
# conf NAME URI [extra line]: writes $WORK/NAME.conf
conf() {
  printf 'Socket inet:8893@127.0.0.1\nDatabaseURI %s\n%s\n%s\n' "$2" "$USERLINE" "${3:-}" \
    >"$WORK/$1.conf"
}
# expect NAME STATUS STDOUT STDERR [options]: runs -n on $WORK/NAME.conf
expect() {
  name=$1 want_status=$2 want_out=$3 want_err=$4
  shift 4
  status=0
  "$MILTER" -n "$@" -c "$WORK/$name.conf" >"$WORK/out" 2>"$WORK/err" || status=$?
  [ "$status" = "$want_status" ] || fail "$name: exit $status, not $want_status: $(cat "$WORK/err")"
  [ "$(cat "$WORK/out")" = "$want_out" ] || fail "$name: stdout \"$(cat "$WORK/out")\""
  [ "$(cat "$WORK/err")" = "$want_err" ] || fail "$name: stderr \"$(cat "$WORK/err")\""
  ! grep -q s3cret "$WORK/out" "$WORK/err" || fail "$name: the password was printed"
  echo "check_test: $name: exit $status"
}

conf live "$SCRATCH_URL"
status=0
"$MILTER" -n -c "$WORK/live.conf" >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 78 ] || fail "unmigrated: exit $status"
grep -qE "^$WORK/live.conf: DatabaseURI .*: schema version 0, [0-9]+ migrations pending: run 'ruactl db migrate'\$" "$WORK/err" ||
  fail "unmigrated: stderr \"$(cat "$WORK/err")\""
echo "check_test: unmigrated: exit 78"

"$RUACTL" --database "$SCRATCH_URL" db migrate >/dev/null
version=$("$PSQL" -qAtX -d "$SCRATCH_URL" -c "SELECT max(version) FROM schema_migrations")
expect live 0 "$WORK/live.conf: configuration OK (database $SCRATCH_URL reachable, schema version $version)" ""
expect live 0 "$WORK/live.conf: configuration OK (database not checked)" "" -N

# A database migrated by a newer rua-milter is refused, naming the version.
"$PSQL" -qAtX -d "$SCRATCH_URL" -c "INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')"
expect live 78 "" "$WORK/live.conf: DatabaseURI $SCRATCH_URL: the database schema is newer than this rua-milter: migration 9999_future is applied, this version knows migrations up to $(printf %04d "$version"); upgrade rua-milter (and ruactl)"
"$PSQL" -qAtX -d "$SCRATCH_URL" -c "DELETE FROM schema_migrations WHERE version = 9999"

mkdir "$WORK/no-server" # a socket directory where no server listens
conf down "postgresql://rua:s3cret@/rua?host=$WORK/no-server"
status=0
"$MILTER" -n -c "$WORK/down.conf" >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 69 ] || fail "down: exit $status: $(cat "$WORK/err")"
grep -q "^$WORK/down.conf: DatabaseURI postgresql://rua:\*\*\*@/rua?host=$WORK/no-server: cannot connect: " "$WORK/err" ||
  fail "down: stderr \"$(cat "$WORK/err")\""
! grep -q s3cret "$WORK/out" "$WORK/err" || fail "down: the password was printed"
echo "check_test: down: exit 69"
expect down 0 "$WORK/down.conf: configuration OK (database not checked)" "" -N

conf nodir "postgresql://rua:s3cret@/rua?host=$WORK/no-such-dir"
expect nodir 78 "" "$WORK/nodir.conf: DatabaseURI postgresql://rua:***@/rua?host=$WORK/no-such-dir: cannot use the database: connection to server on socket \"$WORK/no-such-dir/.s.PGSQL.5432\" failed: No such file or directory (no such socket directory)"

conf malformed "postgresql://rua:s3cret@db.example/rua?nonsense=1"
expect malformed 78 "" \
  "$WORK/malformed.conf:2: DatabaseURI: not a valid libpq connection string: invalid URI query parameter: \"nonsense\""

if [ "$(id -u)" = 0 ]; then
  USERLINE=""
  conf root "$SCRATCH_URL"
  expect root 78 "" "$WORK/root.conf: refusing to run as root without UserID"
fi
echo "check_test: PASS"
