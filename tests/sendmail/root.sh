#!/bin/sh
# Prints the path of a cached Debian 12 root with Sendmail installed (a
# tarball made by mmdebstrap), building it first when the cache has none for
# the current key. It never touches the host's MTA; it only writes under
# CACHE_DIR. Usage: root.sh [CACHE_DIR]   (default /var/cache/rua-milter-tests)
#
# The key is a hash of the recipe (suite, variant, mirror, package list), the
# candidate versions of the listed packages and the Date of the suite's
# Release file, both as the host's apt lists know them: when the mirror moves
# on and `apt-get update` has seen it, the key changes and the root is rebuilt.
set -eu
CACHE=${1:-/var/cache/rua-milter-tests}
SUITE=bookworm
MIRROR=${RUA_SENDMAIL_MIRROR:-http://deb.debian.org/debian}
# sendmail pulls sendmail-bin, sendmail-cf and sensible-mda (local delivery
# through procmail), as an operator's `apt-get install sendmail` would.
PKGS="sendmail sendmail-bin sendmail-cf sensible-mda procmail passwd"
RECIPE="mmdebstrap --variant=minbase --include=$(echo "$PKGS" | tr ' ' ,) $SUITE $MIRROR main"

say() { echo "root.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "must run as root (mmdebstrap --mode=root, chroot)"
export DEBIAN_FRONTEND=noninteractive
if ! command -v mmdebstrap >/dev/null; then
  say "installing mmdebstrap (apt-get)"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends mmdebstrap; } >&2 ||
    fail "cannot install mmdebstrap with apt-get: is the Debian mirror reachable?"
fi

# The key, from the host's apt lists (no network needed for a cached run).
release_date() {
  for f in /var/lib/apt/lists/*"_dists_${SUITE}_InRelease" /var/lib/apt/lists/*"_dists_${SUITE}_Release"; do
    [ -f "$f" ] && sed -n 's/^Date: //p' "$f" && return 0
  done
  return 1
}
versions() {
  # shellcheck disable=SC2086
  LC_ALL=C apt-cache policy $PKGS 2>/dev/null |
    awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }'
}
DATE=$(release_date || true)
VERS=$(versions)
if [ -z "$DATE" ] || [ "$(echo "$VERS" | grep -vc '(none)')" -ne "$(echo "$PKGS" | wc -w)" ]; then
  say "apt lists do not know $SUITE or the packages; running apt-get update"
  apt-get update -qq >&2 || fail "apt-get update failed: is the Debian mirror reachable?"
  DATE=$(release_date) || fail "no $SUITE Release file in /var/lib/apt/lists after apt-get update"
  VERS=$(versions)
fi
KEY=$(printf '%s\n%s\n%s\n' "$RECIPE" "$DATE" "$VERS" | sha256sum | cut -c1-16)
TARBALL="$CACHE/sendmail-root-$SUITE-$KEY.tar.gz"
if [ -s "$TARBALL" ]; then
  say "cached root $TARBALL"
  echo "$TARBALL"
  exit 0
fi

mkdir -p "$CACHE"
TMP="$CACHE/.building-$$.tar.gz"
LOG="$CACHE/.building-$$.log"
trap 'rm -f "$TMP"' EXIT
say "building the $SUITE root ($RECIPE); key $KEY; this downloads about 40 MB"
START=$(date +%s)
# shellcheck disable=SC2086
if ! mmdebstrap --mode=root --variant=minbase --include="$(echo "$PKGS" | tr ' ' ,)" \
  "$SUITE" "$TMP" "deb $MIRROR $SUITE main" >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  fail "mmdebstrap failed (log $LOG): is the mirror $MIRROR reachable? The Sendmail test cannot run without its root."
fi
mv "$TMP" "$TARBALL"
printf '%s\n%s\n%s\n' "$RECIPE" "$DATE" "$VERS" >"$TARBALL.key"
rm -f "$LOG"
# Roots of older keys are stale: keep only this one.
for old in "$CACHE"/sendmail-root-*.tar.gz; do
  [ "$old" = "$TARBALL" ] || rm -f "$old" "$old.key"
done
say "built $TARBALL in $(($(date +%s) - START)) s"
echo "$TARBALL"
