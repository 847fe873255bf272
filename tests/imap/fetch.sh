#!/bin/sh
# `ruactl fetch` against a real, private Dovecot on loopback (dovecot.sh),
# its Maildir filled with generated reports of every kind and the text
# files of the shared corpus (when ../shared/corpus is there). Asserts:
# every report stored once (the same row counts as `ruactl import` of the
# same files gives in another database), every message moved to the done
# folder, a re-run stores nothing, a kill -9 mid-run followed by a re-run
# loses and doubles nothing, and a wrong password, an untrusted CA, a name
# mismatch and a password in the URL are each one clear line.
# Arguments: RUACTL SOURCE_DIR PG_DIR WORK_DIR
set -eu
IMAP_WORK=${4:?usage: $0 RUACTL SOURCE_DIR PG_DIR WORK_DIR}
# shellcheck source=../ruactl/lib.sh
. "$(dirname "$0")/../ruactl/lib.sh"
# shellcheck source=dovecot.sh
. "$(dirname "$0")/dovecot.sh"

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: a private Dovecot with mail owned by another user needs root"
  exit 77
fi
[ -x /usr/sbin/dovecot ] || { echo "FAIL: no /usr/sbin/dovecot (scripts/install-deps.sh installs dovecot-imapd)"; exit 1; }
IMPORT_DB=""
trap 'dovecot_stop; [ -z "$IMPORT_DB" ] || psql "$(db_url postgres)" -qAtX -c "DROP DATABASE IF EXISTS $IMPORT_DB WITH (FORCE)" >/dev/null 2>&1; cleanup' EXIT
rm -rf "$IMAP_WORK"
mkdir -p "$IMAP_WORK"
dovecot_start "$IMAP_WORK/dovecot"

# The messages, one file each, in $WORK/msgs.
N_AGG=${IMAP_TEST_REPORTS:-240}
mkdir "$WORK/msgs"
python3 "$(dirname "$0")/make_many.py" "$WORK/msgs" "$N_AGG" --prefix imap --records 2
for i in 1 2 3; do
  python3 "$SRC/tests/e2e/make_kinds.py" tls "$WORK/msgs/tls-$i.eml" --report-id "imap-tls-$i" >/dev/null
  python3 "$SRC/tests/e2e/make_kinds.py" failure "$WORK/msgs/failure-$i.eml" \
    --message-id "<imap-$i@example.net>" >/dev/null
done
python3 "$SRC/tests/e2e/make_report.py" plain "$WORK/msgs/plain.eml" >/dev/null
CORPUS=${RUA_CORPUS_DIR:-$SRC/../shared/corpus}
if [ -d "$CORPUS" ]; then
  # Text files only: a mailbox holds text (a bare .gz or .zip file is not a
  # message, and IMAP would hand it back with its line ends as CRLF).
  find "$CORPUS" -type f \( -name '*.xml' -o -name '*.eml' -o -name '*.json' \) | sort |
    { n=0; while IFS= read -r f; do
        n=$((n + 1))
        cp "$f" "$WORK/msgs/corpus-$n.${f##*.}"
      done; }
  echo "info: $(find "$WORK/msgs" -name 'corpus-*' | wc -l | tr -d ' ') text files of the corpus $CORPUS"
else
  echo "info: SKIPPED the corpus: no $CORPUS (generated reports only)"
