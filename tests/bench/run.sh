#!/bin/sh
# Runs the issue-9 benchmarks (tests/bench/bench.py) beside the peers and
# floors of /work/shared/bench in one session and prints figures, ratios and a
# summary table. A measuring script, never a test or part of CI: it never fails
# on a slow figure, only when something cannot run or answers wrongly. It
# starts its own PostgreSQL (tests/pg/start.sh) and stops it; it writes only
# under its work directory, the build directory and /tmp/benchcorpus.
# Usage: tests/bench/run.sh
# Environment: RUA_BENCH_SHARED the peers (default ../shared/bench beside the
# tree); RUA_BENCH_BUILD build dir (default build/release, shared with
# scripts/demo.sh; RUA_BENCH_NO_BUILD=1 uses its binaries as they are);
# RUA_BENCH_CORPUS (default /tmp/benchcorpus); RUA_BENCH_RUNS (default 5) and
# RUA_BENCH_RUNS_LARGE (default 3) runs per median; RUA_BENCH_SKIP, words
# among "parse rss rss-db milter store callgrind startup tlsrpt maildmarc perf
# floor node", leaves parts or peers out.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SHARED=${RUA_BENCH_SHARED:-$SRC/../shared/bench}
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
  echo "bench: raw outputs in $WORK" >&2
  exit "$rc"
}
trap cleanup EXIT
say() { printf '== %s\n' "$*" >&2; }

say "corpus in $CORPUS"
if [ ! -f "$CORPUS/large/MANIFEST.tsv" ]; then
  python3 "$SHARED/gen/gen_corpus.py" --out "$CORPUS" >&2
fi

if [ -z "${RUA_BENCH_NO_BUILD:-}" ]; then
  say "Release build in $BUILD (ruactl, ruactl-store, rua-milter, tlsrpt_bench)"
  LAUNCHER=""
  command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  # shellcheck disable=SC2086
  cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release $LAUNCHER \
    >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log"; exit 1; }
  cmake --build "$BUILD" -j"${RUA_BENCH_JOBS:-2}" --target ruactl ruactl-store rua-milter tlsrpt_bench \
    >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; exit 1; }
fi
set -- --work "$WORK" --corpus "$CORPUS" --ruactl "$BUILD/ruactl/ruactl" \
  --ruactl-store-bin "$BUILD/ruactl/ruactl-store" --sql-dir "$SRC/sql" \
  --psql "$PG_BIN/psql" --pgbench "$PG_BIN/pgbench" --skip "$SKIP"
[ -x "$BUILD/milter/rua-milter" ] && set -- "$@" --milter "$BUILD/milter/rua-milter"
[ -x "$BUILD/tests/bench/tlsrpt_bench" ] && set -- "$@" --tlsrpt-bench "$BUILD/tests/bench/tlsrpt_bench"
[ -f "$SHARED/perl-maildmarc/bench.pl" ] && set -- "$@" --maildmarc-bench "$SHARED/perl-maildmarc/bench.pl"

if ! skipped floor; then
  say "C++ floor (floors/pipeline_floor, built in a temp copy)"
  cp -r "$SHARED/floors" "$WORK/floors"
  chmod -R u+w "$WORK/floors"
  make -s -C "$WORK/floors" pipeline_floor >&2
  set -- "$@" --floor "$WORK/floors/pipeline_floor"
fi

if ! skipped node && command -v node >/dev/null && command -v npm >/dev/null; then
  say "node seed (node-seed/bench.mjs, pinned versions)"
  NODE_DIR=${RUA_BENCH_NODE_DIR:-/tmp/rua-bench-node-seed}
  if [ ! -d "$NODE_DIR/node_modules" ]; then
    rm -rf "$NODE_DIR"
    cp -r "$SHARED/node-seed" "$NODE_DIR"
    chmod -R u+w "$NODE_DIR"
    (cd "$NODE_DIR" && npm ci --silent --no-audit --no-fund >&2) ||
      { echo "bench: npm ci failed, node seed skipped" >&2; rm -rf "$NODE_DIR/node_modules"; }
  fi
  [ -d "$NODE_DIR/node_modules" ] && set -- "$@" --node-bench "$NODE_DIR/bench.mjs"
fi

if ! skipped store || ! skipped rss-db; then
  say "private PostgreSQL (tests/pg/start.sh)"
  "$SRC/tests/pg/start.sh" "$PG" >&2
  set -- "$@" --pg "$PG"
fi

python3 "$HERE/bench.py" "$@"
