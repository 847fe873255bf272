#!/bin/sh
# The three report kinds through the command line: `ruactl parse` prints a
# TLS and a failure report with the JSON contract and links no database
# library; `ruactl import` stores them (failure reports redacted by
# default, or as --failure-privacy says); `summary --kind` shows each kind's
# sections; an ARF abuse report is quarantined with its own reason code.
set -eu
. "$(dirname "$0")/lib.sh"
KINDS="python3 $SRC/tests/e2e/make_kinds.py"

cd "$WORK"
$KINDS tls tls.eml --report-id k-tls-1 >/dev/null
$KINDS failure ruf.eml --message-id k-ruf-1@example.net >/dev/null
python3 - "$SRC/tests/fixtures/tlsrpt/rfc8460-example.json" <<'PY'
import gzip, shutil, sys
with open(sys.argv[1], "rb") as f, gzip.open("bare.json.gz", "wb") as g:
    shutil.copyfileobj(f, g)
PY

check "ruactl (parse) links no libpq" 0 "$(ldd "$RUACTL" | grep -c 'libpq\.')"
check "ruactl-store links libpq" 1 "$(ldd "$(dirname "$RUACTL")/ruactl-store" | grep -c 'libpq\.')"

rc=0
"$RUACTL" parse tls.eml ruf.eml bare.json.gz >out.json 2>err || rc=$?
check "parse of a TLS e-mail, a failure e-mail and a bare .json.gz: exit status" 0 "$rc"
check "parse: three JSON lines" 3 "$(wc -l <out.json | tr -d ' ')"
check "parse: nothing on stderr" "" "$(cat err)"
check_prefix "TLS report: kind and identity first" \
  '{"kind":"tlsrpt","organization_name":"Receiver Example Corp.","report_id":"k-tls-1","contact_info":"smtp-tls-reporting@receiver.example","begin":1793491200,"end":1793577599,"policies":[{"policy_type":"sts"' \
  "$(sed -n 1p out.json)"
check "TLS report: the failure details, canonical addresses" 1 \
  "$(sed -n 1p out.json | grep -c '"result_type":"certificate-expired","sending_mta_ip":"2001:db8::1"')"
rc=0
"$RUACTL" parse "$SRC/tests/fixtures/tlsrpt/no-failure-details.json" >nofd.json 2>err || rc=$?
check "TLS report without failure-details: exit status" 0 "$rc"
check "TLS report without failure-details: an empty list, not null" 1 \
  "$(grep -c '"failure_details":\[\]' nofd.json)"
check "TLS report without failure-details: never null" 0 "$(grep -c '"failure_details":null' nofd.json)"
check_prefix "failure report: kind, format, feedback type" \
  '{"kind":"failure","format":"arf","feedback_type":"auth-failure","user_agent":"ReceiverFilter/2.1","version":"1"' \
  "$(sed -n 2p out.json)"
check "failure report: parse shows the file unredacted" 1 \
  "$(sed -n 2p out.json | grep -c '"original_mail_from":"john.doe@example.net"')"
check "failure report: the original's subject" 1 \
  "$(sed -n 2p out.json | grep -c '"subject":"Secret plans for the merger"')"

printf 'From: a@b.example\r\nTo: dmarc@example.net\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/html\r\n\r\n<html><p>hi</p></html>\r\n--x\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==\r\n--x--\r\n' >none.eml
rc=0
"$RUACTL" parse none.eml >out.json 2>err || rc=$?
check "a message with no report: exit status" 1 "$rc"
check "a message with no report: what it found instead" \
  "ruactl: none.eml: no report found in 2 parts (found text/html, image/png)" "$(cat err)"

# ---- the database ------------------------------------------------------------
scratch_db
URL=$RUA_DATABASE_URL
R() { "$RUACTL" "$@"; }
R account add acme >/dev/null
R domain add example.net --account acme >/dev/null
R rua add dmarc@example.net --account acme >/dev/null
sed 's/Feedback-Type: auth-failure/Feedback-Type: abuse/; s/k-ruf-1/k-abuse-1/' ruf.eml >abuse.eml
rc=0
R import --rua dmarc@example.net tls.eml ruf.eml abuse.eml >out 2>err || rc=$?
check "import of the three: exit status" 0 "$rc"
check_prefix "import of the three: counts" "stored 2, duplicate 0, quarantined 1, failed 0; " "$(cat out)"
check "the abuse report's quarantine reason" "not_dmarc_failure" \
  "$(psql "$URL" -qAtX -c "SELECT reason FROM quarantine")"
check "the failure report is stored redacted by default" "redacted|j***@example.net" \
  "$(psql "$URL" -qAtX -c "SELECT privacy, original_mail_from FROM failure_report")"
$KINDS failure ruf2.eml --message-id k-ruf-2@example.net >/dev/null
R import --failure-privacy headers ruf2.eml >/dev/null 2>&1
check "--failure-privacy headers keeps addresses unmasked" "headers|john.doe@example.net" \
  "$(psql "$URL" -qAtX -c "SELECT privacy, original_mail_from FROM failure_report WHERE original_message_id LIKE '%k-ruf-2%'")"
rc=0
R import --failure-privacy none ruf2.eml >out 2>err || rc=$?
check "--failure-privacy with another word: usage error" 2 "$rc"

R summary --domain example.net --kind tlsrpt --format csv >out
check "summary --kind tlsrpt: only TLS sections" "kind,section,policy_domain,policy_type,reports,successful,failed" \
  "$(sed -n 1p out)"
check "summary --kind tlsrpt: the sessions row" "tlsrpt,sessions,example.net,sts,1,5326,303" "$(sed -n 2p out)"
check "summary --kind tlsrpt: no other kind" 0 "$(grep -c '^aggregate\|^failure' out)"
R summary --domain example.net --kind failure --format json >out
check "summary --kind failure --format json: one object keyed by kind" 1 \
  "$(grep -c '^{"domain":"example.net","since":null,"kinds":{"failure":{"by_source":\[{"source_ip":"192.0.2.1","reports":2' out)"
R summary --domain example.net >out
check "summary table: a section per kind" "AGGREGATE TOTAL|TLSRPT SESSIONS|FAILURE BY SOURCE" \
  "$(grep -E '^(AGGREGATE TOTAL|TLSRPT SESSIONS|FAILURE BY SOURCE)$' out | paste -sd'|')"
# A reporter name with a C1 control (U+009B, a terminal's CSI; valid in XML)
# is printed as '?' in the table and the CSV, never raw.
gen_report k-c1 | sed 's|<org_name>[^<]*</org_name>|<org_name>Evil\&#x9B;31mOrg</org_name>|' >c1.xml
R import c1.xml >/dev/null
R summary --domain example.net --kind aggregate >out
check "summary table: a C1 control in a reporter name is made printable" "1|0" \
  "$(grep -c '^Evil?31mOrg ' out)|$(grep -c "$(printf '\302\233')" out)"
R summary --domain example.net --kind aggregate --format csv >out
check "summary csv: the same name, printable" 1 "$(grep -c '^aggregate,by_reporter,Evil?31mOrg,' out)"

rc=0
R summary --domain example.net --kind dkim >out 2>err || rc=$?
check "summary --kind with an unknown kind: usage error" 2 "$rc"
check_prefix "summary --kind with an unknown kind: names the kinds" \
  "ruactl: summary: unknown --kind 'dkim' (aggregate, tlsrpt, failure)" "$(cat err)"
finish
