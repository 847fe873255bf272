#!/usr/bin/env python3
"""Hands one small DMARC aggregate report to a rua-milter on a unix socket,
as the MTA would (tests/bench/milter_client.py), and prints its verdict on
one line: "stored <command>" when the message was taken (accept, discard,
continue), else "<kind> <code> <text>" ("tempfail 451 4.3.0 ..."). It never
touches a database.

  milter_verdict.py SOCKET REPORT_ID SOURCE_DIR
"""
import os
import sys


def main():
    sock, report_id, src = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, os.path.join(src, "tests", "bench"))
    sys.path.insert(0, os.path.join(src, "tests", "e2e"))
    import make_report  # noqa: E402
    import milter_client  # noqa: E402
    from types import SimpleNamespace

    xml, _records, _total = make_report.report_xml(
        report_id, "reporter.example.org", "example.net", 3, "ha", make_report.BEGIN)
    payload, ctype, name = make_report.pack(xml, "gz", report_id)
    ns = SimpleNamespace(report_id=report_id, domain="example.net", org="reporter.example.org",
                         sender="noreply-dmarc@reporter.example.org", to="dmarc@example.net")
    raw = make_report.eml(payload, ctype, name, ns)
    mta = milter_client.Mta(sock, timeout=120)
    command, data = mta.deliver(b"HA0001", ns.sender, ns.to, raw)
    mta.close()
    text = " ".join(data.rstrip(b"\0").decode("utf-8", "replace").split())
    if command in (b"a", b"d", b"c"):
        print(f"stored {command.decode()}")
    elif command == b"y":
        code = text.split(" ", 1)[0]
        kind = "tempfail" if code.startswith("4") else "reject"
        print(f"{kind} {text}")
    elif command == b"t":
        print("tempfail 451 (no text)")
    else:
        print(f"other {command!r} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
