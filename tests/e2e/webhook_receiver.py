#!/usr/bin/env python3
"""A webhook receiver for the alerts test: an HTTP server on 127.0.0.1 (a
port the kernel picks, written to PORT_FILE) that checks each POST's
X-Rua-Signature (sha256=HMAC-SHA256 of the body under SECRET_FILE's key) and
appends one JSON line per request to LOG: its number, the status it answered,
whether the signature matched, and the body. Answers 500 to the first
--fail-first requests, 200 afterwards. Never talks to anything but loopback.

  webhook_receiver.py PORT_FILE SECRET_FILE LOG [--fail-first N]
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import threading

parser = argparse.ArgumentParser()
parser.add_argument("port_file")
parser.add_argument("secret_file")
parser.add_argument("log")
parser.add_argument("--fail-first", type=int, default=0)
args = parser.parse_args()
with open(args.secret_file, "rb") as f:
    SECRET = f.read().rstrip(b"\r\n")
lock = threading.Lock()
seen = {"n": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(min(length, 1 << 20))
        want = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Rua-Signature", "")
        with lock:
            seen["n"] += 1
            n = seen["n"]
            status = 500 if n <= args.fail_first else 200
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            entry = {"n": n, "status": status, "sig_ok": hmac.compare_digest(want, got),
                     "content_type": self.headers.get("Content-Type"), "body": parsed}
            with open(args.log, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry, sort_keys=True) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = args.port_file + ".tmp"
with open(tmp, "w", encoding="ascii") as f:
    f.write(str(server.server_address[1]))
os.replace(tmp, args.port_file)
server.serve_forever()
