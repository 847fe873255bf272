#!/bin/sh
# End-to-end test through a real Sendmail: Sendmail runs in a Debian 12 root
# (tests/sendmail/root.sh, cached) on 127.0.0.1, rua-milter from this build
# and a private PostgreSQL (tests/pg/start.sh) run on the host. The cases are
# the Postfix e2e's. It must leave nothing behind: every process inside the
# root is ended (by pid), /proc, /dev and the root's tmpfs are unmounted
# before anything is removed, the database server is stopped. As root:
#   sendmail.sh MILTER_BINARY RUACTL_BINARY [CACHE_DIR]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
E2E="$SRC/tests/e2e"
MILTER=${1:?usage: sendmail.sh MILTER RUACTL [CACHE_DIR]}
RUACTL=${2:?usage: sendmail.sh MILTER RUACTL [CACHE_DIR]}
CACHE=${3:-/var/cache/rua-milter-tests}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# shellcheck source=tests/e2e/lib.sh
. "$E2E/lib.sh"

die() { echo "sendmail: setup failed: $*" >&2; exit 1; }
for b in "$MILTER" "$RUACTL"; do
  [ -x "$b" ] || die "$b is not built (build the rua-milter and ruactl targets first)"
done
[ "$(id -u)" = 0 ] || die "must run as root (chroot, mounts, a private PostgreSQL)"
command -v python3 >/dev/null || die "python3 is not installed (scripts/install-deps.sh)"

T0=$(date +%s)
TARBALL=$("$HERE/root.sh" "$CACHE") || die "no Debian 12 root with Sendmail (see root.sh's message above)"
T_ROOT=$(($(date +%s) - T0))

WORK=$(mktemp -d /tmp/rua-sendmail-XXXXXX)
chmod 0755 "$WORK"
ROOT="$WORK/root"
PG="$WORK/pg"
PG_UP=0
# shellcheck disable=SC2034 # read by rua_milter_stop (tests/e2e/lib.sh)
RUA_MILTER_PID=""
export RUA_SQL_DIR="$SRC/sql"

# These take the root directory as $1 (ours is $ROOT).
mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1' /proc/mounts; }
# Every process whose root directory is the root was started by this test.
root_pids() {
  find /proc -mindepth 2 -maxdepth 2 -name root -lname "$1" 2>/dev/null |
    sed -n 's|^/proc/\([0-9]*\)/root$|\1|p'
}
end_root_processes() {
  pids=$(root_pids "$1")
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  _i=0
  while [ -n "$(root_pids "$1")" ] && [ "$_i" -lt 50 ]; do
    sleep 0.1
    _i=$((_i + 1))
  done
  pids=$(root_pids "$1")
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  return 0
}
# release_root DIR: ends every process inside DIR, unmounts its /proc, /dev
# and its tmpfs.
release_root() {
  end_root_processes "$1"
  for m in "$1/proc" "$1/dev" "$1"; do
    mountpoint -q "$m" 2>/dev/null && { umount "$m" || umount -l "$m"; }
  done
  return 0
}
cleanup() {
  rc=$?
  rua_milter_stop
  release_root "$ROOT"
  [ "$PG_UP" = 1 ] && "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
  if [ -n "$(mounted_under "$ROOT")" ]; then
    echo "sendmail: still mounted under $ROOT, NOT removing $WORK:" >&2
    mounted_under "$ROOT" >&2
    rc=1
  elif [ "${KEEP_WORK:-0}" = 1 ]; then
    echo "sendmail: kept $WORK"
  else
    rm -rf --one-file-system "$WORK"
  fi
  exit "$rc"
}
# A run killed outright (SIGKILL, e.g. a ctest timeout) cannot clean up after
# itself; the next run does, for each work directory whose test is gone: the
# processes in its root, its milter (by its PidFile), its mounts, its database.
reap_stale_run() {
  release_root "$1/root"
  mp=$(cat "$1/rua-milter.pid" 2>/dev/null)
  if [ -n "$mp" ] && tr '\0' ' ' <"/proc/$mp/cmdline" 2>/dev/null | grep -q -- "$1/rua-milter.conf"; then
    kill -KILL "$mp"
  fi
  [ -f "$1/pg/data/postmaster.pid" ] && "$SRC/tests/pg/stop.sh" "$1/pg"
  [ -z "$(mounted_under "$1/root")" ] && rm -rf --one-file-system "$1"
}
for old in /tmp/rua-sendmail-*; do
  if [ "$old" != "$WORK" ] && [ -f "$old/pid" ] && ! kill -0 "$(cat "$old/pid")" 2>/dev/null; then
    reap_stale_run "$old" >/dev/null 2>&1
  fi
