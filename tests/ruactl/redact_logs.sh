#!/bin/sh
# No password in a connection string is ever printed, by ruactl or by
# rua-milter (issue 8 item 10): a malformed URI refused at start-up and by
# -n, and a daemon that keeps failing to load its registry, each show the
# redacted form (***) and never the secret. No database needed.
# Usage: redact_logs.sh RUACTL SOURCE_DIR RUA_MILTER
set -eu
MILTER=${3:?usage: $0 RUACTL SOURCE_DIR RUA_MILTER}
. "$(dirname "$0")/lib.sh"
SECRET=hunter2-ops-secret
BAD="postgresql://rua:$SECRET@[::1/rua"

# no_secret WHAT FILE: the secret is nowhere in FILE.
no_secret() {
  check "$1: no password" 0 "$(grep -c -- "$SECRET" "$2" || true)"
}
# shows WHAT TEXT FILE: FILE holds TEXT.
shows() {
  check "$1: shows $2" 1 "$(grep -cF -- "$2" "$3" || true)"
}

USERLINE=""
if [ "$(id -u)" = 0 ]; then
  USERLINE="UserID nobody"
  chown nobody "$WORK"
fi
write_conf() {
  cat >"$WORK/milter.conf" <<CONF
Socket unix:$WORK/milter.sock
DatabaseURI $1
ReportDomains example.net
$USERLINE
CONF
}

rc=0
"$RUACTL" --database "$BAD" rua list >"$WORK/out" 2>"$WORK/err" || rc=$?
check "ruactl, malformed URI: exit status" 78 "$rc"
no_secret "ruactl, malformed URI" "$WORK/err"
shows "ruactl, malformed URI" "postgresql://rua:***@[::1/rua" "$WORK/err"

write_conf "$BAD"
rc=0
"$MILTER" -n -c "$WORK/milter.conf" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "rua-milter -n, malformed URI: fails" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
no_secret "rua-milter -n, malformed URI" "$WORK/err"
no_secret "rua-milter -n, malformed URI (stdout)" "$WORK/out"
shows "rua-milter -n, malformed URI" "postgresql://rua:***@[::1/rua" "$WORK/err"

rc=0
"$MILTER" -f -c "$WORK/milter.conf" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "rua-milter, malformed URI: refuses to start" 1 "$([ "$rc" != 0 ] && echo 1 || echo 0)"
no_secret "rua-milter, malformed URI" "$WORK/err"
shows "rua-milter, malformed URI" "postgresql://rua:***@[::1/rua" "$WORK/err"

# A well-formed URI the daemon cannot use: it starts, then logs the failed
# registry load (and retries); the password appears in none of it.
GOOD="postgresql://rua:$SECRET@/rua?host=$WORK/nodir&password=$SECRET"
write_conf "$GOOD"
rc=0
"$MILTER" -n -c "$WORK/milter.conf" >"$WORK/out" 2>"$WORK/err" || rc=$?
no_secret "rua-milter -n, unusable database" "$WORK/err"
shows "rua-milter -n, unusable database" "postgresql://rua:***@/rua?host=$WORK/nodir&password=***" "$WORK/err"
"$MILTER" -f -c "$WORK/milter.conf" >"$WORK/out" 2>"$WORK/log" &
pid=$!
i=0
until grep -q "cannot load the rua registry" "$WORK/log" && grep -q "started: " "$WORK/log"; do
  i=$((i + 1))
  [ $i -le 600 ] || { echo "no registry failure and start in the log after 60 s"; cat "$WORK/log"; break; }
  sleep 0.1
done
kill -TERM "$pid"
wait "$pid" || true
no_secret "rua-milter log, unusable database" "$WORK/log"
shows "rua-milter log, unusable database" "cannot load the rua registry: " "$WORK/log"
finish
