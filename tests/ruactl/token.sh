#!/bin/sh
# `ruactl token add|list|revoke` and `ruactl rollup fold` through the command
# line (issue 10): the token printed once and alone on standard output, only
# its sha256 stored, the list without hashes, revocation ending the token's
# sessions, and the usage, unknown-account and unknown-id exit statuses.
set -eu
. "$(dirname "$0")/lib.sh"
scratch_db
cd "$WORK"
"$RUACTL" account add acme >/dev/null
"$RUACTL" account add other >/dev/null

run() {
  rc=0
  "$RUACTL" "$@" >out 2>err || rc=$?
}

run token add --account acme --label grafana
check "add --account: exit status" 0 "$rc"
check "add --account: one line on standard output" 1 "$(wc -l <out)"
check "add --account: the token's form" 1 "$(grep -cE '^rua_[A-Za-z0-9_-]{43}$' out)"
check "add --account: nothing on standard error" "" "$(cat err)"
TOKEN=$(cat out)
check "the stored hash is sha256 of the token" "$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" \
  "$(sql "SELECT encode(hash, 'hex') FROM api_token WHERE id = 1")"
check "the token's text is stored nowhere" 0 \
  "$(sql "SELECT count(*) FROM api_token WHERE position('$TOKEN' IN concat_ws(' ', label, encode(hash, 'escape'))) > 0")"
check "the account token's row" "acme|f|grafana|" \
  "$(sql 'SELECT a.name, t.admin, t.label, t.revoked_at FROM api_token t JOIN account a ON a.id = t.account_id')"

run token add --admin
check "add --admin: exit status" 0 "$rc"
check "add --admin: the token's form" 1 "$(grep -cE '^rua_[A-Za-z0-9_-]{43}$' out)"
check "add --admin: another token" 1 "$([ "$(cat out)" != "$TOKEN" ] && echo 1)"
check "the admin token's row" "|t|" "$(sql 'SELECT account_id, admin, label FROM api_token WHERE id = 2')"
"$RUACTL" token add --account other >/dev/null

run token add --account nosuch
check "add for an unknown account: exit status" 1 "$rc"
check "add for an unknown account: the message" 'ruactl: account "nosuch" does not exist' "$(cat err)"
check "add for an unknown account: nothing on standard output" "" "$(cat out)"
check "add for an unknown account: no row" 3 "$(sql 'SELECT count(*) FROM api_token')"
run token add --account acme --label "$(printf 'a\tb')"
check "a label with a control character: exit status" 1 "$rc"
check "a label with a control character: the message" "ruactl: invalid label: control character" "$(cat err)"
run token add
check "add without --account or --admin: exit status" 2 "$rc"
check "add without --account or --admin: the message" \
  "ruactl: token add: give either --account NAME or --admin (try 'ruactl help token')" "$(cat err)"
run token add --admin --account acme
check "add with both: exit status" 2 "$rc"
check "add with both: nothing on standard output" "" "$(cat out)"

run token list
check "list: exit status" 0 "$rc"
check "list: id, account, label" "ID ACCOUNT LABEL
1 acme grafana
2 (admin) -
3 other -" "$(awk '{ print $1, $2, $3 }' out)"
check "list: no hash" 0 "$(grep -c "$(sql "SELECT encode(hash, 'hex') FROM api_token WHERE id = 1")" out || true)"
run token list --account acme
check "list --account: that account's tokens" "ID ACCOUNT LABEL
1 acme grafana" "$(awk '{ print $1, $2, $3 }' out)"
run token list --account nosuch
check "list for an unknown account: exit status" 1 "$rc"

sql "INSERT INTO web_session (hash, token_id, expires_at) VALUES
     (sha256('s1'), 1, now() + interval '1 day'), (sha256('s2'), 1, now() + interval '1 day'),
     (sha256('s3'), 2, now() + interval '1 day')" >/dev/null
run token revoke 1
check "revoke: exit status" 0 "$rc"
check "revoke: the line" "token 1 revoked" "$(cat out)"
check "revoke: the token's sessions are gone, the others stay" "2|1" \
  "$(sql 'SELECT token_id, count(*) FROM web_session GROUP BY 1')"
check "revoke: revoked_at set on that token only" "true|false" \
  "$(sql "SELECT string_agg((revoked_at IS NOT NULL)::text, '|' ORDER BY id) FROM api_token WHERE id IN (1, 2)")"
run token list --account acme
check "list: the revoked time" 1 "$(grep -cE '^ *1 +acme +grafana +[0-9-]+ [0-9:]+Z +[0-9-]+ [0-9:]+Z$' out)"
run token revoke 1
check "revoke again: exit status" 0 "$rc"
check "revoke again: the line" "token 1 was already revoked" "$(cat out)"
run token revoke 99
check "revoke an unknown id: exit status" 1 "$rc"
check "revoke an unknown id: the message" "ruactl: token 99 does not exist" "$(cat err)"
run token revoke abc
check "revoke abc: exit status" 2 "$rc"
run token revoke
check "revoke without an id: exit status" 2 "$rc"

run rollup fold
check "rollup fold with nothing pending: exit status" 0 "$rc"
check "rollup fold with nothing pending: the line" "folded 0 pending reports" "$(cat out)"
gen_report fold-1 >r.xml
"$RUACTL" import r.xml >/dev/null
sql "SELECT rua_rollup_report(id) FROM aggregate_report" >/dev/null
run rollup fold
check "rollup fold: the line" "folded 1 pending reports" "$(cat out)"
check "rollup fold: the day folded" "2023-11-15|7" "$(sql 'SELECT day, sum(messages) FROM day_domain_folded GROUP BY 1')"
run rollup fold extra
check "rollup fold extra: exit status" 2 "$rc"

check "help page" 1 "$("$RUACTL" help token | grep -c 'ruactl token revoke ID')"
finish
