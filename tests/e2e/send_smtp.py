#!/usr/bin/env python3
"""Sends one e-mail file over SMTP exactly as it is on disk (CRLF expected;
only dot-stuffing is added) and prints one line per SMTP answer that matters:

  rcpt <address> <code> <text>
  data <code> <text>          (the answer at the end of data)

Used by the end-to-end test and the demo. It never retries and never rewrites
headers; exit status is 0 when the SMTP dialogue completed, whatever the codes.

  send_smtp.py HOST PORT FILE --from ADDR --to ADDR [--to ADDR ...]
"""
import argparse
import re
import smtplib
import sys


def one_line(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(text.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("file")
    ap.add_argument("--from", dest="sender", required=True)
    ap.add_argument("--to", action="append", required=True)
    ap.add_argument("--helo", default="reporter.example.org")
    args = ap.parse_args()

    with open(args.file, "rb") as f:
        data = f.read()
    wire = re.sub(rb"(?m)^\.", b"..", data)
    if not wire.endswith(b"\r\n"):
        wire += b"\r\n"
    wire += b".\r\n"

    try:
        smtp = smtplib.SMTP(args.host, args.port, local_hostname=args.helo, timeout=120)
    except OSError as e:
        print(f"connect failed {e}")
        return 2
    code, text = smtp.ehlo()
    if code != 250:
        print(f"ehlo {code} {one_line(text)}")
        smtp.close()
        return 0
    code, text = smtp.mail(args.sender)
    if code != 250:
        print(f"mail {code} {one_line(text)}")
        smtp.close()
        return 0
    accepted = 0
    for rcpt in args.to:
        code, text = smtp.rcpt(rcpt)
        print(f"rcpt {rcpt} {code} {one_line(text)}")
        accepted += 1 if code // 100 == 2 else 0
    if accepted == 0:
        print("data skipped (no recipient accepted)")
    else:
        smtp.putcmd("data")
        code, text = smtp.getreply()
        if code != 354:
            print(f"data {code} {one_line(text)}")
        else:
            smtp.send(wire)
            code, text = smtp.getreply()
            print(f"data {code} {one_line(text)}")
    try:
        smtp.quit()
    except smtplib.SMTPException:
        smtp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