fi
N=$(find "$WORK/msgs" -type f | wc -l | tr -d ' ')
# Into the Maildir as Dovecot would deliver them (new/, one file each).
i=0
for f in "$WORK"/msgs/*; do
  i=$((i + 1))
  cp "$f" "$MAILDIR/new/$((1700000000 + i)).M${i}P1.rua-test"
done
chown -R "$MAIL_OWNER" "$MAILDIR"
echo "info: $N messages in the Maildir"

# What import gives for the same files: the counts every fetch must reach.
scratch_db
IMPORT_DB=$DB
"$RUACTL" import --jobs 2 "$WORK/msgs" >"$WORK/import.out" 2>"$WORK/import.err" || true
counts() {
  sql "SELECT (SELECT count(*) FROM aggregate_report) || ' ' || (SELECT count(*) FROM aggregate_record)
          || ' ' || (SELECT count(*) FROM tlsrpt_report) || ' ' || (SELECT count(*) FROM failure_report)
          || ' ' || (SELECT count(*) FROM quarantine)"
}
EXPECTED=$(counts)
echo "info: import of the same files: $(cat "$WORK/import.out"); rows (aggregate, records, tls, failure, quarantine): $EXPECTED"
check "import stored every generated aggregate report" "$N_AGG" "$(sql "SELECT count(*) FROM aggregate_report WHERE report_id LIKE 'imap-%'")"
# Keys stored more than once (the corpus has reports that conflict).
twice() {
  sql "SELECT count(*) FROM (SELECT org_name, report_id FROM aggregate_report GROUP BY 1, 2 HAVING count(*) > 1) d"
}
TWICE=$(twice)
# The fetch's own database beside it (dropped by cleanup as $DB).
DB=${IMPORT_DB}_f
psql "$(db_url postgres)" -qAtX -c "CREATE DATABASE $DB" >/dev/null
RUA_DATABASE_URL=$(db_url "$DB")
"$RUACTL" db migrate --sql-dir "$SRC/sql" >/dev/null

URL="imaps://$IMAP_USER@localhost:$IMAPS_PORT/INBOX"
printf '%s\n' "$IMAP_PASSWORD" >"$WORK/pass"
chmod 600 "$WORK/pass"

# fails WHAT EXPECTED_STATUS EXPECTED_STDERR ARGS...: one line, no message moved.
fails() {
  what=$1 status=$2 expected=$3
  shift 3
  rc=0
  "$RUACTL" fetch "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  check "$what: exit status" "$status" "$rc"
  check "$what: message" "$expected" "$(cat "$WORK/err")"
}
echo wrong-password >"$WORK/wrong"
fails "wrong password" 78 "ruactl: $URL: login refused for user 'rua' (wrong user or password?)" \
  --password-file "$WORK/wrong" --ca-file "$IMAP_CA" "$URL"
fails "CA not trusted" 78 "ruactl: $URL: TLS: the server's certificate is not trusted or not for localhost (SSL certificate problem: unable to get local issuer certificate)" \
  --password-file "$WORK/pass" "$URL"
fails "certificate for another name" 78 "ruactl: imaps://$IMAP_USER@127.0.0.1:$IMAPS_PORT/INBOX: TLS: the server's certificate is not trusted or not for 127.0.0.1 (SSL: no alternative certificate subject name matches target host name '127.0.0.1')" \
  --password-file "$WORK/pass" --ca-file "$IMAP_CA" "imaps://$IMAP_USER@127.0.0.1:$IMAPS_PORT/INBOX"
fails "password in the URL" 2 "ruactl: a password in the URL is refused (every user can read a command line): give it with --password-file FILE or in RUA_IMAP_PASSWORD (try 'ruactl help fetch')" \
  --password-file "$WORK/pass" "imaps://$IMAP_USER:$IMAP_PASSWORD@localhost:$IMAPS_PORT/INBOX"
fails "no password" 2 "ruactl: no password: give --password-file FILE or set RUA_IMAP_PASSWORD (try 'ruactl help fetch')" "$URL"
fails "no such mailbox" 78 "ruactl: imaps://$IMAP_USER@localhost:$IMAPS_PORT/Nosuch: no such mailbox, or the user may not read it" \
  --password-file "$WORK/pass" --ca-file "$IMAP_CA" "imaps://$IMAP_USER@localhost:$IMAPS_PORT/Nosuch"
check "after the refusals: nothing stored" 0 "$(sql 'SELECT count(*) FROM aggregate_report')"
check "after the refusals: every message still in INBOX" "$N" "$(count_folder "")"

# kill -9 once some reports are stored, in small batches so that some
# messages are committed and not yet moved.
"$RUACTL" fetch --batch 7 --password-file "$WORK/pass" --ca-file "$IMAP_CA" "$URL" \
  >"$WORK/kill.out" 2>"$WORK/kill.err" &
pid=$!
tries=0
while [ "$(sql 'SELECT count(*) FROM aggregate_report')" -lt 20 ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: the fetch did not store 20 reports while running"
    cat "$WORK/kill.err"
    exit 1
  fi
  sleep 0.05
done
kill -9 "$pid"
wait "$pid" || true
dovecot_wait_sessions_ended || FAILED=1
inbox=$(count_folder "")
done_now=$(count_folder rua-done)
echo "info: killed with $(sql 'SELECT count(*) FROM aggregate_report') aggregate reports stored, $done_now messages moved, $inbox in INBOX"
check "after kill -9: every message in INBOX or rua-done" "$N" "$((inbox + done_now))"
if [ "$inbox" = 0 ]; then
  echo "FAIL: the fetch finished before the kill (raise IMAP_TEST_REPORTS)"
  FAILED=1
fi

# The re-run, over imap:// with STARTTLS, completes the job.
rc=0
RUA_IMAP_PASSWORD=$IMAP_PASSWORD "$RUACTL" fetch --ca-file "$IMAP_CA" \
  "imap://$IMAP_USER@localhost:$IMAP_PORT/INBOX" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "re-run after the kill (STARTTLS): exit status" 0 "$rc"
[ "$rc" = 0 ] || cat "$WORK/err"
echo "info: re-run: $(head -n 1 "$WORK/out")"
check "re-run: moved line" "moved $inbox messages to rua-done" "$(sed -n 2p "$WORK/out")"
check "rows equal to import's (aggregate, records, tls, failure, quarantine)" "$EXPECTED" "$(counts)"
check "INBOX empty" 0 "$(count_folder "")"
check "rua-done holds every message once" "$N" "$(count_folder rua-done)"
check "keys stored more than once: as many as import's" "$TWICE" "$(twice)"
check "every fetched report and quarantined message says via imap" "imap" \
  "$(sql "SELECT string_agg(DISTINCT via, ' ') FROM (SELECT via FROM aggregate_report UNION ALL SELECT via FROM tlsrpt_report UNION ALL SELECT via FROM failure_report UNION ALL SELECT via FROM quarantine) v")"

# A third run finds nothing.
rc=0
"$RUACTL" fetch --password-file "$WORK/pass" --ca-file "$IMAP_CA" "$URL" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "third run: exit status" 0 "$rc"
check_prefix "third run: stores nothing" "stored 0, duplicate 0, quarantined 0, failed 0; 0 reports, 0 records in " "$(head -n 1 "$WORK/out")"
check "third run: moves nothing" "moved 0 messages to rua-done" "$(sed -n 2p "$WORK/out")"

# Idempotent on the messages too: put the done folder's messages back and
# fetch again: every one is a duplicate or found in the quarantine.
mv "$MAILDIR/.rua-done/cur/"* "$MAILDIR/cur/" 2>/dev/null || true
mv "$MAILDIR/.rua-done/new/"* "$MAILDIR/new/" 2>/dev/null || true
rc=0
"$RUACTL" fetch --batch 500 --password-file "$WORK/pass" --ca-file "$IMAP_CA" "$URL" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "fetch of the same messages again: exit status" 0 "$rc"
[ "$rc" = 0 ] || cat "$WORK/err"
check "same messages again: rows unchanged" "$EXPECTED" "$(counts)"
check "same messages again: all moved" "$N" "$(count_folder rua-done)"
check_prefix "same messages again: nothing stored" "stored 0, " "$(head -n 1 "$WORK/out")"

# A message over --max-size is not fetched and stays where it is.
mkdir -p "$MAILDIR/.Big/cur" "$MAILDIR/.Big/new" "$MAILDIR/.Big/tmp"
cp "$WORK/msgs/agg-1.eml" "$MAILDIR/.Big/new/1700000000.M1P1.rua-test"
chown -R "$MAIL_OWNER" "$MAILDIR/.Big"
size=$(wc -c <"$WORK/msgs/agg-1.eml" | tr -d ' ')
rc=0
"$RUACTL" fetch --max-size 1000 --password-file "$WORK/pass" --ca-file "$IMAP_CA" \
  "imaps://$IMAP_USER@localhost:$IMAPS_PORT/Big" >"$WORK/out" 2>"$WORK/err" || rc=$?
check "over --max-size: exit status" 1 "$rc"
crlf=$(sed 's/\r*$/\r/' "$WORK/msgs/agg-1.eml" | wc -c | tr -d ' ')
check "over --max-size: message" "ruactl: Big UID 1: $crlf bytes, larger than --max-size (1000): left in the mailbox" "$(cat "$WORK/err")"
check "over --max-size: still in Big" 1 "$(count_folder Big)"
echo "info: the file has $size bytes, $crlf with CRLF line ends as IMAP counts them"

# --watch: messages delivered while it runs are stored and moved; SIGTERM
# ends it with the two summary lines.
before=$(sql 'SELECT count(*) FROM aggregate_report')
"$RUACTL" fetch --watch --interval 1s --password-file "$WORK/pass" --ca-file "$IMAP_CA" "$URL" \
  >"$WORK/watch.out" 2>"$WORK/watch.err" &
pid=$!
mkdir "$WORK/late"
python3 "$(dirname "$0")/make_many.py" "$WORK/late" 2 --prefix late --records 3
sleep 1
for f in "$WORK"/late/*; do
  cp "$f" "$MAILDIR/tmp/late.$(basename "$f")"
  chown "$MAIL_OWNER" "$MAILDIR/tmp/late.$(basename "$f")"
  mv "$MAILDIR/tmp/late.$(basename "$f")" "$MAILDIR/new/1800000000.late.$(basename "$f")"
done
tries=0
until [ "$(sql 'SELECT count(*) FROM aggregate_report')" = "$((before + 2))" ] && [ "$(count_folder "")" = 0 ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL: --watch did not store and move the two late messages"
    cat "$WORK/watch.err"
    break
  fi
  sleep 0.1
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
check "--watch after SIGTERM: exit status" 0 "$rc"
check_prefix "--watch: summary" "stored 2, duplicate 0, quarantined 0, failed 0; 2 reports, 6 records in " "$(head -n 1 "$WORK/watch.out")"
check "--watch: moved" "moved 2 messages to rua-done" "$(sed -n 2p "$WORK/watch.out")"
check "--watch: INBOX empty" 0 "$(count_folder "")"
finish
