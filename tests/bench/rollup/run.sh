#!/bin/sh
# The rollup benchmark (issue 10): a generated year of aggregate reports for
# one domain (default 7,300 reports of 700 records: 5.11 M records; one
# report in ten spans two days), queued with rua_rollup_report per report and
# folded; then "the overview" (daily messages, pass, fail and compliance
# over the 365 days) read from v_day_domain and computed from aggregate_record
# JOIN aggregate_report with rua_day_split. Asserts that both answers are
# identical and prints the median times and their ratio (goal >= 50x); then
# times retention dropping the whole year (the rollup stays). A
# measuring script, never run by ctest: it fails only when something cannot
# run or the answers differ. It starts its own PostgreSQL (tests/pg/start.sh,
# fsync on), applies sql/ with psql, and stops it; it writes only under its
# work directory. Usage: tests/bench/rollup/run.sh (env: RUA_ROLLUP_REPORTS_PER_DAY,
# default 20; RUA_ROLLUP_RECORDS per report, default 700; RUA_ROLLUP_ROUNDS,
# default 5)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
PER_DAY=${RUA_ROLLUP_REPORTS_PER_DAY:-20}
RECORDS=${RUA_ROLLUP_RECORDS:-700}
ROUNDS=${RUA_ROLLUP_ROUNDS:-5}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
YEAR=2025

WORK=$(mktemp -d /tmp/rua-rollup-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
cleanup() {
  rc=$?
  [ -f "$PG/data/postmaster.pid" ] && "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
  echo "rollup bench: raw outputs in $WORK"
  exit "$rc"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*" >&2; }

say "PostgreSQL in $PG (fsync on)"
"$SRC/tests/pg/start.sh" "$PG" >&2
URL=$(cat "$PG/url")
q() { "$PG_BIN/psql" "$URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
for f in "$SRC"/sql/[0-9]*.sql; do
  "$PG_BIN/psql" "$URL" -qAtX -v ON_ERROR_STOP=1 -1 -f "$f" >/dev/null
done
q "SELECT rua_partition_create('aggregate_record', ('$YEAR-01-01'::date + make_interval(months => m))::date)
     FROM generate_series(0, 12) m" >/dev/null

# A month of reports and their records in one statement: PER_DAY reports a
# day from as many reporters; report g's records come from sources spread
# over a /16, with counts 1..50, a tenth failing DMARC, and one DKIM and one
# SPF result each. Every tenth report runs from noon to noon the next day.
fill_month() {
  q "WITH r AS (
         INSERT INTO aggregate_report (org_name, email, report_id, date_begin, date_end, domain,
                adkim, aspf, schema_flavour, via, fingerprint, record_count, message_count)
         SELECT 'Reporter ' || (g % $PER_DAY), 'dmarc@reporter.example', 'y-' || g,
                d + CASE WHEN g % 10 = 0 THEN interval '12 hours' ELSE interval '0' END,
                d + CASE WHEN g % 10 = 0 THEN interval '36 hours' ELSE interval '1 day' END,
                'example.com', 'r', 'r', 'rfc7489', 'import', sha256(g::text::bytea),
                $RECORDS, 0
           FROM generate_series('$YEAR-01-01'::date + make_interval(months => $1),
                                '$YEAR-01-01'::date + make_interval(months => $1 + 1) - interval '1 day',
                                interval '1 day') AS days (d0)
          CROSS JOIN LATERAL (SELECT d0::timestamp AT TIME ZONE 'UTC' AS d,
                                     (d0::date - '$YEAR-01-01'::date) * $PER_DAY AS base) AS x
          CROSS JOIN LATERAL generate_series(x.base, x.base + $PER_DAY - 1) AS g
         RETURNING id, date_begin)
       INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, disposition, dkim,
              spf, header_from, dmarc_pass, auth_dkim, auth_spf, date_begin)
       SELECT r.id, o, '10.1.0.0'::inet + ((r.id * 7919 + o * 104729) % 65536),
              1 + (r.id + o * 7) % 50,
              CASE WHEN o % 10 = 0 THEN 'quarantine' ELSE 'none' END,
              CASE WHEN o % 10 = 0 THEN 'fail' ELSE 'pass' END,
              CASE WHEN o % 3 = 0 THEN 'pass' ELSE 'fail' END,
              'example.com', o % 10 <> 0,
              ('[{\"domain\":\"' || CASE WHEN o % 10 = 0 THEN 'esp.example' ELSE 'example.com' END
               || '\",\"selector\":\"s' || (o % 3) || '\",\"result\":\"'
               || CASE WHEN o % 10 = 0 THEN 'fail' ELSE 'pass' END || '\",\"human_result\":null}]')::json,
              ('[{\"domain\":\"bounce.example.com\",\"scope\":\"mfrom\",\"result\":\"'
               || CASE WHEN o % 3 = 0 THEN 'pass' ELSE 'fail' END || '\",\"human_result\":null}]')::json,
              r.date_begin
         FROM r CROSS JOIN generate_series(0, $RECORDS - 1) o"
}

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f", b - a }'; }

say "generating a year: $((PER_DAY * 365)) reports of $RECORDS records"
t0=$(seconds)
m=0
while [ "$m" -lt 12 ]; do
  fill_month "$m" &
  p1=$!
  fill_month $((m + 1)) &
  p2=$!
  wait "$p1"
  wait "$p2"
  m=$((m + 2))
done
GEN=$(elapsed "$t0")
q "VACUUM ANALYZE aggregate_report, aggregate_record"
N=$(q "SELECT count(*) FROM aggregate_record")
say "$N records in $GEN s"

t0=$(seconds)
q "SELECT rua_rollup_report(id) FROM aggregate_report ORDER BY id" >/dev/null
QUEUE=$(elapsed "$t0")
t0=$(seconds)
FOLDED=$(q "SELECT rua_rollup_fold()")
FOLD=$(elapsed "$t0")
q "VACUUM ANALYZE day_domain_folded, day_source_folded, day_auth_folded, rollup_pending"
say "queued in $QUEUE s, folded $FOLDED reports in $FOLD s"

# The overview, both ways: the same columns, the same order.
OVERVIEW_ROLLUP="SELECT day, sum(messages), coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0),
       coalesce(sum(messages) FILTER (WHERE NOT dmarc_pass), 0),
       round(100.0 * coalesce(sum(messages) FILTER (WHERE dmarc_pass), 0) / nullif(sum(messages), 0), 2)
  FROM v_day_domain
 WHERE domain = 'example.com' AND day >= '$YEAR-01-01' AND day < '$((YEAR + 1))-01-01'
 GROUP BY day ORDER BY day"
# From the records: the split per record (rua_day_split), except that a
# report inside one UTC day puts each record's whole count on that day
# (rua_one_day, once per report: a MATERIALIZED CTE), as the rollup does;
# without that shortcut the split per record makes the raw query many times
# slower still.
OVERVIEW_RAW="WITH a AS MATERIALIZED (
         SELECT a.*, rua_one_day(a.date_begin, a.date_end) AS one_day FROM aggregate_report a
          WHERE lower(a.domain) = 'example.com')
