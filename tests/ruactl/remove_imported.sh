#!/bin/sh
# `ruactl import --remove-imported`, the drain of a fallback Maildir: every
# input whose outcome is committed (stored, duplicate, quarantined) is
# removed, everything else stays (rejected, too large, an mbox: refused),
# Maildir tmp/ is never touched, and a second run is a no-op.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"
"$RUACTL" rua add dmarc@example.net --domain example.net >/dev/null

M=$WORK/Maildir
mkdir -p "$M/cur" "$M/new" "$M/tmp"
gen_eml r-1 >"$M/new/1700000000.1.host"
gen_eml r-2 >"$M/cur/1700000000.2.host:2,S"
gen_eml r-3 >"$M/new/1700000000.3.host"
printf 'Subject: no report here\r\n\r\nhello\r\n' >"$M/new/1700000000.4.host"
gen_eml r-5 >"$M/tmp/1700000000.5.host" # still being delivered
"$RUACTL" import "$M/new/1700000000.3.host" >/dev/null # r-3 is a duplicate below

rc=0
"$RUACTL" import --remove-imported "$M" >out 2>err || rc=$?
check "drain: exit status" 0 "$rc"
check_prefix "drain: summary" "stored 2, duplicate 1, quarantined 1, failed 0; " "$(head -n 1 out)"
check "drain: removed" "removed 4 imported files" "$(sed -n 2p out)"
check "drain: new/ and cur/ are empty" "" "$(ls "$M/new" "$M/cur" | grep -v ':$' | grep -v '^$' || true)"
check "drain: tmp/ untouched" "1700000000.5.host" "$(ls "$M/tmp")"
check "drain: reports" "r-1,r-2,r-3" \
  "$(sql "SELECT string_agg(report_id, ',' ORDER BY report_id) FROM aggregate_report")"
check "drain: the message without a report is quarantined" 1 "$(sql 'SELECT count(*) FROM quarantine')"

rc=0
"$RUACTL" import --remove-imported "$M" >out 2>err || rc=$?
check "second drain: exit status" 0 "$rc"
check_prefix "second drain: summary" "stored 0, duplicate 0, quarantined 0, failed 0; " "$(head -n 1 out)"
check "second drain: removed" "removed 0 imported files" "$(sed -n 2p out)"

# What is not committed stays: a message refused with --no-quarantine, a
# file over --max-size, a file that cannot be read.
cp "$FIX/broken.xml" broken.xml
gen_eml r-6 >big.eml
gen_eml r-7 >good.eml
rc=0
"$RUACTL" import --remove-imported --no-quarantine broken.xml good.eml >out 2>err || rc=$?
check "rejected: exit status" 1 "$rc"
check "rejected: removed" "removed 1 imported file" "$(sed -n 2p out)"
check "rejected: the refused file stays, the stored one goes" "broken.xml" "$(ls broken.xml good.eml 2>/dev/null)"
rc=0
"$RUACTL" import --remove-imported --max-size 1000 big.eml >out 2>err || rc=$?
check "over --max-size: exit status" 1 "$rc"
check "over --max-size: the file stays" "big.eml" "$(ls big.eml)"

# A symbolic link stays unless followed; followed, the link goes, not its target.
gen_eml r-9 >target.eml
ln -s target.eml link.eml
rc=0
"$RUACTL" import --remove-imported link.eml >out 2>err || rc=$?
check "symlink: exit status" 1 "$rc"
check "symlink: the link stays" "link.eml" "$(ls link.eml)"
rc=0
"$RUACTL" import --remove-imported --follow-symlinks link.eml >out 2>err || rc=$?
check "followed symlink: exit status" 0 "$rc"
check "followed symlink: removed" "removed 1 imported file" "$(sed -n 2p out)"
check "followed symlink: the link is gone, the target stays" "target.eml" "$(ls link.eml target.eml 2>/dev/null)"

# An mbox is refused whole: its messages cannot be removed one by one.
{
  echo "From dmarc@reporter-a.example Tue Nov 14 22:13:20 2023"
  gen_eml r-8 | tr -d '\r'
  echo
} >archive.mbox
rc=0
"$RUACTL" import --remove-imported archive.mbox >out 2>err || rc=$?
check "mbox: exit status" 1 "$rc"
check "mbox: stderr" \
  "ruactl: archive.mbox: an mbox file is not imported with --remove-imported (it cannot be removed message by message; import it without the option)" \
  "$(cat err)"
check "mbox: the file stays" "archive.mbox" "$(ls archive.mbox)"
check "mbox: nothing stored from it" 0 "$(sql "SELECT count(*) FROM aggregate_report WHERE report_id = 'r-8'")"
finish
