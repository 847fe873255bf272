#!/bin/sh
# IMAP fetch throughput against import of the same reports, in one run:
# a private PostgreSQL (tests/pg/start.sh) and a private Dovecot
# (tests/imap/dovecot.sh) on loopback, M generated aggregate-report
# messages; `ruactl import` of the files into one scratch database, then
# `ruactl fetch` of the same messages from the Maildir into another.
# Prints messages/s of each and the ratio. A figure, never a timed test.
# Usage (root): tests/bench/imap/run.sh BUILD_DIR [MESSAGES (default 1000)]
set -eu
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [MESSAGES]}" && pwd)
M=${2:-1000}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
RUACTL=$BUILD/ruactl/ruactl
[ -x "$RUACTL" ] || { echo "run.sh: no $RUACTL (build the ruactl target)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (private Dovecot and PostgreSQL)" >&2; exit 1; }
WORK=$BUILD/bench-imap
rm -rf "$WORK"
mkdir -p "$WORK/msgs"
# shellcheck source=../../imap/dovecot.sh
. "$SRC/tests/imap/dovecot.sh"
trap 'dovecot_stop; "$SRC/tests/pg/stop.sh" "$WORK/pg" >/dev/null 2>&1 || true' EXIT
"$SRC/tests/pg/start.sh" "$WORK/pg" >/dev/null
dovecot_start "$WORK/dovecot"
RUA_SQL_DIR=$SRC/sql
export RUA_SQL_DIR

python3 "$SRC/tests/imap/make_many.py" "$WORK/msgs" "$M" --prefix bench --records 20 --encodings gz
i=0
for f in "$WORK"/msgs/*; do
  i=$((i + 1))
  cp "$f" "$MAILDIR/new/$((1700000000 + i)).M${i}P1.bench"
done
chown -R "$MAIL_OWNER" "$MAILDIR"

db() {
  url=$(sed "s|:///[^?]*?|:///$1?|" "$WORK/pg/url")
  psql "$(sed "s|:///[^?]*?|:///postgres?|" "$WORK/pg/url")" -qAtX -c "CREATE DATABASE $1" >/dev/null
  RUA_DATABASE_URL=$url "$RUACTL" db migrate >/dev/null
  echo "$url"
}
now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.1f", $1 / ($3 - $2) }'; }

url=$(db bench_import_1)
t0=$(now)
RUA_DATABASE_URL=$url "$RUACTL" import --jobs 1 "$WORK/msgs" >"$WORK/import1.out"
t1=$(now)
import1=$(rate "$M" "$t0" "$t1")
url=$(db bench_import_n)
t0=$(now)
RUA_DATABASE_URL=$url "$RUACTL" import "$WORK/msgs" >"$WORK/importn.out"
t1=$(now)
importn=$(rate "$M" "$t0" "$t1")
url=$(db bench_fetch)
printf '%s\n' "$IMAP_PASSWORD" >"$WORK/pass"
t0=$(now)
RUA_DATABASE_URL=$url "$RUACTL" fetch --password-file "$WORK/pass" --ca-file "$IMAP_CA" \
  "imaps://$IMAP_USER@localhost:$IMAPS_PORT/INBOX" >"$WORK/fetch.out"
t1=$(now)
fetch=$(rate "$M" "$t0" "$t1")
echo "import --jobs 1: $(head -n 1 "$WORK/import1.out")"
echo "import (all processors): $(head -n 1 "$WORK/importn.out")"
echo "fetch: $(head -n 1 "$WORK/fetch.out")"
echo "messages/s (wall, $M messages of 20 records): import --jobs 1 $import1, import $importn, fetch $fetch"
echo "$fetch $import1 $importn" | awk '{ printf "ratio fetch/import: %.2f (--jobs 1), %.2f (all processors)\n", $1 / $2, $1 / $3 }'
