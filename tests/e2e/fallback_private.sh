#!/bin/sh
# tests/e2e/fallback.sh against a PRIVATE Postfix, as on a host where another
# MTA owns the postfix package's place: scripts/install-deps.sh
# --private-postfix-only unpacks it (or finds it unpacked) under
# /var/lib/rua-milter-tests, and postfix-up.sh checks its master runs from
# that tree with its libraries. Never installs, removes or stops a system MTA.
# Usage (as root): fallback_private.sh MILTER_BINARY RUACTL_BINARY PG_DIR
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "fallback_private: must run as root" >&2; exit 1; }
OUT=$("$HERE/../../scripts/install-deps.sh" --private-postfix-only) ||
  { echo "$OUT"; echo "fallback_private: no private Postfix" >&2; exit 1; }
echo "$OUT"
RUA_POSTFIX_ROOT=$(echo "$OUT" | sed -n 's/^RUA_POSTFIX_ROOT=//p')
[ -n "$RUA_POSTFIX_ROOT" ] || { echo "fallback_private: install-deps named no RUA_POSTFIX_ROOT" >&2; exit 1; }
export RUA_POSTFIX_ROOT
exec "$HERE/fallback.sh" "$@"
