#!/bin/sh
# Runs every test on a fresh Debian 12 machine: installs what is needed,
# builds a Debug build with ASan and UBSan (warnings are errors), runs ctest.
# Usage: scripts/run-tests.sh [ctest args...]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RUA_BUILD_DIR:-$ROOT/build/debug-asan}
"$ROOT/scripts/install-deps.sh"
mkdir -p "$(dirname "$BUILD")"
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DRUA_SANITIZE=ON -DRUA_WERROR=ON \
  -DRUA_BUILD_FUZZERS=ON $LAUNCHER >"$BUILD.configure.log" 2>&1 ||
  { cat "$BUILD.configure.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
cd "$BUILD"
exec ctest --output-on-failure --timeout 1200 "$@"
