#!/bin/sh
# Runs rua_bench beside the peers and floors of /work/shared/bench in one
# session and prints the ratios the project aims at. A measuring script, not a
# test: it never fails on a slow figure, only when something cannot run. It
# starts its own PostgreSQL (tests/pg/start.sh) and stops it; it writes only
# under its work directory, the build directory and /tmp/benchcorpus.
# Usage: tests/bench/run.sh   (env: RUA_BENCH_BUILD build dir, default
# build/release, shared with scripts/demo.sh; RUA_BENCH_CORPUS, default /tmp/benchcorpus;
# RUA_BENCH_SKIP="floor callgrind startup tlsrpt node pg maildmarc-store store" to leave
# parts out)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SHARED="$SRC/../shared/bench"
BUILD=${RUA_BENCH_BUILD:-$SRC/build/release}
CORPUS=${RUA_BENCH_CORPUS:-/tmp/benchcorpus}
SKIP=${RUA_BENCH_SKIP:-}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
skipped() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

WORK=$(mktemp -d /tmp/rua-bench-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
cleanup() {
  rc=$?
  [ -f "$PG/data/postmaster.pid" ] && "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1
  echo "bench: raw outputs in $WORK"
  exit "$rc"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*" >&2; }

say "corpus in $CORPUS"
if [ ! -f "$CORPUS/large/MANIFEST.tsv" ]; then
  python3 "$SHARED/gen/gen_corpus.py" --out "$CORPUS" >&2
fi

say "Release build in $BUILD (rua_bench, ruactl)"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
# shellcheck disable=SC2086
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $LAUNCHER \
  >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
cmake --build "$BUILD" -j"${RUA_BENCH_JOBS:-2}" --target rua_bench ruactl ruactl-store tlsrpt_bench >"$WORK/build.log" 2>&1 ||
  { tail -n 30 "$WORK/build.log"; exit 1; }
BENCH="$BUILD/tests/bench/rua_bench"
RUACTL="$BUILD/ruactl/ruactl"

say "rua_bench, parse only (one process per corpus, so peak RSS is per corpus)"
for size in small medium large; do
  passes=3
  [ "$size" = large ] && passes=1
  "$BENCH" --passes "$passes" "$CORPUS/$size" | tee -a "$WORK/ours.txt" >&2
done

say "rua_bench, peak RSS per encoding of the ~20,000-record reports (one process each)"
for enc in gz zip xml; do
  mkdir -p "$WORK/large-$enc"
  ln -s "$CORPUS"/large/large-*-"$enc".eml "$WORK/large-$enc/"
  "$BENCH" "$WORK/large-$enc" | tee -a "$WORK/ours-rss.txt" >&2
done

if ! skipped floor; then
  say "C++ floor (floors/pipeline_floor, built in a temp copy)"
  cp -r "$SHARED/floors" "$WORK/floors"
  chmod -R u+w "$WORK/floors"
  make -s -C "$WORK/floors" pipeline_floor >&2
  for size in small medium large; do
    passes=3
    [ "$size" = large ] && passes=1
    "$WORK/floors/pipeline_floor" --passes "$passes" "$CORPUS/$size" | tail -n 1 |
      sed "s/^/$size /" | tee -a "$WORK/floor.txt" >&2
  done
fi

if ! skipped callgrind && command -v valgrind >/dev/null; then
  say "instruction counts (callgrind; first 150 small e-mails minus an empty folder: start-up removed)"
  mkdir -p "$WORK/cg/small-150" "$WORK/cg/empty"
  find "$CORPUS/small" -maxdepth 1 -name '*.eml' | sort | head -n 150 | xargs cp -t "$WORK/cg/small-150"
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
  echo "ours small150=$(ir "$BENCH" "$WORK/cg/small-150") empty=$(ir "$BENCH" "$WORK/cg/empty")" |
    tee -a "$WORK/cg.txt" >&2
  if [ -x "$WORK/floors/pipeline_floor" ]; then
    echo "floor small150=$(ir "$WORK/floors/pipeline_floor" "$WORK/cg/small-150") empty=$(ir "$WORK/floors/pipeline_floor" "$WORK/cg/empty")" |
      tee -a "$WORK/cg.txt" >&2
  fi
fi

if ! skipped startup; then
  # ruactl parse links only the parse library; ruactl-store (the same
  # command table, linked with libpqxx and so libpq, OpenSSL, Kerberos,
  # LDAP) can parse too: the difference is the start-up the split saves.
  say "start-up: ruactl parse vs the all-in-one ruactl-store parse, one small report"
  ONE=$(find "$CORPUS/small" -maxdepth 1 -name '*.eml' | sort | head -n 1)
  STORE_BIN="$BUILD/ruactl/ruactl-store"
  if command -v valgrind >/dev/null; then
    sir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'; }
    echo "startup_ir split=$(sir "$RUACTL" parse "$ONE") all=$(sir "$STORE_BIN" parse "$ONE")" |
      tee -a "$WORK/startup.txt" >&2
  fi
  wall() { # BINARY: ms for 200 runs
    t0=$(date +%s%N)
    i=0
    while [ $i -lt 200 ]; do "$1" parse "$ONE" >/dev/null; i=$((i + 1)); done
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
  }
  echo "startup_ms200 split=$(wall "$RUACTL") all=$(wall "$STORE_BIN") split2=$(wall "$RUACTL") all2=$(wall "$STORE_BIN")" |
    tee -a "$WORK/startup.txt" >&2
  echo "startup_libs split=$(ldd "$RUACTL" | wc -l) all=$(ldd "$STORE_BIN" | wc -l)" | tee -a "$WORK/startup.txt" >&2
fi

if ! skipped tlsrpt && [ -x "$BUILD/tests/bench/tlsrpt_bench" ]; then
  say "TLS reports (tlsrpt_bench: typical reports per second; one 10,000-failure-detail report)"
  "$BUILD/tests/bench/tlsrpt_bench" | tee -a "$WORK/tlsrpt.txt" >&2
fi

if ! skipped node && command -v node >/dev/null && command -v npm >/dev/null; then
  say "node seed (node-seed/bench.mjs, pinned versions)"
  NODE_DIR=${RUA_BENCH_NODE_DIR:-/tmp/rua-bench-node-seed}
  if [ ! -d "$NODE_DIR/node_modules" ]; then
    rm -rf "$NODE_DIR"
    cp -r "$SHARED/node-seed" "$NODE_DIR"
    chmod -R u+w "$NODE_DIR"
    (cd "$NODE_DIR" && npm ci --silent --no-audit --no-fund >&2) || { echo "bench: npm ci failed, node seed skipped" >&2; rm -rf "$NODE_DIR/node_modules"; }
  fi
  if [ -d "$NODE_DIR/node_modules" ]; then
    for size in small medium large; do
      node "$NODE_DIR/bench.mjs" "$CORPUS/$size" | grep '^{' | tail -n 1 | sed "s/^/$size /" |
        tee -a "$WORK/node.txt" >&2
    done
  fi
fi

if perl -MMail::DMARC::Report::Receive -e 1 2>/dev/null; then
  say "Mail::DMARC parse only (gz+zip), small and medium"
  for size in small medium; do
    perl "$SHARED/perl-maildmarc/bench.pl" "$CORPUS/$size" --enc gz,zip 2>/dev/null | tail -n 1 |
      sed "s/^/$size /" | tee -a "$WORK/maildmarc.txt" >&2
  done
else
  echo "bench: Mail::DMARC not installed (libmail-dmarc-perl), skipped" >&2
fi

if ! skipped pg || ! skipped store; then
  say "private PostgreSQL (tests/pg/start.sh)"
  "$SRC/tests/pg/start.sh" "$PG" >&2
  ADMIN="postgresql:///postgres?host=$PG&user=postgres"
fi

if ! skipped pg; then
  say "PostgreSQL floors (floors/pg: one small report per transaction, COPY)"
  psql "$ADMIN" -qAtX -c "CREATE DATABASE floor" >/dev/null
  FLOORDB="postgresql:///floor?host=$PG&user=postgres"
  psql "$FLOORDB" -qAtX -f "$SHARED/floors/pg/schema.sql" >/dev/null 2>&1
  "$PG_BIN/pgbench" -n -h "$PG" -U postgres -f "$SHARED/floors/pg/tx_small_report.sql" \
    -t 2000 floor 2>&1 | grep -E '^tps' | head -n 1 | sed 's/^/tx_small_report /' | tee -a "$WORK/pgfloor.txt" >&2
  python3 "$SHARED/floors/pg/gen_rows.py" 200000 >"$WORK/records.tsv"
  start=$(date +%s%N)
  psql "$FLOORDB" -qAtX -c "\\copy records_bare FROM '$WORK/records.tsv'" >/dev/null
  end=$(date +%s%N)
  echo "copy_bare rows=200000 ms=$(((end - start) / 1000000))" | tee -a "$WORK/pgfloor.txt" >&2
fi

if ! skipped maildmarc-store && perl -MMail::DMARC::Report::Receive -MDBD::Pg -e 1 2>/dev/null &&
  [ -n "${ADMIN:-}" ]; then
  say "Mail::DMARC's own PostgreSQL store (its Store::SQL), small gz+zip"
  schema=$(find /usr/share/perl5 -name mail_dmarc_schema.pgsql 2>/dev/null | head -n 1)
  psql "$ADMIN" -qAtX -c "CREATE DATABASE maildmarc" >/dev/null
  psql "postgresql:///maildmarc?host=$PG&user=postgres" -qAtX -f "$schema" >/dev/null 2>&1
  perl "$SHARED/perl-maildmarc/bench.pl" "$CORPUS/small" --enc gz,zip \
    --store "dbi:Pg:dbname=maildmarc;host=$PG;port=5432" --user postgres 2>/dev/null |
    grep '^{' | tail -n 1 | sed 's/^/small /' | tee -a "$WORK/maildmarc-store.txt" >&2
else
  echo "bench: Mail::DMARC store skipped (needs libmail-dmarc-perl and libdbd-pg-perl)" >&2
fi

if ! skipped store; then
  say "rua_bench --store (synchronous_commit on; a fresh migrated database per run)"
  run_store() { # NAME SIZE WRITERS
    psql "$ADMIN" -qAtX -c "CREATE DATABASE $1" >/dev/null
    url="postgresql:///$1?host=$PG&user=postgres"
    RUA_SQL_DIR="$SRC/sql" "$RUACTL" --database "$url" db migrate >/dev/null
    "$BENCH" --store "$url" --writers "$3" "$CORPUS/$2" | tee -a "$WORK/store.txt" >&2
  }
  run_store store_small_1 small 1
  run_store store_small_8 small 8
  run_store store_large_1 large 1
  run_store store_large_8 large 8
fi

say "summary"
python3 - "$WORK" <<'EOF'
import json, os, re, sys
work = sys.argv[1]

def lines(name):
    path = os.path.join(work, name)
    return open(path).read().splitlines() if os.path.exists(path) else []

def kv(line):
    return dict(m.groups() for m in re.finditer(r'(\w+)=("[^"]*"|\S+)', line))

ours = {kv(l)["corpus"]: kv(l) for l in lines("ours.txt") if l.startswith("ingest ")}
store = [kv(l) for l in lines("store.txt") if l.startswith("store ")]
def peer(name):
    out = {}
    for l in lines(name):
        size, _, js = l.partition(" ")
        try:
            out[size] = json.loads(js)
        except ValueError:
            pass
    return out
floor, node = peer("floor.txt"), peer("node.txt")
md_store = peer("maildmarc-store.txt")
pgfloor = lines("pgfloor.txt")
cg = {l.split()[0]: kv(l) for l in lines("cg.txt")}
startup = {}
for l in lines("startup.txt"):
    startup.update({l.split()[0] + "." + k: v for k, v in kv(l).items()})

def num(x):
    return float(str(x).strip('"'))

print("figure                                         value        goal")
for size in ("small", "medium", "large"):
    o = ours.get(size)
    if not o:
        continue
    print(f"ours {size:6} reports/s, records/s, MB/s xml     {num(o['reports_per_s']):9.1f} {num(o['records_per_s']):9.0f} "
          f"{o['mb_s_xml']:>6}  peak RSS {num(o['peak_rss_mib']):.1f} MiB  check {o['check']}")
    if size in node:
        r = num(o["records_per_s"]) / node[size]["records_per_s"]
        goal = {"small": 12, "large": 10}.get(size)
        print(f"  ours/node-seed records/s ({size})            {r:9.2f}x     {'>= %dx' % goal if goal else ''}")
    if size in floor:
        r = num(o["records_per_s"]) / floor[size]["records_per_s"]
        print(f"  ours/C++ floor records/s ({size})            {r:9.2f}x     >= 0.7x")
per_report = {}
for tool, v in cg.items():
    try:
        per_report[tool] = (int(v["small150"]) - int(v["empty"])) / 150
    except (KeyError, ValueError):
        pass
for tool, ir in per_report.items():
    print(f"instructions per small report, {tool:5}             {ir / 1e6:9.2f} M")
if "ours" in per_report and "floor" in per_report:
    print(f"  ours/floor instructions per small report       {per_report['ours'] / per_report['floor']:9.2f}x     "
          f"(anchors: node-seed 29x, Mail::DMARC 24x)")
if "startup_ir.split" in startup:
    a, b = int(startup["startup_ir.all"]), int(startup["startup_ir.split"])
    print(f"ruactl parse of one small report, instructions  {b / 1e6:9.2f} M  (all-in-one binary {a / 1e6:.2f} M)")
    print(f"  all-in-one / parse-only instructions           {a / b:9.2f}x     (the start-up the split saves)")
if "startup_ms200.split" in startup:
    s_ms = (int(startup["startup_ms200.split"]) + int(startup["startup_ms200.split2"])) / 400
    a_ms = (int(startup["startup_ms200.all"]) + int(startup["startup_ms200.all2"])) / 400
    print(f"ruactl parse of one small report, wall ms        {s_ms:9.2f}    (all-in-one {a_ms:.2f}; ratio {a_ms / s_ms:.2f}x)")
    print(f"  shared libraries loaded: parse-only {startup['startup_libs.split']}, all-in-one {startup['startup_libs.all']}")
for l in lines("tlsrpt.txt"):
    print("tlsrpt: " + l)
if "large" in ours:
    print(f"peak RSS, large corpus (~20,000-record reports)  {num(ours['large']['peak_rss_mib']):9.1f} MiB  <= 64 MiB")
for l in lines("ours-rss.txt"):
    v = kv(l)
    print(f"  peak RSS, {v['corpus']:8} alone                        {num(v['peak_rss_mib']):9.1f} MiB  <= 64 MiB")
tps = None
for l in pgfloor:
    m = re.match(r"tx_small_report tps = ([0-9.]+)", l)
    if m:
        tps = float(m.group(1))
        print(f"floor: one small report per transaction, 1 conn {tps:9.1f} tx/s")
    m = re.match(r"copy_bare rows=(\d+) ms=(\d+)", l)
    if m:
        print(f"floor: COPY into an unindexed table            {int(m.group(1)) * 1000 / max(1, int(m.group(2))):9.0f} rows/s")
for s in store:
    line = (f"stored {s['corpus']:6} writers={s['writers']}: reports/s, records/s  "
            f"{num(s['stored_reports_per_s']):9.1f} {num(s['stored_records_per_s']):9.0f}"
            f"  (stored={s['stored']} dup={s['duplicates']} failed={s['failed']})")
    if s["corpus"] == "large" and s["writers"] == "1":
        line += "  goal records/s >= 50,000"
    print(line)
    if s["corpus"] == "small" and "small" in md_store:
        md = md_store["small"]["reports_per_s"]
        print(f"  stored small reports/s / Mail::DMARC store ({md:.1f}/s)  {num(s['stored_reports_per_s']) / md:7.2f}x     >= 25x")
    if s["corpus"] == "small" and s["writers"] == "8" and tps:
        print(f"  8 writers small / 1-conn floor tx/s            {num(s['stored_reports_per_s']) / tps:9.2f}x     >= 1.5x")
EOF
