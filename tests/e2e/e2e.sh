#!/bin/sh
# End-to-end test: a real private Postfix on loopback, the real rua-milter and
# the PostgreSQL of the `pg` test fixture (a scratch database of its own).
# Prints one line per assertion and exits non-zero on any mismatch. It must
# leave nothing running: Postfix and the milter are stopped, the database
# server is restarted if the test stopped it, the scratch database dropped.
# Usage (as root): e2e.sh MILTER_BINARY RUACTL_BINARY PG_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: e2e.sh MILTER RUACTL PG_DIR}
RUACTL=${2:?usage: e2e.sh MILTER RUACTL PG_DIR}
PG_DIR=${3:?usage: e2e.sh MILTER RUACTL PG_DIR}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# shellcheck source=tests/e2e/lib.sh
. "$HERE/lib.sh"

waiting=""
[ -x "$MILTER" ] || waiting="$waiting rua-milter ($MILTER)"
[ -x "$RUACTL" ] || waiting="$waiting ruactl ($RUACTL)"
[ -f "$PG_DIR/url" ] || waiting="$waiting the pg fixture ($PG_DIR/url)"
if [ -n "$waiting" ]; then
  echo "e2e: waiting for:$waiting" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "e2e: must run as root (a private Postfix needs it)" >&2; exit 1; }
rua_postfix_cmd postfix >/dev/null || exit 1

rua_e2e_begin e2e
PG_STOPPED=0
export RUA_SQL_DIR="$SRC/sql"

pg_ctl_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" "$@"
  else
    "$PG_BIN/pg_ctl" "$@"
  fi
}
pg_start_again() {
  pg_ctl_as_owner -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null && PG_STOPPED=0
}
# Run by rua_e2e_cleanup (lib.sh) at exit: a server this script stopped
# comes back before its database is dropped.
rua_e2e_extra_cleanup() {
  if [ "$PG_STOPPED" = 1 ]; then pg_start_again; fi
}


# ---- set-up: database, registry, milter, Postfix -----------------------------
psql "$ADMIN" -qAtX -c "CREATE DATABASE $DB" >/dev/null || die "cannot create database $DB"
"$RUACTL" --database "$DBURL" db migrate >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "ruactl db migrate"; }
{
  "$RUACTL" --database "$DBURL" account add acme &&
    "$RUACTL" --database "$DBURL" domain add example.net --account acme &&
    "$RUACTL" --database "$DBURL" rua add dmarc@example.net --account acme
} >>"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "ruactl registry commands"; }

PORTS=$(rua_free_ports "${RUA_E2E_PORT:-2525}") || die "no free ports"
# shellcheck disable=SC2086
set -- $PORTS
SMTP_PORT=$1
MILTER_PORT=$2
rua_milter_conf "$WORK/rua-milter.conf" "$MILTER_PORT" "$DBURL" example.net "$WORK/rua-milter.pid"
# /metrics on a free loopback port, scraped at the end of the remove-mode run.
METRICS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
  die "no free port for MetricsSocket"
echo "MetricsSocket inet:$METRICS_PORT@127.0.0.1" >>"$WORK/rua-milter.conf"
# No registry refresh during the run: it borrows the pool's connection for a
# moment, and the scrape below expects none held.
echo "RegistryRefresh 3600" >>"$WORK/rua-milter.conf"
"$MILTER" -n -c "$WORK/rua-milter.conf" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; die "rua-milter -n rejects the config"; }
rua_milter_start "$MILTER" "$WORK/rua-milter.conf" "$WORK/milter.log" "$MILTER_PORT" || die "rua-milter did not start"
# The rua has a mailbox of its own (the snippet's fallback), so does
# archive@other.example (a local mailbox beside a rua, case 4b).
"$HERE/postfix-up.sh" "$PF" "$SMTP_PORT" "$MILTER_PORT" "example.net other.example" \
  "dmarc@example.net archive@other.example" || die "postfix did not start"

