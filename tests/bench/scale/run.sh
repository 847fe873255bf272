#!/bin/sh
# The scale benchmark (issue 9): the import rate (`ruactl import`, parse and
# store) of ~20,000-record reports into an empty database and into one already holding N/2 and N aggregate
# records (default N = 20 M, RUA_SCALE_ROWS), then `ruactl retention apply`
# on N records: wall time and sizes before and after. A measuring script,
# never run by ctest: it prints figures and ratios and fails only when
# something cannot run. It starts its own PostgreSQL (tests/pg/start.sh,
# fsync on) and stops it; it writes only under its work directory and the
# build directory.
# Usage: tests/bench/scale/run.sh   (env: RUA_SCALE_ROWS records at full size,
# default 20000000; RUA_SCALE_ROUNDS store runs per size, default 3;
# RUA_BENCH_BUILD Release build dir, default build/release; RUA_BENCH_CORPUS,
# default /tmp/benchcorpus)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
SHARED="$SRC/../shared/bench"
BUILD=${RUA_BENCH_BUILD:-$SRC/build/release}
CORPUS=${RUA_BENCH_CORPUS:-/tmp/benchcorpus}
ROWS=${RUA_SCALE_ROWS:-20000000}
ROUNDS=${RUA_SCALE_ROUNDS:-3}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# The filler spans 15 months around the corpus's reports (dated 2023-11 to
# 2024-02), so they land in partitions already holding a month's share.
FIRST_MONTH=2023-01-01
MONTHS=15
PER_REPORT=1000

WORK=$(mktemp -d /tmp/rua-scale-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
cleanup() {
  rc=$?
  [ -f "$PG/data/postmaster.pid" ] && "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
  echo "scale bench: raw outputs in $WORK"
  exit "$rc"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*" >&2; }

say "corpus in $CORPUS"
if [ ! -f "$CORPUS/large/MANIFEST.tsv" ]; then
  python3 "$SHARED/gen/gen_corpus.py" --out "$CORPUS" >&2
fi
mkdir -p "$WORK/large"
ln -s "$CORPUS"/large/large-*.eml "$WORK/large/"

say "Release build in $BUILD (ruactl)"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
# shellcheck disable=SC2086
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $LAUNCHER \
  >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
cmake --build "$BUILD" -j"${RUA_BENCH_JOBS:-2}" --target ruactl ruactl-store \
  >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; exit 1; }
RUACTL="$BUILD/ruactl/ruactl"

say "PostgreSQL in $PG (fsync on)"
"$SRC/tests/pg/start.sh" "$PG" >&2
URL=$(cat "$PG/url")
export RUA_DATABASE_URL="$URL"
export RUA_SQL_DIR="$SRC/sql"
"$RUACTL" db migrate >/dev/null
q() { "$PG_BIN/psql" "$URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
q "SELECT rua_partition_create('aggregate_record', ('$FIRST_MONTH'::date + make_interval(months => m))::date)
     FROM generate_series(0, $MONTHS - 1) m" >/dev/null

# The corpus's reports and their records out again, dead rows vacuumed.
forget_stored() {
  q "DELETE FROM aggregate_report WHERE report_id NOT LIKE 'fill-%'"
  q "DELETE FROM raw_report"
  q "VACUUM aggregate_report, raw_report, aggregate_record_2023_11, aggregate_record_2024_01,
            aggregate_record_2024_02, aggregate_record_default"
}

# store_rate LABEL: median records/s of ROUNDS imports of the large reports
# (ruactl's own figure: "..., C records in T s (R reports/s, N records/s)").
store_rate() {
  : >"$WORK/rates-$1"
  i=0
  while [ "$i" -lt "$ROUNDS" ]; do
    i=$((i + 1))
    "$RUACTL" import --follow-symlinks "$WORK/large" >"$WORK/store-$1-$i.txt"
    sed -n 's/.*, \([0-9.]*\) records\/s).*/\1/p' "$WORK/store-$1-$i.txt" >>"$WORK/rates-$1"
    forget_stored
  done
  sort -n "$WORK/rates-$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# fill TOTAL: adds filler records (PER_REPORT per report) until the table
# holds TOTAL, spread evenly over the MONTHS months, one statement per month,
# two months at a time.
fill() {
  have=$(q "SELECT count(*) FROM aggregate_record")
  want=$(( ($1 - have) / PER_REPORT / MONTHS ))
  [ "$want" -gt 0 ] || return 0
  start=$(q "SELECT count(*) FROM aggregate_report WHERE report_id LIKE 'fill-%'")
  m=0
  while [ "$m" -lt "$MONTHS" ]; do
    fill_month "$m" $((start + m * want)) "$want" &
    p1=$!
    p2=""
    if [ $((m + 1)) -lt "$MONTHS" ]; then
      fill_month $((m + 1)) $((start + (m + 1) * want)) "$want" &
      p2=$!
    fi
    wait "$p1"
    [ -z "$p2" ] || wait "$p2"
    m=$((m + 2))
  done
  # The filler in the daily rollup, as the writer would have put it.
  q "SELECT count(rua_rollup_report(id)) FROM aggregate_report WHERE NOT rolled_up" >/dev/null
  q "SELECT rua_rollup_fold()" >/dev/null
  q "VACUUM ANALYZE aggregate_report, aggregate_record"
}

# fill_month M BASE COUNT: COUNT filler reports of month M, their records.
fill_month() {
  m=$1
  base=$2
  want=$3
  q "WITH r AS (
         INSERT INTO aggregate_report (org_name, email, report_id, date_begin, date_end, domain,
                schema_flavour, via, fingerprint, record_count, message_count, account_id)
         SELECT 'Filler ' || (g % 50), 'dmarc@filler.example', 'fill-' || g,
                ('$FIRST_MONTH'::date + make_interval(months => $m, days => g % 28))::timestamp
                  AT TIME ZONE 'UTC',
                ('$FIRST_MONTH'::date + make_interval(months => $m, days => g % 28 + 1))::timestamp
                  AT TIME ZONE 'UTC',
                'd' || (g % 5000) || '.example', 'rfc7489', 'import', sha256(g::text::bytea),
                $PER_REPORT, $PER_REPORT * 3, g % 500
           FROM generate_series($base, $base + $want - 1) g
         RETURNING id, date_begin, domain, account_id)
       INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, disposition, dkim,
              spf, header_from, dmarc_pass, auth_dkim, auth_spf, date_begin, account_id)
       SELECT r.id, o, '10.0.0.0'::inet + ((r.id * 7919 + o * 104729) % 16777216), 1 + o % 5,
              'none', 'pass', 'fail', r.domain, true,
              '[{\"domain\":\"s.example\",\"selector\":\"k1\",\"result\":\"pass\",\"human_result\":null}]',
              '[{\"domain\":\"s.example\",\"scope\":\"mfrom\",\"result\":\"fail\",\"human_result\":null}]',
              r.date_begin, r.account_id
         FROM r CROSS JOIN generate_series(0, $PER_REPORT - 1) o"
}

sizes() {
  q "SELECT format('%s: records %s rows in %s partitions; table %s MiB, indexes %s MiB; '
                   'rollup (folded) %s MiB; database %s MiB',
                   '$1', (SELECT count(*) FROM aggregate_record),
                   (SELECT count(*) FROM pg_partition_tree('aggregate_record') WHERE isleaf),
                   round(sum(pg_relation_size(relid) + coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0)) / 1048576.0),
                   round(sum(pg_indexes_size(relid)) / 1048576.0),
                   round((pg_total_relation_size('day_domain_folded')
                          + pg_total_relation_size('day_source_folded')
                          + pg_total_relation_size('day_auth_folded')) / 1048576.0),
                   round(pg_database_size(current_database()) / 1048576.0))
       FROM pg_partition_tree('aggregate_record') t JOIN pg_class c ON c.oid = t.relid
      WHERE t.isleaf"
}

