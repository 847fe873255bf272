#!/bin/sh
# `ruactl summary --by/--top/--failing/--rollup` and the readiness lines
# against a scratch database: generated reports with known counts, dated
# relative to today (UTC), imported with `ruactl import`; every number is
# asserted exactly and against SQL sums over aggregate_record. One domain is
# ready for p=quarantine, one is not; a subdomain with its own policy is
# rolled up under its organisation.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"

"$RUACTL" rua add dmarc@ready.example --domain ready.example --domain notready.example \
  --domain sub.ready.example --domain approve.example >/dev/null
# Midnight (UTC) of today, as the database counts days.
TODAY=$(sql "SELECT extract(epoch FROM date_trunc('day', now() AT TIME ZONE 'UTC'))::bigint")
DAY=86400

# rec IP COUNT DKIM SPF HEADER_FROM DKIM_DOMAIN|- SPF_DOMAIN SPF_RESULT
rec() {
  printf '<record><row><source_ip>%s</source_ip><count>%s</count>' "$1" "$2"
  printf '<policy_evaluated><disposition>none</disposition><dkim>%s</dkim><spf>%s</spf>' "$3" "$4"
  printf '</policy_evaluated></row><identifiers><header_from>%s</header_from></identifiers>' "$5"
  printf '<auth_results>'
  if [ "$6" != - ]; then
    printf '<dkim><domain>%s</domain><selector>s1</selector><result>%s</result></dkim>' "$6" "$3"
  fi
  printf '<spf><domain>%s</domain><result>%s</result></spf></auth_results></record>\n' "$7" "$8"
}

# report FILE ID ORG DOMAIN P BEGIN END (records on standard input)
report() {
  {
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata>'
    printf '<org_name>%s</org_name><email>dmarc@%s</email>' "$3" "$(echo "$3" | tr -d ' ' | tr '[:upper:]' '[:lower:]').example"
    printf '<report_id>%s</report_id><date_range><begin>%s</begin><end>%s</end></date_range>' "$2" "$6" "$7"
    printf '</report_metadata><policy_published><domain>%s</domain><adkim>r</adkim><aspf>r</aspf>' "$4"
    printf '<p>%s</p><sp>none</sp><pct>100</pct></policy_published>\n' "$5"
    cat
    printf '</feedback>\n'
  } >"$1"
}

mkdir in
# ready.example: one report a day for the last 20 days, from two reporters
# in turn: 100 passing messages (half with a From subdomain) and 1 failing.
i=1
while [ "$i" -le 20 ]; do
  begin=$((TODAY - i * DAY))
  if [ $((i % 2)) = 1 ]; then org="Reporter-A"; else org="Reporter-B"; fi
  {
    rec 192.0.2.1 50 pass pass ready.example ready.example ready.example pass
    rec 192.0.2.2 50 pass fail mail.ready.example ready.example esp.example softfail
    rec 203.0.113.9 1 fail fail ready.example - spoof.example fail
  } | report "in/ready-$i.xml" "ready-$i" "$org" ready.example none "$begin" $((begin + DAY))
  i=$((i + 1))
done
# One report over three days (7 to 4 days ago): 30 messages, 10 a day.
rec 192.0.2.3 30 pass pass ready.example esp.example ready.example pass |
  report in/ready-spread.xml ready-spread "Reporter-B" ready.example none \
    $((TODAY - 7 * DAY)) $((TODAY - 4 * DAY))
# 40 days ago: outside the 30-day window.
rec 192.0.2.1 1000 fail fail ready.example - ready.example fail |
  report in/ready-old.xml ready-old "Reporter-A" ready.example none \
    $((TODAY - 40 * DAY)) $((TODAY - 39 * DAY))
# sub.ready.example publishes its own policy (p=quarantine).
rec 192.0.2.1 7 pass pass sub.ready.example ready.example sub.ready.example pass |
  report in/sub.xml sub-1 "Reporter-A" sub.ready.example quarantine \
    $((TODAY - 2 * DAY)) $((TODAY - DAY))
