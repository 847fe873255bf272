#!/bin/sh
# Builds the libFuzzer targets in a separate clang build (rua_core with
# -fsanitize=fuzzer-no-link,address,undefined) and runs each one for a short
# while on seeds generated here (tests/e2e/make_report.py) plus the shared
# corpus, read in place. Exits non-zero on any crash, leak, UB or timeout.
# It never writes into the source tree. Usage: run.sh BUILD_DIR
# (env: RUA_FUZZ_SECONDS per target, default 20; RUA_FUZZ_KEEP=1 keeps the
# work directory with the grown corpora and any crash artifacts)
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SECONDS_EACH=${RUA_FUZZ_SECONDS:-20}
TARGETS="fuzz_ingest fuzz_xml fuzz_decompress fuzz_tlsrpt fuzz_arf fuzz_authres"

command -v clang++ >/dev/null || { echo "fuzz: clang++ not installed (scripts/install-deps.sh)" >&2; exit 1; }
FLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
mkdir -p "$BUILD"
# shellcheck disable=SC2086
CC=clang CXX=clang++ cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" \
  -DRUA_FUZZ_ONLY=ON -DRUA_BUILD_FUZZERS=ON -DRUA_BUILD_MILTER=OFF -DRUA_SANITIZE=OFF -DRUA_WERROR=OFF \
  $LAUNCHER >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log"; exit 1; }
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"${RUA_FUZZ_JOBS:-2}" --target $TARGETS >"$BUILD/build.log" 2>&1 ||
  { grep -E 'error|Error' "$BUILD/build.log" | head -n 40; echo "fuzz: clang build failed (see $BUILD/build.log)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/rua-fuzz-XXXXXX)
cleanup() {
  rc=$?
  if [ "${RUA_FUZZ_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then echo "fuzz: work directory kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT

# ---- seeds ---------------------------------------------------------------------
SEEDS="$WORK/seeds"
mkdir -p "$SEEDS/xml" "$SEEDS/ingest" "$SEEDS/decompress"
gen() { python3 "$SRC/tests/e2e/make_report.py" "$@" >/dev/null; }
gen payload "$SEEDS/xml/small.xml" --encoding xml --records 2 --report-id seed-x1
gen payload "$SEEDS/xml/ten.xml" --encoding xml --records 10 --report-id seed-x2 --seed other
for enc in gz zip xml broken; do
  gen payload "$SEEDS/ingest/payload-$enc" --encoding "$enc" --records 3 --report-id "seed-$enc"
  gen eml "$SEEDS/ingest/mail-$enc.eml" --encoding "$enc" --records 2 --report-id "seed-m-$enc"
done
gen plain "$SEEDS/ingest/plain.eml"
# The decompress target strips the first byte and forces the magic back in:
# seed it with real payloads behind a selector byte 3 ("as is").
for f in "$SEEDS/ingest"/payload-*; do
  { printf '\003'; cat "$f"; } >"$SEEDS/decompress/$(basename "$f")"
done
CORPUS="$SRC/../shared/corpus"
if [ -d "$CORPUS" ]; then
  find "$CORPUS" -type f -name '*.xml' -size -256k -exec cp {} "$SEEDS/xml/" \;
  find "$CORPUS" -type f \( -name '*.eml' -o -name '*.gz' -o -name '*.zip' -o -name '*.xml' \) -size -256k \
    -exec cp {} "$SEEDS/ingest/" \;
fi

cat >"$WORK/xml.dict" <<'EOF'
"<?xml version=\"1.0\"?>"
"<feedback>"
"</feedback>"
"<report_metadata>"
"<org_name>"
"<report_id>"
"<date_range>"
"<begin>"
"<end>"
"<policy_published>"
"<domain>"
"<record>"
"<row>"
"<source_ip>"
"<count>"
"<policy_evaluated>"
"<disposition>"
"<dkim>"
"<spf>"
"<reason>"
"<identifiers>"
"<header_from>"
"<auth_results>"
"<selector>"
"<result>"
"<!DOCTYPE"
"<!ENTITY"
"&amp;"
"<![CDATA["
"xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\""
EOF

# ---- run -------------------------------------------------------------------------
FAILED=""
for t in $TARGETS; do
  case $t in
    fuzz_xml) seeds="$SEEDS/xml" dict="-dict=$WORK/xml.dict" ;;
    fuzz_decompress) seeds="$SEEDS/decompress" dict="" ;;
    fuzz_tlsrpt) seeds="$HERE/seeds/tlsrpt" dict="" ;;
    fuzz_arf) seeds="$HERE/seeds/arf" dict="" ;;
    fuzz_authres) seeds="$HERE/seeds/authres" dict="-dict=$HERE/seeds/authres.dict" ;;
    *) seeds="$SEEDS/ingest" dict="-dict=$WORK/xml.dict" ;;
  esac
  mkdir -p "$WORK/corpus-$t" "$WORK/artifacts"
  # shellcheck disable=SC2086
  if "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" $dict \
    "$WORK/corpus-$t" "$seeds" >"$WORK/$t.log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t.log")
    cov=$(grep -E '^#[0-9]+.*cov:' "$WORK/$t.log" | tail -n 1 | sed 's/.*cov: \([0-9]*\).*/\1/')
    echo "fuzz: $t ok: ${runs:-?} runs in ${SECONDS_EACH}s, coverage ${cov:-?}, corpus $(find "$WORK/corpus-$t" -type f | wc -l) files"
  else
    echo "fuzz: $t FAILED; the finding:"
    grep -E -A 30 'ERROR: |runtime error|==ERROR|deadly signal|uncaught exception' "$WORK/$t.log" | head -n 60
    find "$WORK/artifacts" -type f | sed 's/^/fuzz: artifact /'
    FAILED="$FAILED $t"
  fi
done
if [ -n "$FAILED" ]; then
  echo "fuzz: failed:$FAILED (logs and artifacts in $WORK)"
  exit 1
fi
echo "fuzz: all targets ran ${SECONDS_EACH}s each without a finding"