say "store rate, empty database ($ROUNDS runs)"
R0=$(store_rate empty)
HALF=$((ROWS / 2))
say "filling to $HALF records"
t0=$(date +%s)
fill "$HALF"
say "filled in $(( $(date +%s) - t0 )) s"
say "store rate, $HALF records ($ROUNDS runs)"
R1=$(store_rate half)
say "filling to $ROWS records"
t0=$(date +%s)
fill "$ROWS"
say "filled in $(( $(date +%s) - t0 )) s"
say "store rate, $ROWS records ($ROUNDS runs)"
R2=$(store_rate full)

# Retention that drops the two oldest of the 15 months: the cutoff month is
# FIRST_MONTH + 2, counted back from now.
BEFORE=$(sizes before)
KEEP=$(q "SELECT (extract(year FROM now() AT TIME ZONE 'UTC') * 12 + extract(month FROM now() AT TIME ZONE 'UTC'))
              - (extract(year FROM '$FIRST_MONTH'::date) * 12 + extract(month FROM '$FIRST_MONTH'::date) + 2)")
say "ruactl retention apply --records ${KEEP}mo"
t0=$(date +%s.%N)
"$RUACTL" retention apply --records "${KEEP}mo" >"$WORK/retention.txt"
t1=$(date +%s.%N)
AFTER=$(sizes after)
t2=$(date +%s.%N)
"$RUACTL" retention apply --records "${KEEP}mo" >"$WORK/retention-again.txt"
t3=$(date +%s.%N)

echo "scale benchmark: ruactl import of the large corpus ($(grep -o '[0-9]* reports, [0-9]* records' "$WORK/store-empty-1.txt")), median of $ROUNDS runs, fsync on"
printf '%-34s %12s %8s %6s %s\n' "existing records" "records/s" "ratio" "goal" "met"
for row in "0 $R0" "$HALF $R1" "$ROWS $R2"; do
  # shellcheck disable=SC2086
  set -- $row
  awk -v n="$1" -v r="$2" -v r0="$R0" 'BEGIN { ratio = r / r0;
    printf "%-34s %12.0f %8.2f %6s %s\n", n, r, ratio, ">=0.90", (ratio >= 0.90 ? "yes" : "no") }'
done
echo "retention apply on $ROWS records: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; rerun $(awk -v a="$t2" -v b="$t3" 'BEGIN { printf "%.2f", b - a }') s"
sed 's/^/  /' "$WORK/retention.txt"
echo "  $BEFORE"
echo "  $AFTER"
echo "  rerun: $(cat "$WORK/retention-again.txt")"
