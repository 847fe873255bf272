#!/bin/sh
# End-to-end test of report authenticity through a real private Postfix: two
# smtpd services in one instance stand for two hosts. "mx.test" (port MX) is
# the site's inbound MX: its cleanup strips every Authentication-Results field
# that names mx.test (the README's header_checks rule) and then adds its own
# verdict, and it relays through an smtp client (content_filter) to the
# rua host (port SMTP), where rua-milter trusts the authserv-id mx.test.
# The upstream verdict is written by the MX from a test header
# (X-Test-Upstream-Verdict, REPLACEd into "Authentication-Results: mx.test;
# ..." after the strip rule) instead of by a DKIM/DMARC milter, so the test
# needs no DNS; what it proves is the rule at the rua host: a trusted field
# added upstream counts, an untrusted one is ignored, and a forged one
# carrying the trusted id never reaches the milter. It also shows that
# Postfix does not pass the rua host's own Received field to the milter (the
# reason the MTA must strip forged fields). Leaves nothing running.
# Usage (as root): authenticity.sh MILTER_BINARY RUACTL_BINARY PG_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
MILTER=${1:?usage: authenticity.sh MILTER RUACTL PG_DIR}
RUACTL=${2:?usage: authenticity.sh MILTER RUACTL PG_DIR}
PG_DIR=${3:?usage: authenticity.sh MILTER RUACTL PG_DIR}
# shellcheck source=tests/e2e/lib.sh
. "$HERE/lib.sh"

if [ ! -x "$MILTER" ] || [ ! -x "$RUACTL" ] || [ ! -f "$PG_DIR/url" ]; then
  echo "authenticity: waiting for rua-milter, ruactl and the pg fixture" >&2
  exit 1
fi
[ "$(id -u)" = 0 ] || { echo "authenticity: must run as root (a private Postfix needs it)" >&2; exit 1; }
rua_postfix_cmd postfix >/dev/null || exit 1

rua_e2e_begin authenticity
export RUA_SQL_DIR="$SRC/sql"


psql "$ADMIN" -qAtX -c "CREATE DATABASE $DB" >/dev/null || die "cannot create database $DB"
{
  "$RUACTL" --database "$DBURL" db migrate &&
    "$RUACTL" --database "$DBURL" account add acme &&
    "$RUACTL" --database "$DBURL" domain add example.net --account acme &&
    "$RUACTL" --database "$DBURL" rua add dmarc@example.net --account acme
} >"$WORK/ruactl.log" 2>&1 || { cat "$WORK/ruactl.log"; die "ruactl set-up"; }

PORTS=$(rua_free_ports "${RUA_AUTH_PORT:-2565}") || die "no free ports"
# shellcheck disable=SC2086
set -- $PORTS
SMTP_PORT=$1
MILTER_PORT=$2
MX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') ||
  die "no free port for the MX"
CONF="$WORK/rua-milter.conf"
rua_milter_conf "$CONF" "$MILTER_PORT" "$DBURL" example.net "$WORK/rua-milter.pid"
echo "TrustedAuthservIDs mx.test" >>"$CONF"
"$MILTER" -n -c "$CONF" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; die "rua-milter -n"; }
rua_milter_start "$MILTER" "$CONF" "$WORK/milter.log" "$MILTER_PORT" || die "rua-milter did not start"
"$HERE/postfix-up.sh" "$PF" "$SMTP_PORT" "$MILTER_PORT" "example.net" "dmarc@example.net" >/dev/null ||
  die "postfix did not start"

# The MX hop: its own smtpd (no milter, its own host name in its Received
# field), its own cleanup with the header checks, and an smtp client that
# only ever talks to the rua host's port.
cat >"$PF/etc/mx_header_checks" <<'EOF'
/^Authentication-Results:.*mx\.test/ IGNORE
/^X-Test-Upstream-Verdict:[[:space:]]*(.*)$/ REPLACE Authentication-Results: mx.test; ${1}
EOF
cat >>"$PF/etc/master.cf" <<EOF
127.0.0.1:$MX_PORT inet n - n - - smtpd
  -o smtpd_milters=
  -o myhostname=mx.test
  -o cleanup_service_name=mxcleanup
  -o content_filter=relayrua:[127.0.0.1]:$SMTP_PORT
mxcleanup unix n - n - 0 cleanup
  -o header_checks=regexp:$PF/etc/mx_header_checks
relayrua unix - - n - - smtp
  -o myhostname=mx.test
EOF
"$(rua_postfix_cmd postfix)" -c "$PF/etc" reload >/dev/null 2>&1 || die "postfix reload"
i=0
while ! ss -ltnH "sport = :$MX_PORT" | grep -q .; do
  i=$((i + 1))
  [ "$i" -gt 100 ] && die "the MX smtpd did not listen on $MX_PORT"
  sleep 0.1
