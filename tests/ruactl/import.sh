#!/bin/sh
# `ruactl import` against a scratch database: files, .eml, an mbox, a Maildir
# and a directory tree in one run with exact row counts; a second run adds
# nothing; then the quarantine round trip (a foreign-domain report is
# quarantined, the domain is added, reprocess stores it exactly once).
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK" # scratch files (out, err, raw.xml, table) stay in the scratch directory

"$RUACTL" rua add dmarc@example.net --domain example.net >/dev/null
IN=$WORK/in
mkdir -p "$IN/sub" "$IN/Maildir/cur" "$IN/Maildir/new" "$IN/Maildir/tmp"
gen_report i-1 | gzip -c >"$IN/a.xml.gz"
gen_eml i-2 >"$IN/sub/b.eml"
gen_eml i-3 >"$IN/Maildir/cur/1700000000.1.host:2,S"
gen_eml i-4 >"$IN/Maildir/new/1700000000.2.host"
gen_eml i-5 >"$IN/Maildir/tmp/1700000000.3.host"       # tmp/ is never read
gen_report i-6 >"$IN/.hidden.xml"                      # dotfiles are skipped
cp "$FIX/broken.xml" "$IN/broken.xml"
{
  echo "From dmarc@reporter-a.example Tue Nov 14 22:13:20 2023"
  gen_eml i-7 | tr -d '\r'
  echo
  echo "From dmarc@reporter-a.example Tue Nov 14 22:13:21 2023"
  printf 'Subject: not a report\n\n>From the archive: no attachment here.\n\n'
  echo "From dmarc@reporter-a.example Tue Nov 14 22:13:22 2023"
  gen_eml i-8 | tr -d '\r'
  echo
} >"$WORK/archive.mbox"

rc=0
"$RUACTL" import --jobs 2 "$IN" "$WORK/archive.mbox" >out 2>err || rc=$?
check "first import: exit status" 0 "$rc"
check_prefix "first import: summary" \
  "stored 6, duplicate 0, quarantined 2, failed 0; 6 reports, 12 records in " "$(cat out)"
check "first import: aggregate_report rows" 6 "$(sql 'SELECT count(*) FROM aggregate_report')"
check "first import: aggregate_record rows" 12 "$(sql 'SELECT count(*) FROM aggregate_record')"
check "first import: messages" 42 "$(sql 'SELECT sum(count) FROM aggregate_record')"
check "first import: report ids" "i-1,i-2,i-3,i-4,i-7,i-8" \
  "$(sql "SELECT string_agg(report_id, ',' ORDER BY report_id) FROM aggregate_report")"
check "first import: via import" 6 "$(sql "SELECT count(*) FROM aggregate_report WHERE via = 'import'")"
check "mbox messages are named path:index" "$WORK/archive.mbox:1 $WORK/archive.mbox:3" \
  "$(sql "SELECT string_agg(file, ' ' ORDER BY file) FROM aggregate_report WHERE file LIKE '%.mbox:%'")"
check "first import: quarantine rows" "bad_report,no_report" \
  "$(sql "SELECT string_agg(reason, ',' ORDER BY reason) FROM quarantine")"
check "the mbox message without a report is quarantined unescaped" 1 \
  "$(sql "SELECT count(*) FROM quarantine WHERE position(E'\\n\\nFrom the archive' in convert_from(raw, 'UTF8')) > 0")"

rc=0
"$RUACTL" import "$IN" "$WORK/archive.mbox" >out 2>err || rc=$?
check "second import: exit status" 0 "$rc"
check_prefix "second import: summary" \
  "stored 0, duplicate 6, quarantined 2, failed 0; 6 reports, 12 records in " "$(cat out)"
check "second import: aggregate_report rows unchanged" 6 "$(sql 'SELECT count(*) FROM aggregate_report')"
check "second import: aggregate_record rows unchanged" 12 "$(sql 'SELECT count(*) FROM aggregate_record')"
check "second import: quarantine rows unchanged" 2 "$(sql 'SELECT count(*) FROM quarantine')"

