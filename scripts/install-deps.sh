#!/bin/sh
# Installs every build, test and demo dependency from Debian 12 packages.
# Idempotent and non-interactive; must run as root. Skips apt entirely when
# everything is already there.
set -eu
PKGS="build-essential cmake pkg-config ccache
libvmime-dev libxerces-c-dev zlib1g-dev libarchive-dev libpqxx-dev libfmt-dev
doctest-dev libmilter-dev nlohmann-json3-dev nettle-dev
postgresql-15 postgresql-client-15
clang libclang-rt-14-dev
postfix swaks python3 dpkg-dev fakeroot file iproute2 adduser"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing:$missing; run as root to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix must not configure or start a system instance: the tests run a
# private one (see tests/e2e).
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: installed$missing"
