#!/bin/sh
# End-to-end test of the Postfix snippet's fallback: a private Postfix on
# loopback set up by running packaging/postfix-main.cf.snippet over an
# existing milter list, the real rua-milter, the PostgreSQL of the `pg`
# fixture. With rua-milter stopped, reports and ordinary mail are accepted
# (never deferred); the reports wait in the rua address's Maildir until the
# drain (packaging/rua-milter-drain.service's ExecStart) stores each exactly
# once and empties it. Leaves nothing running: Postfix and the milter are
# stopped, the scratch database dropped.
# Usage (as root): fallback.sh MILTER_BINARY RUACTL_BINARY PG_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: fallback.sh MILTER RUACTL PG_DIR}
RUACTL=${2:?usage: fallback.sh MILTER RUACTL PG_DIR}
PG_DIR=${3:?usage: fallback.sh MILTER RUACTL PG_DIR}
# shellcheck source=tests/e2e/lib.sh
. "$HERE/lib.sh"

if [ ! -x "$MILTER" ] || [ ! -x "$RUACTL" ] || [ ! -f "$PG_DIR/url" ]; then
  echo "fallback: waiting for $MILTER, $RUACTL and $PG_DIR/url" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "fallback: must run as root (a private Postfix needs it)" >&2; exit 1; }
rua_postfix_cmd postfix >/dev/null || exit 1

rua_e2e_begin fallback
export RUA_SQL_DIR="$SRC/sql"

gen() { python3 "$HERE/make_report.py" "$@"; }
send() {
  python3 "$HERE/send_smtp.py" 127.0.0.1 "$SMTP_PORT" "$1" --from "$2" --to "$3" >"$WORK/last" 2>&1
  sed 's/^/     smtp: /' "$WORK/last"
}
data_basic() { sed -n 's/^data \([0-9]*\) .*/\1/p' "$WORK/last"; }
count_files() { find "$@" -type f 2>/dev/null | wc -l | tr -d ' '; }
reports_with_id() { q "SELECT count(*) FROM aggregate_report WHERE report_id = '$1'"; }

