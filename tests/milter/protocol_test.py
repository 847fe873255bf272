#!/usr/bin/env python3
"""Protocol test: the real rua-milter daemon spoken to over the milter
protocol (version 6) as an MTA would, against the private PostgreSQL of the
`pg` fixture. Checks negotiation (SMFIP_HDR_LEADSPC), 550 5.1.1 at RCPT, the
message being left alone for other recipients, storing a report with the
rua recipient removed, a duplicate, SIGUSR1 reload and SIGTERM shutdown.
It never leaves the daemon running: the process is killed on any failure.

Usage: protocol_test.py RUA_MILTER RUACTL PG_URL_FILE CORPUS_DIR WORK_DIR
"""
import os
import signal
import socket
import struct
import subprocess
import sys

MILTER, RUACTL, URL_FILE, CORPUS, WORK = sys.argv[1:6]
REPORT = os.path.join(CORPUS, "domainaware+parsedmarc/samples/aggregate/"
                      "Report domain- borschow.com Submitter- google.com "
                      "Report-ID- 949348866075514174.eml")
SMFIP_HDR_LEADSPC = 0x00100000


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
    with open(REPORT, "rb") as f:
        raw = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
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
    url = open(URL_FILE).read().strip()
    subprocess.run([RUACTL, "--database", url, "db", "migrate"], check=True,
                   stdout=subprocess.DEVNULL)
    rua = subprocess.run([RUACTL, "--database", url, "rua", "list"], check=True,
                         capture_output=True, text=True).stdout
    if "proto@example.net" not in rua:
        subprocess.run([RUACTL, "--database", url, "account", "add", "protocol-test"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([RUACTL, "--database", url, "rua", "add", "proto@example.net",
                        "--account", "protocol-test", "--domain", "borschow.com"],
                       check=True, stdout=subprocess.DEVNULL)
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

        # 3. The same report again: duplicate, also discarded.
        replies, early = message_steps(mta, [b"<proto@example.net>"], b"QID3")
        mods, final = mta.end_of_message()
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
    text = log.text()
    with open(os.path.join(WORK, "protocol.log"), "w") as f:
        f.write(text)
    # QID2 was stored now, or by an earlier run of this test (then duplicate).
    for needle in ("QID2: ", "QID3: duplicate rua=proto@example.net org=google.com "
                   "id=949348866075514174", "configuration reloaded from"):
        check(needle in text, f"log lacks {needle!r}:\n{text}")
    print("protocol_test: PASS")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"protocol_test: FAIL: {error}", file=sys.stderr)
        sys.exit(1)
