#!/bin/sh
# Enrichment figures (issue 11), in one run on loopback: a private PostgreSQL
# (tests/pg/start.sh) and a private dnsmasq serving PTR and AAAA records for
# N addresses of 2001:db8::/32 (forward-confirmed names under example.org).
#  1. throughput: N new source addresses imported, then one `ruactl enrich`;
#     addresses/s, and DNS queries per address (ours and dnsmasq's count);
#  2. the table cache: new reports whose addresses are 90 % known; the share
#     of their distinct addresses not queued again (answered from source_host
#     within its TTL);
#  3. the resolver's cache: one `ruactl enrich --follow` process, two rounds
#     of the same addresses (their rows expired and queued by hand before
#     each, as a short MaxTTL would); the share of the second round's queries
#     that dnsmasq never saw (answered from libunbound's cache).
# A measuring script, never a test. Usage (root): run.sh BUILD_DIR [N]
set -eu
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [N]}" && pwd)
N=${2:-2000}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
RUACTL=$BUILD/ruactl/ruactl
[ -x "$RUACTL" ] || { echo "run.sh: no $RUACTL (build the ruactl target)" >&2; exit 1; }
WORK=$BUILD/bench-enrich
rm -rf "$WORK"
mkdir -p "$WORK/r1" "$WORK/r2"
cd "$WORK"
DNSMASQ_PID=""
FOLLOW_PID=""
cleanup() {
  [ -z "$FOLLOW_PID" ] || kill "$FOLLOW_PID" 2>/dev/null || true
  [ -z "$DNSMASQ_PID" ] || kill "$DNSMASQ_PID" 2>/dev/null || true
  "$SRC/tests/pg/stop.sh" "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$SRC/tests/pg/start.sh" "$WORK/pg" >/dev/null
RUA_DATABASE_URL=$(cat "$WORK/pg/url")
RUA_SQL_DIR=$SRC/sql
export RUA_DATABASE_URL RUA_SQL_DIR
"$RUACTL" db migrate >/dev/null
sql() { psql "$RUA_DATABASE_URL" -qAtX -c "$1"; }

# N addresses with a name each (hosts file: PTR and AAAA), N/10 more for
# round 2's new ones; reports of 20 records drawn from them.
python3 - "$N" <<'PY'
import random, sys, time
n = int(sys.argv[1])
rng = random.Random(7)
addr = [f"2001:db8::{i // 65536:x}:{i % 65536:x}" for i in range(1, n + n // 10 + 1)]
with open("hosts", "w") as f:
    for i, a in enumerate(addr):
        f.write(f"{a} mta{i}.mail.example.org\n")
def reports(folder, pool, prefix):
    begin = int(time.time()) // 86400 * 86400 - 86400
    for k in range(0, len(pool), 20):
        recs = "".join(
            f"<record><row><source_ip>{a}</source_ip><count>1</count><policy_evaluated>"
            "<disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated>"
            "</row><identifiers><header_from>example.com</header_from></identifiers>"
            "<auth_results><spf><domain>example.com</domain><result>pass</result></spf>"
            "</auth_results></record>" for a in pool[k:k + 20])
        with open(f"{folder}/{prefix}-{k}.xml", "w") as f:
            f.write('<?xml version="1.0"?>\n<feedback><report_metadata><org_name>B</org_name>'
                    f"<email>d@b.example</email><report_id>{prefix}-{k}</report_id><date_range>"
                    f"<begin>{begin}</begin><end>{begin + 86399}</end></date_range>"
                    "</report_metadata><policy_published><domain>example.com</domain><p>none</p>"
                    f"</policy_published>{recs}</feedback>\n")
first = addr[:n]
reports("r1", first, "r1")
# Round 2: 90 % known addresses (each twice, as reports repeat sources), 10 % new.
known = rng.sample(first, n * 9 // 10)
second = known + known + addr[n:]
rng.shuffle(second)
reports("r2", second, "r2")
PY

PORT=$(python3 -c 'import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", u.getsockname()[1])); print(u.getsockname()[1])')
/usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$WORK/hosts" \
  --listen-address=127.0.0.1 --bind-interfaces --port="$PORT" --pid-file= --user="$(id -un)" \
  --local-ttl=3600 --log-queries --log-facility="$WORK/dnsmasq.log" \
  --local=/8.b.d.0.1.0.0.2.ip6.arpa/ --local=/example.org/ --cache-size=0 &
DNSMASQ_PID=$!
cat >unbound.conf <<'CONF'
server:
  local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." nodefault
CONF
asked() { n=$(grep -c 'query\[' "$WORK/dnsmasq.log" 2>/dev/null) || true; echo "${n:-0}"; }
i=0
until [ -s dnsmasq.log ] && grep -q started dnsmasq.log; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { echo "dnsmasq did not start" >&2; exit 1; }
  sleep 0.1
done

now() { date +%s.%N; }
# ---- 1. throughput -------------------------------------------------------------
# The stored reports' addresses queued, as the worker's first step does (sql/0020).
expand() { sql "SELECT rua_expand_source_pending(1000000)" >/dev/null; }
"$RUACTL" import r1 >/dev/null
expand
queued=$(sql "SELECT count(*) FROM source_queue")
before=$(asked)
t0=$(now)
"$RUACTL" enrich --resolver "127.0.0.1@$PORT" --unbound-config unbound.conf --timeout 3s \
  >enrich1.out 2>enrich1.err
t1=$(now)
upstream=$(($(asked) - before))
ours=$(sed -n 's/.* queries=\([0-9]*\).*/\1/p' enrich1.err | awk '{s += $1} END {print s + 0}')
ok=$(sql "SELECT count(*) FILTER (WHERE status = 'ok' AND ptr_confirmed) || '/' || count(*) FROM source_host")
echo "1. throughput: $queued addresses queued, enriched in $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}') s:" \
  "$(echo "$queued $t0 $t1" | awk '{printf "%.0f", $1 / ($3 - $2)}') addresses/s; confirmed $ok;" \
  "$ours queries ours, $upstream seen by dnsmasq ($(echo "$ours $queued" | awk '{printf "%.2f", $1 / $2}') per address)"

# ---- 2. the table cache --------------------------------------------------------
"$RUACTL" import r2 >/dev/null
expand
distinct=$(sql "SELECT count(DISTINCT r.source_ip) FROM aggregate_record r JOIN aggregate_report a ON a.id = r.report_id AND a.date_begin = r.date_begin WHERE a.report_id LIKE 'r2-%'")
queued=$(sql "SELECT count(*) FROM source_queue")
echo "2. table cache: $distinct distinct addresses in the new reports, $queued queued;" \
  "hit rate $(echo "$distinct $queued" | awk '{printf "%.1f", 100 * ($1 - $2) / $1}') % (expected 90 %: 10 % are new)"
"$RUACTL" enrich --resolver "127.0.0.1@$PORT" --unbound-config unbound.conf --timeout 3s >/dev/null 2>&1

# ---- 3. the resolver's cache ------------------------------------------------------
# Every row expired and queued again, as a short MaxTTL would; twice.
requeue() {
  sql "UPDATE source_host SET expires_at = now() - interval '1 second'" >/dev/null
  sql "INSERT INTO source_queue (ip) SELECT ip FROM source_host ON CONFLICT DO NOTHING" >/dev/null
}
requeue
"$RUACTL" enrich --follow --interval 1s --resolver "127.0.0.1@$PORT" --unbound-config unbound.conf \
  --timeout 3s >follow.out 2>follow.err &
FOLLOW_PID=$!
# Until the --follow worker has taken the queue and written every row back
# (no row still expired), 60 s at most.
drained() {
  i=0
  until [ "$(sql "SELECT (SELECT count(*) FROM source_queue) + (SELECT count(*) FROM source_host WHERE expires_at < now())")" = 0 ]; do
    i=$((i + 1)); [ "$i" -lt 600 ] || { echo "enrich --follow did not drain its queue" >&2; cat follow.err >&2; exit 1; }
    sleep 0.1
  done
  sleep 1 # its round line follows the rows (a measuring script: a pause is fine)
}
drained
before=$(asked)
ours_before=$(sed -n 's/.* queries=\([0-9]*\).*/\1/p' follow.err | awk '{s += $1} END {print s + 0}')
requeue
drained
upstream=$(($(asked) - before))
ours=$(($(sed -n 's/.* queries=\([0-9]*\).*/\1/p' follow.err | awk '{s += $1} END {print s + 0}') - ours_before))
echo "3. resolver cache: the same addresses again in one --follow process: $ours queries ours," \
  "$upstream seen by dnsmasq; hit rate $(echo "$ours $upstream" | awk '{ if ($1 > 0) printf "%.1f", 100 * ($1 - $2) / $1; else print "-" }') %"
