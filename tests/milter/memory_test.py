#!/usr/bin/env python3
"""MaxInFlightBytes against the real daemon: rua-milter with a 1M budget is
spoken to over the milter protocol (version 6) on two connections at once,
with a scratch database of its own on the private PostgreSQL of the `pg`
fixture (created, migrated and dropped here). Each message is a gzip'd
aggregate report beside 700 KB of text, so one fits and two do not: the
first is buffered whole and held before its end of message, the second
gets "451 4.3.2" while buffering; the first then stores, and once it has
given its bytes back the second, sent again, stores too. Last, a message
held at its end of message by a table lock while SIGTERM arrives still
gets its answer (451 4.3.0 at EomDeadline) before the daemon exits 0.
Checks the replies, the log lines and the rows.

Usage: memory_test.py RUA_MILTER RUACTL PSQL PG_URL_FILE WORK_DIR
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
import time
import urllib.parse

MILTER, RUACTL, PSQL, URL_FILE, WORK = sys.argv[1:6]
SCRATCH_DB = "rua_memory_test"
RUA = "budget@example.net"
POLICY_DOMAIN = "example.com"
FILLER_BYTES = 700 * 1024


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def report_message(report_id):
    """A report mail (CRLF line ends): 700 KB of text and the gzip'd XML."""
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>memory-test.example</org_name>
    <email>noreply@memory-test.example</email>
    <report_id>{report_id}</report_id>
    <date_range><begin>1763683200</begin><end>1763769599</end></date_range>
  </report_metadata>
  <policy_published><domain>{POLICY_DOMAIN}</domain><p>none</p></policy_published>
  <record>
    <row>
      <source_ip>192.0.2.1</source_ip><count>2</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf>
      </policy_evaluated>
    </row>
    <identifiers><header_from>{POLICY_DOMAIN}</header_from></identifiers>
    <auth_results><spf><domain>{POLICY_DOMAIN}</domain><result>pass</result></spf></auth_results>
  </record>
</feedback>
""".encode()
    attachment = base64.encodebytes(gzip.compress(xml, mtime=0)).decode()
    line = "This line only makes the message big enough for the test budget.\n"
    filler = line * (FILLER_BYTES // len(line))
    text = f"""From: <noreply@memory-test.example>
To: <{RUA}>
Subject: Report Domain: {POLICY_DOMAIN} Report-ID: {report_id}
Message-ID: <{report_id}@memory-test.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mem"

--=_mem
Content-Type: text/plain; charset=us-ascii

{filler}
--=_mem
Content-Type: application/gzip; name="{report_id}.xml.gz"
Content-Transfer-Encoding: base64

{attachment}
--=_mem--
"""
    return text.replace("\n", "\r\n").encode()


class Mta:
    """The MTA's side of the milter protocol, as much as this test needs."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.send(b"O", struct.pack("!III", 6, 0x1FF, 0x1FFFFF))
        command, _ = self.read()
        check(command == b"O", f"negotiation answered {command!r}")

    def send(self, command, data=b""):
        self.sock.sendall(struct.pack("!I", len(data) + 1) + command + data)

    def read(self):
        (length,) = struct.unpack("!I", self.exact(4))
        body = self.exact(length)
        return body[:1], body[1:]

    def exact(self, size):
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            check(chunk, "the milter closed the connection")
            data += chunk
        return data

    def step(self, command, data=b""):
        self.send(command, data)
        return self.read()

    def message(self, queue_id, raw):
        """Everything up to the end of message; returns the first reply that
        is not "continue", or None."""
        macro = b"i\0" + queue_id + b"\0"
        self.send(b"D", b"M" + macro)
        check(self.step(b"M", b"<noreply@memory-test.example>\0")[0] == b"c", "MAIL")
        self.send(b"D", b"R" + macro)
        check(self.step(b"R", f"<{RUA}>\0".encode())[0] == b"c", "RCPT")
        self.send(b"D", b"T" + macro)
        reply = self.step(b"T")
        if reply[0] != b"c":
            return reply
        head, body = raw.split(b"\r\n\r\n", 1)
        for line in head.split(b"\r\n"):
            name, value = line.split(b":", 1)
            reply = self.step(b"L", name + b"\0" + value + b"\0")
            if reply[0] != b"c":
                return reply
        reply = self.step(b"N")
        if reply[0] != b"c":
            return reply
        for at in range(0, len(body), 65535):
            reply = self.step(b"B", body[at:at + 65535])
            if reply[0] != b"c":
                return reply
        return None

    def end_of_message(self, queue_id):
        """Returns the final reply, modifications skipped."""
        self.send(b"D", b"E" + b"i\0" + queue_id + b"\0")
        self.send(b"E")
        while True:
            command, data = self.read()
            if command not in (b"h", b"-", b"+", b"m", b"i", b"e", b"b", b"p"):
                return command, data

    def close(self):
        self.send(b"Q")
        self.sock.close()


