#!/bin/sh
# A bad part beside a good report through the command line (issue 8 item 4):
# `ruactl parse` prints the good report and names the bad part on standard
# error (exit status 1); `ruactl import` stores the good report, keeps the
# message in the quarantine with reason bad_part and says so on standard
# error; importing it again adds nothing.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"

{
  printf 'From: dmarc@reporter-a.example\r\nTo: dmarc@example.net\r\nSubject: Reports\r\n'
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
  printf -- '--b0\r\nContent-Type: text/xml\r\nContent-Disposition: attachment; filename="good.xml"\r\n\r\n'
  gen_report bp-1
  printf -- '\r\n--b0\r\nContent-Type: text/xml\r\nContent-Disposition: attachment; filename="bad.xml"\r\n\r\n'
  printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>Cut'
  printf -- '\r\n--b0--\r\n'
} >two.eml
BAD='part 2 (text/xml, "bad.xml"): malformed XML at line 2, column 41: input ended before all started tags were ended; last tag started is '\''org_name'\'''

rc=0
"$RUACTL" parse two.eml >out.json 2>err || rc=$?
check "parse: exit status 1 (a part failed)" 1 "$rc"
check "parse: the good report printed" 1 "$(grep -c '"report_id":"bp-1"' out.json)"
check "parse: the bad part on stderr" "ruactl: two.eml: $BAD" "$(cat err)"

rc=0
"$RUACTL" import two.eml >out 2>err || rc=$?
check "import: exit status" 0 "$rc"
check_prefix "import: summary" "stored 1, duplicate 0, quarantined 0, failed 0; 1 reports" "$(cat out)"
qid=$(sql "SELECT id FROM quarantine")
check "import: the bad part on stderr" "ruactl: two.eml: quarantined (id $qid, bad_part): $BAD" "$(cat err)"
check "import: the good report stored" 1 "$(sql 'SELECT count(*) FROM aggregate_report')"
check "import: the quarantine row names the part" "bad_part|$BAD|two.eml" \
  "$(sql "SELECT concat_ws('|', reason, detail, file) FROM quarantine")"

"$RUACTL" import two.eml >out 2>err
check_prefix "import again: a duplicate" "stored 0, duplicate 1, quarantined 0, failed 0; " "$(cat out)"
check "import again: still one report" 1 "$(sql 'SELECT count(*) FROM aggregate_report')"
check "import again: still one quarantine row" 1 "$(sql 'SELECT count(*) FROM quarantine')"

finish