# notready.example: 3 days, one reporter, a third of its messages failing.
i=1
while [ "$i" -le 3 ]; do
  begin=$((TODAY - i * DAY))
  {
    rec 198.51.100.5 10 pass pass notready.example notready.example notready.example pass
    rec 198.51.100.6 5 fail fail notready.example - bulk.example fail
  } | report "in/notready-$i.xml" "notready-$i" "Reporter-A" notready.example none "$begin" $((begin + DAY))
  i=$((i + 1))
done

# approve.example: 14 days, two reporters, 98 % passing; the 2 % failing
# come from one source (a sender not yet approved, then approved).
i=1
while [ "$i" -le 14 ]; do
  begin=$((TODAY - i * DAY))
  if [ $((i % 2)) = 1 ]; then org="Reporter-A"; else org="Reporter-B"; fi
  {
    rec 192.0.2.1 98 pass pass approve.example approve.example approve.example pass
    rec 198.51.100.77 2 fail fail approve.example - crm.example fail
  } | report "in/approve-$i.xml" "approve-$i" "$org" approve.example none "$begin" $((begin + DAY))
  i=$((i + 1))
done

"$RUACTL" import in >out 2>err
check_prefix "import" "stored 40, duplicate 0, quarantined 0, failed 0; 40 reports" "$(cat out)"

# Who the sources are (sql/0016): a confirmed PTR names 203.0.113.9's
# provider, DKIM d= names the others'.
sql "INSERT INTO provider_map (kind, domain, provider, provider_type, origin) VALUES
       ('dkim', 'ready.example', 'OwnMail', 'mailbox', 'operator'),
       ('dkim', 'esp.example', 'ESPInc', 'esp', 'operator'),
       ('ptr', 'spammer.example', 'Spammer', 'unknown', 'operator');
     INSERT INTO source_host (ip, ptr, ptr_confirmed, status)
       VALUES ('203.0.113.9', 'bad.spammer.example', true, 'ok')" >/dev/null

# sqlsum DOMAINS KEY [WHERE]: "key messages pass fail" lines from the records of
# reports that began within the window (every one here lies wholly in it).
sqlsum() {
  sql "SELECT string_agg(k || ' ' || m || ' ' || p || ' ' || f, '|' ORDER BY m DESC, k) FROM (
         SELECT $2 AS k, sum(r.count) AS m, coalesce(sum(r.count) FILTER (WHERE r.dmarc_pass), 0) AS p,
                coalesce(sum(r.count) FILTER (WHERE NOT r.dmarc_pass), 0) AS f
           FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id
          WHERE lower(a.domain) IN ($1) AND a.date_begin >= now() - interval '30 days' ${3:-}
          GROUP BY 1) x"
}
# rows FILE: "key messages pass fail" of a breakdown table, '|' between rows.
rows() {
  sed -n '/^BY /,/^total:/p' "$1" | sed '1,2d;$d' | awk '{ print $1, $2, $3, $4 }' | paste -sd'|' -
}

R() { "$RUACTL" summary "$@"; }

# --by source, the default top (20): every source, with the readiness line.
R --domain Ready.Example --by source >t
check "by source: header" "Report summary for ready.example, the last 30 UTC days" "$(sed -n 1p t)"
check "by source: readiness line" \
  "ready.example: 99.0 % compliant over 30 days; 1 unapproved source sends 1.0 % failing; safe to move to p=quarantine? yes" \
  "$(sed -n '/^READINESS$/{n;p;}' t)"
check "by source: section title" "BY SOURCE (top 4 of 4)" "$(grep '^BY ' t)"
check "by source: rows" "192.0.2.1 1000 1000 0|192.0.2.2 1000 1000 0|192.0.2.3 30 30 0|203.0.113.9 20 0 20" "$(rows t)"
check "by source: rows = SQL over aggregate_record" "$(sqlsum "'ready.example'" 'host(r.source_ip)')" "$(rows t)"
check "by source: compliance and share" "100.0 48.8|100.0 48.8|100.0 1.5|0.0 1.0" \
  "$(sed -n '/^BY /,/^total:/p' t | sed '1,2d;$d' | awk '{ print $5, $6 }' | paste -sd'|' -)"