gen() { python3 "$HERE/make_report.py" "$@"; }
# send FILE FROM TO...: prints the SMTP answers, keeps them in $WORK/last
send() {
  _f=$1 _from=$2
  shift 2
  _args=""
  for _t in "$@"; do _args="$_args --to $_t"; done
  # shellcheck disable=SC2086
  python3 "$HERE/send_smtp.py" 127.0.0.1 "$SMTP_PORT" "$_f" --from "$_from" $_args >"$WORK/last" 2>&1
  sed 's/^/     smtp: /' "$WORK/last"
}
data_code() { sed -n 's/^data \([0-9]*\) \([0-9.]*\).*/\1 \2/p' "$WORK/last"; }
data_basic() { sed -n 's/^data \([0-9]*\) .*/\1/p' "$WORK/last"; }
rcpt_code() { sed -n "s/^rcpt $1 \([0-9]*\) \([0-9.]*\).*/\1 \2/p" "$WORK/last"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
reports_with_id() { q "SELECT count(*) FROM aggregate_report WHERE report_id = '$1'"; }
delivered_with() { grep -rl -- "$1" "$PF/mail" 2>/dev/null | wc -l | tr -d ' '; }
# body_of SENT DELIVERED: "identical" when the delivered file's body is the
# sent message's body (CRLF made LF, as Postfix stores it).
body_of() {
  python3 - "$1" "$2" <<'EOF'
import sys
sent = open(sys.argv[1], "rb").read().split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n")
got = open(sys.argv[2], "rb").read().split(b"\n\n", 1)[1]
print("identical" if sent == got else f"differs ({len(sent)} vs {len(got)} bytes)")
EOF
}
count_files() { find "$@" -type f 2>/dev/null | wc -l | tr -d ' '; }
FROM=noreply-dmarc@reporter.example.org
RUA=dmarc@example.net
RUA_BOX="$PF/mail/example.net/dmarc"

# ---- 1. gzip report to a registered rua ----------------------------------------
INFO=$(gen eml "$WORK/gz.eml" --encoding gz --report-id e2e-gz-1 --records 7)
RECORDS=$(echo "$INFO" | field records)
MESSAGES=$(echo "$INFO" | field messages)
send "$WORK/gz.eml" "$FROM" "$RUA"
expect "gzip report: end of data" "250" "$(data_basic)"
expect "gzip report: aggregate_report rows" "1" "$(reports_with_id e2e-gz-1)"
expect "gzip report: record_count, message_count" "$RECORDS|$MESSAGES" \
  "$(q "SELECT record_count, message_count FROM aggregate_report WHERE report_id = 'e2e-gz-1'")"
expect "gzip report: aggregate_record rows, sum(count)" "$RECORDS|$MESSAGES" \
  "$(q "SELECT count(*), sum(r.count) FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id WHERE a.report_id = 'e2e-gz-1'")"
rua_wait_queue_empty "$PF" || true
expect "gzip report: not delivered (AfterIngest remove)" "0" "$(delivered_with e2e-gz-1)"

# ---- 1b/1c. zip and plain XML reports ---------------------------------------
for enc in zip xml; do
  INFO=$(gen eml "$WORK/$enc.eml" --encoding "$enc" --report-id "e2e-$enc-1" --records 4)
  send "$WORK/$enc.eml" "$FROM" "$RUA"
  expect "$enc report: end of data" "250" "$(data_basic)"
  expect "$enc report: stored with its message sum" "1|$(echo "$INFO" | field messages)" \
    "$(q "SELECT count(*), sum(message_count) FROM aggregate_report WHERE report_id = 'e2e-$enc-1'")"
done

# ---- 2. the same gzip message again: a duplicate -------------------------------
send "$WORK/gz.eml" "$FROM" "$RUA"
expect "duplicate: end of data" "250" "$(data_basic)"
expect "duplicate: still one aggregate_report row" "1" "$(reports_with_id e2e-gz-1)"

# ---- 3. unregistered address in ReportDomains ----------------------------------
send "$WORK/gz.eml" "$FROM" nobody@example.net
expect "unregistered rua: RCPT" "550 5.1.1" "$(rcpt_code nobody@example.net)"

# ---- 4. a message for another domain passes untouched -------------------------
BEFORE=$(q "SELECT (SELECT count(*) FROM aggregate_report) + (SELECT count(*) FROM quarantine)")
gen plain "$WORK/plain.eml" --to postmaster@other.example >/dev/null
send "$WORK/plain.eml" someone@example.org postmaster@other.example
expect "other domain: end of data" "250" "$(data_basic)"
QID=$(sed -n 's/^data 250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$WORK/last")
expect "other domain: milter logged nothing for queue id ${QID:-?}" "0" \
  "$(grep -c -- "${QID:-no-queue-id}" "$WORK/milter.log")"
rua_wait_queue_empty "$PF" || true
NEWDIR="$PF/mail/other.example/_all/new"
DELIVERED=$(find "$NEWDIR" -type f 2>/dev/null | head -n 1)
expect "other domain: delivered to the Maildir" "1" "$(find "$NEWDIR" -type f 2>/dev/null | wc -l | tr -d ' ')"
BODY=missing
if [ -n "$DELIVERED" ]; then
  BODY=$(body_of "$WORK/plain.eml" "$DELIVERED")
fi
expect "other domain: body byte-identical (LF form)" "identical" "$BODY"
expect "other domain: milter stored nothing" "$BEFORE" \
  "$(q "SELECT (SELECT count(*) FROM aggregate_report) + (SELECT count(*) FROM quarantine)")"

# ---- 4b. a report to the rua and a local mailbox (AfterIngest remove) ----------
# The rua recipient is removed, the local copy delivered as it was sent.
ARCHIVE_BOX="$PF/mail/other.example/archive"
gen eml "$WORK/both.eml" --encoding gz --report-id e2e-both-1 --records 2 >/dev/null
send "$WORK/both.eml" "$FROM" "$RUA" archive@other.example
expect "rua and local mailbox: RCPT, RCPT, end of data" "250|250|250" \
  "$(rcpt_code "$RUA" | cut -d' ' -f1)|$(rcpt_code archive@other.example | cut -d' ' -f1)|$(data_basic)"
expect "rua and local mailbox: stored once" "1" "$(reports_with_id e2e-both-1)"
rua_wait_queue_empty "$PF" || true
expect "rua and local mailbox: exactly one local copy" "1" "$(count_files "$ARCHIVE_BOX/new")"
LOCAL=$(find "$ARCHIVE_BOX/new" -type f 2>/dev/null | head -n 1)
expect "rua and local mailbox: the local copy is the report mail" "identical" \
  "$(if [ -n "$LOCAL" ]; then body_of "$WORK/both.eml" "$LOCAL"; else echo missing; fi)"
expect "rua and local mailbox: no rua copy anywhere (only the local one holds it)" "0|1" \
  "$(count_files "$RUA_BOX")|$(delivered_with e2e-both-1)"

# ---- 5. a malformed report is quarantined --------------------------------------
gen eml "$WORK/broken.eml" --encoding broken --report-id e2e-broken-1 >/dev/null
send "$WORK/broken.eml" "$FROM" "$RUA"
expect "malformed report: end of data" "250" "$(data_basic)"
expect "malformed report: quarantine rows" "1" "$(q "SELECT count(*) FROM quarantine")"
expect "malformed report: no aggregate_report row" "0" "$(reports_with_id e2e-broken-1)"

# ---- 5b. one address, every kind: a TLS report and a DMARC failure report -------
kinds() { python3 "$HERE/make_kinds.py" "$@"; }
kinds tls "$WORK/tls.eml" --report-id e2e-tls-1 --to "$RUA" >/dev/null
send "$WORK/tls.eml" tlsrpt-noreply@receiver.example "$RUA"
expect "TLS report: end of data" "250" "$(data_basic)"
expect "TLS report: tlsrpt_report row" "1|Receiver Example Corp." \
  "$(q "SELECT count(*), max(organization_name) FROM tlsrpt_report WHERE report_id = 'e2e-tls-1'")"
expect "TLS report: policy sessions (successful, failed)" "example.net|5326|303" \
  "$(q "SELECT p.policy_domain, p.successful, p.failed FROM tlsrpt_policy p JOIN tlsrpt_report r ON r.id = p.report_id WHERE r.report_id = 'e2e-tls-1'")"
expect "TLS report: failure details" "2" \
  "$(q "SELECT count(*) FROM tlsrpt_failure f JOIN tlsrpt_report r ON r.id = f.report_id WHERE r.report_id = 'e2e-tls-1'")"
expect "TLS report: raw attachment archived" "1" \
  "$(q "SELECT count(*) FROM tlsrpt_report r JOIN raw_report w ON w.id = r.raw_report_id WHERE r.report_id = 'e2e-tls-1'")"
QID=$(sed -n 's/^data 250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$WORK/last")
expect "TLS report: log line names the kind" "1" \
  "$(grep -c -- "${QID:-no-queue-id}: stored rua=$RUA kind=tlsrpt org=\"Receiver Example Corp.\" id=e2e-tls-1 policies=1 " "$WORK/milter.log")"
send "$WORK/tls.eml" tlsrpt-noreply@receiver.example "$RUA"
expect "TLS report again: a duplicate, still one row" "250|1" \
  "$(data_basic)|$(q "SELECT count(*) FROM tlsrpt_report WHERE report_id = 'e2e-tls-1'")"

kinds failure "$WORK/ruf.eml" --to "$RUA" --message-id e2e-ruf-1@example.net >/dev/null
send "$WORK/ruf.eml" dmarc-failure@receiver.example "$RUA"
expect "failure report: end of data" "250" "$(data_basic)"
expect "failure report: one failure_report row, redacted" "1|redacted|192.0.2.1|example.net" \
  "$(q "SELECT count(*), max(privacy), host(max(source_ip)), max(reported_domain) FROM failure_report WHERE original_message_id LIKE '%e2e-ruf-1@example.net%'")"
expect "failure report: Original-Mail-From masked" "j***@example.net" \
  "$(q "SELECT original_mail_from FROM failure_report WHERE original_message_id LIKE '%e2e-ruf-1@example.net%'")"
expect "failure report: no subject, no body kept" "||0" \
  "$(q "SELECT original_subject, original_body, (SELECT count(*) FROM raw_report WHERE position('merger'::bytea IN data) > 0 OR position('never to be stored'::bytea IN data) > 0) FROM failure_report WHERE original_message_id LIKE '%e2e-ruf-1@example.net%'")"
QID=$(sed -n 's/^data 250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$WORK/last")
expect "failure report: log line names the kind" "1" \
  "$(grep -c -- "${QID:-no-queue-id}: stored rua=$RUA kind=failure org=mx.receiver.example id=[0-9a-f]* messages=1 " "$WORK/milter.log")"
expect "failure report: quarantine unchanged (the row of step 5)" "1" "$(q "SELECT count(*) FROM quarantine")"
rua_wait_queue_empty "$PF" || true
expect "TLS and failure reports: not delivered (AfterIngest remove)" "0|0" \
  "$(delivered_with e2e-tls-1)|$(delivered_with 'never to be stored')"

# ---- 6. database down: 451, then stored exactly once on retry ------------------
gen eml "$WORK/retry.eml" --encoding gz --report-id e2e-retry-1 --records 2 >/dev/null
pg_ctl_as_owner -D "$PG_DIR/data" -m fast -w stop >/dev/null && PG_STOPPED=1
expect "database stopped" "1" "$PG_STOPPED"
send "$WORK/retry.eml" "$FROM" "$RUA"
expect "database down: end of data" "451 4.3.0" "$(data_code)"
pg_start_again
expect "database started again" "0" "$PG_STOPPED"
send "$WORK/retry.eml" "$FROM" "$RUA"
expect "database back: retry end of data" "250" "$(data_basic)"
expect "database back: stored exactly once" "1" "$(reports_with_id e2e-retry-1)"

# ---- 6b. /metrics: the counters are what was sent above ----------------------
# Messages at end of message: aggregate stored gz, zip, xml, both, retry (5),
# duplicate gz (1), 451 with the database down (1, parsed before the store
# failed); the broken report quarantined with no report (unknown); tlsrpt
# stored and duplicate; failure stored: 11. One RCPT refused (step 3).
python3 - "$METRICS_PORT" >"$WORK/metrics.txt" 2>&1 <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=30) as r:
    sys.stdout.write(r.read().decode())
EOF
metric() { awk -v name="$1" '$1 == name { print $2 }' "$WORK/metrics.txt"; }
mt() { echo "rua_milter_messages_total{kind=\"$1\",verdict=\"$2\"}"; }
sum_of() { awk -v prefix="$1" 'index($1, prefix) == 1 { s += $2 } END { print s + 0 }' "$WORK/metrics.txt"; }
expect "metrics: aggregate stored, duplicate, tempfail" "5|1|1" \
  "$(metric "$(mt aggregate stored)")|$(metric "$(mt aggregate duplicate)")|$(metric "$(mt aggregate tempfail)")"
expect "metrics: tlsrpt stored, duplicate; failure stored" "1|1|1" \
  "$(metric "$(mt tlsrpt stored)")|$(metric "$(mt tlsrpt duplicate)")|$(metric "$(mt failure stored)")"
expect "metrics: quarantined with no report (kind unknown)" "1" "$(metric "$(mt unknown quarantined)")"
expect "metrics: every message counted once" "11" "$(sum_of rua_milter_messages_total)"
expect "metrics: RCPT refused, 4xx for the database, 4xx in all" "1|1|1" \
  "$(metric rua_milter_rcpt_rejected_total)|$(metric 'rua_milter_tempfail_total{reason="database"}')|$(sum_of rua_milter_tempfail_total)"
expect "metrics: end of message histogram count and +Inf bucket" "11|11" \
  "$(metric rua_milter_eom_seconds_count)|$(metric 'rua_milter_eom_seconds_bucket{le="+Inf"}')"
expect "metrics: nothing in flight, no connection held" "0|0|0" \
  "$(metric rua_milter_inflight_messages)|$(metric rua_milter_inflight_bytes)|$(metric rua_milter_db_pool_in_use)"

# ---- 7. AfterIngest deliver: delivered to the rua mailbox with its header -------
rua_milter_stop
sed 's/^AfterIngest remove$/AfterIngest deliver/' "$WORK/rua-milter.conf" >"$WORK/deliver.conf"
rua_milter_start "$MILTER" "$WORK/deliver.conf" "$WORK/milter-deliver.log" "$MILTER_PORT" ||
  die "rua-milter did not start with AfterIngest deliver"
gen eml "$WORK/deliver.eml" --encoding xml --report-id e2e-deliver-1 --records 3 >/dev/null
send "$WORK/deliver.eml" "$FROM" "$RUA"
expect "deliver: end of data" "250" "$(data_basic)"
expect "deliver: stored once" "1" "$(reports_with_id e2e-deliver-1)"
rua_wait_queue_empty "$PF" || true
expect "deliver: one copy in the rua mailbox" "1" "$(count_files "$RUA_BOX/new")"
COPY=$(find "$RUA_BOX/new" -type f 2>/dev/null | head -n 1)
expect "deliver: the header, exactly" "X-Rua-Milter: stored 1 report, 3 records" \
  "$(if [ -n "$COPY" ]; then grep '^X-Rua-Milter:' "$COPY"; else echo missing; fi)"

# ---- the end: stop the milter, check it went cleanly ----------------------------
"$HERE/postfix-down.sh" "$PF" >/dev/null
rua_milter_stop
expect "rua-milter exit status after SIGTERM" "0" "$RUA_MILTER_STATUS"
if [ "$FAILS" -ne 0 ]; then
  echo "--- rua-milter output ---"
  tail -n 60 "$WORK/milter.log"
  echo "--- postfix maillog ---"
  tail -n 40 "$PF/log/maillog" 2>/dev/null
fi
echo "e2e: $((N - FAILS)) of $N assertions passed"
[ "$FAILS" -eq 0 ]
