#!/bin/sh
# Alerts end to end (issue 11): rules of every kind triggered by reports
# stored with `ruactl import`, evaluated and delivered by `ruactl alerts run`
# to a local webhook receiver (payload and HMAC checked, a first 500 then
# success) and by e-mail through a private Postfix's sendmail into its
# Maildir; deduplication within the cooldown, rules that must not fire, and
# the --follow worker woken by the storing transaction's NOTIFY. Loopback
# only; stops only what it started (by pid). Needs root (the Postfix).
# Usage: alerts.sh RUACTL SOURCE_DIR PG_DIR
set -u
# shellcheck source=tests/ruactl/lib.sh
. "$(dirname "$0")/../ruactl/lib.sh"
[ "$(id -u)" = 0 ] || { echo "alerts.sh: needs root (the private Postfix); skipped"; exit 77; }
# shellcheck source=tests/e2e/lib.sh
. "$SRC/tests/e2e/lib.sh"
SENDMAIL=$(rua_postfix_cmd sendmail) || exit 1
PFBASE=$WORK/postfix
RECEIVER_PID=""
FOLLOW_PID=""
# shellcheck disable=SC2317 # run by the EXIT trap
stop_all() {
  [ -z "$FOLLOW_PID" ] || { kill "$FOLLOW_PID" 2>/dev/null; wait "$FOLLOW_PID" 2>/dev/null; }
  [ -z "$RECEIVER_PID" ] || { kill "$RECEIVER_PID" 2>/dev/null; wait "$RECEIVER_PID" 2>/dev/null; }
  [ ! -f "$PFBASE/etc/main.cf" ] || sh "$SRC/tests/e2e/postfix-down.sh" "$PFBASE" >/dev/null 2>&1
  cleanup
}
trap stop_all EXIT
# Postfix's daemons and its virtual agent (uid 65534) walk into $WORK.
chmod 0755 "$WORK"

# wait_for WHAT COMMAND...: runs COMMAND every 0.1 s until it succeeds, at
# most 30 s; fails the test when it never does.
wait_for() {
  _what=$1
  shift
  _i=0
  until "$@"; do
    _i=$((_i + 1))
    if [ "$_i" -gt 300 ]; then
      check "$_what" "reached" "timed out"
      return 1
    fi
    sleep 0.1
  done
}

hook_lines() { if [ -f "$WORK/hooks.log" ]; then wc -l <"$WORK/hooks.log" | tr -d ' '; else echo 0; fi; }
mail_files() { find "$PFBASE/mail/alerts.example/ops/new" -type f 2>/dev/null | wc -l | tr -d ' '; }

scratch_db
D=$WORK/data
mkdir -p "$D"
python3 "$SRC/tests/e2e/make_alerts_data.py" "$D"
"$RUACTL" account add acme >/dev/null
"$RUACTL" rua add dmarc@acme.example --account acme --domain acme.example >/dev/null
"$RUACTL" account add other >/dev/null
"$RUACTL" rua add dmarc@other.example --account other --domain other.example >/dev/null

printf 'alerts-test-secret-%s\n' "$$" >"$WORK/secret"
chmod 0600 "$WORK/secret"
python3 "$SRC/tests/e2e/webhook_receiver.py" "$WORK/port" "$WORK/secret" "$WORK/hooks.log" \
  --fail-first 1 &
RECEIVER_PID=$!
wait_for "the webhook receiver listens" test -s "$WORK/port" || finish
HOOK="http://127.0.0.1:$(cat "$WORK/port")/hook"
PORTS=$(rua_free_ports 2625) || finish
sh "$SRC/tests/e2e/postfix-up.sh" "$PFBASE" "${PORTS% *}" "${PORTS#* }" "alerts.example" "ops@alerts.example" >/dev/null ||
  { check "the private Postfix starts" "0" "1"; finish; }

# The rules. Webhook everywhere but compliance, which mails.
add() {
  "$RUACTL" alert add --account "$@" | sed -n 's/^alert rule \([0-9]*\) added$/\1/p'
}
W="--webhook $HOOK --secret-file $WORK/secret"
# shellcheck disable=SC2086
{
  R_NEW=$(add acme new-source --min-messages 10 $W)
  R_COMP=$(add acme compliance --domain acme.example --below 90 --drop 20 --mail ops@alerts.example)
  R_SILENT_B=$(add acme silent-reporter --domain acme.example --reporter "Reporter B" --days 2 $W)
  R_SILENT_A=$(add acme silent-reporter --domain acme.example --reporter "Reporter A" --days 2 $W)
  R_CONFLICT=$(add acme conflict $W)
  R_TLS=$(add acme tls-failures --min-failed 100 --above 5 $W)
  R_BURST=$(add acme failure-burst --count 3 --hours 1 $W)
  R_OTHER=$(add other new-source --min-messages 10 $W)
}
check "eight rules" "1 2 3 4 5 6 7 8" \
  "$R_NEW $R_COMP $R_SILENT_B $R_SILENT_A $R_CONFLICT $R_TLS $R_BURST $R_OTHER"
