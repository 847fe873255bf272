#!/usr/bin/env python3
"""Protocol test: the real rua-milter daemon spoken to over the milter
protocol (version 6) as an MTA would, against a scratch database of its own
on the private PostgreSQL of the `pg` fixture (created, migrated and dropped
here; the fixture's shared `rua` database is never touched). Checks
negotiation (SMFIP_HDR_LEADSPC), 550 5.1.1 at RCPT, the message being left
alone for other recipients, storing a report the test writes itself (gzip'd
XML, base64 in a MIME message) with the rua recipient removed, the same
report again as a duplicate, the rows stored, SIGUSR1 reload and SIGTERM
shutdown. Then the one address normal form (a trailing dot, case and +tag
at RCPT, `ruactl rua add` storing the normal form, a policy domain with a
trailing dot as a duplicate), a mixed envelope (rua plus a local recipient:
the rua removed, the message accepted, not discarded), a message to two
rua addresses of different accounts decided by the set, and a second
daemon on an unmigrated database answering 451 at RCPT (registry not
loaded). It never leaves a daemon running nor a scratch database behind.

Usage: protocol_test.py RUA_MILTER RUACTL PSQL PG_URL_FILE WORK_DIR
"""
import base64
import gzip
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import urllib.parse

MILTER, RUACTL, PSQL, URL_FILE, WORK = sys.argv[1:6]
SMFIP_HDR_LEADSPC = 0x00100000
SCRATCH_DB = "rua_protocol_test"
UNMIGRATED_DB = "rua_protocol_test_unmigrated"

# The report the test sends: its identity and its records (source IP, count,
# DKIM and SPF results as evaluated).
ORG = "protocol-test.example"
REPORT_ID = "rua-protocol-test-1"
REPORT_ID_2 = "rua-protocol-test-2"
REPORT_ID_3 = "rua-protocol-test-3"
POLICY_DOMAIN = "example.com"
OTHER_DOMAIN = "example.org"  # owned by the second account only
RECORDS = [("192.0.2.1", 12, "pass", "pass"),
           ("192.0.2.2", 3, "fail", "pass"),
           ("2001:db8::25", 1, "fail", "fail")]


def report_xml(report_id=REPORT_ID, policy_domain=POLICY_DOMAIN):
    rows = []
    for ip, count, dkim, spf in RECORDS:
        disposition = "none" if "pass" in (dkim, spf) else "reject"
        rows.append(f"""  <record>
    <row>
      <source_ip>{ip}</source_ip>
      <count>{count}</count>
      <policy_evaluated>
        <disposition>{disposition}</disposition>
        <dkim>{dkim}</dkim>
        <spf>{spf}</spf>
      </policy_evaluated>
    </row>
    <identifiers>
      <header_from>{POLICY_DOMAIN}</header_from>
    </identifiers>
    <auth_results>
      <spf>
        <domain>{POLICY_DOMAIN}</domain>
        <result>{spf}</result>
      </spf>
    </auth_results>
  </record>
""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>{ORG}</org_name>
    <email>noreply-dmarc@{ORG}</email>
    <report_id>{report_id}</report_id>
    <date_range>
      <begin>1763683200</begin>
      <end>1763769599</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>{policy_domain}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>reject</sp>
    <pct>100</pct>
  </policy_published>
{"".join(rows)}</feedback>
""".encode()


def report_message(report_id=REPORT_ID, policy_domain=POLICY_DOMAIN):
    """The report e-mail, CRLF line ends: a text part and the gzip'd XML."""
    name = f"{ORG}!{POLICY_DOMAIN}!1763683200!1763769599!{REPORT_ID}.xml.gz"
    attachment = base64.encodebytes(
        gzip.compress(report_xml(report_id, policy_domain), mtime=0)).decode()
    text = f"""From: DMARC Reports <noreply-dmarc@{ORG}>
To: <proto@example.net>
Subject: Report Domain: {POLICY_DOMAIN} Submitter: {ORG}
 Report-ID: {REPORT_ID}
Date: Sat, 22 Nov 2025 06:00:00 +0000
Message-ID: <{REPORT_ID}@{ORG}>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_proto"

--=_proto
Content-Type: text/plain; charset=us-ascii

A DMARC aggregate report for {POLICY_DOMAIN}.

--=_proto
Content-Type: application/gzip; name="{name}"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="{name}"

{attachment}
--=_proto--
"""
    return text.replace("\n", "\r\n").encode()


def database_url(url, name):
    """The fixture's URL with another database name."""
    parts = urllib.parse.urlsplit(url)
    check(parts.scheme in ("postgres", "postgresql") and parts.path.count("/") == 1,
          f"not a libpq URL naming a database: {url}")
    query = "?" + parts.query if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}/{name}{query}"