SELECT s.day, sum(s.messages), coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0),
       coalesce(sum(s.messages) FILTER (WHERE NOT r.dmarc_pass), 0),
       round(100.0 * coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0) / nullif(sum(s.messages), 0), 2)
  FROM a
  JOIN aggregate_record r ON r.report_id = a.id AND r.date_begin = a.date_begin
 CROSS JOIN LATERAL (SELECT a.one_day AS day, r.count AS messages WHERE a.one_day IS NOT NULL
                     UNION ALL
                     SELECT d.day, d.messages FROM rua_day_split(r.count, a.date_begin, a.date_end) d
                      WHERE a.one_day IS NULL) AS s
 WHERE s.day >= '$YEAR-01-01' AND s.day < '$((YEAR + 1))-01-01'
 GROUP BY s.day ORDER BY s.day"

q "$OVERVIEW_ROLLUP" >"$WORK/overview-rollup.txt"
q "$OVERVIEW_RAW" >"$WORK/overview-raw.txt"
if ! cmp -s "$WORK/overview-rollup.txt" "$WORK/overview-raw.txt"; then
  diff "$WORK/overview-rollup.txt" "$WORK/overview-raw.txt" | head -n 20 >&2
  echo "FAIL: the overview from the rollup differs from the one computed from the records" >&2
  exit 1
fi
DAYS=$(wc -l <"$WORK/overview-rollup.txt")
TOTAL=$(awk -F'|' '{ s += $2 } END { print s }' "$WORK/overview-rollup.txt")
RECORD_TOTAL=$(q "SELECT sum(count) FROM aggregate_record")
say "identical: $DAYS days of $YEAR, $TOTAL messages (all records: $RECORD_TOTAL; the last two-day reports reach into $((YEAR + 1)))"

# median_ms QUERY: the median of ROUNDS runs' server times (psql \timing).
median_ms() {
  i=0
  : >"$WORK/times"
  while [ "$i" -lt "$ROUNDS" ]; do
    i=$((i + 1))
    printf '\\timing on\n%s;\n' "$1" | "$PG_BIN/psql" "$URL" -qAtX -v ON_ERROR_STOP=1 |
      sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >>"$WORK/times"
  done
  sort -n "$WORK/times" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
say "timing the overview ($ROUNDS runs each)"
T_ROLLUP=$(median_ms "$OVERVIEW_ROLLUP")
T_RAW=$(median_ms "$OVERVIEW_RAW")
SIZES=$(q "SELECT format('aggregate_record %s MiB, day_domain_folded %s rows, %s MiB',
                         round(sum(pg_total_relation_size(relid)) / 1048576.0),
                         (SELECT count(*) FROM day_domain_folded),
                         round(pg_total_relation_size('day_domain_folded') / 1048576.0, 1))
             FROM pg_partition_tree('aggregate_record')")
echo "records: $N in $((PER_DAY * 365)) reports, generated in $GEN s; queued in $QUEUE s; folded in $FOLD s"
echo "sizes: $SIZES"
echo "overview (365 days, one domain): rollup $T_ROLLUP ms, raw $T_RAW ms (medians of $ROUNDS), identical"
awk -v a="$T_RAW" -v b="$T_ROLLUP" 'BEGIN { printf "ratio: %.0fx (goal >= 50x)\n", a / b }'

# Retention with the rollup current: the months generated that are past the
# default 13 months go (a count and a DROP TABLE each).
t0=$(seconds)
q "SELECT * FROM rua_retention_apply(interval '13 months', interval '3 months', interval '30 days')" \
  >"$WORK/retention.txt"
RETENTION=$(elapsed "$t0")
echo "$(tail -n 1 "$WORK/retention.txt") in $RETENTION s; the overview after it:" \
  "$(q "SELECT sum(messages) FROM v_day_domain WHERE domain = 'example.com'") messages"
