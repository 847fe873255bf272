#!/bin/sh
# Installs every build, test and demo dependency from Debian 12 packages.
# Idempotent and non-interactive; must run as root. Skips apt entirely when
# everything is already there. It must never remove a package: installing
# postfix over Sendmail or Exim would (Conflicts: mail-transport-agent), so
# the plan is simulated first. When postfix would remove an installed MTA,
# everything else is installed and a PRIVATE Postfix is unpacked instead
# (apt-get download + dpkg-deb -x under /var/lib/rua-milter-tests, named in
# postfix.env there, which tests/e2e/lib.sh reads); any other removal stops
# the script, naming it.
# Usage: install-deps.sh [--check | --private-postfix-only]
#   --check: print the plan, install nothing
#   --private-postfix-only: only unpack the private Postfix (prints
#     RUA_POSTFIX_ROOT=DIR; does not write postfix.env)
# Test hook: RUA_DPKG_ADMINDIR reads another dpkg database (tests only).
set -eu
PKGS="build-essential cmake pkg-config ccache
libvmime-dev libxerces-c-dev zlib1g-dev libarchive-dev libpqxx-dev libfmt-dev
doctest-dev libmilter-dev nlohmann-json3-dev nettle-dev libidn2-dev libpsl-dev publicsuffix
libunbound-dev libmaxminddb-dev dnsmasq-base mmdb-bin
postgresql-15 postgresql-client-15 pgbouncer
clang libclang-rt-14-dev
postfix swaks python3 dpkg-dev fakeroot file iproute2 adduser mmdebstrap strace
libcpp-httplib-dev libjs-chart.js chromium chromium-driver python3-selenium
libcurl4-openssl-dev
dovecot-imapd openssl"
# What a Postfix unpacked by dpkg-deb -x needs (postfix's Depends, minus
# what its maintainer scripts alone use).
PRIVATE_PF_DEPS="libc6 libdb5.3 libicu72 libnsl2 libsasl2-2 libssl3 netbase ssl-cert cpio adduser"
PRIVATE_PF_CACHE=/var/cache/rua-milter-tests
PRIVATE_PF_BASE=/var/lib/rua-milter-tests
ADMINDIR=${RUA_DPKG_ADMINDIR:-/var/lib/dpkg}
CHECK_ONLY=0
PRIVATE_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  --private-postfix-only) PRIVATE_ONLY=1 ;;
  "") ;;
  *) echo "usage: install-deps.sh [--check | --private-postfix-only]" >&2; exit 64 ;;
esac

say() { echo "install-deps: $*"; }

# Unpacks the candidate postfix package under $PRIVATE_PF_BASE/postfix-VERSION
# (once per version; the .deb is kept in $PRIVATE_PF_CACHE, so later runs
# need no network), creates the postfix user and the postdrop group if
# missing, and sets PRIVATE_PF_ROOT. Never installs or removes a package.
private_postfix() {
  version=$(apt-cache show --no-all-versions postfix 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
  [ -n "$version" ] || { say "apt knows no postfix package (apt-get update?)" >&2; exit 1; }
  arch=$(dpkg --print-architecture)
  deb="$PRIVATE_PF_CACHE/postfix_$(echo "$version" | sed 's/:/%3a/')_$arch.deb"
  mkdir -p "$PRIVATE_PF_CACHE" "$PRIVATE_PF_BASE"
  if [ -f "$deb" ]; then
    say "private Postfix: using the cached $deb"
  else
    say "private Postfix: apt-get download postfix ($version) into $PRIVATE_PF_CACHE"
    # _apt cannot write to a root-only directory; root downloads, as apt warns.
    (cd "$PRIVATE_PF_CACHE" && apt-get download -o APT::Sandbox::User=root "postfix=$version") ||
      { say "apt-get download postfix failed" >&2; exit 1; }
  fi
  PRIVATE_PF_ROOT="$PRIVATE_PF_BASE/postfix-$version"
  if [ -x "$PRIVATE_PF_ROOT/usr/lib/postfix/sbin/master" ]; then
    say "private Postfix: $PRIVATE_PF_ROOT already unpacked"
  else
    say "private Postfix: dpkg-deb -x into $PRIVATE_PF_ROOT"
    rm -rf "$PRIVATE_PF_ROOT.tmp"
    dpkg-deb -x "$deb" "$PRIVATE_PF_ROOT.tmp"
    # Run as root only: postdrop and postqueue stay without their set-gid
    # bit, since the dynamic loader ignores LD_LIBRARY_PATH for set-gid
    # programs and the private libraries would not be found.
    mv "$PRIVATE_PF_ROOT.tmp" "$PRIVATE_PF_ROOT"
  fi
  if ! getent group postdrop >/dev/null; then
    say "private Postfix: addgroup --system postdrop"
    addgroup --system postdrop
  fi
  if ! getent passwd postfix >/dev/null; then
    say "private Postfix: adduser --system postfix"
    getent group postfix >/dev/null || addgroup --system postfix
    adduser --system --home /var/spool/postfix --no-create-home --disabled-password \
      --ingroup postfix postfix
  fi
}

# private_postfix, then names the tree in postfix.env for tests/e2e/lib.sh.
private_postfix_env() {
  private_postfix
  echo "RUA_POSTFIX_ROOT=$PRIVATE_PF_ROOT" >"$PRIVATE_PF_BASE/postfix.env"
  say "private Postfix ready: $PRIVATE_PF_ROOT (named in $PRIVATE_PF_BASE/postfix.env)"
}

# The pgbouncer package enables and starts a system service (localhost:6432,
# no database configured). The tests run a private one, so a service this
# script has just installed is stopped and disabled; a pgbouncer that was
# installed before is never touched.
quiet_pgbouncer() {
  if [ -d /run/systemd/system ]; then
    say "pgbouncer: stopping and disabling the service the package started (tests run their own)"
    systemctl disable --now pgbouncer.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/pgbouncer ]; then
    say "pgbouncer: stopping and disabling the init script (tests run their own)"
    /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
    update-rc.d pgbouncer disable >/dev/null 2>&1 || true
  fi
}

