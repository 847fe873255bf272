#!/bin/sh
# Conflicts through the command line (issue 8 item 5): a report imported
# again with the same key but other content is a conflict, kept once in
# report_conflict however often it comes; `ruactl conflicts list` shows it as
# a table, CSV and JSON, with sender-chosen text made printable.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"

# The key's org_name carries a DEL (allowed in XML 1.0): never printed raw.
gen_report c-1 | sed 's|<org_name>Reporter A</org_name>|<org_name>Evil\&#x7f;Org</org_name>|' >first.xml
sed 's|<count>2</count>|<count>3</count>|' first.xml >forged.xml
"$RUACTL" import first.xml >/dev/null
rc=0
"$RUACTL" import forged.xml >out 2>err || rc=$?
check "conflicting import: exit status" 0 "$rc"
check "conflicting import: the first copy stays" 7 "$(sql 'SELECT message_count FROM aggregate_report')"
check "conflicting import: one conflict row" 1 "$(sql 'SELECT count(*) FROM report_conflict')"
"$RUACTL" import forged.xml >/dev/null 2>&1
check "the same conflicting copy again: still one row" 1 "$(sql 'SELECT count(*) FROM report_conflict')"
check "the conflict row" "aggregate|$(sql 'SELECT id FROM aggregate_report')|import|forged.xml|t" \
  "$(sql "SELECT concat_ws('|', kind, stored_report_id, via, file, resolution IS NULL) FROM report_conflict")"
check "its raw bytes are the conflicting file" "$(sha256sum <forged.xml | cut -d' ' -f1)" \
  "$(sql "SELECT encode(r.sha256, 'hex') FROM report_conflict c JOIN raw_report r ON r.id = c.raw_report_id")"

fp=$(sql "SELECT encode(fingerprint, 'hex') FROM report_conflict")
stored=$(sql 'SELECT stored_report_id FROM report_conflict')
raw=$(sql 'SELECT raw_report_id FROM report_conflict')
id=$(sql 'SELECT id FROM report_conflict')
"$RUACTL" conflicts list --format csv >csv
check "csv header" "id,received,kind,key,stored_report_id,fingerprint,raw_report_id,via,rua,from,resolution" \
  "$(sed -n 1p csv)"
check "csv row, the DEL made printable" \
  "$id,TIME,aggregate,\"{\"\"end\"\": 1700086400, \"\"begin\"\": 1700000000, \"\"email\"\": \"\"noreply-dmarc@reporter-a.example\"\", \"\"domain\"\": \"\"example.net\"\", \"\"org_name\"\": \"\"Evil?Org\"\", \"\"report_id\"\": \"\"c-1\"\"}\",$stored,$fp,$raw,import,-,forged.xml,open" \
  "$(sed -n 2p csv | awk -F, 'BEGIN { OFS = "," } { $2 = "TIME"; print }')"
check "csv: two lines" 2 "$(wc -l <csv | tr -d ' ')"

"$RUACTL" conflicts list >table
check "table header" "ID RECEIVED KIND KEY" "$(sed -n 1p table | awk '{ print $1, $2, $3, $4 }')"
check "table: the DEL made printable" 1 "$(grep -c 'Evil?Org' table)"
check "table: no raw DEL" 0 "$(tr -d '\n' <table | tr -dc '\177' | wc -c | tr -d ' ')"

"$RUACTL" conflicts list --format json >json
check "json: one object with the key as an object" 1 \
  "$(grep -c "^\[{\"id\":$id,\"received\":\"[^\"]*\",\"kind\":\"aggregate\",\"key\":{\"end\": 1700086400, .*\"report_id\": \"c-1\"},\"stored_report_id\":$stored,\"fingerprint\":\"$fp\",\"raw_report_id\":$raw,\"via\":\"import\",\"rua\":null,\"file\":\"forged.xml\",\"queue_id\":null,\"resolution\":null}\]$" json)"

check "--kind tlsrpt: none" "no conflicts" "$("$RUACTL" conflicts list --kind tlsrpt)"
check "--kind tlsrpt --format json: an empty array" "[]" "$("$RUACTL" conflicts list --kind tlsrpt --format json)"
rc=0
"$RUACTL" conflicts list --kind nope >out 2>err || rc=$?
check "--kind nope: usage error" 2 "$rc"
check "--kind nope: the message" "ruactl: conflicts list: unknown --kind 'nope' (aggregate, tlsrpt, failure) (try 'ruactl help conflicts')" "$(cat err)"
check "help page" 1 "$("$RUACTL" help conflicts | grep -c 'ruactl conflicts list \[--kind KIND\]')"

finish
