#!/bin/sh
# ruactl(1) says what `ruactl help` says: it renders without a warning, and
# every option of every help page, every command and every exit status
# appears in it. No database.
set -eu
. "$(dirname "$0")/lib.sh"
PAGE=$SRC/packaging/ruactl.1

check "groff -ww -z -man: no warnings" "" "$(groff -ww -z -man "$PAGE" 2>&1)"
MANWIDTH=200 man -l "$PAGE" 2>"$WORK/man.err" | col -b >"$WORK/man.txt"
check "man -l: no warnings" "" "$(cat "$WORK/man.err")"

missing=""
for topic in "" parse db account domain rua import quarantine summary version help; do
  # shellcheck disable=SC2086
  "$RUACTL" help $topic >"$WORK/page"
  for option in $(grep -oE -- '--[a-z][a-z-]*' "$WORK/page" | sort -u); do
    grep -qe "$option" "$WORK/man.txt" || missing="$missing ${topic:-overview}:$option"
  done
  # Every exit status a page documents, by its number.
  for status in $(sed -n '/^EXIT STATUS$/,/^ENVIRONMENT$/p' "$WORK/page" | grep -oE '^    [0-9]+' | tr -d ' '); do
    grep -qE "^ {7}$status( |$)" "$WORK/man.txt" || missing="$missing ${topic:-overview}:exit-$status"
  done
done
check "every help option and exit status is in ruactl(1)" "" "$missing"

missing=""
for command in parse "db migrate" "db status" "account add" "account list" "domain add" \
               "domain remove" "rua add" "rua list" "rua remove" "rua disable" "rua enable" \
               import "quarantine list" "quarantine show" "quarantine reprocess" \
               "quarantine purge" summary version help; do
  grep -qE "^   $command( |$)" "$WORK/man.txt" || missing="$missing [$command]"
done
check "every command has a section in ruactl(1)" "" "$missing"
finish