check "by source: total line" "total: 2050 messages, 2030 pass, 20 fail, 99.0 % compliant" "$(grep '^total:' t)"
check "by source: the readiness checks" \
  "CHECK VALUE WANT OK|policy p=none sp=none pct=100 move to p=quarantine yes|compliance 99.0 % >= 98.0 % yes|unapproved 1 source, 1.0 % failing <= 1.0 % yes|reporters 2 >= 2 yes|data 20 days >= 14 days yes" \
  "$(sed -n '/^READINESS$/,/^$/p' t | sed '1,2d;/^$/d' | tr -s ' ' | paste -sd'|' -)"

# --top 2: the two busiest, the total line unchanged.
R --domain ready.example --by source --top 2 >t
check "--top 2: title" "BY SOURCE (top 2 of 4)" "$(grep '^BY ' t)"
check "--top 2: rows" "192.0.2.1 1000 1000 0|192.0.2.2 1000 1000 0" "$(rows t)"
check "--top 2: total line" "total: 2050 messages, 2030 pass, 20 fail, 99.0 % compliant" "$(grep '^total:' t)"

# --failing: only the messages that failed DMARC.
R --domain ready.example --by source --failing >t
check "--failing: title" "BY SOURCE, FAILING ONLY (top 1 of 1)" "$(grep '^BY ' t)"
check "--failing: rows" "203.0.113.9 20 0 20" "$(rows t)"
check "--failing: rows = SQL" "$(sqlsum "'ready.example'" 'host(r.source_ip)' 'AND NOT r.dmarc_pass')" "$(rows t)"
check "--failing: total line" "total: 20 messages, 0 pass, 20 fail, 0.0 % compliant" "$(grep '^total:' t)"

# --by reporter (reporters as stored: lower case).
R --domain ready.example --by reporter >t
check "by reporter: rows" "reporter-b 1040 1030 10|reporter-a 1010 1000 10" "$(rows t)"
check "by reporter: = SQL" "$(sqlsum "'ready.example'" 'a.reporter')" "$(rows t)"

# --by header-from, then rolled up: mail.ready.example and sub.ready.example's
# reports counted under ready.example.
R --domain ready.example --by header-from >t
check "by header-from: rows" "ready.example 1050 1030 20|mail.ready.example 1000 1000 0" "$(rows t)"
check "by header-from: = SQL" "$(sqlsum "'ready.example'" 'r.header_from')" "$(rows t)"
R --domain ready.example --by header-from --rollup >t
check "--rollup: header" \
  "Report summary for ready.example and its organisation (ready.example, sub.ready.example), the last 30 UTC days" \
  "$(sed -n 1p t)"
check "--rollup: one row" "ready.example 2057 2037 20" "$(rows t)"
check "--rollup: = SQL over both domains" \
  "ready.example $(sql "SELECT sum(r.count) || ' ' || sum(r.count) FILTER (WHERE r.dmarc_pass) || ' ' || sum(r.count) FILTER (WHERE NOT r.dmarc_pass) FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id WHERE a.domain IN ('ready.example', 'sub.ready.example') AND a.date_begin >= now() - interval '30 days'")" \
  "$(rows t)"
check "--rollup: a readiness line per domain" \
  "ready.example: 99.0 % compliant over 30 days; 1 unapproved source sends 1.0 % failing; safe to move to p=quarantine? yes|sub.ready.example: 100.0 % compliant over 30 days; 0 unapproved sources send 0.0 % failing; safe to move to p=reject? no (1 reporter < 2; 1 day of data < 14)" \
  "$(grep -E '^[a-z.]+: ' t | grep -v '^total:' | paste -sd'|' -)"