check "alert list --account other" "8 other new-source (all) failing messages >= 10 webhook" \
  "$("$RUACTL" alert list --account other | sed -n 2p | tr -s ' ' | sed 's/^ //' | cut -d' ' -f1-9)"
check "a kind's foreign option is a usage error" "2" \
  "$("$RUACTL" alert add --account acme conflict --below 5 --mail a@b.example >/dev/null 2>&1; echo $?)"
check "a rule without delivery is a usage error" "2" \
  "$("$RUACTL" alert add --account acme conflict >/dev/null 2>&1; echo $?)"

# The reports: each storing transaction writes one outbox row.
imp() { "$RUACTL" import --jobs 1 "$@" >/dev/null 2>&1; }
imp --rua dmarc@acme.example "$D/base.xml"
imp --rua dmarc@acme.example "$D/recent.xml"
imp --rua dmarc@acme.example "$D/conflict.xml"
imp --rua dmarc@acme.example "$D/tls.json" "$D/failure-1.eml" "$D/failure-2.eml" "$D/failure-3.eml"
imp --rua dmarc@other.example "$D/other.xml"
check "one conflict stored" "1" "$(sql "SELECT count(*) FROM report_conflict")"
check "the outbox: one row per stored report, TLS report, failure report, conflict" \
  "aggregate_report 3|failure_report 3|report_conflict 1|tlsrpt_report 1" \
  "$(sql "SELECT string_agg(source || ' ' || n, '|' ORDER BY source) FROM (SELECT source, count(*) AS n FROM alert_outbox GROUP BY source) s")"

MAILCMD="$SENDMAIL -C $PFBASE/etc -t -i"
run() {
  "$RUACTL" alerts run --mail-command "$MAILCMD" --mail-from alerts@rua-test.localdomain \
    --backoff 1s 2>&1 | tail -n 1
}
check "first run: every kind raised once, all delivered" \
  "alerts: 7 raised, 7 delivered, 0 not delivered" "$(run)"
check "the outbox is empty" "0" "$(sql "SELECT count(*) FROM alert_outbox")"
CONFLICT_ID=$(sql "SELECT id FROM report_conflict")
check "the events, exactly" \
  "$R_NEW new-source acme.example new-source:acme.example:203.0.113.9|$R_COMP compliance acme.example compliance:acme.example|$R_SILENT_B silent-reporter acme.example silent-reporter:reporter b:acme.example|$R_CONFLICT conflict acme.example conflict:$CONFLICT_ID|$R_TLS tls-failures acme.example tls-failures:acme.example|$R_BURST failure-burst acme.example failure-burst:acme.example|$R_OTHER new-source other.example new-source:other.example:203.0.113.50" \
  "$(sql "SELECT string_agg(rule_id || ' ' || kind || ' ' || domain || ' ' || key, '|' ORDER BY id) FROM alert_event")"
check "not fired: Reporter A reported, 198.51.100.7 was seen, 203.0.113.10 sent 5" "0" \
  "$(sql "SELECT count(*) FROM alert_event WHERE rule_id = $R_SILENT_A OR key LIKE '%198.51.100.7' OR key LIKE '%203.0.113.10'")"
check "acme's rules never see other's domain" "0" \
  "$(sql "SELECT count(*) FROM alert_event e JOIN account a ON a.id = e.account_id WHERE a.name = 'acme' AND e.domain = 'other.example'")"
check "payloads" \
  "30|47.6 95.2|alerts-recent|150 900 14.3|3" \
  "$(sql "SELECT string_agg(v, '|' ORDER BY id) FROM (SELECT id, CASE kind
            WHEN 'new-source' THEN payload->>'failing_messages'
            WHEN 'compliance' THEN (payload->>'compliance') || ' ' || (payload->>'baseline')
            WHEN 'tls-failures' THEN (payload->>'failed') || ' ' || (payload->>'successful') || ' ' || (payload->>'failure_percent')
            WHEN 'failure-burst' THEN payload->>'failure_reports'
            WHEN 'conflict' THEN payload->'report_key'->>'report_id' END AS v
          FROM alert_event WHERE rule_id IN ($R_NEW, $R_COMP, $R_TLS, $R_BURST, $R_CONFLICT)
            AND domain = 'acme.example') s")"
check "attempts (the first webhook got a 500, then a 200); all delivered, no error" \
  "2,1,1,1,1,1,1|7|0" \
  "$(sql "SELECT string_agg(attempts::text, ',' ORDER BY id), count(delivered_at), count(last_error) FROM alert_event")"

# The webhook receiver's view: 7 requests for the 6 webhook events, every
# signature right, the first answered 500 and sent again.
WEBHOOK_IDS=$(sql "SELECT string_agg(id::text, ',' ORDER BY id) FROM alert_event WHERE kind <> 'compliance'")
check "webhook requests" "7" "$(hook_lines)"
check "webhook: statuses, signatures, content type, event ids" \
  "500,200,200,200,200,200,200|True|application/json|$(sql "SELECT min(id) FROM alert_event")," \
  "$(python3 - "$WORK/hooks.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
