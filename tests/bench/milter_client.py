"""The MTA's side of the milter protocol (version 6), as much as the
benchmarks need: one message to one recipient, its final reply. Shaped after
the client in tests/milter/memory_test.py. Measures nothing and never starts
or stops a daemon: tests/bench/bench.py does that.
"""
import socket
import struct

# Replies that modify the message or report progress, not the verdict.
K_MODIFICATIONS = (b"h", b"-", b"+", b"m", b"i", b"e", b"b", b"p")
K_CHUNK = 65535


class ProtocolError(Exception):
    pass


class Mta:
    def __init__(self, path, timeout=600):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.send(b"O", struct.pack("!III", 6, 0x1FF, 0x1FFFFF))
        command, _ = self.read()
        if command != b"O":
            raise ProtocolError(f"negotiation answered {command!r}")

    def send(self, command, data=b""):
        self.sock.sendall(struct.pack("!I", len(data) + 1) + command + data)

    def read(self):
        (length,) = struct.unpack("!I", self.exact(4))
        body = self.exact(length)
        return body[:1], body[1:]

    def exact(self, size):
        chunks = []
        left = size
        while left > 0:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise ProtocolError("the milter closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def step(self, command, data=b""):
        self.send(command, data)
        return self.read()

    def deliver(self, queue_id, sender, rcpt, raw):
        """One message (CRLF line ends) through to its end of message; returns
        the first reply that is not "continue" (command, data)."""
        macro = b"i\0" + queue_id + b"\0"
        self.send(b"D", b"M" + macro)
        reply = self.step(b"M", f"<{sender}>\0".encode())
        if reply[0] != b"c":
            return reply
        self.send(b"D", b"R" + macro)
        reply = self.step(b"R", f"<{rcpt}>\0".encode())
        if reply[0] != b"c":
            return reply
        self.send(b"D", b"T" + macro)
        reply = self.step(b"T")
        if reply[0] != b"c":
            return reply
        head, body = raw.split(b"\r\n\r\n", 1)
        # Folded header lines belong to the field before them.
        fields = []
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += b"\r\n" + line
            else:
                fields.append(line)
        for field in fields:
            name, value = field.split(b":", 1)
            reply = self.step(b"L", name + b"\0" + value.lstrip(b" ") + b"\0")
            if reply[0] != b"c":
                return reply
        reply = self.step(b"N")
        if reply[0] != b"c":
            return reply
        for at in range(0, len(body), K_CHUNK):
            reply = self.step(b"B", body[at:at + K_CHUNK])
            if reply[0] != b"c":
                return reply
        self.send(b"D", b"E" + macro)
        self.send(b"E")
        while True:
            command, data = self.read()
            if command not in K_MODIFICATIONS:
                return command, data

    def close(self):
        try:
            self.send(b"Q")
        finally:
            self.sock.close()