# ---- set-up ----------------------------------------------------------------------
psql "$ADMIN" -qAtX -c "CREATE DATABASE $DB" >/dev/null || die "cannot create database $DB"
{
  "$RUACTL" --database "$DBURL" db migrate &&
    "$RUACTL" --database "$DBURL" account add acme &&
    "$RUACTL" --database "$DBURL" domain add example.net --account acme &&
    "$RUACTL" --database "$DBURL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "ruactl set-up"; }

PORTS=$(rua_free_ports "${RUA_E2E_PORT:-2725}") || die "no free ports"
# shellcheck disable=SC2086
set -- $PORTS
SMTP_PORT=$1
MILTER_PORT=$2
# Another milter already configured (nothing listens there): the snippet must
# keep it, and its own per-milter default_action lets mail through.
OTHER_PORT=$(rua_free_ports $((MILTER_PORT + 1)) | cut -d' ' -f1) || die "no free port"
OTHER="{ inet:127.0.0.1:$OTHER_PORT, default_action=accept }"
rua_milter_conf "$WORK/rua-milter.conf" "$MILTER_PORT" "$DBURL" example.net "$WORK/rua-milter.pid"
rua_milter_start "$MILTER" "$WORK/rua-milter.conf" "$WORK/milter.log" "$MILTER_PORT" || die "rua-milter did not start"
RUA_PF_OTHER_MILTERS="$OTHER" "$HERE/postfix-up.sh" "$PF" "$SMTP_PORT" "$MILTER_PORT" \
  "example.net other.example" "dmarc@example.net postmaster@other.example" || die "postfix did not start"
RUA_BOX="$PF/mail/example.net/dmarc"
LOCAL_BOX="$PF/mail/other.example/postmaster"
OTHER_BOX="$PF/mail/other.example/_all"

# ---- the snippet appended and changed nothing else -------------------------------
OURS="{ inet:127.0.0.1:$MILTER_PORT, connect_timeout=10s, command_timeout=30s, content_timeout=300s, default_action=accept }"
expect "snippet: smtpd_milters is the old list plus rua-milter" "$OTHER $OURS" \
  "$("$(rua_postfix_cmd postconf)" -c "$PF/etc" -h smtpd_milters)"
expect "snippet: milter_default_action untouched (Postfix's default)" "tempfail" \
  "$("$(rua_postfix_cmd postconf)" -c "$PF/etc" -h milter_default_action)"
PATH="$(dirname "$(rua_postfix_cmd postconf)"):$PATH" MAIL_CONFIG="$PF/etc" sh -eu "$PF/etc/rua-milter-snippet.sh" >"$WORK/snippet2.log" 2>&1
expect "snippet run again: exit status, message" "0|smtpd_milters already lists rua-milter" \
  "$?|$(cat "$WORK/snippet2.log")"
expect "snippet run again: smtpd_milters unchanged" "$OTHER $OURS" \
  "$("$(rua_postfix_cmd postconf)" -c "$PF/etc" -h smtpd_milters)"

# ---- rua-milter down: everything accepted, reports wait in the rua mailbox -------
FROM=noreply-dmarc@reporter.example.org
gen eml "$WORK/a.eml" --encoding gz --report-id fallback-a --records 3 >/dev/null
gen eml "$WORK/b.eml" --encoding zip --report-id fallback-b --records 2 >/dev/null
gen eml "$WORK/c.eml" --encoding xml --report-id fallback-c --records 1 >/dev/null
gen plain "$WORK/plain-other.eml" --to someone@other.example >/dev/null
gen plain "$WORK/plain-local.eml" --to postmaster@other.example >/dev/null
rua_milter_stop
expect "rua-milter stopped" "0" "$RUA_MILTER_STATUS"
send "$WORK/a.eml" "$FROM" dmarc@example.net
expect "milter down: report a accepted" "250" "$(data_basic)"
send "$WORK/b.eml" "$FROM" dmarc@example.net
expect "milter down: report b accepted" "250" "$(data_basic)"
send "$WORK/a.eml" "$FROM" dmarc@example.net
expect "milter down: report a again accepted" "250" "$(data_basic)"
send "$WORK/plain-other.eml" someone@example.org someone@other.example
expect "milter down: ordinary mail (catch-all) accepted" "250" "$(data_basic)"
send "$WORK/plain-local.eml" someone@example.org postmaster@other.example
expect "milter down: ordinary mail (a mailbox) accepted" "250" "$(data_basic)"
rua_wait_queue_empty "$PF" || true
expect "milter down: nothing stored" "0" "$(q "SELECT count(*) FROM aggregate_report")"
expect "milter down: 3 messages in the rua Maildir" "3" "$(count_files "$RUA_BOX/new" "$RUA_BOX/cur")"
expect "milter down: ordinary mail delivered (catch-all, mailbox)" "1|1" \
  "$(count_files "$OTHER_BOX/new")|$(count_files "$LOCAL_BOX/new")"

# ---- rua-milter back: new reports stored at SMTP time, not delivered -------------
rua_milter_start "$MILTER" "$WORK/rua-milter.conf" "$WORK/milter2.log" "$MILTER_PORT" || die "rua-milter did not restart"
send "$WORK/c.eml" "$FROM" dmarc@example.net
expect "milter up: report c end of data" "250" "$(data_basic)"
rua_wait_queue_empty "$PF" || true
expect "milter up: report c stored, not delivered" "1|3" \
  "$(reports_with_id fallback-c)|$(count_files "$RUA_BOX/new" "$RUA_BOX/cur")"

# ---- the drain, as rua-milter-drain.service runs it -------------------------------
EXEC=$(sed -n 's/^ExecStart=//p' "$SRC/packaging/rua-milter-drain.service")
expect "drain unit: ExecStart" "/usr/bin/ruactl import --remove-imported \$RUA_DRAIN_ARGS" "$EXEC"
# The unit's command with this build's ruactl; the shell splits the unbraced
# $RUA_DRAIN_ARGS on whitespace as systemd does. The environment is what
# /etc/default/rua-milter-drain would give it.
CMD=$(echo "$EXEC" | sed "s|^/usr/bin/ruactl |$RUACTL |")
drain() {
  RUA_DATABASE_URL="$DBURL" RUA_DRAIN_ARGS="--rua dmarc@example.net $RUA_BOX" sh -c "$CMD" \
    >"$WORK/drain.out" 2>"$WORK/drain.err"
  echo "$?|$(cut -d';' -f1 "$WORK/drain.out" | tr '\n' ' ' | sed 's/ $//')"
}
expect "drain: exit status, outcome" \
  "0|stored 2, duplicate 1, quarantined 0, failed 0 removed 3 imported files" "$(drain)"
expect "drain: each report stored exactly once (a, b, c)" "1|1|1|3" \
  "$(reports_with_id fallback-a)|$(reports_with_id fallback-b)|$(reports_with_id fallback-c)|$(q "SELECT count(*) FROM aggregate_report")"
expect "drain: record sums (a, b)" "3|2" \
  "$(q "SELECT record_count FROM aggregate_report WHERE report_id = 'fallback-a'")|$(q "SELECT record_count FROM aggregate_report WHERE report_id = 'fallback-b'")"
expect "drain: the rua Maildir is empty" "0" "$(count_files "$RUA_BOX")"
expect "drain: nothing quarantined" "0" "$(q "SELECT count(*) FROM quarantine")"
expect "drain: ordinary mail untouched" "1|1" \
  "$(count_files "$OTHER_BOX/new")|$(count_files "$LOCAL_BOX/new")"
expect "drain again: nothing to do" "0|stored 0, duplicate 0, quarantined 0, failed 0 removed 0 imported files" \
  "$(drain)"
expect "drain again: still three reports" "3" "$(q "SELECT count(*) FROM aggregate_report")"

"$HERE/postfix-down.sh" "$PF" >/dev/null
rua_milter_stop
expect "rua-milter exit status after SIGTERM" "0" "$RUA_MILTER_STATUS"
if [ "$FAILS" -ne 0 ]; then
  echo "--- drain stderr ---"
  cat "$WORK/drain.err"
  echo "--- postfix maillog ---"
  tail -n 40 "$PF/log/maillog" 2>/dev/null
fi
echo "fallback: $((N - FAILS)) of $N assertions passed"
[ "$FAILS" -eq 0 ]
