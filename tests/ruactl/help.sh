#!/bin/sh
# ruactl's manual pages and usage errors: every command has a page with every
# section, `ruactl help CMD` and `ruactl CMD --help` agree, and a bad command
# line gives exactly one line on stderr and exit status 2. No database.
set -eu
. "$(dirname "$0")/lib.sh"

for topic in "" parse db account domain rua import fetch quarantine summary version help; do
  rc=0
  if [ -z "$topic" ]; then
    "$RUACTL" --help >"$WORK/page" 2>"$WORK/err" || rc=$?
  else
    "$RUACTL" "$topic" --help >"$WORK/page" 2>"$WORK/err" || rc=$?
  fi
  check "ruactl ${topic:-(overview)} --help exit status" 0 "$rc"
  missing=""
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT EXAMPLES; do
    grep -qx "$section" "$WORK/page" || missing="$missing $section"
  done
  check "ruactl ${topic:-(overview)} --help has every section" "" "$missing"
  "$RUACTL" help $topic >"$WORK/page2"
  check "ruactl help ${topic:-(overview)} is the same page" "" "$(cmp "$WORK/page" "$WORK/page2" 2>&1 || true)"
done

for sub in "db migrate" "db status" "account add" "account list" "domain add" "domain remove" \
           "rua add" "rua list" "rua remove" "rua disable" "rua enable" "quarantine list" \
           "quarantine show" "quarantine reprocess" "quarantine purge"; do
  # shellcheck disable=SC2086
  "$RUACTL" $sub --help >"$WORK/page"
  "$RUACTL" help "${sub%% *}" >"$WORK/page2"
  check "ruactl $sub --help shows the ${sub%% *} page" "" "$(cmp "$WORK/page" "$WORK/page2" 2>&1 || true)"
done

version=$("$RUACTL" --version)
check_prefix "ruactl --version" "ruactl (rua-milter) " "$version"
check "ruactl version matches --version" "$version" "$("$RUACTL" version)"

# usage_error EXPECTED_STDERR ARGS...: exit status 2, one line on stderr.
usage_error() {
  expected=$1
  shift
  rc=0
  "$RUACTL" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  check "ruactl $* exit status" 2 "$rc"
  check "ruactl $* message" "$expected" "$(cat "$WORK/err")"
  check "ruactl $* prints nothing on stdout" 0 "$(wc -c <"$WORK/out" | tr -d ' ')"
}
usage_error "ruactl: import: unknown option '--bogus' (try 'ruactl help import')" import --bogus x
usage_error "ruactl: import: missing PATH (try 'ruactl help import')" import
usage_error "ruactl: summary: missing --domain DOMAIN (try 'ruactl help summary')" summary
usage_error "ruactl: summary: option '--domain' needs a value (try 'ruactl help summary')" summary --domain
usage_error "ruactl: --since: invalid duration '3x' (expected a number and s, m, h, d or w, e.g. 30d) (try 'ruactl help summary')" summary --domain d --since 3x
usage_error "ruactl: summary: invalid --format 'xml' (table, json or csv) (try 'ruactl help summary')" summary --domain d --format xml
usage_error "ruactl: unknown command 'frob' (try 'ruactl --help')" frob
usage_error "ruactl: missing command (try 'ruactl --help')" --database x
usage_error "ruactl: rua: missing subcommand (add, list, remove, disable, enable) (try 'ruactl help rua')" rua
usage_error "ruactl: rua: unknown subcommand 'drop' (add, list, remove, disable, enable) (try 'ruactl help rua')" rua drop
usage_error "ruactl: rua add: missing rua ADDRESS (try 'ruactl help rua')" rua add
usage_error "ruactl: domain add: missing --account NAME (try 'ruactl help domain')" domain add example.net
usage_error "ruactl: quarantine purge: give --before AGE or IDs (not both) (try 'ruactl help quarantine')" quarantine purge
usage_error "ruactl: quarantine reprocess: give IDs or --all (not both) (try 'ruactl help quarantine')" quarantine reprocess
usage_error "ruactl: quarantine show: ID: invalid value 'x' (expected a number from 1 to 9223372036854775807) (try 'ruactl help quarantine')" quarantine show x
usage_error "ruactl: --jobs: invalid value '0' (expected a number from 1 to 256) (try 'ruactl help import')" import --jobs 0 x
usage_error "ruactl: account list: unexpected argument 'extra' (try 'ruactl help account')" account list extra
usage_error "ruactl: help: no command 'frob' (try 'ruactl --help')" help frob
usage_error "ruactl: fetch: missing MAILBOX-URL (try 'ruactl help fetch')" fetch
usage_error "ruactl: --interval goes with --watch (try 'ruactl help fetch')" fetch --interval 1m imaps://u@h/INBOX
usage_error "ruactl: 'pop3://u@h/': the scheme must be imaps:// or imap:// (try 'ruactl help fetch')" fetch pop3://u@h/
finish
