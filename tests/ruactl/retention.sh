#!/bin/sh
# `ruactl retention apply` through the command line (issue 9, scale): its
# output lines, --dry-run changing nothing, partitions created ahead, expired
# records deleted while the report stays (an old report imported again is a
# duplicate), a rerun doing nothing, and the usage and setup exit statuses.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"

# report-a.xml begins in November 2023: no partition, the default one.
gen_report r-1 >old.xml
"$RUACTL" import old.xml >/dev/null
check "the old report's records are in the default partition" "aggregate_record_default|2" \
  "$(sql 'SELECT tableoid::regclass, count(*) FROM aggregate_record GROUP BY 1')"
month() { sql "SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1))::date"; }
part() { sql "SELECT rua_partition_name('$1', $(printf "'%s'" "$(month "$2")")::date)"; }
RECORDS_END=$(month -13)
RAW_END=$(month -3)
SUMMARY0="retention: dropped 0 partitions, deleted 0 rows (records before $RECORDS_END, attachments before $RAW_END)"

# As if no enrichment worker had run since: the report still waits for one.
sql "UPDATE source_pending SET queued_at = now() - interval '2 years'" >/dev/null

rc=0
"$RUACTL" retention apply --dry-run --months-ahead 4 >out 2>err || rc=$?
check "--dry-run: exit status" 0 "$rc"
check "--dry-run: the lines" "would create partition $(part aggregate_record 4)
would create partition $(part raw_report 4)
would delete 1 reports waiting for enrichment (queued before $RECORDS_END)
would delete 2 records from aggregate_record_default (before $RECORDS_END)
retention: would drop 0 partitions, would delete 2 rows (records before $RECORDS_END, attachments before $RAW_END)" \
  "$(cat out)"
check "--dry-run: nothing on standard error" "" "$(cat err)"
check "--dry-run: records kept" 2 "$(sql 'SELECT count(*) FROM aggregate_record')"
check "--dry-run: no partition created" "" "$(sql "SELECT to_regclass('$(part aggregate_record 4)')")"
check "--dry-run: nothing folded" 0 "$(sql 'SELECT count(*) FROM day_domain_folded')"

rc=0
"$RUACTL" retention apply >out 2>err || rc=$?
check "apply: exit status" 0 "$rc"
check "apply: the lines" "deleted 1 reports waiting for enrichment (queued before $RECORDS_END)
deleted 2 records from aggregate_record_default (before $RECORDS_END)
retention: dropped 0 partitions, deleted 2 rows (records before $RECORDS_END, attachments before $RAW_END)" \
  "$(cat out)"
check "apply: the records are gone" 0 "$(sql 'SELECT count(*) FROM aggregate_record')"
check "apply: the report no longer waits for enrichment" 0 "$(sql 'SELECT count(*) FROM source_pending')"
check "apply: the report stays" 1 "$(sql 'SELECT count(*) FROM aggregate_report')"
# 1 h 46 m of the report's day are on the 14th: its 5 and 2 count on the 15th.
check "apply: its daily totals stay, folded" "2023-11-15|example.net|7|7" \
  "$(sql 'SELECT day, domain, sum(messages), (SELECT sum(messages) FROM day_domain_folded) FROM v_day_domain GROUP BY 1, 2')"

"$RUACTL" retention apply --records 1y --raw 2mo --quarantine 2w >out
check "rerun: one summary line" \
  "retention: dropped 0 partitions, deleted 0 rows (records before $(month -12), attachments before $(month -2))" \
  "$(cat out)"
"$RUACTL" retention apply >out
check "rerun with the defaults: nothing to do" "$SUMMARY0" "$(cat out)"
check "rerun: the daily totals unchanged" "7" "$(sql 'SELECT sum(messages) FROM v_day_domain')"

"$RUACTL" import old.xml >out
check_prefix "the old report imported again is a duplicate" "stored 0, duplicate 1, quarantined 0, failed 0; " "$(cat out)"

"$RUACTL" retention apply --months-ahead 4 >out
check "--months-ahead 4 creates the fourth month" "created partition $(part aggregate_record 4)
created partition $(part raw_report 4)
$SUMMARY0" "$(cat out)"

usage() {
  rc=0
  "$RUACTL" retention apply "$@" >out 2>err || rc=$?
  check "retention apply $*: exit status" 2 "$rc"
  check "retention apply $*: nothing on standard output" "" "$(cat out)"
}
usage --records 0d
check "--records 0d: the message" "ruactl: --records: invalid period '0d' (expected a positive number and mo, y, w, d, h, m or s, e.g. 13mo) (try 'ruactl help retention')" "$(cat err)"
usage --raw 3x
check "--raw 3x: the message" "ruactl: --raw: invalid period '3x' (expected a positive number and mo, y, w, d, h, m or s, e.g. 13mo) (try 'ruactl help retention')" "$(cat err)"
usage --months-ahead 25
usage extra
usage --quarantine
rc=0
"$RUACTL" retention >out 2>err || rc=$?
check "retention without a subcommand: exit status" 2 "$rc"
check "retention without a subcommand: the message" "ruactl: retention: missing subcommand (apply) (try 'ruactl help retention')" "$(cat err)"

rc=0
"$RUACTL" --database "$(db_url "${DB}_missing")" retention apply >out 2>err || rc=$?
check "a database that does not exist: exit status" 78 "$rc"
check "a database that does not exist: nothing done" "" "$(cat out)"
check "help page" 1 "$("$RUACTL" help retention | grep -c 'ruactl retention apply \[--records PERIOD\]')"

finish
