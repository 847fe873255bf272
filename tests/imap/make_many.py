#!/usr/bin/env python3
"""Writes N aggregate-report e-mails at once for the IMAP test and bench,
through tests/e2e/make_report.py's own functions (one process instead of N:
the same messages `make_report.py eml` writes, much faster).

  make_many.py OUT_DIR N [--prefix P] [--records R] [--encodings gz,zip,xml]
Files are OUT_DIR/agg-I.eml, report ids P-I; encodings taken in turn.
"""
import argparse
import os
import sys
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import make_report  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description="many sample aggregate-report e-mails")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--prefix", default="imap")
    ap.add_argument("--records", type=int, default=2)
    ap.add_argument("--encodings", default="gz,zip,xml")
    a = ap.parse_args()
    encodings = a.encodings.split(",")
    begin = make_report.BEGIN
    day = make_report.DAY
    for i in range(1, a.n + 1):
        args = types.SimpleNamespace(report_id=f"{a.prefix}-{i}", domain="example.net",
                                     org="reporter.example.org",
                                     sender="noreply-dmarc@reporter.example.org",
                                     to="dmarc@example.net")
        xml, _, _ = make_report.report_xml(args.report_id, args.org, args.domain, a.records,
                                           "rua", begin)
        stem = f"{args.org}!{args.domain}!{begin}!{begin + day - 1}!{args.report_id}"
        payload, ctype, filename = make_report.pack(xml, encodings[i % len(encodings)], stem)
        with open(os.path.join(a.out, f"agg-{i}.eml"), "wb") as f:
            f.write(make_report.eml(payload, ctype, filename, args))


if __name__ == "__main__":
    main()