# sections CSV: the aggregate blocks' section names, in order.
sections() {
  awk -F, '$1 == "aggregate" && $2 != x { x = $2; printf "%s%s", sep, $2; sep = " " }' "$1"
}
"$RUACTL" summary --domain Example.NET --format csv >csv
check "summary csv header" "kind,section,key,reports,messages,pass,fail,pass_percent,none,quarantine,reject" \
  "$(sed -n 1p csv)"
check "summary csv total" "aggregate,total,total,6,42,30,12,71.4,30,0,12" "$(sed -n 2p csv)"
check "summary csv: the aggregate blocks" "total by_reporter by_source by_authenticity" "$(sections csv)"
"$RUACTL" summary --domain Example.NET --format csv --kind aggregate >csv-aggregate
check "summary --kind aggregate: four blocks" 4 "$(grep -c '^kind,section,' csv-aggregate)"
check "summary --kind aggregate: the aggregate blocks" "total by_reporter by_source by_authenticity" \
  "$(sections csv-aggregate)"
check "summary --kind aggregate: no other kind" 0 \
  "$(grep -v -e '^kind,section,' -e '^aggregate,' -e '^$' csv-aggregate | wc -l | tr -d ' ')"
check "summary --kind aggregate: the same total" "aggregate,total,total,6,42,30,12,71.4,30,0,12" \
  "$(sed -n 2p csv-aggregate)"
check "summary json --kind aggregate" \
  '{"domain":"example.net","since":null,"kinds":{"aggregate":{"total":[{"key":"total","reports":6,"messages":42,"pass":30,"fail":12,"pass_percent":71.4,"none":30,"quarantine":0,"reject":12}],"by_reporter":[{"reporter":"Reporter A","reports":6,"messages":42,"pass":30,"fail":12,"pass_percent":71.4,"none":30,"quarantine":0,"reject":12}],"by_source":[{"source_ip":"192.0.2.10","reports":6,"messages":30,"pass":30,"fail":0,"pass_percent":100.0,"none":30,"quarantine":0,"reject":0},{"source_ip":"198.51.100.7","reports":6,"messages":12,"pass":0,"fail":12,"pass_percent":0.0,"none":0,"quarantine":0,"reject":12}],"by_authenticity":[{"authenticity":"dmarc-pass","reports":0,"messages":0},{"authenticity":"dkim-aligned","reports":0,"messages":0},{"authenticity":"unauthenticated","reports":0,"messages":0},{"authenticity":"unknown","reports":6,"messages":42}]}}}' \
  "$("$RUACTL" summary --domain example.net --format json --kind aggregate)"
"$RUACTL" summary --domain example.net >table
check "summary table: first line" "Report summary for example.net, all reports" "$(sed -n 1p table)"
check "summary table: the aggregate sections" "AGGREGATE TOTAL,AGGREGATE BY REPORTER,AGGREGATE BY SOURCE,AGGREGATE BY AUTHENTICITY" \
  "$(grep '^AGGREGATE ' table | paste -sd, -)"
check "summary table: the total row" "total 6 42 30 12 71.4 30 0 12" \
  "$(awk '$1 == "total" { print $1, $2, $3, $4, $5, $6, $7, $8, $9 }' table)"
check "summary table: the source row" "6 30 30 0 100.0 30 0 0" \
  "$(awk '$1 == "192.0.2.10" { print $2, $3, $4, $5, $6, $7, $8, $9 }' table)"
check "summary table: reporter rows" "Reporter A 6 42" \
  "$(awk '$1 == "Reporter" { print $1, $2, $3, $4 }' table)"
check "summary table: the source section is aligned (one line width)" 1 \
  "$(sed -n '/^AGGREGATE BY SOURCE$/,/^$/p' table | sed 1d | sed '/^$/d' | awk '{ print length($0) }' | sort -u | wc -l | tr -d ' ')"

