#!/bin/sh
# Package test: runs the README's package recipe (the lines between the
# package-recipe markers, as written) against a private PostgreSQL: it builds
# the .deb in BUILD_DIR, installs it with dpkg -i, migrates and registers;
# then checks the package's contents, conffiles and a dpkg-deb rebuild of the
# extracted tree, the installed programs, and purges the package so the
# machine is left as it was. It never starts a system service (systemctl is
# a stub here). Needs root; exits 77 (skipped) without it.
# Usage: package_test.sh SOURCE_DIR BUILD_DIR
set -eu
SRC=$(cd "${1:?usage: package_test.sh SOURCE_DIR BUILD_DIR}" && pwd)
BUILD=${2:?usage: package_test.sh SOURCE_DIR BUILD_DIR}
mkdir -p "$BUILD"
BUILD=$(cd "$BUILD" && pwd)

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

if [ "$(id -u)" != 0 ]; then
    echo "package_test: needs root for dpkg -i; skipped"
    exit 77
fi
if dpkg-query -W -f='${Status}' rua-milter 2>/dev/null | grep -q "install ok"; then
    fail "rua-milter is already installed on this machine; refusing to touch it"
fi

WORK=$(mktemp -d /tmp/rua-package-XXXXXX)
chmod 0755 "$WORK"
PG="$WORK/pg"
INSTALLED=0
cleanup() {
    rc=$?
    [ "$INSTALLED" = 1 ] && dpkg --purge rua-milter >/dev/null 2>&1
    "$SRC/tests/pg/stop.sh" "$PG" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the recipe, from README.md ----------------------------------------------
# The one change: the recipe's build directory (build/deb) is this test's.
sed -n '/^<!-- package-recipe begin/,/^<!-- package-recipe end/p' "$SRC/README.md" |
    sed -n 's/^    //p' | sed "s|build/deb|$BUILD|g" >"$WORK/recipe"
[ "$(wc -l <"$WORK/recipe")" -ge 5 ] || fail "no package recipe between the README markers"
grep -q "^dpkg -i " "$WORK/recipe" || fail "the README recipe installs no package"

"$SRC/tests/pg/start.sh" "$PG" >"$WORK/pg.log" 2>&1 || { cat "$WORK/pg.log" >&2; fail "pg start"; }
# The recipe's postgresql:///rua reaches the private server through libpq's
# environment, as it would reach the local one through its default socket.
export PGHOST="$PG" PGUSER=postgres
# The operator's edit: point the daemon at the same database.
cat >"$WORK/editor" <<EOF
#!/bin/sh
sed -i 's|^DatabaseURI .*|DatabaseURI postgresql:///rua?host=$PG\&user=postgres|' "\$1"
EOF
mkdir "$WORK/bin"
cat >"$WORK/bin/systemctl" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK/systemctl.log"
EOF
chmod 0755 "$WORK/editor" "$WORK/bin/systemctl"
export EDITOR="$WORK/editor" PATH="$WORK/bin:$PATH"
if command -v ccache >/dev/null; then
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
rm -f "$BUILD"/rua-milter_*.deb

n=0
while IFS= read -r line; do
    n=$((n + 1))
    case "$line" in dpkg\ -i*) INSTALLED=1 ;; esac
    echo "package_test: recipe line $n: $line"
    (cd "$SRC" && sh -c "$line") </dev/null >"$WORK/line$n.log" 2>&1 ||
        { tail -n 40 "$WORK/line$n.log" >&2; fail "README recipe line $n failed: $line"; }
done <"$WORK/recipe"
ok "README recipe: $n lines ran"
cat "$WORK"/line*.log | grep -q ": configuration OK" || fail "rua-milter -n did not say configuration OK"
ok "rua-milter -n: configuration OK"
[ "$(cat "$WORK/systemctl.log")" = "enable --now rua-milter" ] ||
    fail "systemctl was called with: $(cat "$WORK/systemctl.log")"
ok "systemctl enable --now rua-milter (stub)"

DEB=$(ls "$BUILD"/rua-milter_*.deb)
echo "package_test: built $DEB"

# ---- the package file ----------------------------------------------------------
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "$DEPENDS" | grep -q "libmilter" || fail "Depends lacks libmilter: $DEPENDS"
echo "$DEPENDS" | grep -q "adduser" || fail "Depends lacks adduser: $DEPENDS"
[ "$(dpkg-deb -f "$DEB" Package)" = rua-milter ] || fail "Package field"
dpkg-deb --info "$DEB" >"$WORK/info" || fail "dpkg-deb --info"
dpkg-deb --contents "$DEB" >"$WORK/contents" || fail "dpkg-deb --contents"
! grep -q " \./usr/local/" "$WORK/contents" || fail "the package installs under /usr/local"
grep -q " \./etc/rua-milter.conf$" "$WORK/contents" || fail "no ./etc/rua-milter.conf in the package"
awk '$2 != "root/root" { print }' "$WORK/contents" >"$WORK/notroot"
[ ! -s "$WORK/notroot" ] || fail "files not owned by root: $(cat "$WORK/notroot")"
ok "contents: /etc/rua-milter.conf, nothing under /usr/local, all root/root"

