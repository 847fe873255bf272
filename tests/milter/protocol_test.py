#!/usr/bin/env python3
"""Protocol test: the real rua-milter daemon spoken to over the milter
protocol (version 6) as an MTA would, against a scratch database of its own
on the private PostgreSQL of the `pg` fixture (created, migrated and dropped
here; the fixture's shared `rua` database is never touched). Checks
negotiation (SMFIP_HDR_LEADSPC), 550 5.1.1 at RCPT, the message being left
alone for other recipients, storing a report the test writes itself (gzip'd
XML, base64 in a MIME message) with the rua recipient removed, the same
report again as a duplicate, the rows stored, SIGUSR1 reload and SIGTERM
shutdown. It never leaves the daemon running nor the scratch database behind.

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

# The report the test sends: its identity and its records (source IP, count,
# DKIM and SPF results as evaluated).
ORG = "protocol-test.example"
REPORT_ID = "rua-protocol-test-1"
POLICY_DOMAIN = "example.com"
RECORDS = [("192.0.2.1", 12, "pass", "pass"),
           ("192.0.2.2", 3, "fail", "pass"),
           ("2001:db8::25", 1, "fail", "fail")]


def report_xml():
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
    <report_id>{REPORT_ID}</report_id>
    <date_range>
      <begin>1763683200</begin>
      <end>1763769599</end>
    </date_range>
  </report_metadata>
  <policy_published>
    <domain>{POLICY_DOMAIN}</domain>
    <adkim>r</adkim>
    <aspf>r</aspf>
    <p>reject</p>
    <sp>reject</sp>
    <pct>100</pct>
  </policy_published>
{"".join(rows)}</feedback>
""".encode()


def report_message():
    """The report e-mail, CRLF line ends: a text part and the gzip'd XML."""
    name = f"{ORG}!{POLICY_DOMAIN}!1763683200!1763769599!{REPORT_ID}.xml.gz"
    attachment = base64.encodebytes(gzip.compress(report_xml(), mtime=0)).decode()
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


def message_steps(mta, recipients, queue_id):
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
    raw = report_message()
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
    psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    psql(admin_url, f"CREATE DATABASE {SCRATCH_DB}")
    try:
        run_against(url)
    finally:
        psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    print("protocol_test: PASS")


def run_against(url):
    ruactl = [RUACTL, "--database", url]
    subprocess.run(ruactl + ["db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["account", "add", "protocol-test"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["rua", "add", "proto@example.net", "--account", "protocol-test",
                             "--domain", POLICY_DOMAIN], check=True, stdout=subprocess.DEVNULL)
    check(psql(url, "SELECT count(*) FROM aggregate_report") == "0",
          "scratch database not empty")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.makedirs(WORK, exist_ok=True)
    conf = os.path.join(WORK, "protocol.conf")
    with open(conf, "w") as f:
        f.write(f"Socket inet:{port}@127.0.0.1\nDatabaseURI {url}\n"
                "ReportDomains example.net\nLogLevel debug\n")
        if os.geteuid() == 0:
            f.write("UserID nobody\n")
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
              f"records={len(RECORDS)} ms=[0-9]+$")
    for verdict, qid in (("stored", "QID2"), ("duplicate", "QID3")):
        check(re.search(f"{qid}: {verdict} {fields}", text, re.MULTILINE),
              f"log lacks the {verdict} line for {qid}:\n{text}")
    check("configuration reloaded from" in text, f"log lacks the reload:\n{text}")

    check(psql(url, "SELECT count(*), min(queue_id), min(rua), min(record_count) "
                    "FROM aggregate_report") == f"1|QID2|proto@example.net|{len(RECORDS)}",
          "aggregate_report rows: " + psql(url, "SELECT * FROM aggregate_report"))
    check(psql(url, "SELECT count(*), sum(count) FROM aggregate_record") ==
          f"{len(RECORDS)}|{sum(record[1] for record in RECORDS)}",
          "aggregate_record rows: " + psql(url, "SELECT * FROM aggregate_record"))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"protocol_test: FAIL: {error}", file=sys.stderr)
        sys.exit(1)
