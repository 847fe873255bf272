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
# --jobs: many inputs, good and bad interleaved, parsed by worker threads;
# standard output and standard error are byte for byte those of --jobs 1
# (lines in input order, one stderr line per failed input, in order).
mkdir many
i=0
while [ $i -lt 40 ]; do
  case $((i % 5)) in
    0) gen_eml "m-$i" >"many/$i.eml" ;;
    1) gen_report "m-$i" | gzip -c >"many/$i.xml.gz" ;;
    2) gen_report "m-$i" >"many/$i.xml" ;;
    3) printf 'not a report %s\n' "$i" >"many/$i.txt" ;;
    4) gen_report "m-$i" | head -c 300 >"many/$i.xml" ;;
  esac
  i=$((i + 1))
done
# In the order given (not the shell's sort): 0 1 2 ... 39.
set --
i=0
while [ $i -lt 40 ]; do
  set -- "$@" "$(ls many/$i.* )"
  i=$((i + 1))
done
rc1=0
"$RUACTL" parse --jobs 1 "$@" >one.json 2>one.err || rc1=$?
rc2=0
"$RUACTL" parse --jobs 2 "$@" >two.json 2>two.err || rc2=$?
rc4=0
"$RUACTL" parse --jobs=4 "$@" missing.xml >four.json 2>four.err || rc4=$?
check "parse --jobs 1 of 40 inputs, 16 bad: exit status" 1 "$rc1"
check "parse --jobs 2: exit status" 1 "$rc2"
check "parse --jobs 1: one line per good input" 24 "$(wc -l <one.json | tr -d ' ')"
check "parse --jobs 1: one stderr line per bad input" 16 "$(wc -l <one.err | tr -d ' ')"
check "parse --jobs 1: lines in input order" \
  "$(for n in $(seq 0 39); do case $((n % 5)) in 0|1|2) echo "m-$n" ;; esac; done | tr '\n' ' ')" \
  "$(sed 's/.*"report_id":"\([^"]*\)".*/\1/' one.json | tr '\n' ' ')"
check "parse --jobs 2: the same standard output as --jobs 1" "$(cksum <one.json)" "$(cksum <two.json)"
check "parse --jobs 2: the same standard error as --jobs 1" "$(cat one.err)" "$(cat two.err)"
check "parse --jobs=4 and a missing last file: exit status" 1 "$rc4"
check "parse --jobs=4: the same standard output" "$(cksum <one.json)" "$(cksum <four.json)"
check "parse --jobs=4: the missing file's line comes last" \
  "$(cat one.err; echo 'ruactl: missing.xml: No such file or directory')" "$(cat four.err)"
check_prefix "the first stderr line names input 3" "ruactl: many/3.txt: " "$(sed -n 1p one.err)"

# Standard output that cannot be written: one line, exit 1, workers stopped.
rc=0
"$RUACTL" parse --jobs 2 "$@" >/dev/full 2>err || rc=$?
check "parse --jobs 2 to a full device: exit status" 1 "$rc"
check "parse --jobs 2 to a full device: the reason, once" \
  "ruactl: cannot write to standard output: No space left on device" "$(grep -v 'many/' err)"

rc=0
"$RUACTL" parse --jobs 0 plain.xml >out.json 2>err || rc=$?
check "parse --jobs 0: usage error" 2 "$rc"
check_prefix "parse --jobs 0: reason" "ruactl: --jobs: invalid value '0' (expected a number from 1 to 64)" "$(cat err)"

# Large reports: 5,000 records (streamed to the output as they are parsed,
# past 1 MiB of JSON in a temporary file), as plain XML, gzip and e-mail,
# between small ones; every line is whole and the same with any --jobs.
python3 - <<'PY'
import base64, gzip
head = open("plain.xml").read().split("<record>")[0].replace("p-plain", "big-1")
rec = ("<record><row><source_ip>192.0.2.%d</source_ip><count>%d</count><policy_evaluated>"
       "<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>"
       "<identifiers><header_from>example.net</header_from></identifiers><auth_results>"
       "<dkim><domain>example.net</domain><selector>s\"%d</selector><result>pass</result></dkim>"
       "<spf><domain>example.net</domain><result>fail</result></spf></auth_results></record>\n")
xml = head + "".join(rec % (i % 250 + 1, i + 1, i) for i in range(5000)) + "</feedback>\n"
open("big.xml", "w").write(xml)
gz = gzip.compress(xml.replace("big-1", "big-2").encode(), mtime=0)
open("big.xml.gz", "wb").write(gz)
open("big-cut.xml.gz", "wb").write(gzip.compress(xml.replace("big-1", "big-3").encode(), mtime=0)[:-200])
# Whole XML, then a corrupt tail: the report ends before its input fails.
whole = gzip.compress(xml.replace("big-1", "big-5").encode(), mtime=0)
open("big-tail.xml.gz", "wb").write(whole[:-4])
open("big-crc.xml.gz", "wb").write(whole[:-8] + bytes([whole[-8] ^ 1]) + whole[-7:])
body = base64.encodebytes(gzip.compress(xml.replace("big-1", "big-4").encode(), mtime=0)).decode()
open("big.eml", "w", newline="").write(
    "From: dmarc@reporter-a.example\r\nTo: dmarc@example.net\r\nSubject: big\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
    "--b0\r\nContent-Type: application/gzip; name=\"big.xml.gz\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n" + body.replace("\n", "\r\n") + "--b0--\r\n")
PY
rc1=0
"$RUACTL" parse --jobs 1 big.xml a.xml.gz big.xml.gz big-cut.xml.gz plain.xml big.eml >big1.json 2>big1.err || rc1=$?
rc2=0
"$RUACTL" parse --jobs 2 big.xml a.xml.gz big.xml.gz big-cut.xml.gz plain.xml big.eml >big2.json 2>big2.err || rc2=$?
check "parse of large reports and a cut one: exit status" 1 "$rc1"
check "parse of large reports: report ids in input order, the cut one absent" \
  "big-1 p-gz big-2 p-plain big-4 " "$(sed 's/.*"report_id":"\([^"]*\)".*/\1/' big1.json | tr '\n' ' ')"
check_prefix "the cut report: one stderr line naming it" "ruactl: big-cut.xml.gz: " "$(cat big1.err)"
check "the cut report: no other stderr line" 1 "$(wc -l <big1.err | tr -d ' ')"
check "parse --jobs 2 of large reports: the same standard output" "$(cksum <big1.json)" "$(cksum <big2.json)"
check "parse --jobs 2 of large reports: the same standard error" "$(cat big1.err)" "$(cat big2.err)"
check "large reports: every line a whole JSON object with its 5,000 records" "big-1 5000 12502500
p-gz 2 7
big-2 5000 12502500
p-plain 2 7
big-4 5000 12502500" "$(python3 -c '
import json, sys
for line in open("big1.json"):
    r = json.loads(line)
    print(r["report_id"], len(r["records"]), sum(x["count"] for x in r["records"]))
')"
check "a large report's records are exact (the last one, escaping)" \
  '{"source_ip": "192.0.2.250", "count": 5000, "selector": "s\"4999"}' "$(python3 -c '
import json
r = json.loads(open("big1.json").readline())["records"][-1]
print(json.dumps({"source_ip": r["source_ip"], "count": r["count"], "selector": r["auth_dkim"][0]["selector"]}))
')"

# A large report whose input turns out corrupt after its last record (gzip
# trailer cut, or its checksum wrong): nothing of it printed, one line each.
rc=0
"$RUACTL" parse --jobs 2 big-tail.xml.gz a.xml.gz big-crc.xml.gz >out.json 2>err || rc=$?
check "parse of large reports with a corrupt tail: exit status" 1 "$rc"
check "parse of large reports with a corrupt tail: only the good report" "p-gz" \
  "$(sed 's/.*"report_id":"\([^"]*\)".*/\1/' out.json | tr '\n' ' ' | sed 's/ $//')"
check "parse of large reports with a corrupt tail: the reasons" \
  "ruactl: big-tail.xml.gz: input: truncated gzip stream
ruactl: big-crc.xml.gz: input: corrupt gzip stream: incorrect data check" "$(cat err)"

# No temporary file can be made for a large report's lines: try again later.
rc=0
TMPDIR=/nonexistent-ruactl-tmp "$RUACTL" parse --jobs 2 a.xml.gz big.xml plain.xml >out.json 2>err || rc=$?
check "parse with no usable TMPDIR: exit status 75" 75 "$rc"
check "parse with no usable TMPDIR: the reason" \
  "ruactl: try again later: cannot create a temporary file in /nonexistent-ruactl-tmp: No such file or directory" \
  "$(cat err)"
check "parse with no usable TMPDIR: the inputs before it printed, nothing after" "p-gz" \
  "$(sed 's/.*"report_id":"\([^"]*\)".*/\1/' out.json | tr '\n' ' ' | sed 's/ $//')"
finish