done
echo $$ >"$WORK/pid"
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

FAILS=0
N=0
# in_root CMD...: runs CMD inside the root with a clean environment.
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }

# ---- the root: extract, mount, configure Sendmail ------------------------------
T1=$(date +%s)
mkdir "$ROOT"
# The root lives in memory: extracting and removing it on disk took 20-30 s each.
mount -t tmpfs -o mode=0755,size=2g rua-sendmail-root "$ROOT" || die "cannot mount a tmpfs on $ROOT"
tar -C "$ROOT" --numeric-owner -xpzf "$TARBALL" || die "cannot extract $TARBALL"
mount --bind /dev "$ROOT/dev" || die "cannot bind-mount /dev into $ROOT"
mount -t proc proc "$ROOT/proc" || die "cannot mount /proc in $ROOT"

PORTS=$(rua_free_ports "${RUA_SENDMAIL_PORT:-2825}") || die "no free ports"
# shellcheck disable=SC2086
set -- $PORTS
SMTP_PORT=$1
MILTER_PORT=$2

printf '127.0.0.1\tlocalhost\n127.0.1.1\tmx.example.net mx %s\n' "$(uname -n)" >"$ROOT/etc/hosts"
printf 'example.net\nexample.org\nmx.example.net\nlocalhost\n' >"$ROOT/etc/mail/local-host-names"
# The rua address must be a deliverable local address, or Sendmail itself
# refuses it (550 5.1.1 User unknown) before rua-milter sees it. Its target
# is a mailbox of its own so that a rua copy delivered by mistake shows.
echo "dmarc: ruabox" >>"$ROOT/etc/mail/aliases"
# Nothing leaves the machine: no DNS (service.switch-nodns) and every
# non-local domain routed to root's local mailbox (a bounce would land there).
printf '.\tlocal:root\n' >"$ROOT/etc/mail/mailertable"
# The shipped snippet, with only the milter's port changed.
sed "s/inet:8893@127.0.0.1/inet:$MILTER_PORT@127.0.0.1/" "$SRC/packaging/sendmail.mc.snippet" >"$WORK/snippet.mc"
sed -e "s/@SMTP_PORT@/$SMTP_PORT/" -e "/^dnl @RUA_MILTER_SNIPPET@\$/{r $WORK/snippet.mc" -e 'd;}' \
  "$HERE/sendmail.mc" >"$ROOT/etc/mail/sendmail.mc"
sed "s/@SMTP_PORT@/$SMTP_PORT/" "$HERE/submit.mc" >"$ROOT/etc/mail/submit.mc"
{
  in_root useradd -M -s /usr/sbin/nologin ruabox &&
    in_root useradd -M -s /usr/sbin/nologin alice &&
    in_root sh -c 'cd /etc/mail && m4 sendmail.mc >sendmail.cf && m4 submit.mc >submit.cf &&
      makemap hash mailertable <mailertable && newaliases' &&
    mkdir -p "$ROOT/run/sendmail/mta"
} >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; die "configuring Sendmail in the root"; }
expect "sendmail.cf: the snippet's filter" "Xrua-milter, S=inet:$MILTER_PORT@127.0.0.1, F=T, T=C:10s;S:30s;R:30s;E:5m" \
  "$(grep '^Xrua-milter' "$ROOT/etc/mail/sendmail.cf")"
expect "sendmail.cf: {i} at RCPT and at end of message" "O Milter.macros.envrcpt={rcpt_mailer}, {rcpt_host}, {rcpt_addr}, {i}|O Milter.macros.eom={i}, {msg_id}" \
  "$(grep '^O Milter.macros.envrcpt=' "$ROOT/etc/mail/sendmail.cf")|$(grep '^O Milter.macros.eom=' "$ROOT/etc/mail/sendmail.cf")"

# ---- PostgreSQL, registry, rua-milter, Sendmail ----------------------------------
"$SRC/tests/pg/start.sh" "$PG" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log"; die "PostgreSQL did not start"; }
PG_UP=1
DBURL=$(cat "$PG/url")
{
  "$RUACTL" --database "$DBURL" db migrate &&
    "$RUACTL" --database "$DBURL" account add acme &&
    "$RUACTL" --database "$DBURL" domain add example.net --account acme &&
    "$RUACTL" --database "$DBURL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "ruactl migrate and registry commands"; }
rua_milter_conf "$WORK/rua-milter.conf" "$MILTER_PORT" "$DBURL" example.net "$WORK/rua-milter.pid"
"$MILTER" -n -c "$WORK/rua-milter.conf" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; die "rua-milter -n rejects the config"; }
rua_milter_start "$MILTER" "$WORK/rua-milter.conf" "$WORK/milter.log" "$MILTER_PORT" || die "rua-milter did not start"

