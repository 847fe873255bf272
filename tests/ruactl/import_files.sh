#!/bin/sh
# `ruactl import` reads only regular files, and no more than it may: a
# symbolic link is refused unless --follow-symlinks (named or met in a
# tree), a device or FIFO is never opened, a file over --max-size is refused
# from its size before a byte is read. Exact standard error and exit status.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"
"$RUACTL" rua add dmarc@example.net --domain example.net >/dev/null

# import WHAT ARGS...: runs ruactl import, leaving out, err and rc.
import() {
  rc=0
  "$RUACTL" import --jobs 1 "$@" >out 2>err || rc=$?
}

ln -s /etc/passwd passwd-link
import passwd-link
check "symlink to /etc/passwd: exit status" 1 "$rc"
check "symlink to /etc/passwd: stderr" \
  "ruactl: passwd-link: a symbolic link: not followed without --follow-symlinks" "$(cat err)"
check_prefix "symlink to /etc/passwd: summary" "stored 0, duplicate 0, quarantined 0, failed 1; " "$(cat out)"
check "symlink to /etc/passwd: nothing quarantined" 0 "$(sql 'SELECT count(*) FROM quarantine')"

mkdir tree
gen_eml f-1 >tree/real.eml
ln -s "$WORK/tree/real.eml" tree/alias.eml
import tree
check "a symlink in a tree: exit status" 1 "$rc"
check "a symlink in a tree: stderr" \
  "ruactl: tree/alias.eml: a symbolic link: not followed without --follow-symlinks" "$(cat err)"
check_prefix "a symlink in a tree: the real file is stored" \
  "stored 1, duplicate 0, quarantined 0, failed 1; " "$(cat out)"

gen_eml f-2 >target.eml
ln -s target.eml followed.eml
import --follow-symlinks followed.eml
check "--follow-symlinks: exit status" 0 "$rc"
check_prefix "--follow-symlinks: stored" "stored 1, duplicate 0, quarantined 0, failed 0; " "$(cat out)"
check "--follow-symlinks: the report" 1 "$(sql "SELECT count(*) FROM aggregate_report WHERE report_id = 'f-2'")"

ln -s /dev/zero zero-link
import --follow-symlinks zero-link
check "--follow-symlinks to /dev/zero: stderr" \
  "ruactl: zero-link: a character device, not a regular file: not imported" "$(cat err)"

import /dev/zero
check "/dev/zero: exit status" 1 "$rc"
check "/dev/zero: stderr" "ruactl: /dev/zero: a character device, not a regular file: not imported" "$(cat err)"

mkfifo fifo
import fifo # never opened: opening a FIFO would wait for a writer
check "FIFO: exit status" 1 "$rc"
check "FIFO: stderr" "ruactl: fifo: a FIFO, not a regular file: not imported" "$(cat err)"

# Sparse: 2 GiB by its size, no disk. Refused by its size alone (it would
# take seconds and 1 GiB of memory to read).
truncate -s 2G huge.eml
import huge.eml
check "2 GiB file: exit status" 1 "$rc"
check "2 GiB file: stderr" "ruactl: huge.eml: message larger than --max-size (67108864 bytes)" "$(cat err)"

gen_eml f-3 >small.eml
import --max-size 1000 small.eml
check "over --max-size: stderr" "ruactl: small.eml: message larger than --max-size (1000 bytes)" "$(cat err)"
# An mbox may hold more than one message's worth; each message keeps the bound.
{
  echo "From dmarc@reporter-a.example Tue Nov 14 22:13:20 2023"
  gen_eml f-4 | tr -d '\r'
  echo
} >one.mbox
import --max-size 100000 one.mbox
check "an mbox: exit status" 0 "$rc"
check_prefix "an mbox: stored" "stored 1, duplicate 0, quarantined 0, failed 0; " "$(cat out)"
truncate -s 2G huge.mbox
printf 'From dmarc@reporter-a.example Tue Nov 14 22:13:20 2023\n' | dd of=huge.mbox conv=notrunc 2>/dev/null
import huge.mbox
check "2 GiB mbox: stderr" "ruactl: huge.mbox: mbox file larger than 1073741824 bytes: not imported" "$(cat err)"

check "nothing quarantined from the refusals" 0 "$(sql 'SELECT count(*) FROM quarantine')"
finish
