#!/bin/sh
# Two `ruactl import` processes on the same 40 files at the same time store
# every report exactly once between them: the database decides, not timing.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db

N=40
mkdir "$WORK/in"
i=1
while [ "$i" -le "$N" ]; do
  gen_report "c-$i" | gzip -c >"$WORK/in/c-$i.xml.gz"
  i=$((i + 1))
done

rc1=0
rc2=0
"$RUACTL" import --jobs 2 "$WORK/in" >"$WORK/out1" 2>"$WORK/err1" &
pid1=$!
"$RUACTL" import --jobs 2 "$WORK/in" >"$WORK/out2" 2>"$WORK/err2" &
pid2=$!
wait "$pid1" || rc1=$?
wait "$pid2" || rc2=$?
check "first process: exit status" 0 "$rc1"
check "second process: exit status" 0 "$rc2"
check "nothing on stderr" "" "$(cat "$WORK/err1" "$WORK/err2")"

# "stored S, duplicate D, ..." from each summary line.
stored=$(sed -n 's/^stored \([0-9]*\), duplicate \([0-9]*\),.*/\1/p' "$WORK/out1" "$WORK/out2" | awk '{ s += $1 } END { print s }')
dups=$(sed -n 's/^stored \([0-9]*\), duplicate \([0-9]*\),.*/\2/p' "$WORK/out1" "$WORK/out2" | awk '{ s += $1 } END { print s }')
check "stored between the two processes" "$N" "$stored"
check "duplicates between the two processes" "$N" "$dups"
check "aggregate_report rows" "$N" "$(sql 'SELECT count(*) FROM aggregate_report')"
check "aggregate_record rows" "$((N * 2))" "$(sql 'SELECT count(*) FROM aggregate_record')"
check "distinct report ids" "$N" "$(sql 'SELECT count(DISTINCT report_id) FROM aggregate_report')"
check "raw attachments kept once each" "$N" "$(sql 'SELECT count(*) FROM raw_report')"
finish
