# Shared by the ruactl test scripts (sourced, POSIX sh). Arguments of every
# script: RUACTL SOURCE_DIR [PG_DIR]. Gives a scratch directory, report
# generators, a scratch database on the fixture server, and `check`, which
# prints what it compares and remembers a mismatch. Never touches the
# server's own `rua` database or another script's scratch database.
RUACTL=${1:?usage: $0 RUACTL SOURCE_DIR [PG_DIR]}
SRC=${2:?usage: $0 RUACTL SOURCE_DIR [PG_DIR]}
PGDIR=${3:-}
FIX=$SRC/tests/fixtures/ruactl
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
FAILED=0
# The migrations every command checks the schema against: the source tree's.
RUA_SQL_DIR=$SRC/sql
export RUA_SQL_DIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ruactl-test.XXXXXX")
DB=""

cleanup() {
  if [ -n "$DB" ]; then
    psql "$(db_url postgres)" -qAtX -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# check WHAT EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then
    echo "ok: $1: $3"
  else
    echo "FAIL: $1: expected [$2], got [$3]"
    FAILED=1
  fi
}

# check_prefix WHAT PREFIX ACTUAL
check_prefix() {
  case "$3" in
    "$2"*) echo "ok: $1: $3" ;;
    *) echo "FAIL: $1: expected a line starting [$2], got [$3]"; FAILED=1 ;;
  esac
}

finish() {
  if [ "$FAILED" = 0 ]; then echo "PASS"; else echo "FAILED"; fi
  exit "$FAILED"
}

# gen_report ID [DOMAIN]: report-a.xml (2 records, 7 messages) with another
# report id and policy domain.
gen_report() {
  sed -e "s|<report_id>a-1</report_id>|<report_id>$1</report_id>|" \
      -e "0,/<domain>example.net<\/domain>/s//<domain>${2:-example.net}<\/domain>/" "$FIX/report-a.xml"
}

# gen_eml ID: an e-mail carrying report ID as a base64 gzip attachment.
gen_eml() {
  printf 'From: dmarc@reporter-a.example\r\nTo: dmarc@example.net\r\n'
  printf 'Subject: Report Domain: example.net Report-ID: %s\r\n' "$1"
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
  printf -- '--b0\r\nContent-Type: text/plain\r\n\r\nA DMARC report.\r\n'
  printf -- '--b0\r\nContent-Type: application/gzip; name="%s.xml.gz"\r\n' "$1"
  printf 'Content-Transfer-Encoding: base64\r\n\r\n'
  gen_report "$1" | gzip -c | base64 | sed 's/$/\r/'
  printf -- '--b0--\r\n'
}

# db_url NAME: the fixture server's URL with another database name.
db_url() {
  sed "s|:///[^?]*?|:///$1?|" "$PGDIR/url"
}

# scratch_db: creates and migrates a database of this script's own and
# exports RUA_DATABASE_URL for ruactl.
scratch_db() {
  [ -f "$PGDIR/url" ] || { echo "no $PGDIR/url: the pg fixture is not running"; exit 1; }
  DB="t_ruactl_$(basename "$0" .sh)_$$"
  psql "$(db_url postgres)" -qAtX -c "CREATE DATABASE $DB" >/dev/null
  RUA_DATABASE_URL=$(db_url "$DB")
  export RUA_DATABASE_URL
  "$RUACTL" db migrate --sql-dir "$SRC/sql" >/dev/null
}

# sql QUERY: one value from the scratch database.
sql() {
  psql "$RUA_DATABASE_URL" -qAtX -c "$1"
}