if [ "$PRIVATE_ONLY" = 1 ]; then
  [ "$(id -u)" = 0 ] || { say "run as root" >&2; exit 1; }
  private_postfix
  echo "RUA_POSTFIX_ROOT=$PRIVATE_PF_ROOT"
  exit 0
fi

# With a private Postfix chosen before, postfix itself is not wanted.
PRIVATE_PF=0
if [ -f "$PRIVATE_PF_BASE/postfix.env" ] && [ -z "${RUA_DPKG_ADMINDIR:-}" ]; then
  PRIVATE_PF=1
  PKGS="$(echo "$PKGS" | sed 's/\bpostfix\b//') $PRIVATE_PF_DEPS"
fi
missing=""
for p in $PKGS; do
  dpkg-query --admindir="$ADMINDIR" -W -f='${Status}' "$p" 2>/dev/null |
    grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  say "all packages present"
  if [ "$PRIVATE_PF" = 1 ] && [ "$CHECK_ONLY" = 0 ]; then
    private_postfix_env
  fi
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
plan() {
  say "simulating the installation (apt-get -s)"
  # shellcheck disable=SC2086
  PLAN=$(apt-get -s -o Dir::State::status="$ADMINDIR/status" install --no-install-recommends \
    $missing 2>&1) || { echo "$PLAN" >&2; say "apt-get cannot plan the installation" >&2; exit 1; }
  removed=$(echo "$PLAN" | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')
}
plan
if [ -n "$removed" ]; then
  mta=""
  for p in $removed; do
    if dpkg-query --admindir="$ADMINDIR" -W -f='${Provides}' "$p" 2>/dev/null |
      grep -q "mail-transport-agent"; then
      mta="$mta $p"
    fi
  done
  if [ -n "$mta" ]; then
    say "installing postfix would remove the installed MTA:$mta; using a private Postfix" \
      "under $PRIVATE_PF_BASE instead"
    PRIVATE_PF=1
    missing=$(echo "$missing" | sed 's/ postfix\b//')
    for p in $PRIVATE_PF_DEPS; do
      dpkg-query --admindir="$ADMINDIR" -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed" || missing="$missing $p"
    done
    removed=""
    [ -z "$missing" ] || plan
  fi
fi
if [ -n "$removed" ]; then
  say "refusing: installing$missing would remove: $removed" >&2
  exit 1
fi
say "nothing will be removed"
if [ "$CHECK_ONLY" = 1 ]; then
  exit 0
fi

if [ -n "$missing" ]; then
  # Postfix must not configure or start a system instance: the tests run a
  # private one (see tests/e2e).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # Nor Dovecot (tests/imap runs a private one): a first install of
  # dovecot-core starts a system server on 143 and 993. While apt runs, a
  # policy-rc.d denies every start, unless the machine has its own; a
  # Dovecot the machine had before is never touched.
  fresh_dovecot=0
  own_policy=0
  if ! dpkg-query --admindir="$ADMINDIR" -W -f='${Status}' dovecot-core 2>/dev/null |
    grep -q "install ok installed"; then
    fresh_dovecot=1
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      own_policy=1
      printf '#!/bin/sh\n# install-deps.sh (rua-milter): no service starts while it installs.\nexit 101\n' \
        >/usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
  fi
  say "apt-get install$missing"
  # --no-remove: should the plan above have missed a removal, apt stops.
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends --no-remove $missing
  if [ "$own_policy" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
  if [ "$fresh_dovecot" = 1 ] && [ -d /run/systemd/system ]; then
    # Installed by us just now: keep the system Dovecot stopped at boot too.
    say "systemctl disable --now dovecot (installed by this script; the tests run their own)"
    systemctl disable --now dovecot.socket dovecot.service >/dev/null 2>&1 || true
  fi
  say "installed$missing"
  case " $missing " in
  *" pgbouncer "*) quiet_pgbouncer ;;
  esac
fi
if [ "$PRIVATE_PF" = 1 ]; then
  private_postfix_env
fi