# --by dkim-domain and spf-domain: from the records' auth results.
R --domain ready.example --by dkim-domain >t
check "by dkim-domain: rows" "ready.example 2000 2000 0|esp.example 30 30 0|- 20 0 20" "$(rows t)"
check "by dkim-domain: = SQL" "ready.example 2000 2000 0|esp.example 30 30 0" \
  "$(sqlsum "'ready.example'" "lower(r.auth_dkim->0->>'domain')" "AND json_array_length(r.auth_dkim) > 0")"
R --domain ready.example --by spf-domain --top 3 >t
check "by spf-domain: rows" "ready.example 1030 1030 0|esp.example 1000 1000 0|spoof.example 20 0 20" "$(rows t)"
check "by spf-domain: = SQL" "$(sqlsum "'ready.example'" "lower(r.auth_spf->0->>'domain')")" "$(rows t)"

# --by provider: a confirmed PTR first, then the passing DKIM d=, then SPF.
R --domain ready.example --by provider >t
check "by provider: rows" "OwnMail 2000 2000 0|ESPInc 30 30 0|Spammer 20 0 20" "$(rows t)"
check "by provider: the same sums as by source" "$(sqlsum "'ready.example'" \
  "CASE WHEN host(r.source_ip) IN ('192.0.2.1', '192.0.2.2') THEN 'OwnMail' WHEN host(r.source_ip) = '192.0.2.3' THEN 'ESPInc' ELSE 'Spammer' END")" "$(rows t)"
R --domain ready.example --by provider --failing >t
check "by provider --failing" "Spammer 20 0 20" "$(rows t)"

# --by day: the latest --top days, oldest first; the three-day report
# spread 10 a day over 7, 6 and 5 days ago.
R --domain ready.example --by day --top 3 >t
d() { sql "SELECT (current_date - $1)::text"; }
check "by day --top 3: the latest three days" "$(d 3) 101 100 1|$(d 2) 101 100 1|$(d 1) 101 100 1" "$(rows t)"
R --domain ready.example --by day --since 8d >t
check "by day --since 8d: the spread report's days" \
  "$(d 7) 111 110 1|$(d 6) 111 110 1|$(d 5) 111 110 1|$(d 4) 101 100 1|$(d 3) 101 100 1|$(d 2) 101 100 1|$(d 1) 101 100 1" \
  "$(rows t)"
check "by day --since 8d: total" "total: 737 messages, 730 pass, 7 fail, 99.1 % compliant" "$(grep '^total:' t)"

# The domain that is not ready, in every format.
R --domain notready.example --by source >t
check "not ready: the line" \
  "notready.example: 66.7 % compliant over 30 days; 1 unapproved source sends 33.3 % failing; safe to move to p=quarantine? no (compliance 66.7 % < 98.0 %; unapproved 33.3 % > 1.0 %; 1 reporter < 2; 3 days of data < 14)" \
  "$(sed -n '/^READINESS$/{n;p;}' t)"
