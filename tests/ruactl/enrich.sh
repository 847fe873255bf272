#!/bin/sh
# `ruactl enrich`, `provider` and `source` against real parts (issue 11,
# enrichment): a private dnsmasq (dnsmasq-base) on loopback serving PTR, A
# and AAAA test data, REFUSED for a zone it does not serve (the resolver
# library turns that into SERVFAIL), a bound UDP socket that never answers
# (timeouts), and an MMDB file written here and checked with mmdblookup. The
# worker is pointed at them only: no test touches the public DNS.
set -eu
. "$(dirname "$0")/lib.sh"
command -v mmdblookup >/dev/null || { echo "mmdblookup not found (apt-get install mmdb-bin)"; exit 1; }
[ -x /usr/sbin/dnsmasq ] || { echo "/usr/sbin/dnsmasq not found (apt-get install dnsmasq-base)"; exit 1; }
scratch_db
cd "$WORK"
DNSMASQ_PID=""
SILENT_PID=""
# shellcheck disable=SC2317 # called by the EXIT trap
stop_servers() {
  [ -z "$DNSMASQ_PID" ] || kill "$DNSMASQ_PID" 2>/dev/null || true
  [ -z "$SILENT_PID" ] || kill "$SILENT_PID" 2>/dev/null || true
}
trap 'stop_servers; cleanup' EXIT

# free_port: a loopback port free for UDP and TCP now.
free_port() {
  python3 -c 'import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", u.getsockname()[1])); print(u.getsockname()[1])'
}

