#!/bin/sh
# `ruactl authz records|check` (issue 12, RFC 7489 section 7.1) against a
# real DNS server on loopback: a private dnsmasq (dnsmasq-base) serving the
# customers' DMARC and authorisation records, a forwarder that answers
# SERVFAIL, and a bound UDP socket that never answers (timeout). No query
# leaves the machine: dnsmasq has no upstream server but the failing one, and
# --local makes it answer NXDOMAIN for the rest of its zone. Names are under
# example., not test.: libunbound answers test. itself (NXDOMAIN, RFC 6761).
set -eu
. "$(dirname "$0")/lib.sh"
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ ! -x "$DNSMASQ" ]; then
  echo "FAIL: dnsmasq (Debian dnsmasq-base) is not installed"
  exit 1
fi
scratch_db
cd "$WORK"

# Three free UDP ports: dnsmasq's, the silent socket's and the failing
# server's.
python3 - >ports <<'EOF'
import socket
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
read -r PORT SILENT FAILING <ports
ESC=$(printf '\033')

"$DNSMASQ" --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
  --listen-address=127.0.0.1 --bind-interfaces --port="$PORT" --pid-file="$WORK/dnsmasq.pid" \
  --user="$(id -un)" --log-facility=- --log-queries \
  --local=/example/ --server="/broken.example/127.0.0.1#$FAILING" \
  --txt-record='_dmarc.customer.example,v=DMARC1; p=reject; rua=mailto:dmarc@reports.provider.example; ruf=mailto:ruf@reports.provider.example' \
  --txt-record='customer.example._report._dmarc.reports.provider.example,v=DMARC1' \
  --txt-record='_dmarc.unauthorised.example,v=DMARC1; p=none; rua=mailto:dmarc@reports.provider.example' \
  --txt-record='_dmarc.badversion.example,v=DMARC1; p=none; rua=mailto:dmarc@reports.provider.example' \
  --txt-record='badversion.example._report._dmarc.reports.provider.example,v=DMARC2' \
  --txt-record='_dmarc.elsewhere.example,v=DMARC1; p=none; rua=mailto:d@elsewhere.example' \
  --txt-record="_dmarc.escape.example,v=DMARC1; rua=mailto:x@elsewhere.example; note=${ESC}[31m" \
  >dnsmasq.log 2>&1 &
DNS_PID=$!
# The silent socket reads and never answers; the failing server answers
# every query SERVFAIL. Bounded: both end after 1200 s (ctest's --timeout),
# or when the EXIT trap kills them.
python3 - "$SILENT" "$FAILING" <<'EOF' &
import select, socket, sys, time
silent, failing = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
silent.bind(("127.0.0.1", int(sys.argv[1])))
failing.bind(("127.0.0.1", int(sys.argv[2])))
end = time.monotonic() + 1200
while time.monotonic() < end:
    ready, _, _ = select.select([silent, failing], [], [], 1)
    for s in ready:
        query, peer = s.recvfrom(512)
        if s is failing and len(query) >= 12:
            # Same id and question, QR set, RCODE 2, no records.
            flags = bytes([query[2] | 0x80, 0x82])
            s.sendto(query[:2] + flags + query[4:6] + bytes(6) + query[12:], peer)
EOF
SILENT_PID=$!
trap 'kill $DNS_PID $SILENT_PID 2>/dev/null || true; cleanup' EXIT
# dnsmasq is up when it answers.
tries=0
until python3 - "$PORT" <<'EOF' 2>/dev/null
import socket, sys
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"\x07example\x00\x00\x10\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(q, ("127.0.0.1", int(sys.argv[1]))); s.recv(512)
EOF
do
  tries=$((tries + 1))
  [ "$tries" -lt 50 ] || { echo "FAIL: dnsmasq did not start"; cat dnsmasq.log; exit 1; }
done

"$RUACTL" account add acme >/dev/null
"$RUACTL" account add open >/dev/null
for d in customer.example unauthorised.example badversion.example elsewhere.example provider.example; do
  "$RUACTL" domain add "$d" --account acme >/dev/null
