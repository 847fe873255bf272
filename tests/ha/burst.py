#!/usr/bin/env python3
"""A bounded burst of distinct DMARC aggregate reports over SMTP to several MX
ports at once, as real reporters would send them: every answer is recorded,
every 4xx retried (bounded, small backoff, to the next MX), a 5xx never. After
the K-th 250 it can run a hook (the test's crash and promotion) while the
burst goes on. It never touches a database.

  burst.py --ports P1,P2 --count N --prefix ID --log FILE
           [--threads T] [--records R]
           [--crash-after K --crash-cmd CMD [--promote-cmd CMD]]

The log has one line per attempt: "ID PORT ATTEMPT CODE START END TEXT"
(seconds since the burst began). The last line on stdout is the summary:
"sent=N ok_first=A retried=B ok_final=C failed=D ok_before_crash=E
ok_after_crash=F crash_at=S promote_s=P recovery_s=R elapsed_s=T rate=Q":
crash_at is when the crash command returned (the server is gone), promote_s
how long the promote command took, recovery_s the time from crash_at to the
first 250 of an attempt begun after it.
"""
import argparse
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import make_report  # noqa: E402  (the e2e tests' report maker)

MAX_ATTEMPTS = 60


def one_line(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(text.split())


def build(report_id, args):
    xml, records, _total = make_report.report_xml(
        report_id, args.org, args.domain, args.records, "ha", make_report.BEGIN)
    stem = f"{args.org}!{args.domain}!{make_report.BEGIN}!{make_report.BEGIN + 86399}!{report_id}"
    payload, ctype, filename = make_report.pack(xml, "gz", stem)
    ns = SimpleNamespace(report_id=report_id, domain=args.domain, org=args.org,
                         sender=args.sender, to=args.to)
    return make_report.eml(payload, ctype, filename, ns), records


def send_once(port, data, args):
    """Returns (code, text) of the end-of-data answer, or of the step that
    failed; code 0 when the connection itself failed."""
    try:
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="reporter.example.org", timeout=120)
    except OSError as e:
        return 0, f"connect: {e}"
    try:
        code, text = smtp.ehlo()
        if code == 250:
            code, text = smtp.mail(args.sender)
        if code == 250:
            code, text = smtp.rcpt(args.to)
        if code == 250:
            code, text = smtp.data(data)
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
        return code, one_line(text)
    except smtplib.SMTPDataError as e:
        smtp.close()
        return e.smtp_code, one_line(e.smtp_error)
    except (smtplib.SMTPException, OSError, socket.timeout) as e:
        smtp.close()
        return 0, one_line(str(e))


class Burst:
    def __init__(self, args):
        self.args = args
        self.ports = [int(p) for p in args.ports.split(",")]
        self.lock = threading.Lock()
        self.next = 0
        self.ok = 0
        self.lines = []
        self.final = {}
        self.first = {}
        self.crash_at = None
        self.hook_done = None
        self.hook_rc = None
        self.hook_thread = None
        self.t0 = time.monotonic()

    def now(self):
        return time.monotonic() - self.t0

    def run_hook(self):
        rc = subprocess.call(["sh", "-c", self.args.crash_cmd])
        with self.lock:
            self.crash_at = self.now()
        if rc == 0 and self.args.promote_cmd:
            rc = subprocess.call(["sh", "-c", self.args.promote_cmd])
        with self.lock:
            self.hook_rc = rc
            self.hook_done = self.now()

    def record(self, rid, port, attempt, code, start, end, text):
        with self.lock:
            self.lines.append(f"{rid} {port} {attempt} {code} {start:.3f} {end:.3f} {text}")
            if attempt == 1:
                self.first[rid] = code
            if code // 100 == 2:
                self.ok += 1
                if (self.args.crash_after and self.ok == self.args.crash_after
                        and self.hook_thread is None):
                    self.hook_thread = threading.Thread(target=self.run_hook)
                    self.hook_thread.start()

    def worker(self):
        while True:
            with self.lock:
                i = self.next
                self.next += 1
            if i >= self.args.count:
                return
            rid = f"{self.args.prefix}-{i:05d}"
            data, _records = build(rid, self.args)
            code = 0
            for attempt in range(1, MAX_ATTEMPTS + 1):
                port = self.ports[(i + attempt - 1) % len(self.ports)]
                start = self.now()
                code, text = send_once(port, data, self.args)
                self.record(rid, port, attempt, code, start, self.now(), text)
                if code // 100 == 2 or code // 100 == 5:
                    break
                time.sleep(min(0.05 * (2 ** min(attempt, 5)), 1.0))
            with self.lock:
                self.final[rid] = code

    def run(self):
        threads = [threading.Thread(target=self.worker) for _ in range(self.args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = self.now()
        if self.hook_thread is not None:
            self.hook_thread.join()
        return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--records", type=int, default=3)
    ap.add_argument("--crash-after", type=int, default=0)
    ap.add_argument("--crash-cmd", default="")
    ap.add_argument("--promote-cmd", default="")
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--org", default="reporter.example.org")
    ap.add_argument("--from", dest="sender", default="noreply-dmarc@reporter.example.org")
    ap.add_argument("--to", default="dmarc@example.net")
    args = ap.parse_args()
    if args.crash_after and not args.crash_cmd:
        ap.error("--crash-after needs --crash-cmd")

    burst = Burst(args)
    elapsed = burst.run()
    with open(args.log, "w", encoding="utf-8") as f:
        f.write("\n".join(burst.lines) + "\n")

    ok_first = sum(1 for c in burst.first.values() if c // 100 == 2)
    retried = sum(1 for c in burst.first.values() if c // 100 != 2)
    ok_final = sum(1 for c in burst.final.values() if c // 100 == 2)
    ok_before = ok_after = 0
    recovery = None
    crash = burst.crash_at
    for line in burst.lines:
        _rid, _port, _att, code, start, end, *_ = line.split(" ")
        if int(code) // 100 != 2 or crash is None:
            continue
        if float(end) <= crash:
            ok_before += 1
        elif float(start) > crash:
            ok_after += 1
            rec = float(end) - crash
            recovery = rec if recovery is None else min(recovery, rec)
    if burst.hook_rc not in (None, 0):
        print(f"burst: the crash hook failed with status {burst.hook_rc}", file=sys.stderr)
    fmt = lambda v: "none" if v is None else f"{v:.3f}"  # noqa: E731
    hook = "none" if burst.hook_done is None else f"{burst.hook_done - crash:.3f}"
    print(f"sent={args.count} ok_first={ok_first} retried={retried} ok_final={ok_final} "
          f"failed={args.count - ok_final} ok_before_crash={ok_before} "
          f"ok_after_crash={ok_after} crash_at={fmt(crash)} promote_s={hook} "
          f"recovery_s={fmt(recovery)} elapsed_s={elapsed:.3f} "
          f"rate={args.count / elapsed:.1f}")
    return 0 if burst.hook_rc in (None, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
