#!/bin/sh
# Checks scripts/install-deps.sh never removes an MTA: against a copy of this
# machine's dpkg database in which postfix is missing and Sendmail is
# installed, its plan (--check: apt-get -s, nothing installed) must name
# sendmail-bin, leave postfix out and choose a private Postfix instead; with
# no MTA at all it must find nothing to remove.
# Never installs or removes anything. Usage: install_deps_test.sh SOURCE_DIR
set -eu
SRC=${1:?usage: install_deps_test.sh SOURCE_DIR}
command -v apt-get >/dev/null || { echo "install_deps_test: no apt-get; skipped"; exit 77; }
WORK=$(mktemp -d /tmp/rua-deps-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILS=0
expect() {
  if [ "$2" = "$3" ]; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: expected '$2', got '$3'"
    FAILS=$((FAILS + 1))
  fi
}

# fake_status DIR WITH_SENDMAIL: this machine's status without postfix or
# any other MTA, plus (WITH_SENDMAIL=1) an installed sendmail-bin.
fake_status() {
  mkdir -p "$1"
  python3 - "$1/status" "$2" <<'PY'
import sys
stanzas = open("/var/lib/dpkg/status", encoding="utf-8").read().split("\n\n")
def is_mta(s):
    for line in s.splitlines():
        if line.startswith("Provides:") and "mail-transport-agent" in line:
            return True
    return s.startswith("Package: postfix\n")
kept = [s.strip("\n") for s in stanzas if s.strip() and not is_mta(s)]
if sys.argv[2] == "1":
    kept.append("\n".join([
        "Package: sendmail-bin", "Status: install ok installed", "Priority: extra",
        "Section: mail", "Installed-Size: 2000",
        "Maintainer: Debian Sendmail Team <pkg-sendmail@example.org>",
        "Architecture: amd64", "Source: sendmail", "Version: 8.17.1.9-2+deb12u2",
        "Provides: mail-transport-agent", "Conflicts: mail-transport-agent",
        "Description: an installed Sendmail, for install_deps_test"]))
open(sys.argv[1], "w", encoding="utf-8").write("\n\n".join(kept) + "\n")
PY
}

fake_status "$WORK/sendmail" 1
set +e
RUA_DPKG_ADMINDIR="$WORK/sendmail" "$SRC/scripts/install-deps.sh" --check >"$WORK/out" 2>"$WORK/err"
STATUS=$?
set -e
expect "Sendmail installed: exit status" "0" "$STATUS"
expect "Sendmail installed: names it, chooses a private Postfix" \
  "install-deps: installing postfix would remove the installed MTA: sendmail-bin; using a private Postfix under /var/lib/rua-milter-tests instead" \
  "$(grep '^install-deps: installing postfix' "$WORK/out")"
expect "Sendmail installed: then nothing will be removed" "install-deps: nothing will be removed" \
  "$(grep '^install-deps: nothing' "$WORK/out")"
expect "Sendmail installed: no error output" "" "$(cat "$WORK/err")"
expect "Sendmail installed: missing list is exactly postfix" "install-deps: missing: postfix" \
  "$(grep '^install-deps: missing' "$WORK/out")"
expect "Sendmail installed: the dpkg database is untouched" "install ok installed" \
  "$(dpkg-query --admindir="$WORK/sendmail" -W -f='${Status}' sendmail-bin)"

fake_status "$WORK/none" 0
set +e
RUA_DPKG_ADMINDIR="$WORK/none" "$SRC/scripts/install-deps.sh" --check >"$WORK/out" 2>"$WORK/err"
STATUS=$?
set -e
expect "no MTA: exit status" "0" "$STATUS"
expect "no MTA: plan" "install-deps: nothing will be removed" \
  "$(grep '^install-deps: nothing' "$WORK/out")"
[ "$FAILS" -eq 0 ] || { cat "$WORK/out" "$WORK/err"; exit 1; }
echo "install_deps_test: PASS"