print(",".join(str(l["status"]) for l in lines) + "|" + str(all(l["sig_ok"] for l in lines)) + "|"
      + ",".join(sorted({l["content_type"] for l in lines})) + "|" + str(lines[0]["body"]["event_id"]) + ",")
PY
)"
check "webhook: each event posted once after the retry" "$WEBHOOK_IDS" \
  "$(python3 -c 'import json,sys; print(",".join(str(i) for i in sorted({json.loads(l)["body"]["event_id"] for l in open(sys.argv[1])})))' "$WORK/hooks.log")"
check "webhook: a body in full" \
  "acme|tls-failures|acme.example|tls-failures:acme.example|$R_TLS|150|900" \
  "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    b = json.loads(l)["body"]
    if b["kind"] == "tls-failures":
        print("|".join(str(x) for x in (b["account"], b["kind"], b["domain"], b["key"], b["rule_id"], b["details"]["failed"], b["details"]["successful"])))' "$WORK/hooks.log")"

# The e-mail: in the private Postfix's Maildir.
# shellcheck disable=SC2317 # run by wait_for
mail_arrived() { [ "$(mail_files)" = 1 ]; }
wait_for "the compliance alert arrives by mail" mail_arrived
MAILFILE=$(find "$PFBASE/mail/alerts.example/ops/new" -type f | head -n 1)
check "the mail's headers and body" \
  "alerts@rua-test.localdomain|ops@alerts.example|[rua-milter] compliance alert for acme.example|auto-generated|True" \
  "$(python3 - "$MAILFILE" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
body = m.get_content()
print("|".join([m["From"], m["To"], m["Subject"], m["Auto-Submitted"], str('"compliance": 47.6' in body)]))
PY
)"

# Deduplication: a second run within the cooldown sends nothing.
check "second run: nothing new" "alerts: 0 raised, 0 delivered, 0 not delivered" "$(run)"
check "no more webhook requests" "7" "$(hook_lines)"
check "no more mail" "1" "$(mail_files)"
imp --rua dmarc@acme.example "$D/failure-4.eml"
check "a fourth failure report within the cooldown raises nothing" \
  "alerts: 0 raised, 0 delivered, 0 not delivered" "$(run)"
# Past the cooldown (the events made two days older): the burst is raised
# again, the new source is not (raised once, ever).
sql "UPDATE alert_event SET created_at = created_at - interval '2 days' WHERE kind IN ('failure-burst', 'new-source')" >/dev/null
check "past the cooldown: the burst again, the new source not" \
  "alerts: 1 raised, 1 delivered, 0 not delivered" "$(run)"
check "the new burst event" "failure-burst 4" \
  "$(sql "SELECT kind || ' ' || (payload->>'failure_reports') FROM alert_event ORDER BY id DESC LIMIT 1")"
check "alerts list --account other" "1" \
  "$("$RUACTL" alerts list --account other | tail -n +2 | wc -l | tr -d ' ')"
check "alerts list --since 1d hides the three aged events" "5" \
  "$("$RUACTL" alerts list --since 1d | tail -n +2 | wc -l | tr -d ' ')"

# A removed rule: its events stay, listed without a rule.
"$RUACTL" alert remove "$R_SILENT_A" >/dev/null
check "alert remove of an unknown rule exits 1" "1" \
  "$("$RUACTL" alert remove 999 >/dev/null 2>&1; echo $?)"

# --follow: the worker waits on LISTEN; a stored report's NOTIFY wakes it
# well before its one-minute interval.
"$RUACTL" alerts run --follow --interval 1m --mail-command "$MAILCMD" --backoff 1s \
  >"$WORK/follow.log" 2>&1 &
FOLLOW_PID=$!
wait_for "the worker is waiting" grep -q "waiting for notifications" "$WORK/follow.log"
BEFORE=$(hook_lines)
imp --rua dmarc@acme.example "$D/late.xml"
# shellcheck disable=SC2317 # run by wait_for
hooks_grew() { [ "$(hook_lines)" -gt "$BEFORE" ]; }
wait_for "the NOTIFY wakes the worker" hooks_grew
check "the follow worker posted the new source" "new-source:acme.example:203.0.113.77" \
  "$(tail -n 1 "$WORK/hooks.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["body"]["key"])')"
kill "$FOLLOW_PID"
wait "$FOLLOW_PID"
check "the follow worker stops on SIGTERM with status 0" "0" "$?"
FOLLOW_PID=""

# A webhook that refuses connections: tried --tries times, recorded, exit 1.
R_DOWN=$(add other compliance --below 100 --webhook http://127.0.0.1:1/hook --secret-file "$WORK/secret")
OUT=$("$RUACTL" alerts run --tries 2 --backoff 1s 2>&1)
check "an undeliverable alert: exit 1" "1" "$?"
check "an undeliverable alert: the summary line" "alerts: 1 raised, 0 delivered, 1 not delivered" \
  "$(echo "$OUT" | tail -n 1)"
check "an undeliverable alert: attempts and error recorded, not delivered" \
  "2|webhook: Couldn't connect to server|true" \
  "$(sql "SELECT attempts || '|' || last_error || '|' || (delivered_at IS NULL) FROM alert_event WHERE rule_id = $R_DOWN")"
finish