# Failures: an unreadable path, and a bad report with --no-quarantine.
rc=0
"$RUACTL" import --no-quarantine "$FIX/broken.xml" "$WORK/missing" >out 2>err || rc=$?
check "failing import: exit status" 1 "$rc"
check_prefix "failing import: summary" "stored 0, duplicate 0, quarantined 0, failed 2; " "$(cat out)"
check "failing import: missing path" "ruactl: $WORK/missing: No such file or directory" "$(grep missing err)"
check "failing import: nothing quarantined" 2 "$(sql 'SELECT count(*) FROM quarantine')"

# Quarantine round trip through the rua's domain check.
gen_report q-1 other.example >"$WORK/other.xml"
rc=0
"$RUACTL" import --rua DMARC@Example.NET "$WORK/other.xml" >out 2>err || rc=$?
check "foreign-domain import: exit status" 0 "$rc"
check_prefix "foreign-domain import: summary" "stored 0, duplicate 0, quarantined 1, failed 0; " "$(cat out)"
qid=$(sql "SELECT id FROM quarantine WHERE reason = 'foreign_domain'")
check "foreign-domain row records the rua" "dmarc@example.net" "$(sql "SELECT rua FROM quarantine WHERE id = $qid")"
check "quarantine list shows it" 1 "$("$RUACTL" quarantine list | grep -c "^ *$qid .*foreign_domain")"
"$RUACTL" quarantine show "$qid" --raw >raw.xml
check "quarantine show --raw is the file byte for byte" "" "$(cmp raw.xml "$WORK/other.xml" 2>&1 || true)"
"$RUACTL" quarantine reprocess --all >out 2>err
check "reprocess before the fix" "stored 0, duplicate 0, still failing 3, skipped 0" "$(cat out)"
check "reprocess before the fix: the foreign row's reason" \
  "ruactl: quarantine $qid: foreign_domain: aggregate report q-1 is for domain other.example, which account example.net does not receive reports for" \
  "$(grep "quarantine $qid: " err)"
check "reprocess before the fix: no quarantine row added" 3 "$(sql 'SELECT count(*) FROM quarantine')"
"$RUACTL" domain add other.example --account example.net >/dev/null
check "reprocess after the fix" "stored 1, duplicate 0, still failing 2, skipped 0" \
  "$("$RUACTL" quarantine reprocess --all 2>/dev/null)"
check "reprocess again" "stored 0, duplicate 0, still failing 2, skipped 0" \
  "$("$RUACTL" quarantine reprocess --all 2>/dev/null)"
check "the report is stored once" 1 "$(sql "SELECT count(*) FROM aggregate_report WHERE report_id = 'q-1'")"
check "the row is resolved with its report id" \
  "$(sql "SELECT id FROM aggregate_report WHERE report_id = 'q-1'")" \
  "$(sql "SELECT array_to_string(resolved_report_ids, ',') FROM quarantine WHERE id = $qid")"
check "quarantine show says resolved" 1 "$("$RUACTL" quarantine show "$qid" | grep -c '^resolved: *[0-9]')"
check "purge by id" "purged 1" "$("$RUACTL" quarantine purge "$qid")"
check "purge by age keeps fresh rows" "purged 0" "$("$RUACTL" quarantine purge --before 1d)"
check "quarantine rows left" 2 "$(sql 'SELECT count(*) FROM quarantine')"

# --rua repeated (issue 8 item 7): the set of recipients decides the domain
# check; the report is for the second account's domain only.
"$RUACTL" account add second >/dev/null
"$RUACTL" rua add second@example.net. --account second --domain second.example >/dev/null
gen_report m-1 second.example >"$WORK/second.xml"
rc=0
"$RUACTL" import --rua dmarc@example.net --rua Second@Example.NET "$WORK/second.xml" >out 2>err || rc=$?
check "two --rua: exit status" 0 "$rc"
check_prefix "two --rua: summary" "stored 1, duplicate 0, quarantined 0, failed 0; " "$(cat out)"
check "two --rua: the first is recorded" "dmarc@example.net" \
  "$(sql "SELECT rua FROM aggregate_report WHERE report_id = 'm-1'")"
finish
