#!/bin/sh
# The capacity figures of the README's "Running on several MX hosts": the
# failover harness (tests/ha/failover.sh) without its crash, run through two
# MX paths (Postfix -> rua-milter) against a primary alone and against a
# primary with a synchronous standby; prints each run's rate and the ratio.
# A measuring script, never a test: it fails only when a run fails its checks.
# Usage (as root): tests/bench/ha/run.sh MILTER RUACTL
# Env: HA_COUNT (reports per run, default 400), HA_THREADS (default 8),
#   RUNS (runs per mode, default 3; the median is printed).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
MILTER=${1:?usage: run.sh MILTER RUACTL}
RUACTL=${2:?usage: run.sh MILTER RUACTL}
RUNS=${RUNS:-3}
export HA_COUNT="${HA_COUNT:-400}"
# median of the numbers on stdin
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for mode in single sync; do
  : >"/tmp/rua-ha-bench-$mode.$$"
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    "$SRC/tests/ha/failover.sh" "$MILTER" "$RUACTL" "$mode" >"/tmp/rua-ha-bench-out.$$" 2>&1 ||
      { cat "/tmp/rua-ha-bench-out.$$"; exit 1; }
    rate=$(sed -n 's/.* reports_per_s=\([0-9.]*\).*/\1/p' "/tmp/rua-ha-bench-out.$$")
    echo "$mode run $i: $rate reports/s"
    echo "$rate" >>"/tmp/rua-ha-bench-$mode.$$"
  done
done
single=$(median <"/tmp/rua-ha-bench-single.$$")
sync=$(median <"/tmp/rua-ha-bench-sync.$$")
rm -f /tmp/rua-ha-bench-*."$$"
echo "ha bench: $HA_COUNT reports, ${HA_THREADS:-8} senders, two MX paths: primary alone" \
  "$single reports/s, with a synchronous standby $sync reports/s," \
  "ratio $(awk -v a="$sync" -v b="$single" 'BEGIN {printf "%.2f", a / b}')"
