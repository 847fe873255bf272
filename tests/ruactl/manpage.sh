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

# The commands as the overview lists them ("db migrate|status" -> db migrate,
# db status), so a new command is checked without editing this script.
"$RUACTL" help | sed -n '/Commands:/,/Every command/p' | grep -E '^      [a-z]' |
  awk '{ c = substr($0, 7); d = index(c, "  "); if (d > 0) c = substr(c, 1, d - 1)
         split(c, w, " "); n = split(w[2], subs, "|")
         if (w[2] ~ /^[a-z|]+$/) { for (i = 1; i <= n; i++) print w[1] " " subs[i] } else print w[1] }' \
  >"$WORK/commands"
TOPICS="$(cut -d' ' -f1 "$WORK/commands" | sort -u | tr '\n' ' ')help"

missing=""
for topic in "" $TOPICS; do
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

check "the overview lists commands" "yes" "$(grep -q '^db migrate$' "$WORK/commands" && echo yes)"
missing=""
while read -r command; do
  grep -qE "^   $command( |$)" "$WORK/man.txt" || missing="$missing [$command]"
done <"$WORK/commands"
grep -qE "^   help( |$)" "$WORK/man.txt" || missing="$missing [help]"
check "every command has a section in ruactl(1)" "" "$missing"
finish