check "not ready: rows = SQL" "$(sqlsum "'notready.example'" 'host(r.source_ip)')" "$(rows t)"
R --domain notready.example --by source --format json >j
check "not ready: JSON" \
  '{"domain":"notready.example","days":30,"by":"source","top":20,"failing":false,"rollup":false,"domains":["notready.example"],"readiness":[{"domain":"notready.example","days":30,"messages":45,"pass":30,"fail":15,"compliance_pct":66.7,"p":"none","sp":"none","pct":100,"last_report":"'"$(sql "SELECT to_char(date_end AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' FROM aggregate_report WHERE report_id = 'notready-1'")"'","unapproved_sources":1,"unapproved_messages":15,"unapproved_pct":33.3,"reporters":1,"days_with_data":3,"next_step":"move to p=quarantine","ready":false,"line":"notready.example: 66.7 % compliant over 30 days; 1 unapproved source sends 33.3 % failing; safe to move to p=quarantine? no (compliance 66.7 % < 98.0 %; unapproved 33.3 % > 1.0 %; 1 reporter < 2; 3 days of data < 14)","checks":[{"check":"policy","value":"p=none sp=none pct=100","want":"move to p=quarantine","ok":true},{"check":"compliance","value":"66.7 %","want":">= 98.0 %","ok":false},{"check":"unapproved","value":"1 source, 33.3 % failing","want":"<= 1.0 %","ok":false},{"check":"reporters","value":"1","want":">= 2","ok":false},{"check":"data","value":"3 days","want":">= 14 days","ok":false}]}],"totals":{"messages":45,"pass":30,"fail":15,"compliance_pct":66.7,"groups":2},"groups":2,"breakdown":[{"source_ip":"198.51.100.5","messages":30,"pass":30,"fail":0,"compliance_pct":100.0,"share_pct":66.7},{"source_ip":"198.51.100.6","messages":15,"pass":0,"fail":15,"compliance_pct":0.0,"share_pct":33.3}]}' \
  "$(cat j)"
R --domain notready.example --by source --format csv >c
check "not ready: CSV breakdown block" "section,source_ip,messages,pass,fail,compliance_pct,share_pct|breakdown,198.51.100.5,30,30,0,100.0,66.7|breakdown,198.51.100.6,15,0,15,0.0,33.3" \
  "$(sed -n '/^section,source_ip/,/^$/p' c | sed '/^$/d' | paste -sd'|' -)"

# The plain summary starts with the readiness section too; folding the
# rollup changes no number.
R --domain ready.example >t
check "plain summary: the readiness line" \
  "ready.example: 99.0 % compliant over 30 days; 1 unapproved source sends 1.0 % failing; safe to move to p=quarantine? yes" \
  "$(sed -n '/^READINESS$/{n;p;}' t)"
R --domain ready.example --by source --format json >before
"$RUACTL" rollup fold >/dev/null
R --domain ready.example --by source --format json >after
check "the same answer after the fold" "" "$(cmp before after 2>&1 || true)"

# Approvals decide: approve.example is 98.0 % compliant, but its failing 2 %
# come from a source nobody approved; approved by network, it is ready.
R --domain approve.example --by source >t
check "unapproved: not ready" \
  "approve.example: 98.0 % compliant over 30 days; 1 unapproved source sends 2.0 % failing; safe to move to p=quarantine? no (unapproved 2.0 % > 1.0 %)" \
  "$(sed -n '/^READINESS$/{n;p;}' t)"
check "unapproved: the failing messages = SQL" \
  "$(sql "SELECT sum(r.count) FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id WHERE a.domain = 'approve.example' AND NOT r.dmarc_pass")" \
  "$(R --domain approve.example --by source --failing --format csv | awk -F, '$1 == "breakdown" { print $3 }')"
sql "INSERT INTO approved_source (account_id, domain, cidr)
     SELECT id, 'approve.example', '198.51.100.77/32' FROM account WHERE name = 'ready.example'" >/dev/null
R --domain approve.example --by source >t
check "approved by network: ready" \
  "approve.example: 98.0 % compliant over 30 days; 0 unapproved sources send 0.0 % failing; safe to move to p=quarantine? yes" \
  "$(sed -n '/^READINESS$/{n;p;}' t)"

# Usage errors.
usage() {
  rc=0
  "$RUACTL" summary "$@" >/dev/null 2>err || rc=$?
  check "usage: $*" "2 $EXPECTED" "$rc $(head -1 err)"
}
EXPECTED="ruactl: summary: invalid --by 'asn' (source, provider, reporter, dkim-domain, spf-domain, header-from or day) (try 'ruactl help summary')"
usage --domain d --by asn
EXPECTED="ruactl: summary: --top needs --by (try 'ruactl help summary')"
usage --domain d --top 5
EXPECTED="ruactl: summary: --failing needs --by (try 'ruactl help summary')"
usage --domain d --failing
EXPECTED="ruactl: summary: --by and --kind do not go together (try 'ruactl help summary')"
usage --domain d --by day --kind tlsrpt
finish
