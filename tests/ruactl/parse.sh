#!/bin/sh
# `ruactl parse`: every input format gives its reports as JSON lines, the
# exit status says whether every input yielded a report, and each failed
# input gets exactly one stderr line naming it. No database.
set -eu
. "$(dirname "$0")/lib.sh"

cd "$WORK"
gen_report p-gz >a.xml && gzip -c a.xml >a.xml.gz && rm a.xml
gen_report p-plain >plain.xml
gen_eml p-eml >message.eml
gen_report p-zlib >z.xml
gen_report p-zip1 >zip1.xml
gen_report p-zip2 >zip2.xml
python3 - <<'PY'
import zlib, zipfile
with open("z.xml", "rb") as f:
    data = f.read()
with open("report.zlib", "wb") as f:
    f.write(zlib.compress(data))
with zipfile.ZipFile("two.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write("zip1.xml")
    z.write("zip2.xml")
PY
rm z.xml zip1.xml zip2.xml
: >empty.xml

rc=0
"$RUACTL" parse a.xml.gz plain.xml message.eml report.zlib two.zip >out.json 2>err || rc=$?
check "parse of five good inputs: exit status" 0 "$rc"
check "parse of five good inputs: JSON lines (two.zip holds two reports)" 6 "$(wc -l <out.json | tr -d ' ')"
check "parse of five good inputs: nothing on stderr" "" "$(cat err)"
check "every line is one JSON object" 6 "$(grep -c '^{.*}$' out.json)"
for id in p-gz p-plain p-eml p-zlib p-zip1 p-zip2; do
  check "report $id printed once" 1 "$(grep -c "\"report_id\":\"$id\"" out.json)"
done
check "the gzip file's compression is named" 1 "$(grep '"report_id":"p-gz"' out.json | grep -c '"compression":"gzip"')"

rc=0
gzip -c "$FIX/report-b.xml" | "$RUACTL" parse - >out.json 2>err || rc=$?
check "parse - reads standard input: exit status" 0 "$rc"
check "parse - reads standard input: one report" 1 "$(grep -c '"report_id":"b-1"' out.json)"

rc=0
"$RUACTL" parse a.xml.gz missing.xml "$FIX/broken.xml" empty.xml plain.xml >out.json 2>err || rc=$?
check "parse with failing inputs: exit status" 1 "$rc"
check "parse with failing inputs: the good reports still printed" 2 "$(wc -l <out.json | tr -d ' ')"
check "parse with failing inputs: one stderr line per failed input" 3 "$(wc -l <err | tr -d ' ')"
check "an unreadable file gives strerror" "ruactl: missing.xml: No such file or directory" "$(sed -n 1p err)"
check_prefix "a broken report names the file" "ruactl: $FIX/broken.xml: " "$(sed -n 2p err)"
check_prefix "an empty file names the file" "ruactl: empty.xml: " "$(sed -n 3p err)"

rc=0
"$RUACTL" parse --max-size 100 plain.xml >out.json 2>err || rc=$?
check "parse --max-size below the input size: exit status" 1 "$rc"
check "parse --max-size below the input size: no report" 0 "$(wc -l <out.json | tr -d ' ')"
check "parse --max-size below the input size: reason" "ruactl: plain.xml: input larger than 100 bytes (--max-size)" "$(cat err)"
finish
