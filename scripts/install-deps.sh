#!/bin/sh
# Installs every build, test and demo dependency from Debian 12 packages.
# Idempotent and non-interactive; must run as root. Skips apt entirely when
# everything is already there. It must never remove a package: installing
# postfix over Sendmail or Exim would (Conflicts: mail-transport-agent), so
# the plan is simulated first and any removal stops the script, naming it.
# Usage: install-deps.sh [--check]   (--check: print the plan, install nothing)
# Test hook: RUA_DPKG_ADMINDIR reads another dpkg database (tests only).
set -eu
PKGS="build-essential cmake pkg-config ccache
libvmime-dev libxerces-c-dev zlib1g-dev libarchive-dev libpqxx-dev libfmt-dev
doctest-dev libmilter-dev nlohmann-json3-dev nettle-dev libidn2-dev
postgresql-15 postgresql-client-15
clang libclang-rt-14-dev
postfix swaks python3 dpkg-dev fakeroot file iproute2 adduser mmdebstrap"
ADMINDIR=${RUA_DPKG_ADMINDIR:-/var/lib/dpkg}
CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  *) echo "usage: install-deps.sh [--check]" >&2; exit 64 ;;
esac

say() { echo "install-deps: $*"; }

missing=""
for p in $PKGS; do
  dpkg-query --admindir="$ADMINDIR" -W -f='${Status}' "$p" 2>/dev/null |
    grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  say "all packages present"
  exit 0
fi
say "missing:$missing"
if [ "$CHECK_ONLY" = 0 ] && [ "$(id -u)" != 0 ]; then
  say "run as root to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$CHECK_ONLY" = 0 ]; then
  say "apt-get update"
  apt-get update
fi

# What apt would remove to install the missing packages ("Remv NAME [...]").
say "simulating the installation (apt-get -s)"
# shellcheck disable=SC2086
PLAN=$(apt-get -s -o Dir::State::status="$ADMINDIR/status" install --no-install-recommends \
  $missing 2>&1) || { echo "$PLAN" >&2; say "apt-get cannot plan the installation" >&2; exit 1; }
removed=$(echo "$PLAN" | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')
if [ -n "$removed" ]; then
  mta=""
  for p in $removed; do
    if dpkg-query --admindir="$ADMINDIR" -W -f='${Provides}' "$p" 2>/dev/null |
      grep -q "mail-transport-agent"; then
      mta="$mta $p"
    fi
  done
  if [ -n "$mta" ]; then
    say "refusing: installing postfix would remove the installed MTA:$mta" >&2
    say "the tests and the demo run their own Postfix on loopback; run them on a machine" \
      "without another MTA (or in a container)" >&2
  else
    say "refusing: installing$missing would remove: $removed" >&2
  fi
  exit 1
fi
say "nothing will be removed"
if [ "$CHECK_ONLY" = 1 ]; then
  exit 0
fi

# Postfix must not configure or start a system instance: the tests run a
# private one (see tests/e2e).
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
say "apt-get install$missing"
# --no-remove: should the plan above have missed a removal, apt stops.
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends --no-remove $missing
say "installed$missing"