# Lintian's conffile checks, and dpkg-deb rebuilding the extracted tree.
dpkg-deb -R "$DEB" "$WORK/raw"
[ -s "$WORK/raw/DEBIAN/conffiles" ] || fail "no conffiles"
while IFS= read -r conffile; do
    [ -f "$WORK/raw$conffile" ] || fail "conffile $conffile is not in the package"
done <"$WORK/raw/DEBIAN/conffiles"
(cd "$WORK/raw" && find etc -type f | sed 's|^|/|') | sort >"$WORK/etcfiles"
sort "$WORK/raw/DEBIAN/conffiles" | diff - "$WORK/etcfiles" >"$WORK/conffiles.diff" ||
    fail "files under /etc and conffiles differ: $(cat "$WORK/conffiles.diff")"
(cd "$WORK/raw" && md5sum --quiet -c DEBIAN/md5sums) || fail "md5sums do not match"
dpkg-deb -b "$WORK/raw" "$WORK/rebuilt.deb" >"$WORK/rebuild.log" 2>&1 ||
    { cat "$WORK/rebuild.log" >&2; fail "dpkg-deb -b of the extracted tree"; }
# (dpkg-deb -b adds the root directory "./" that cpack leaves out.)
dpkg-deb --contents "$WORK/rebuilt.deb" | awk '$NF != "./" { print $NF }' | sort >"$WORK/rebuilt.list"
awk '$NF != "./" { print $NF }' "$WORK/contents" | sort | diff - "$WORK/rebuilt.list" >"$WORK/rebuilt.diff" ||
    fail "the rebuilt package lists other files: $(cat "$WORK/rebuilt.diff")"
ok "conffiles $(tr '\n' ' ' <"$WORK/raw/DEBIAN/conffiles")present, md5sums match, dpkg-deb -b rebuilds it"

# ---- what was installed ---------------------------------------------------------
/usr/sbin/rua-milter -V | grep -q "^rua-milter " || fail "rua-milter -V"
[ -x /usr/bin/ruactl ] || fail "ruactl not installed"
[ -x /usr/libexec/rua-milter/ruactl-store ] || fail "ruactl-store not installed in /usr/libexec/rua-milter"
# The recipe migrated through ruactl -> ruactl-store with the installed SQL.
MIGRATIONS=$(find "$SRC/sql" -name '*.sql' | wc -l)
ruactl --database postgresql:///rua db status >"$WORK/status" 2>&1 || fail "db status: $(cat "$WORK/status")"
[ "$(grep -c '^[0-9]\{4\} ' "$WORK/status")" = "$MIGRATIONS" ] ||
    fail "db status lists not $MIGRATIONS migrations: $(cat "$WORK/status")"