def psql(url, sql):
    """Runs one statement; returns its rows as lines of |-separated text."""
    done = subprocess.run([PSQL, "-qAtX", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True)
    check(done.returncode == 0, f"psql {sql!r} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def fail(message):
    raise AssertionError(message)


def check(condition, message):
    if not condition:
        fail(message)


class Mta:
    """Just enough of an MTA's side of the milter protocol."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)

    def send(self, command, data=b""):
        self.sock.sendall(struct.pack("!I", len(data) + 1) + command + data)

    def read(self):
        head = self.recv_exact(4)
        (length,) = struct.unpack("!I", head)
        body = self.recv_exact(length)
        return body[:1], body[1:]

    def recv_exact(self, size):
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                fail("milter closed the connection")
            data += chunk
        return data

    def negotiate(self):
        self.send(b"O", struct.pack("!III", 6, 0x1FF, 0x1FFFFF))
        command, data = self.read()
        check(command == b"O", f"negotiation answered {command!r}")
        _, actions, steps = struct.unpack("!III", data[:12])
        return actions, steps

    def step(self, command, data=b""):
        self.send(command, data)
        return self.read()

    def end_of_message(self):
        """Returns (modifications, final reply)."""
        self.send(b"E")
        mods = []
        while True:
            command, data = self.read()
            if command in (b"h", b"-", b"+", b"m", b"i", b"e", b"b", b"p"):
                mods.append((command, data))
                continue
            return mods, (command, data)

    def close(self):
        try:
            self.send(b"Q")
        finally:
            self.sock.close()


def message_steps(mta, recipients, queue_id, report_id=REPORT_ID, policy_domain=POLICY_DOMAIN):
    """MAIL, RCPTs, DATA, headers, EOH, body; returns the RCPT replies and
    the first non-continue reply after RCPT (or None)."""
    check(mta.step(b"M", b"<reporter@google.com>\0")[0] == b"c", "MAIL not continued")
    replies = []
    for rcpt in recipients:
        mta.send(b"D", b"R" + b"i\0" + queue_id + b"\0")
        replies.append(mta.step(b"R", rcpt + b"\0"))
    mta.send(b"D", b"T" + b"i\0" + queue_id + b"\0")
    reply = mta.step(b"T")
    if reply[0] != b"c":
        return replies, reply
    raw = report_message(report_id, policy_domain)
    head, body = raw.split(b"\r\n\r\n", 1)
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += b"\n" + line
        else:
            name, value = line.split(b":", 1)
            fields.append([name, value])
    for name, value in fields:
        reply = mta.step(b"L", name + b"\0" + value + b"\0")
        if reply[0] != b"c":
            return replies, reply
    reply = mta.step(b"N")
    if reply[0] != b"c":
        return replies, reply
    for at in range(0, len(body), 65535):
        reply = mta.step(b"B", body[at:at + 65535])
        if reply[0] != b"c":
            return replies, reply
    mta.send(b"D", b"E" + b"i\0" + queue_id + b"\0")
    return replies, None


def reply_of(reply):
    """(command, text) with the text's terminating NUL removed."""
    return reply[0], reply[1].rstrip(b"\0")


class Log:
    """The daemon's stderr (-f), read line by line as it comes: waiting for
    a line is a blocking read, never a sleep; ctest's TIMEOUT bounds it."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = []

    def wait_for(self, needle):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                fail(f"rua-milter exited before logging {needle!r}:\n" + self.text())
            self.lines.append(line)
            if needle in line:
                return

    def rest(self):
        self.lines.extend(self.proc.stdout.readlines())

    def text(self):
        return "".join(self.lines)


def main():
    fixture_url = open(URL_FILE).read().strip()
    admin_url = database_url(fixture_url, "postgres")
    url = database_url(fixture_url, SCRATCH_DB)
    for name in (SCRATCH_DB, UNMIGRATED_DB):
        psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(admin_url, f"CREATE DATABASE {name}")
    try:
        run_against(url)
        registry_not_loaded(database_url(fixture_url, UNMIGRATED_DB))
    finally:
        for name in (SCRATCH_DB, UNMIGRATED_DB):
            psql(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print("protocol_test: PASS")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(name, port, url):
    os.makedirs(WORK, exist_ok=True)
    conf = os.path.join(WORK, name)
    with open(conf, "w") as f:
        f.write(f"Socket inet:{port}@127.0.0.1\nDatabaseURI {url}\n"
                "ReportDomains example.net\nLogLevel debug\n")
        if os.geteuid() == 0:
            f.write("UserID nobody\n")
    return conf


def registry_not_loaded(url):
    """A daemon whose database is not migrated has no registry: an RCPT at
    a report domain gets 451 4.3.0 (try later, never 550 or a silent
    pass); other recipients pass. Then SIGTERM."""
    port = free_port()
    conf = write_config("unmigrated.conf", port, url)
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    log = Log(proc)
    try:
        log.wait_for("cannot load the rua registry: the database has no rua-milter schema: "
                     "run 'ruactl db migrate'")
        log.wait_for("started: socket")
        mta = Mta(port)
        mta.negotiate()
        check(mta.step(b"C", b"mta.example\0" + b"4" + struct.pack("!H", 25) +
                       b"127.0.0.1\0")[0] == b"c", "CONNECT not continued")
        check(mta.step(b"M", b"<reporter@google.com>\0")[0] == b"c", "MAIL not continued")
        mta.send(b"D", b"R" + b"i\0" + b"QID8\0")
        reply = reply_of(mta.step(b"R", b"<proto@example.net.>\0"))
        check(reply == (b"y", b"451 4.3.0 rua registry not available, try again later"),
              f"RCPT before the registry: {reply!r}")
        reply = mta.step(b"R", b"<alice@example.org>\0")
        check(reply[0] == b"c", f"RCPT elsewhere before the registry: {reply!r}")
        mta.close()
        proc.send_signal(signal.SIGTERM)
        log.rest()
        proc.wait(timeout=30)
        check(proc.returncode == 0, f"rua-milter exited with {proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(WORK, "unmigrated.log"), "w") as f:
            f.write(log.text())
    check("RCPT <proto@example.net>: registry not loaded yet, answering 451" in log.text(),
          f"log lacks the 451 line:\n{log.text()}")


def run_against(url):
    ruactl = [RUACTL, "--database", url]
    subprocess.run(ruactl + ["db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["account", "add", "protocol-test"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["rua", "add", "proto@example.net", "--account", "protocol-test",
                             "--domain", POLICY_DOMAIN], check=True, stdout=subprocess.DEVNULL)
    # The normal form is what ruactl stores: case folded, trailing dot off.
    added = subprocess.run(ruactl + ["rua", "add", "DMARC@Example.NET.", "--account",
                                     "protocol-test"], check=True, capture_output=True, text=True)
    check(added.stdout == 'rua dmarc@example.net added to account "protocol-test"\n',
          f"rua add said {added.stdout!r}")
    check(psql(url, "SELECT address FROM rua_address WHERE address LIKE 'dmarc%'") ==
          "dmarc@example.net", "rua add did not store the normal form")
    # A second account, owning another domain, for the multi-rua message.
    subprocess.run(ruactl + ["account", "add", "other-test"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["rua", "add", "other@example.net", "--account", "other-test",
                             "--domain", OTHER_DOMAIN], check=True, stdout=subprocess.DEVNULL)
    check(psql(url, "SELECT count(*) FROM aggregate_report") == "0",
          "scratch database not empty")
    port = free_port()
    conf = write_config("protocol.conf", port, url)
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    log = Log(proc)
    try:
        # Logged after the socket listens and the registry load was tried.
        log.wait_for("started: socket")
        mta = Mta(port)
        actions, steps = mta.negotiate()
        check(steps & SMFIP_HDR_LEADSPC, "SMFIP_HDR_LEADSPC not requested")
        check(actions & 0x09 == 0x09, f"actions {actions:#x} lack ADDHDRS|DELRCPT")
        check(mta.step(b"C", b"mta.example\0" + b"4" + struct.pack("!H", 25) +
                       b"127.0.0.1\0")[0] == b"c", "CONNECT not continued")

        # 1. Unknown address at a report domain: 550 5.1.1; other passes.
        replies, early = message_steps(
            mta, [b"<nobody@example.net>", b"<alice@example.org>"], b"QID1")
        check(replies[0][0] == b"y" and replies[0][1].startswith(
            b"550 5.1.1 <nobody@example.net>: not a registered"), f"RCPT 1: {replies[0]!r}")
        check(replies[1][0] == b"c", f"RCPT 2: {replies[1]!r}")
        check(early is not None and early[0] == b"a", f"DATA for others: {early!r}")

        # 2. A report: stored, recipient removed, discarded.
        mta.send(b"A")  # abort the previous transaction (MTA's RSET)
        replies, early = message_steps(mta, [b"<Proto@Example.NET>"], b"QID2")
        check(early is None, f"report refused early: {early!r}")
        mods, final = mta.end_of_message()
        check((b"-", b"<Proto@Example.NET>\0") in mods, f"no delrcpt: {mods!r}")
        check(final[0] == b"d", f"report end of message: {final!r}")

        # 3. The same report again: duplicate, also removed and discarded.
        replies, early = message_steps(mta, [b"<proto@example.net>"], b"QID3")
        check(early is None, f"duplicate refused early: {early!r}")
        mods, final = mta.end_of_message()
        check((b"-", b"<proto@example.net>\0") in mods, f"no delrcpt: {mods!r}")
        check(final[0] == b"d", f"duplicate end of message: {final!r}")

        # 4. One normal form at RCPT: a trailing dot is the same address; a
        # +tag is another one (unregistered here: 550 at a report domain).
        replies, early = message_steps(
            mta, [b"<nobody@example.net.>", b"<dmarc+x@example.net>"], b"QID4")
        check(reply_of(replies[0]) == (b"y", b"550 5.1.1 <nobody@example.net>: not a registered "
                                             b"DMARC report address"), f"RCPT nobody.: {replies[0]!r}")
        check(reply_of(replies[1]) == (b"y", b"550 5.1.1 <dmarc+x@example.net>: not a registered "
                                             b"DMARC report address"), f"RCPT +x: {replies[1]!r}")
        check(early is not None and early[0] == b"a", f"DATA without rua: {early!r}")
        mta.send(b"A")

        # 5. A mixed envelope: <dmarc@example.net.> is the rua, alice a local
        # recipient. The report is stored, the rua removed (as given), alice
        # kept, and the message accepted for her, never discarded.
        replies, early = message_steps(
            mta, [b"<dmarc@example.net.>", b"<alice@example.org>"], b"QID5",
            report_id=REPORT_ID_2)
        check(replies == [(b"c", b""), (b"c", b"")], f"mixed RCPTs: {replies!r}")
        check(early is None, f"mixed refused early: {early!r}")
        mods, final = mta.end_of_message()
        deleted = [data for command, data in mods if command == b"-"]
        check(deleted == [b"<dmarc@example.net.>\0"], f"mixed delrcpt: {mods!r}")
        check(final == (b"a", b""), f"mixed end of message: {final!r}")

        # 6. The same report to <DMARC@Example.NET>, its policy domain now
        # "Example.COM.": the same rua, and a duplicate, not a second copy.
        replies, early = message_steps(mta, [b"<DMARC@Example.NET>"], b"QID6",
                                       report_id=REPORT_ID_2, policy_domain="Example.COM.")
        check(early is None, f"upper-case rua refused early: {early!r}")
        mods, final = mta.end_of_message()
        check((b"-", b"<DMARC@Example.NET>\0") in mods, f"no delrcpt: {mods!r}")
        check(final[0] == b"d", f"dotted duplicate end of message: {final!r}")

        # 7. Two rua recipients of different accounts; the report is for the
        # second one's domain: stored (the set decides, not the first).
        replies, early = message_steps(
            mta, [b"<proto@example.net>", b"<other@example.net>"], b"QID7",
            report_id=REPORT_ID_3, policy_domain=OTHER_DOMAIN)
        check(early is None, f"two ruas refused early: {early!r}")
        mods, final = mta.end_of_message()
        deleted = [data for command, data in mods if command == b"-"]
        check(deleted == [b"<proto@example.net>\0", b"<other@example.net>\0"],
              f"two ruas delrcpt: {mods!r}")
        check(final[0] == b"d", f"two ruas end of message: {final!r}")
        mta.close()

        proc.send_signal(signal.SIGUSR1)
        log.wait_for("configuration reloaded from")
        proc.send_signal(signal.SIGTERM)
        log.rest()
        proc.wait(timeout=30)
        check(proc.returncode == 0, f"rua-milter exited with {proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(WORK, "protocol.log"), "w") as f:
            f.write(log.text())
    text = log.text()
    fields = (f"rua=proto@example.net kind=aggregate org={re.escape(ORG)} id={re.escape(REPORT_ID)} "
              f"records={len(RECORDS)} ms=[0-9]+ auth=unknown$")
    for verdict, qid in (("stored", "QID2"), ("duplicate", "QID3")):
        check(re.search(f"{qid}: {verdict} {fields}", text, re.MULTILINE),
              f"log lacks the {verdict} line for {qid}:\n{text}")
    check("configuration reloaded from" in text, f"log lacks the reload:\n{text}")
    for line in (f"QID5: stored rua=dmarc@example.net kind=aggregate org={ORG} "
                 f"id={REPORT_ID_2} ",
                 f"QID6: duplicate rua=dmarc@example.net kind=aggregate org={ORG} "
                 f"id={REPORT_ID_2} ",
                 f"QID7: stored rua=proto@example.net kind=aggregate org={ORG} "
                 f"id={REPORT_ID_3} "):
        check(line in text, f"log lacks {line!r}:\n{text}")

    check(psql(url, "SELECT string_agg(concat_ws(',', report_id, queue_id, rua, domain, "
                    "record_count), ' ' ORDER BY report_id) FROM aggregate_report") ==
          f"{REPORT_ID},QID2,proto@example.net,{POLICY_DOMAIN},{len(RECORDS)} "
          f"{REPORT_ID_2},QID5,dmarc@example.net,{POLICY_DOMAIN},{len(RECORDS)} "
          f"{REPORT_ID_3},QID7,proto@example.net,{OTHER_DOMAIN},{len(RECORDS)}",
          "aggregate_report rows: " + psql(url, "SELECT * FROM aggregate_report"))
    check(psql(url, "SELECT count(*) FROM quarantine") == "0",
          "quarantine rows: " + psql(url, "SELECT * FROM quarantine"))
    check(psql(url, "SELECT count(*), sum(count) FROM aggregate_record") ==
          f"{3 * len(RECORDS)}|{3 * sum(record[1] for record in RECORDS)}",
          "aggregate_record rows: " + psql(url, "SELECT * FROM aggregate_record"))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"protocol_test: FAIL: {error}", file=sys.stderr)
        sys.exit(1)