# -X: Sendmail has no syslog in the root; the SMTP traffic log is shown on failure.
in_root /usr/sbin/sendmail -bd -X /var/log/sm-traffic.log >"$WORK/sendmail.log" 2>&1 ||
  { cat "$WORK/sendmail.log"; die "sendmail -bd failed"; }
_i=0
while ! ss -ltnH "sport = :$SMTP_PORT" | grep -q .; do
  _i=$((_i + 1))
  [ "$_i" -le 300 ] || die "Sendmail did not listen on 127.0.0.1:$SMTP_PORT within 30 s"
  sleep 0.1
done
T_SETUP=$(($(date +%s) - T1))

q() { psql "$DBURL" -qAtX -c "$1"; }
gen() { python3 "$E2E/make_report.py" "$@"; }
# send FILE FROM TO...: prints the SMTP answers, keeps them in $WORK/last
send() {
  _f=$1 _from=$2
  shift 2
  _args=""
  for _t in "$@"; do _args="$_args --to $_t"; done
  # shellcheck disable=SC2086
  python3 "$E2E/send_smtp.py" 127.0.0.1 "$SMTP_PORT" "$_f" --from "$_from" $_args >"$WORK/last" 2>&1
  sed 's/^/     smtp: /' "$WORK/last"
}
data_code() { sed -n 's/^data \([0-9]*\) \([0-9.]*\).*/\1 \2/p' "$WORK/last"; }
data_qid() { sed -n 's/^data 250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' "$WORK/last"; }
rcpt_code() { sed -n "s/^rcpt $1 \([0-9]*\) \([0-9.]*\).*/\1 \2/p" "$WORK/last"; }
reports_with_id() { q "SELECT count(*) FROM aggregate_report WHERE report_id = '$1'"; }
# queue_count [-Ac]: requests in the MTA queue (or, with -Ac, the MSP's)
queue_count() { in_root sendmail -bp "${1:--Am}" 2>/dev/null | sed -n 's/.*Total requests: \([0-9]*\).*/\1/p'; }
mails_in() { [ -f "$ROOT/var/mail/$1" ] && grep -c '^From ' "$ROOT/var/mail/$1" || echo 0; }
# wait_until CMD EXPECTED: polls CMD (up to 30 s) until it prints EXPECTED
wait_until() {
  _i=0
  while [ "$($1)" != "$2" ] && [ "$_i" -lt 300 ]; do
    sleep 0.1
    _i=$((_i + 1))
  done
}
mta_queue() { queue_count; }
FROM=noreply-dmarc@reporter.example.org
RUA=dmarc@example.net

# ---- 1. a gzip report to the registered rua ---------------------------------------
gen eml "$WORK/gz.eml" --encoding gz --report-id sm-gz-1 --records 3 --to "$RUA" >/dev/null
send "$WORK/gz.eml" "$FROM" "$RUA"
expect "stored: end of data" "250 2.0.0" "$(data_code)"
QID=$(data_qid)
expect "stored: one aggregate_report row, with Sendmail's queue id ({i})" "1|${QID:-no-queue-id}" \
  "$(q "SELECT count(*), max(queue_id) FROM aggregate_report WHERE report_id = 'sm-gz-1'")"
expect "stored: the log line starts with the queue id" "1" \
  "$(grep -c -- "^.*${QID:-no-queue-id}: stored rua=$RUA kind=aggregate " "$WORK/milter.log")"
wait_until mta_queue 0
expect "stored: Sendmail's queue empty, nothing delivered to the alias" "0|0" "$(queue_count)|$(mails_in ruabox)"

# ---- 2. the same message again: a duplicate -----------------------------------------
send "$WORK/gz.eml" "$FROM" "$RUA"
expect "duplicate: end of data" "250 2.0.0" "$(data_code)"
expect "duplicate: still one aggregate_report row" "1" "$(reports_with_id sm-gz-1)"

# ---- 3. an unregistered address in ReportDomains ------------------------------------
send "$WORK/gz.eml" "$FROM" nobody@example.net
expect "unregistered rua: RCPT" "550 5.1.1" "$(rcpt_code nobody@example.net)"
expect "unregistered rua: refused by rua-milter, not by Sendmail" "1" \
  "$(grep -c 'not a registered DMARC report address' "$WORK/last")"