done

FROM=noreply-dmarc@reporter.example.org
# report ID HEADERS...: a gzip aggregate report from reporter.example.org
# (its email noreply-dmarc@reporter.example.org) with HEADERS on top, sent to
# the MX; prints the data answer's code.
report() {
  _id=$1
  shift
  python3 "$HERE/make_report.py" eml "$WORK/$_id.body" --encoding gz --report-id "$_id" \
    --records 2 >/dev/null
  : >"$WORK/$_id.eml"
  for _h in "$@"; do printf '%s\r\n' "$_h" >>"$WORK/$_id.eml"; done
  cat "$WORK/$_id.body" >>"$WORK/$_id.eml"
  python3 "$HERE/send_smtp.py" 127.0.0.1 "$MX_PORT" "$WORK/$_id.eml" --from "$FROM" \
    --to dmarc@example.net >"$WORK/last" 2>&1
  sed -n 's/^data \([0-9]*\) .*/\1/p' "$WORK/last"
}
# verdict ID: authenticity|authserv_id of the stored report, once the relay
# has delivered it (up to 30 s).
verdict() {
  rua_wait_queue_empty "$PF" >/dev/null 2>&1 || true
  q "SELECT authenticity || '|' || coalesce(authserv_id, '') FROM aggregate_report WHERE report_id = '$1'"
}

expect "trusted upstream dmarc=pass: MX answer" "250" \
  "$(report auth-1 'X-Test-Upstream-Verdict: dmarc=pass (p=none) header.from=reporter.example.org')"
expect "trusted upstream dmarc=pass: stored as dmarc-pass by mx.test" "dmarc-pass|mx.test" "$(verdict auth-1)"

expect "trusted upstream aligned DKIM: MX answer" "250" \
  "$(report auth-2 'X-Test-Upstream-Verdict: dkim=pass header.d=mail.reporter.example.org; dmarc=fail header.from=reporter.example.org')"
expect "trusted upstream aligned DKIM: stored as dkim-aligned" "dkim-aligned|mx.test" "$(verdict auth-2)"

expect "untrusted authserv-id: MX answer" "250" \
  "$(report auth-3 'Authentication-Results: other.test; dmarc=pass header.from=reporter.example.org')"
expect "untrusted authserv-id: ignored, stored as unknown" "unknown|" "$(verdict auth-3)"

expect "forged by the sender: MX answer" "250" \
  "$(report auth-4 'Authentication-Results: mx.test; dmarc=pass header.from=reporter.example.org' \
    'X-Test-Upstream-Verdict: dmarc=fail header.from=reporter.example.org')"
expect "forged by the sender: stripped at the MX, the genuine fail counts" "unauthenticated|mx.test" \
  "$(verdict auth-4)"
expect "the milter's line names the verdict" "1" \
  "$(grep -c 'stored rua=dmarc@example.net kind=aggregate .* id=auth-4 .*auth=unauthenticated' "$WORK/milter.log")"

# RequireAuthenticReports, reloaded (SIGUSR1): an untrusted-only message is
# quarantined with reason unauthenticated and answered as a quarantine is.
echo "RequireAuthenticReports yes" >>"$CONF"
kill -USR1 "$RUA_MILTER_PID"
i=0
while ! grep -q 'configuration reloaded' "$WORK/milter.log"; do
  i=$((i + 1))
  [ "$i" -gt 100 ] && die "rua-milter did not reload"
  sleep 0.1
done
expect "required, not authentic: MX answer" "250" \
  "$(report auth-5 'Authentication-Results: other.test; dmarc=pass header.from=reporter.example.org')"
rua_wait_queue_empty "$PF" >/dev/null 2>&1 || true
expect "required, not authentic: quarantined, not stored" "unauthenticated|0" \
  "$(q "SELECT string_agg(reason, ',') FROM quarantine")|$(q "SELECT count(*) FROM aggregate_report WHERE report_id = 'auth-5'")"
expect "required, authentic: stored" "dmarc-pass|mx.test" \
  "$(report auth-6 'X-Test-Upstream-Verdict: dmarc=pass header.from=reporter.example.org' >/dev/null; verdict auth-6)"

# What the milter saw of the quarantined message: the MX's Received field,
# never the rua host's own (Postfix does not pass it to milters).
q "SELECT encode(raw, 'escape') FROM quarantine WHERE reason = 'unauthenticated'" >"$WORK/seen"
expect "the milter saw the MX's Received field" "1" "$(grep -c 'by mx.test' "$WORK/seen")"
expect "the milter never saw this host's own Received field" "0" \
  "$(grep -c 'by rua-test.localdomain' "$WORK/seen" || true)"

echo "authenticity: $((N - FAILS)) passed, $FAILS failed"
[ "$FAILS" = 0 ]
