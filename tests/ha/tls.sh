#!/bin/sh
# A remote or managed PostgreSQL over TLS: a private server on 127.0.0.1 (a
# free high port) with ssl=on, a CA and a server certificate for "localhost"
# made here with openssl, password authentication. ruactl and rua-milter
# with sslmode=verify-full and sslrootcert store reports (URI and key=value
# forms); a wrong CA or a host name the certificate does not name gives one
# clear line (ruactl: EX_TEMPFAIL; the milter: 451), and the password is
# never printed. It leaves nothing running.
# Usage: tls.sh MILTER RUACTL
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: tls.sh MILTER RUACTL}
RUACTL=${2:?usage: tls.sh MILTER RUACTL}
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
# shellcheck source=tests/ha/lib.sh
. "$HERE/lib.sh"

WORK=$(mktemp -d /tmp/rua-ha-tls-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
RUA_MILTER_PID=""
cleanup() {
  rc=$?
  rua_milter_stop
  ha_pg_stop "$PG" immediate 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "tls: kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "tls: setup failed: $*" >&2; exit 1; }
FAILS=0
N=0
PASSWORD="Tls-s3cret-Pw"

# ---- certificates: a CA, a server certificate for localhost, a wrong CA -----
ssl() { openssl "$@" >>"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; die "openssl $1"; }; }
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rua test CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.crt"
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rua wrong CA" \
  -keyout "$WORK/wrong.key" -out "$WORK/wrong.crt"
ssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$WORK/server.key" -out "$WORK/server.csr"
printf 'subjectAltName = DNS:localhost\n' >"$WORK/san.ext"
ssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 2 -extfile "$WORK/san.ext" -out "$WORK/server.crt"
chmod 0644 "$WORK/ca.crt" "$WORK/wrong.crt"

# ---- the server: TLS on 127.0.0.1 only, password required over TCP -----------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
  die "no free port"
ha_pg_init "$PG" "$PORT" || die "initdb"
cp "$WORK/server.crt" "$WORK/server.key" "$PG/data/"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG/data/server.crt" "$PG/data/server.key"
chmod 0600 "$PG/data/server.key"
cat >>"$PG/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
CONF
# TCP only with TLS and a password; the unix socket (trust) is for set-up.
cat >"$PG/data/pg_hba.conf" <<HBA
local   all   all                  trust
hostssl all   all   127.0.0.1/32   scram-sha-256
HBA
ha_pg_start "$PG" || die "server did not start"
psql -h "$PG" -p "$PORT" -U postgres -d postgres -qAtX \
  -c "ALTER USER postgres PASSWORD '$PASSWORD'" -c "CREATE DATABASE rua" >/dev/null || die "set-up SQL"

URL="postgresql://postgres:$PASSWORD@localhost:$PORT/rua?sslmode=verify-full&sslrootcert=$WORK/ca.crt"
KV="host=localhost port=$PORT dbname=rua user=postgres password=$PASSWORD sslmode=verify-full sslrootcert=$WORK/ca.crt"
BAD_CA="postgresql://postgres:$PASSWORD@localhost:$PORT/rua?sslmode=verify-full&sslrootcert=$WORK/wrong.crt"
BAD_HOST="postgresql://postgres:$PASSWORD@127.0.0.1:$PORT/rua?sslmode=verify-full&sslrootcert=$WORK/ca.crt"
export RUA_SQL_DIR="$SRC/sql"
{
  "$RUACTL" --database "$URL" db migrate &&
    "$RUACTL" --database "$URL" account add acme &&
    "$RUACTL" --database "$URL" domain add example.net --account acme &&
    "$RUACTL" --database "$URL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log" >&2; die "ruactl set-up over TLS"; }
expect "the connection is TLS, verified" "t" \
  "$(psql "$URL" -qAtX -c 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')"

# ---- ruactl over TLS: stored, then duplicates; the key=value form too -------
mkdir -p "$WORK/in"
for i in 1 2 3 4 5; do
  python3 "$SRC/tests/e2e/make_report.py" eml "$WORK/in/r$i.eml" --report-id "tls-$i" >/dev/null
done
first=$("$RUACTL" --database "$URL" import --jobs 2 "$WORK/in" 2>"$WORK/import1.err")
expect "import over TLS (URI)" "stored 5, duplicate 0, quarantined 0, failed 0" \
  "$(echo "$first" | sed -n 's/;.*//p' | head -n 1)"
again=$("$RUACTL" --database "$KV" import --jobs 2 "$WORK/in" 2>"$WORK/import2.err")
expect "import again over TLS (key=value): duplicates" "stored 0, duplicate 5, quarantined 0, failed 0" \
  "$(echo "$again" | sed -n 's/;.*//p' | head -n 1)"

# ---- a wrong CA, a host the certificate does not name: one clear line -------
"$RUACTL" --database "$BAD_CA" import "$WORK/in" >"$WORK/bad_ca.out" 2>"$WORK/bad_ca.err"
expect "wrong CA: ruactl's exit status (EX_TEMPFAIL)" 75 $?
expect "wrong CA: one line on stderr" 1 "$(wc -l <"$WORK/bad_ca.err" | tr -d ' ')"
expect "wrong CA: says why" 1 "$(grep -c 'certificate verify failed' "$WORK/bad_ca.err")"
"$RUACTL" --database "$BAD_HOST" account list >"$WORK/bad_host.out" 2>"$WORK/bad_host.err"
expect "host not in the certificate: refused, says why" 1 \
  "$(grep -c 'does not match host name "127.0.0.1"' "$WORK/bad_host.err")"
echo "     ruactl, wrong CA: $(cat "$WORK/bad_ca.err")"

# ---- rua-milter: wrong CA is 451 at RCPT; the right CA stores ----------------
SOCK="$WORK/milter.sock"
milter_conf() {
  cat >"$WORK/milter.conf" <<EOF
Socket unix:$SOCK
DatabaseURI $1
ReportDomains example.net
LogLevel info
EOF
  if [ "$(id -u)" = 0 ]; then echo "UserID nobody" >>"$WORK/milter.conf"; fi
}
milter_up() {
  rm -f "$SOCK"
  "$MILTER" -f -c "$WORK/milter.conf" >"$WORK/$1.log" 2>&1 &
  RUA_MILTER_PID=$!
  i=0
  while [ ! -S "$SOCK" ]; do
    i=$((i + 1))
    if [ "$i" -gt 300 ] || ! kill -0 "$RUA_MILTER_PID" 2>/dev/null; then
      cat "$WORK/$1.log" >&2
      die "milter did not start"
    fi
    sleep 0.1
  done
}
# deliver ID: the milter's verdict for one report ("tempfail 451 ...", "accept",
# "discard", ...), through the MTA side of the protocol (tests/bench).
deliver() {
  python3 "$HERE/milter_verdict.py" "$SOCK" "$1" "$SRC"
}
milter_conf "$BAD_CA"
"$MILTER" -n -c "$WORK/milter.conf" >"$WORK/check_bad.out" 2>&1
expect "wrong CA: rua-milter -n's exit status (EX_UNAVAILABLE)" 69 $?
expect "wrong CA: rua-milter -n says why in one line" "1|1" \
  "$(wc -l <"$WORK/check_bad.out" | tr -d ' ')|$(grep -c 'certificate verify failed' "$WORK/check_bad.out")"
milter_up milter_bad
expect "wrong CA: the milter answers 451" "451" "$(deliver tls-milter-1 | cut -d' ' -f2)"
rua_milter_stop
expect "wrong CA: the milter logged why" "yes" \
  "$(grep -q 'certificate verify failed' "$WORK/milter_bad.log" && echo yes || echo no)"
milter_conf "$URL"
"$MILTER" -n -c "$WORK/milter.conf" >"$WORK/check_ok.out" 2>&1
expect "right CA: rua-milter -n accepts the TLS URI" 0 $?
milter_up milter_ok
expect "right CA: the milter stores the report" "stored" "$(deliver tls-milter-1 | cut -d' ' -f1)"
rua_milter_stop
expect "right CA: the report is in the database once" 1 \
  "$(psql "$URL" -qAtX -c "SELECT count(*) FROM aggregate_report WHERE report_id = 'tls-milter-1'")"

# ---- the password is never printed -------------------------------------------
expect "no output holds the password" 0 \
  "$(cat "$WORK"/*.log "$WORK"/*.err "$WORK"/*.out | grep -c -- "$PASSWORD")"

if [ "$FAILS" -ne 0 ]; then
  echo "tls: $FAILS of $N checks failed"
  exit 1
fi
echo "tls: all $N checks passed"
