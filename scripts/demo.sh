#!/bin/sh
# The demo, on a fresh Debian 12 machine as root: installs the dependencies,
# makes a Release build, starts a private PostgreSQL, rua-milter and a private
# loopback-only Postfix, sends a handful of sample DMARC reports over SMTP,
# prints the SMTP answers and `ruactl summary`, stops Postfix and
# rua-milter, and leaves rua-web on loopback with the demo's PostgreSQL
# running so the dashboard can be looked at: it prints the URL, a token and
# the script that stops both (`sh .../stop.sh`). It never sends mail off the
# machine and never touches a system Postfix or PostgreSQL.
# Usage: scripts/demo.sh   (env: RUA_DEMO_KEEP=1 keeps the scratch directory
# on a failure, RUA_DEMO_PORT sets the first SMTP port tried, RUA_DEMO_WEB_PORT
# rua-web's, RUA_DEMO_BUILD the build directory, default build/release)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E2E="$ROOT/tests/e2e"
BUILD=${RUA_DEMO_BUILD:-$ROOT/build/release}
# shellcheck source=tests/e2e/lib.sh
. "$E2E/lib.sh"

[ "$(id -u)" = 0 ] || { echo "demo: run me as root (the private Postfix needs it)" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

step "dependencies (scripts/install-deps.sh)"
"$ROOT/scripts/install-deps.sh"

step "Release build in $BUILD"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
mkdir -p "$BUILD"
# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $LAUNCHER \
  >"$BUILD/demo-configure.log" 2>&1 || { cat "$BUILD/demo-configure.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)" --target ruactl rua-milter >"$BUILD/demo-build.log" 2>&1 ||
  { tail -n 40 "$BUILD/demo-build.log"; exit 1; }
MILTER="$BUILD/milter/rua-milter"
RUACTL="$BUILD/ruactl/ruactl"
echo "built $MILTER and $RUACTL"

RUN=$(mktemp -d /tmp/rua-demo-XXXXXX)
chmod 0755 "$RUN"
PG="$RUN/pg"
PF="$RUN/postfix"
RUA_MILTER_PID=""
cleanup() {
  rc=$?
  step "stopping everything the demo started"
  rua_milter_stop
  [ -n "${RUA_MILTER_STATUS:-}" ] && echo "rua-milter stopped (exit status $RUA_MILTER_STATUS)"
  "$E2E/postfix-down.sh" "$PF" 2>/dev/null || true
  "$ROOT/tests/pg/stop.sh" "$PG" 2>/dev/null || true
  if [ "${RUA_DEMO_KEEP:-0}" = 1 ]; then
    echo "kept $RUN (logs: milter.log, postfix/log/maillog, pg/server.log)"
  else
    rm -rf "$RUN"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "private PostgreSQL (tests/pg/start.sh)"
"$ROOT/tests/pg/start.sh" "$PG"
DB=$(cat "$PG/url")
export RUA_DATABASE_URL="$DB"
export RUA_SQL_DIR="$ROOT/sql"

step "schema and registry"
run() { echo "\$ $*" | sed "s|$BUILD/ruactl/||"; "$@"; }
run "$RUACTL" db migrate
run "$RUACTL" account add demo
run "$RUACTL" domain add example.net --account demo
run "$RUACTL" rua add dmarc@example.net --account demo

step "rua-milter and a private Postfix on loopback"
PORTS=$(rua_free_ports "${RUA_DEMO_PORT:-2625}")
# shellcheck disable=SC2086
set -- $PORTS
SMTP_PORT=$1
MILTER_PORT=$2
rua_milter_conf "$RUN/rua-milter.conf" "$MILTER_PORT" "$DB" example.net "$RUN/rua-milter.pid"
sed 's/^/    /' "$RUN/rua-milter.conf"
"$MILTER" -n -c "$RUN/rua-milter.conf"
rua_milter_start "$MILTER" "$RUN/rua-milter.conf" "$RUN/milter.log" "$MILTER_PORT"
echo "rua-milter listening on 127.0.0.1:$MILTER_PORT (pid $RUA_MILTER_PID)"
"$E2E/postfix-up.sh" "$PF" "$SMTP_PORT" "$MILTER_PORT" "example.net other.example"

step "sample reports (tests/e2e/make_report.py)"
YESTERDAY=$(($(date +%s) - 86400))
gen() { python3 "$E2E/make_report.py" "$@" --begin "$YESTERDAY" | sed "s|$RUN/||"; }
gen eml "$RUN/google-gz.eml" --encoding gz --org google.example --report-id 9876543210123456789 --records 5
gen eml "$RUN/outlook-zip.eml" --encoding zip --org outlook.example --report-id 7f3c9a0e2b5d4e6f --records 12
gen eml "$RUN/yahoo-xml.eml" --encoding xml --org yahoo.example --report-id 1795219200.42 --records 3
gen eml "$RUN/broken.eml" --encoding broken --org mangled.example --report-id broken-1
gen plain "$RUN/hello.eml" --to postmaster@other.example

step "sending over SMTP to 127.0.0.1:$SMTP_PORT"
send() {
  printf '%-44s' "$1 -> $3"
  python3 "$E2E/send_smtp.py" 127.0.0.1 "$SMTP_PORT" "$RUN/$1" --from "$2" --to "$3" |
    sed -n 's/^rcpt [^ ]* \([45].*\)/RCPT \1/p; s/^data /DATA /p' | head -n 1
}
REPORTER=noreply-dmarc@reporter.example.org
send google-gz.eml "$REPORTER" dmarc@example.net
send outlook-zip.eml "$REPORTER" dmarc@example.net
send yahoo-xml.eml "$REPORTER" dmarc@example.net
echo "  (the same gzip report again: a duplicate, accepted and stored once)"
send google-gz.eml "$REPORTER" dmarc@example.net
echo "  (an address in example.net that is not a registered rua)"
send google-gz.eml "$REPORTER" nobody@example.net
echo "  (a gzip report whose XML is cut off: quarantined)"
send broken.eml "$REPORTER" dmarc@example.net
echo "  (ordinary mail for another domain passes untouched)"
send hello.eml someone@example.org postmaster@other.example
rua_wait_queue_empty "$PF" || true

step "ruactl summary --domain example.net --format table"
"$RUACTL" summary --domain example.net --format table
step "ruactl quarantine list"
"$RUACTL" quarantine list
step "what the milter logged"
sed 's/^/    /' "$RUN/milter.log" | tail -n 20


step "rua-web: the dashboard, on loopback, left running"
cmake --build "$BUILD" -j"$(nproc)" --target rua-web >>"$BUILD/demo-build.log" 2>&1 ||
  { tail -n 40 "$BUILD/demo-build.log"; exit 1; }
# The milter and Postfix stop now; PostgreSQL and rua-web stay for the
# browser until the stop script printed below is run.
rua_milter_stop
"$E2E/postfix-down.sh" "$PF" 2>/dev/null || true
WEB_PORT=$(rua_free_ports "${RUA_DEMO_WEB_PORT:-8894}" | cut -d' ' -f1)
cat >"$RUN/rua-web.conf" <<CONF
Listen 127.0.0.1:$WEB_PORT
DatabaseURI $DB
UserID nobody
CookieSecure no
StaticDir $ROOT/web/static
CONF
"$BUILD/web/rua-web" -n -c "$RUN/rua-web.conf"
TOKEN=$("$RUACTL" token add --account demo --label demo)
# Every descriptor redirected: nothing of the demo's output is held open.
"$BUILD/web/rua-web" -f -c "$RUN/rua-web.conf" </dev/null >"$RUN/rua-web.log" 2>&1 &
WEB_PID=$!
i=0
until python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$WEB_PORT/api/v1/openapi.json" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$WEB_PID" 2>/dev/null; then
    cat "$RUN/rua-web.log"
    kill "$WEB_PID" 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done
cat >"$RUN/stop.sh" <<STOP
#!/bin/sh
# Stops what scripts/demo.sh left running (rua-web, PostgreSQL) and removes $RUN.
kill $WEB_PID 2>/dev/null || true
"$ROOT/tests/pg/stop.sh" "$PG" >/dev/null 2>&1 || true
rm -rf "$RUN"
echo "rua-web and the demo's PostgreSQL stopped; $RUN removed"
STOP
chmod 0755 "$RUN/stop.sh"
trap - EXIT INT TERM
echo "rua-web (pid $WEB_PID) is serving http://127.0.0.1:$WEB_PORT/"
echo "  log in there with this token (account demo):  $TOKEN"
echo "  or:  curl -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$WEB_PORT/api/v1/domains"
echo "  from another machine:  ssh -L $WEB_PORT:127.0.0.1:$WEB_PORT root@THIS-HOST, then the same URL"
echo "stop rua-web and the demo's PostgreSQL:  sh $RUN/stop.sh"