done
"$RUACTL" rua add dmarc@reports.provider.example --account acme >/dev/null
"$RUACTL" rua add ruf@reports.provider.example --account acme >/dev/null
"$RUACTL" rua add any@open.example --account open >/dev/null

run() {
  rc=0
  "$RUACTL" "$@" >out 2>err || rc=$?
}

run authz records --account acme
check "records: exit status" 0 "$rc"
check "records: one line per other organisation's domain, provider.example itself not" \
  "badversion.example._report._dmarc.reports.provider.example. IN TXT \"v=DMARC1\"
customer.example._report._dmarc.reports.provider.example. IN TXT \"v=DMARC1\"
elsewhere.example._report._dmarc.reports.provider.example. IN TXT \"v=DMARC1\"
unauthorised.example._report._dmarc.reports.provider.example. IN TXT \"v=DMARC1\"" "$(cat out)"
check "records: nothing on standard error" "" "$(cat err)"
run authz records --wildcard
check "records --wildcard: one per rua domain" \
  "*._report._dmarc.open.example. IN TXT \"v=DMARC1\"
*._report._dmarc.reports.provider.example. IN TXT \"v=DMARC1\"" "$(cat out)"
check "records: an account listing no domain is named" \
  "ruactl: authz records: any@open.example lists no domain (it accepts reports for any): no record names its customers; use --wildcard or list them with 'ruactl domain add'" \
  "$(cat err)"
run authz records --account nobody
check "records --account with no address: exit 1" 1 "$rc"

R="--resolver 127.0.0.1@$PORT --timeout 3"
# shellcheck disable=SC2086
run authz check customer.example $R
check "check, all published: exit 0" 0 "$rc"
check "check, all published: the record and every finding" \
  "_dmarc.customer.example: v=DMARC1; p=reject; rua=mailto:dmarc@reports.provider.example; ruf=mailto:ruf@reports.provider.example
ok      rua=dmarc@reports.provider.example is registered here (account acme)
ok      customer.example._report._dmarc.reports.provider.example authorises reports.provider.example
ok      ruf=ruf@reports.provider.example is registered here (account acme)" "$(cat out)"
# shellcheck disable=SC2086
run authz check unauthorised.example $R
check "check, no authorisation record: exit 1" 1 "$rc"
check "check, no authorisation record: said" \
  "MISSING no authorisation record: unauthorised.example._report._dmarc.reports.provider.example TXT \"v=DMARC1\" (no such name)" \
  "$(tail -n 1 out)"
# shellcheck disable=SC2086
run authz check badversion.example $R
check "check, wrong version: said" \
  "MISSING badversion.example._report._dmarc.reports.provider.example: wrong version: \"v=DMARC2\" (must begin v=DMARC1)" \
  "$(tail -n 1 out)"
# shellcheck disable=SC2086
run authz check elsewhere.example $R
check "check, rua= not pointing at us: exit 1 and said" \
  "1 MISSING rua= does not point at an address registered here (it names d@elsewhere.example)" \
  "$rc $(tail -n 1 out)"
# shellcheck disable=SC2086
run authz check nodmarc.example $R
check "check, no DMARC record: said" "1 MISSING no DMARC record at _dmarc.nodmarc.example" \
  "$rc $(tail -n 1 out)"
# shellcheck disable=SC2086
run authz check escape.example $R
check "check: DNS text with an escape character printed with '?'" \
  "_dmarc.escape.example: v=DMARC1; rua=mailto:x@elsewhere.example; note=?[31m" "$(head -n 1 out)"
# shellcheck disable=SC2086
run authz check broken.example $R
check "check, server failure: exit 75 and said" "75 FAILED  _dmarc.broken.example: server failure" \
  "$rc $(cat out)"
run authz check customer.example --resolver "127.0.0.1@$SILENT" --timeout 1
check "check, a server that never answers: exit 75 and said" \
  "75 FAILED  _dmarc.customer.example: timed out" "$rc $(cat out)"
run authz check "not a domain" --resolver "127.0.0.1@$PORT"
check "check, not a domain: usage error" "2" "$rc"
run authz check customer.example --timeout 0
check "check, --timeout 0: usage error" "2" "$rc"
[ "$FAILED" = 0 ] || tail -n 40 dnsmasq.log
finish
