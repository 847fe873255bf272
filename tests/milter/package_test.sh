#!/bin/sh
# Package test: builds the Debian package in a separate Release tree (no
# sanitizers), installs it with dpkg -i, checks the installed daemon accepts
# the installed config (-n), that the system user, unit file, man page and
# conffile are there, then purges the package so the machine is left as it
# was. Needs root; exits 77 (skipped) without it.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=${1:?usage: package_test.sh SOURCE_DIR BUILD_DIR}
BUILD=${2:?usage: package_test.sh SOURCE_DIR BUILD_DIR}

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
    echo "package_test: needs root for dpkg -i; skipped"
    exit 77
fi
if dpkg-query -W -f='${Status}' rua-milter 2>/dev/null | grep -q "install ok"; then
    fail "rua-milter is already installed on this machine; refusing to touch it"
fi

LAUNCHER=""
if command -v ccache >/dev/null; then
    LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
fi
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRUA_BUILD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr $LAUNCHER >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; fail "configure"; }
cmake --build "$BUILD" -j2 --target rua-milter ruactl ruactl-store >"$BUILD.build.log" 2>&1 ||
    { tail -50 "$BUILD.build.log" >&2; fail "build"; }
rm -f "$BUILD"/rua-milter_*.deb
(cd "$BUILD" && cpack -G DEB) >"$BUILD.cpack.log" 2>&1 ||
    { cat "$BUILD.cpack.log" >&2; fail "cpack"; }
DEB=$(ls "$BUILD"/rua-milter_*.deb)
echo "package_test: built $DEB"

# shlibdeps must have found libmilter; adduser is ours.
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "$DEPENDS" | grep -q "libmilter" || fail "Depends lacks libmilter: $DEPENDS"
echo "$DEPENDS" | grep -q "adduser" || fail "Depends lacks adduser: $DEPENDS"

cleanup() { dpkg --purge rua-milter >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

dpkg -i "$DEB" >"$BUILD.dpkg.log" 2>&1 || { cat "$BUILD.dpkg.log" >&2; fail "dpkg -i"; }

OUT=$(/usr/sbin/rua-milter -n -c /etc/rua-milter.conf 2>&1) || fail "rua-milter -n: $OUT"
[ "$OUT" = "/etc/rua-milter.conf: configuration OK" ] || fail "rua-milter -n said: $OUT"
/usr/sbin/rua-milter -V | grep -q "^rua-milter " || fail "rua-milter -V"
[ -x /usr/bin/ruactl ] || fail "ruactl not installed"
[ -x /usr/libexec/rua-milter/ruactl-store ] || fail "ruactl-store not installed in /usr/libexec/rua-milter"
# ruactl hands a database command to the installed ruactl-store, which
# then fails on the (absent) server, not on finding itself.
set +e
ERR=$(/usr/bin/ruactl --database "postgresql:///none?host=/nonexistent" db status 2>&1)
set -e
case "$ERR" in
    *"cannot run"*) fail "ruactl could not start ruactl-store: $ERR" ;;
    *"try again later"*) ;;
    *) fail "ruactl db status without a server said: $ERR" ;;
esac
for m in 0006_tlsrpt.sql 0007_failure.sql; do
    [ -f "/usr/share/rua-milter/sql/$m" ] || fail "migration $m not installed"
done
getent passwd rua-milter >/dev/null || fail "user rua-milter not created"
UNIT=""
for dir in /lib/systemd/system /usr/lib/systemd/system; do
    [ -f "$dir/rua-milter.service" ] && UNIT="$dir/rua-milter.service"
done
[ -n "$UNIT" ] || fail "rua-milter.service not installed"
grep -q "^ExecReload=/bin/kill -USR1 \$MAINPID" "$UNIT" || fail "unit lacks ExecReload"
[ -f /usr/share/man/man8/rua-milter.8 ] || fail "man page not installed"
[ -f /usr/share/doc/rua-milter/postfix-main.cf.snippet ] || fail "postfix snippet missing"
dpkg-query -W -f='${Conffiles}' rua-milter | grep -q "/etc/rua-milter.conf" ||
    fail "/etc/rua-milter.conf is not a conffile"
[ "$(stat -c '%U:%G %a' /etc/rua-milter.conf)" = "root:rua-milter 640" ] ||
    fail "/etc/rua-milter.conf has $(stat -c '%U:%G %a' /etc/rua-milter.conf)"
ls /usr/share/rua-milter/sql/*.sql >/dev/null 2>&1 || fail "migrations not installed"

# Root without UserID must be refused (exit 77) before any socket is made.
sed '/^UserID/d' /etc/rua-milter.conf >"$BUILD.nouser.conf"
set +e
timeout 10 /usr/sbin/rua-milter -f -c "$BUILD.nouser.conf" 2>/dev/null
STATUS=$?
set -e
[ "$STATUS" = 77 ] || fail "root without UserID exited $STATUS, not 77"

dpkg --purge rua-milter >"$BUILD.purge.log" 2>&1 || { cat "$BUILD.purge.log" >&2; fail "purge"; }
trap - EXIT INT TERM
[ ! -e /usr/sbin/rua-milter ] || fail "/usr/sbin/rua-milter left after purge"
[ ! -e /etc/rua-milter.conf ] || fail "/etc/rua-milter.conf left after purge"
! getent passwd rua-milter >/dev/null || fail "user rua-milter left after purge"
echo "package_test: PASS"