# ---- 4. the database down: 451, Sendmail keeps it, stored once after the retry -------
gen eml "$WORK/retry.eml" --encoding gz --report-id sm-retry-1 --records 2 --to "$RUA" >/dev/null
"$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
expect "database stopped" "no" "$([ -f "$PG/data/postmaster.pid" ] && echo yes || echo no)"
send "$WORK/retry.eml" "$FROM" "$RUA"
expect "database down, over SMTP: end of data" "451 4.3.0" "$(data_code)"
expect "database down, over SMTP: the MTA queued nothing (the sender retries)" "0" "$(queue_count)"
# The same report submitted inside the root: Sendmail's submission program
# gets the 451 from its MTA and keeps the message in its own queue.
tr -d '\r' <"$WORK/retry.eml" >"$ROOT/tmp/retry.eml"
in_root sh -c "sendmail -f $FROM $RUA </tmp/retry.eml" >"$WORK/submit.log" 2>&1
expect "database down, submitted: sendmail exit status" "0" "$?"
expect "database down, submitted: queued by Sendmail, deferred with the 451" "1|1" \
  "$(queue_count -Ac)|$(in_root sendmail -bp -Ac 2>/dev/null | grep -c '(Deferred: 451 4.3.0 cannot store the report now')"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w -t 60 start >/dev/null
expect "database started again" "yes" "$([ -f "$PG/data/postmaster.pid" ] && echo yes || echo no)"
in_root sendmail -Ac -q >"$WORK/flush.log" 2>&1
wait_until "queue_count -Ac" 0
expect "database back: sendmail -Ac -q flushed the queue" "0" "$(queue_count -Ac)"
expect "database back: stored exactly once" "1" "$(reports_with_id sm-retry-1)"
send "$WORK/retry.eml" "$FROM" "$RUA"
expect "database back: the SMTP sender's retry is a duplicate" "250 2.0.0|1" "$(data_code)|$(reports_with_id sm-retry-1)"

# ---- 5. mixed recipients: the rua and a local user ---------------------------------
gen eml "$WORK/mixed.eml" --encoding gz --report-id sm-mixed-1 --records 2 --to "$RUA" >/dev/null
send "$WORK/mixed.eml" "$FROM" "$RUA" alice@example.org
expect "mixed: RCPT rua, RCPT local user" "250 2.1.5|250 2.1.5" \
  "$(rcpt_code "$RUA")|$(rcpt_code alice@example.org)"
expect "mixed: end of data" "250 2.0.0" "$(data_code)"
expect "mixed: report stored" "1" "$(reports_with_id sm-mixed-1)"
wait_until mta_queue 0
wait_until "mails_in alice" 1
expect "mixed: local copy delivered to alice, with the report" "1|1" \
  "$(mails_in alice)|$(grep -c 'Report-ID: <sm-mixed-1>' "$ROOT/var/mail/alice" 2>/dev/null)"
expect "mixed: no rua copy delivered (AfterIngest remove)" "0" "$(mails_in ruabox)"

# ---- 6. F=T: rua-milter down tempfails every message ----------------------------------
gen plain "$WORK/plain.eml" --to alice@example.org >/dev/null
rua_milter_stop
send "$WORK/plain.eml" someone@example.org alice@example.org
expect "milter down (F=T): ordinary mail tempfailed at MAIL FROM" "mail 451 4.3.2" \
  "$(sed -n 's/^\(mail [0-9]* [0-9.]*\).*/\1/p' "$WORK/last")"
rua_milter_start "$MILTER" "$WORK/rua-milter.conf" "$WORK/milter2.log" "$MILTER_PORT" || die "rua-milter did not start again"
send "$WORK/plain.eml" someone@example.org alice@example.org
expect "milter back: ordinary mail accepted and delivered" "250 2.0.0|2" \
  "$(data_code)|$(wait_until "mails_in alice" 2; mails_in alice)"

# ---- the end ----------------------------------------------------------------------
rua_milter_stop
expect "rua-milter exit status after SIGTERM" "0" "$RUA_MILTER_STATUS"
if [ "$FAILS" -ne 0 ]; then
  echo "--- rua-milter output ---"
  tail -n 40 "$WORK/milter.log" "$WORK/milter2.log" 2>/dev/null
  echo "--- Sendmail SMTP traffic (tail) ---"
  tail -n 60 "$ROOT/var/log/sm-traffic.log" 2>/dev/null
fi
echo "sendmail: root ready in ${T_ROOT} s, set up in ${T_SETUP} s, all in $(($(date +%s) - T0)) s"
echo "sendmail: $((N - FAILS)) of $N assertions passed"
[ "$FAILS" -eq 0 ]