# The APPLIED column says pending for one not applied (a migration's name may contain the word).
! grep -qE '^[0-9]{4} +[^ ]+ +pending$' "$WORK/status" || fail "migrations pending: $(cat "$WORK/status")"
for m in "$SRC"/sql/*.sql; do
    [ -f "/usr/share/rua-milter/sql/$(basename "$m")" ] || fail "migration $(basename "$m") not installed"
done
ruactl --database postgresql:///rua rua list >"$WORK/rua" 2>&1 || fail "rua list: $(cat "$WORK/rua")"
grep -q "dmarc@example.net" "$WORK/rua" || fail "the recipe's rua is not registered: $(cat "$WORK/rua")"
ok "installed ruactl: $MIGRATIONS migrations applied, dmarc@example.net registered"
# Without a server, ruactl still reaches the installed ruactl-store.
set +e
ERR=$(/usr/bin/ruactl --database "postgresql:///none?host=/nonexistent" db status 2>&1)
set -e
case "$ERR" in
    *"cannot run"*) fail "ruactl could not start ruactl-store: $ERR" ;;
esac
getent passwd rua-milter >/dev/null || fail "user rua-milter not created"
UNIT=""
for dir in /lib/systemd/system /usr/lib/systemd/system; do
    [ -f "$dir/rua-milter.service" ] && UNIT="$dir/rua-milter.service"
done
[ -n "$UNIT" ] || fail "rua-milter.service not installed"
grep -q "^ExecReload=/bin/kill -USR1 \$MAINPID" "$UNIT" || fail "unit lacks ExecReload"
for u in rua-milter-drain.service rua-milter-drain.timer rua-milter-retention.service \
    rua-milter-retention.timer rua-milter-fold.service rua-milter-fold.timer \
    rua-milter-alerts.service; do
    [ -f "$(dirname "$UNIT")/$u" ] || fail "$u not installed"
done
if command -v systemd-analyze >/dev/null; then
    D=$(dirname "$UNIT")
    systemd-analyze verify --man=no "$D/rua-milter.service" "$D/rua-milter-drain.service" \
        "$D/rua-milter-drain.timer" "$D/rua-milter-retention.service" \
        "$D/rua-milter-retention.timer" "$D/rua-milter-fold.service" \
        "$D/rua-milter-fold.timer" "$D/rua-milter-alerts.service" >"$WORK/verify" 2>&1 ||
        fail "systemd-analyze verify: $(cat "$WORK/verify")"
    [ ! -s "$WORK/verify" ] || fail "systemd-analyze verify: $(cat "$WORK/verify")"
fi
[ "$(stat -c '%U:%G %a' /etc/default/rua-milter-drain)" = "root:root 600" ] ||
    fail "/etc/default/rua-milter-drain has $(stat -c '%U:%G %a' /etc/default/rua-milter-drain)"
[ "$(stat -c '%U:%G %a' /etc/default/rua-milter-retention)" = "root:root 600" ] ||
    fail "/etc/default/rua-milter-retention has $(stat -c '%U:%G %a' /etc/default/rua-milter-retention)"
[ "$(stat -c '%U:%G %a' /etc/default/rua-milter-alerts)" = "root:root 600" ] ||
    fail "/etc/default/rua-milter-alerts has $(stat -c '%U:%G %a' /etc/default/rua-milter-alerts)"
[ -f /usr/share/man/man8/rua-milter.8 ] || fail "man page not installed"
if [ -f "$SRC/packaging/ruactl.1" ]; then
    [ -f /usr/share/man/man1/ruactl.1 ] || fail "ruactl(1) not installed"
fi
[ -f /usr/share/doc/rua-milter/postfix-main.cf.snippet ] || fail "postfix snippet missing"
dpkg-query -W -f='${Conffiles}' rua-milter | grep -q "/etc/rua-milter.conf" ||
    fail "/etc/rua-milter.conf is not a conffile"
[ "$(stat -c '%U:%G %a' /etc/rua-milter.conf)" = "root:rua-milter 640" ] ||
    fail "/etc/rua-milter.conf has $(stat -c '%U:%G %a' /etc/rua-milter.conf)"
ok "user, units (daemon, drain, retention and fold services and timers), man pages, snippets, conffiles"

# Root without UserID must be refused (exit 77) before any socket is made.
sed '/^UserID/d' /etc/rua-milter.conf >"$WORK/nouser.conf"
set +e
timeout 10 /usr/sbin/rua-milter -f -c "$WORK/nouser.conf" 2>/dev/null
STATUS=$?
set -e
[ "$STATUS" = 77 ] || fail "root without UserID exited $STATUS, not 77"

dpkg --purge rua-milter >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log" >&2; fail "purge"; }
INSTALLED=0
[ ! -e /usr/sbin/rua-milter ] || fail "/usr/sbin/rua-milter left after purge"
[ ! -e /etc/rua-milter.conf ] || fail "/etc/rua-milter.conf left after purge"
! getent passwd rua-milter >/dev/null || fail "user rua-milter left after purge"
ok "purged: nothing left"

# ---- a tree configured for another prefix: cpack refuses, saying why ------------
cmake -S "$SRC" -B "$WORK/local" -DCMAKE_BUILD_TYPE=Release -DRUA_BUILD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr/local >"$WORK/local.log" 2>&1 ||
    { cat "$WORK/local.log" >&2; fail "configure with /usr/local"; }
set +e
(cd "$WORK/local" && cpack -G DEB) >"$WORK/local-cpack.log" 2>&1
STATUS=$?
set -e
[ "$STATUS" != 0 ] || fail "cpack built a package from a /usr/local tree"
tr '\n' ' ' <"$WORK/local-cpack.log" | tr -s ' ' |
    grep -q "needs a tree configured with -DCMAKE_INSTALL_PREFIX=/usr (this one has /usr/local" ||
    fail "cpack with /usr/local said: $(cat "$WORK/local-cpack.log")"
[ -z "$(ls "$WORK/local"/*.deb 2>/dev/null)" ] || fail "a .deb was left in the /usr/local tree"
ok "cpack in a /usr/local tree: refused, exit $STATUS"
echo "package_test: PASS"