def psql(url, sql):
    done = subprocess.run([PSQL, "-qAtX", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True)
    check(done.returncode == 0, f"psql {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def with_database(url, name):
    parts = urllib.parse.urlsplit(url)
    query = "?" + parts.query if parts.query else ""
    return f"{parts.scheme}://{parts.netloc}/{name}{query}"


def run(url):
    ruactl = [RUACTL, "--database", url]
    for args in (["db", "migrate"], ["account", "add", "memory-test"],
                 ["rua", "add", RUA, "--account", "memory-test", "--domain", POLICY_DOMAIN]):
        subprocess.run(ruactl + args, check=True, stdout=subprocess.DEVNULL)
    sock = os.path.join(WORK, "milter.sock")
    conf = os.path.join(WORK, "memory.conf")
    with open(conf, "w") as f:
        f.write(f"Socket unix:{sock}\nDatabaseURI {url}\nReportDomains example.net\n"
                "MaxInFlightBytes 1M\nEomDeadline 6\n")
        if os.geteuid() == 0:
            f.write("UserID nobody\n")
    if os.geteuid() == 0:
        os.chown(WORK, 65534, -1)  # nobody may reach the socket's directory
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], stderr=subprocess.PIPE, text=True)
    text = ""
    try:
        # A blocking read of its log, line by line; ctest's TIMEOUT bounds it.
        while "started: socket" not in text:
            line = proc.stderr.readline()
            check(line, "rua-milter exited at start:\n" + text)
            text += line
        first, second = report_message("memory-test-1"), report_message("memory-test-2")
        check(len(first) > 512 * 1024, f"message only {len(first)} bytes")

        a = Mta(sock)
        check(a.message(b"QIDA", first) is None, "the first message was refused early")
        b = Mta(sock)
        reply = b.message(b"QIDB", second)
        check(reply is not None and reply[0] == b"y" and
              reply[1] == b"451 4.3.2 too many reports in progress, try again later\0",
              f"the second message: {reply!r}")
        b.close()
        final = a.end_of_message(b"QIDA")
        check(final[0] == b"d", f"the first message's end: {final!r}")
        a.close()

        c = Mta(sock)
        check(c.message(b"QIDC", second) is None, "the second message, again, refused early")
        final = c.end_of_message(b"QIDC")
        check(final[0] == b"d", f"the second message, again: {final!r}")
        c.close()

        # In flight at the stop: its end of message waits on a locked table.
        lock = subprocess.Popen([PSQL, "-qAtX", "-d", url], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        try:
            # Held while psql waits for more input.
            lock.stdin.write("BEGIN;\nLOCK TABLE aggregate_report;\nSELECT 'locked';\n")
            lock.stdin.flush()
            check(lock.stdout.readline().strip() == "locked", "could not lock aggregate_report")
            d = Mta(sock)
            check(d.message(b"QIDD", report_message("memory-test-3")) is None, "QIDD refused")
            d.send(b"D", b"E" + b"i\0QIDD\0")
            d.send(b"E")
            # Bounded wait until its statement waits on the lock: the end of
            # message is then surely in flight.
            for _ in range(300):
                if psql(url, "SELECT count(*) FROM pg_stat_activity "
                             "WHERE wait_event_type = 'Lock'") != "0":
                    break
                time.sleep(0.1)
            else:
                raise Failure("QIDD's statement never waited on the lock")
            proc.send_signal(signal.SIGTERM)
            command, data = d.read()
            while command in (b"h", b"-", b"+", b"m", b"i", b"e", b"b", b"p"):
                command, data = d.read()
            check(command == b"y" and
                  data == b"451 4.3.0 cannot store the report now, try again later\0",
                  f"the message in flight at the stop: {command!r} {data!r}")
            d.close()
        finally:
            lock.kill()
            lock.wait()
        text += proc.stderr.read()
        proc.wait(timeout=60)
        check(proc.returncode == 0, f"rua-milter exited {proc.returncode} after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(WORK, "milter.log"), "w") as log:
            log.write(text)
    check(re.search(r"^rua-milter: warning: QIDB: tempfail rua=budget@example\.net "
                    r"reason=\"MaxInFlightBytes 1048576 exhausted while buffering, [0-9]+ bytes "
                    r"in flight\"$", text, re.MULTILINE), f"no tempfail line for QIDB:\n{text}")
    for qid in ("QIDA", "QIDC"):
        check(re.search(f"^rua-milter: info: {qid}: stored rua=budget@example.net ", text,
                        re.MULTILINE), f"no stored line for {qid}:\n{text}")
    rows = psql(url, "SELECT string_agg(report_id || ':' || queue_id, ',' ORDER BY report_id) "
                     "FROM aggregate_report")
    check(rows == "memory-test-1:QIDA,memory-test-2:QIDC", f"aggregate_report rows: {rows}")


def main():
    fixture = open(URL_FILE).read().strip()
    admin = with_database(fixture, "postgres")
    url = with_database(fixture, SCRATCH_DB)
    os.makedirs(WORK, exist_ok=True)
    psql(admin, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {SCRATCH_DB}")
    try:
        run(url)
    finally:
        psql(admin, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    print("memory_test: PASS")


if __name__ == "__main__":
    try:
        main()
    except Failure as error:
        print(f"memory_test: FAIL: {error}", file=sys.stderr)
        sys.exit(1)