# dns_rcode PORT NAME TYPE: the rcode of one query (or "none" after 2 s).
dns_rcode() {
  python3 - "$@" <<'PY'
import socket, struct, sys
port, name, qtype = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
q = struct.pack(">HHHHHH", 4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
q += struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(q, ("127.0.0.1", port))
try:
    print(struct.unpack(">H", s.recv(4096)[2:4])[0] & 15)
except socket.timeout:
    print("none")
PY
}

# report ID DAYS_AGO RECORDS: an aggregate report for example.com of one day;
# RECORDS are lines "ip,count,dkim_domain,dkim_result,spf_domain,spf_result"
# (the policy's DKIM and SPF verdicts are the results).
report() {
  begin=$(( $(date +%s) / 86400 * 86400 - $2 * 86400 ))
  printf '<?xml version="1.0"?>\n<feedback><report_metadata><org_name>Reporter E</org_name>'
  printf '<email>dmarc@reporter-e.example</email><report_id>%s</report_id>' "$1"
  printf '<date_range><begin>%s</begin><end>%s</end></date_range></report_metadata>' "$begin" $((begin + 86399))
  printf '<policy_published><domain>example.com</domain><p>none</p></policy_published>'
  echo "$3" | while IFS=, read -r ip count dd dr sd sr; do
    printf '<record><row><source_ip>%s</source_ip><count>%s</count><policy_evaluated>' "$ip" "$count"
    printf '<disposition>none</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated></row>' "$dr" "$sr"
    printf '<identifiers><header_from>example.com</header_from></identifiers><auth_results>'
    printf '<dkim><domain>%s</domain><result>%s</result></dkim>' "$dd" "$dr"
    printf '<spf><domain>%s</domain><result>%s</result></spf></auth_results></record>' "$sd" "$sr"
  done
  printf '</feedback>\n'
}

# ---- the queue ------------------------------------------------------------------
report e-1 1 "192.0.2.1,10,example.com,pass,example.com,pass
192.0.2.2,4,sendgrid.net,pass,example.com,fail
192.0.2.3,3,example.com,fail,example.com,fail
2001:db8::25,2,example.com,pass,example.com,pass
198.51.100.7,1,example.com,fail,eu-west-1.amazonses.com,pass" >e-1.xml
"$RUACTL" import e-1.xml >/dev/null
check "storing the report queued the report for the worker, not its addresses" "aggregate|0" \
  "$(sql "SELECT string_agg(kind, ' '), (SELECT count(*) FROM source_queue) FROM source_pending")"
"$RUACTL" provider load "$SRC/packaging/providers.tsv" >out
check "provider load" "loaded $(grep -c '^[a-z]' "$SRC/packaging/providers.tsv") shipped provider rows from $SRC/packaging/providers.tsv" "$(cat out)"
"$RUACTL" source list example.com >out
check "source list before enrich: queued; DKIM and SPF name providers already" \
  "192.0.2.1 - - queued - no 10 0 - - -|192.0.2.2 - - queued SendGrid no 4 0 - - -|192.0.2.3 - - queued - no 3 3 - - -|2001:db8::25 - - queued - no 2 0 - - -|198.51.100.7 - - queued Amazon SES no 1 0 - - -" \
  "$(tail -n +2 out | tr -s ' ' | sed 's/ $//' | paste -sd '|')"

# ---- real parts: dnsmasq, a silent socket, an MMDB ------------------------------
PORT=$(free_port)
SILENT=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(600)' "$SILENT" &
SILENT_PID=$!
/usr/sbin/dnsmasq --keep-in-foreground --no-resolv --no-hosts \
  --listen-address=127.0.0.1 --bind-interfaces --port="$PORT" --pid-file= --user="$(id -un)" \
  --local-ttl=7200 --log-queries --log-facility="$WORK/dnsmasq.log" \
  --local=/2.0.192.in-addr.arpa/ --local=/8.b.d.0.1.0.0.2.ip6.arpa/ \
  --local=/google.com/ --local=/sendgrid.net/ --local=/example.org/ \
  --ptr-record=1.2.0.192.in-addr.arpa,mail-a1.google.com \
  --host-record=mail-a1.google.com,192.0.2.1 \
  --ptr-record=2.2.0.192.in-addr.arpa,forged.sendgrid.net \
  --host-record=forged.sendgrid.net,192.0.2.99 \
  --ptr-record=5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa,mx.example.org \
  --host-record=mx.example.org,2001:db8::25 &
DNSMASQ_PID=$!
# Ready when it answers (bounded: 50 tries of up to 2 s).
i=0
until [ "$(dns_rcode "$PORT" 1.2.0.192.in-addr.arpa 12)" = 0 ]; do
  i=$((i + 1)); [ "$i" -lt 50 ] || { echo "dnsmasq did not answer"; exit 1; }
done
check "dnsmasq: NXDOMAIN for an address without PTR" 3 "$(dns_rcode "$PORT" 3.2.0.192.in-addr.arpa 12)"
check "dnsmasq: REFUSED for a zone it does not serve" 5 "$(dns_rcode "$PORT" 7.100.51.198.in-addr.arpa 12)"
check "the silent socket never answers" none "$(dns_rcode "$SILENT" 1.2.0.192.in-addr.arpa 12)"

python3 "$SRC/tests/ruactl/write_mmdb.py" test.mmdb
check "mmdblookup reads the MMDB: ASN of 192.0.2.77" "64496 <uint32>" \
  "$(mmdblookup --file test.mmdb --ip 192.0.2.77 autonomous_system_number | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
check "mmdblookup reads the MMDB: country of 198.51.100.7" '"de" <utf8_string>' \
  "$(mmdblookup --file test.mmdb --ip 198.51.100.7 country iso_code | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
rc=0; mmdblookup --file test.mmdb --ip 198.51.100.200 >/dev/null 2>&1 || rc=$?
check "mmdblookup: 198.51.100.200 is not in it" 6 "$rc"

# The documentation networks are local zones of the resolver library by
# default (RFC 6303: answered NXDOMAIN without asking): let it ask dnsmasq.
cat >unbound.conf <<'CONF'
server:
  local-zone: "2.0.192.in-addr.arpa." nodefault
  local-zone: "100.51.198.in-addr.arpa." nodefault
  local-zone: "113.0.203.in-addr.arpa." nodefault
  local-zone: "8.b.d.0.1.0.0.2.ip6.arpa." nodefault
CONF

# ---- enrich ----------------------------------------------------------------------
rc=0
"$RUACTL" enrich --resolver "127.0.0.1@$PORT" --unbound-config unbound.conf --mmdb test.mmdb \
  --timeout 3s --concurrency 2 >out 2>err || rc=$?
check "enrich: exit status" 0 "$rc"
check "enrich: its figures" \
  "queued the new addresses of 1 report; enriched 5 addresses: 3 with a PTR (2 confirmed), 1 nxdomain, 1 servfail, 0 timeout, 4 with an ASN; 8 DNS queries, " \
  "$(sed 's/[0-9]* ms$//' out)"
check "enrich: one round line on standard error, no MMDB warning" \
  "enrich: reports=1 taken=5 ok=3 confirmed=2 nxdomain=1 servfail=1 timeout=0 asn=4 queries=8" \
  "$(sed 's/ ms=[0-9]*$//' err)"
check "source_host rows" \
  "192.0.2.1|mail-a1.google.com|true|google.com|Google|mailbox|ok|64496|Example\033[31m Net|NL
192.0.2.2|forged.sendgrid.net|false|sendgrid.net|||ok|64496|Example\033[31m Net|NL
192.0.2.3||||||nxdomain|64496|Example\033[31m Net|NL
198.51.100.7||||||servfail|64511|Documentation Ltd|DE
2001:db8::25|mx.example.org|true|example.org|||ok|||" \
  "$(sql "SELECT concat_ws('|', host(ip), coalesce(ptr, ''), coalesce(ptr_confirmed::text, ''), coalesce(base_domain, ''), coalesce(provider, ''), coalesce(provider_type, ''), status, coalesce(asn::text, ''), coalesce(replace(as_name, chr(27), '\\033'), ''), coalesce(country, '')) FROM source_host ORDER BY ip")"
check "the queues are empty" "0|0" \
  "$(sql 'SELECT (SELECT count(*) FROM source_queue), (SELECT count(*) FROM source_pending)')"
check "a PTR answer is kept for its TTL (7200 s from dnsmasq)" "t|t" \
  "$(sql "SELECT bool_and(expires_at - resolved_at BETWEEN interval '7190 s' AND interval '7200 s'), true FROM source_host WHERE status = 'ok'")"
# dnsmasq's NXDOMAIN carries no SOA, so the negative TTL is the resolver
# library's own; what matters is that it is kept within the TTL bounds, not
# retried as a failure is.
check "an NXDOMAIN is cached too, within the TTL bounds (1 h to 7 days)" "t" \
  "$(sql "SELECT expires_at - resolved_at BETWEEN interval '1 hour' AND interval '7 days' FROM source_host WHERE status = 'nxdomain'")"
check "a SERVFAIL is retried after 900 s" "00:15:00" \
  "$(sql "SELECT expires_at - resolved_at FROM source_host WHERE status = 'servfail'")"
check "dnsmasq was asked, the forward lookups included" "yes" \
  "$(grep -q 'query\[A\] mail-a1.google.com' dnsmasq.log && grep -q 'query\[AAAA\] mx.example.org' dnsmasq.log && echo yes)"

# ---- timeouts: the worker pointed at the silent socket --------------------------
report e-2 1 "203.0.113.9,6,example.com,fail,example.com,fail
192.0.2.1,1,example.com,pass,example.com,pass" >e-2.xml
"$RUACTL" import e-2.xml >/dev/null
check "rua_expand_source_pending takes the one pending report" 1 \
  "$(sql "SELECT rua_expand_source_pending(10)")"
check "a resolved, unexpired address is not queued again" "203.0.113.9" \
  "$(sql "SELECT string_agg(host(ip), ' ') FROM source_queue")"
rc=0
"$RUACTL" enrich --resolver "127.0.0.1@$SILENT" --unbound-config unbound.conf --timeout 1s \
  >out 2>err || rc=$?
check "enrich (silent resolver): exit status" 0 "$rc"
check "enrich without --mmdb says so once, then the round" \
  "enrich: no MMDB file given (--mmdb): ASN, AS name and country are off|enrich: reports=0 taken=1 ok=0 confirmed=0 nxdomain=0 servfail=0 timeout=1 asn=0 queries=1" \
  "$(sed 's/ ms=[0-9]*$//' err | paste -sd '|')"
check "the timeout row" "203.0.113.9|||timeout|00:15:00" \
  "$(sql "SELECT concat_ws('|', host(ip), coalesce(ptr, ''), coalesce(ptr_confirmed::text, ''), status, expires_at - resolved_at) FROM source_host WHERE ip = '203.0.113.9'")"

# ---- providers and approvals -------------------------------------------------------
check "the shipped map was loaded by enrich" "t" \
  "$(sql "SELECT count(*) >= 90 FROM provider_map WHERE origin = 'shipped'")"
"$RUACTL" provider add ptr example.org "Example Org Mail" mailbox >out
check "provider add" "ptr example.org is Example Org Mail (mailbox)" "$(cat out)"
"$RUACTL" source approve example.com google >out
check "source approve by provider" "example.com: google approved" "$(cat out)"
"$RUACTL" source approve example.com 198.51.100.0/24 >out
check "source approve by network" "example.com: 198.51.100.0/24 approved" "$(cat out)"
"$RUACTL" source approve example.com google >out
check "source approve again" "example.com: google was already approved" "$(cat out)"
"$RUACTL" source list example.com >out
check "source list: header" \
  "SOURCE PTR CONFIRMED STATUS PROVIDER APPROVED MESSAGES FAILING ASN AS NAME COUNTRY" \
  "$(head -n 1 out | tr -s ' ')"
check "source list: rows, sender text escaped" \
  "192.0.2.1 mail-a1.google.com yes ok Google yes 11 0 64496 Example?[31m Net NL|203.0.113.9 - - timeout - no 6 6 - - -|192.0.2.2 forged.sendgrid.net no ok SendGrid no 4 0 64496 Example?[31m Net NL|192.0.2.3 - - nxdomain - no 3 3 64496 Example?[31m Net NL|2001:db8::25 mx.example.org yes ok Example Org Mail no 2 0 - - -|198.51.100.7 - - servfail Amazon SES yes 1 0 64511 Documentation Ltd DE" \
  "$(tail -n +2 out | tr -s ' ' | sed 's/ $//' | paste -sd '|')"
"$RUACTL" source unapprove example.com Google >out
check "source unapprove" "example.com: Google no longer approved" "$(cat out)"
"$RUACTL" provider remove ptr example.org >out
check "provider remove" "ptr example.org: operator row removed" "$(cat out)"

# ---- errors ------------------------------------------------------------------------
rc=0; "$RUACTL" enrich --timeout 0s >out 2>err || rc=$?
check "enrich --timeout 0s: usage error" 2 "$rc"
rc=0; "$RUACTL" enrich --resolver "127.0.0.1@$PORT" --mmdb missing.mmdb >out 2>err || rc=$?
check "enrich --mmdb missing: a setup that cannot work (EX_CONFIG)" 78 "$rc"
check_prefix "enrich --mmdb missing: the reason" "ruactl: enrich: MMDB missing.mmdb: " "$(cat err)"
rc=0; "$RUACTL" provider add mx example.org X esp >out 2>err || rc=$?
check "provider add mx: usage error" 2 "$rc"
printf 'ptr\texample.org\tX\n' >bad.tsv
rc=0; "$RUACTL" provider load bad.tsv >out 2>err || rc=$?
check "provider load of a bad file: exit 1 with FILE:LINE" \
  "1 ruactl: bad.tsv:1: expected 4 tab-separated fields, found 3" "$rc $(cat err)"
rc=0; "$RUACTL" source approve example.com Google --account nobody >out 2>err || rc=$?
check "source approve --account unknown" "1 ruactl: no account \"nobody\"" "$rc $(cat err)"
finish
