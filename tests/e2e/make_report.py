#!/usr/bin/env python3
"""Writes sample DMARC aggregate reports for the end-to-end test, the demo and
the fuzz seeds: a deterministic report XML, packed as gzip, zip or plain XML,
as a bare file or inside a CRLF e-mail. Prints what it wrote and the expected
record count and message sum, so callers never hard-code them. It never sends
anything and never touches a database.

  make_report.py eml OUT --encoding gz|zip|xml|broken --report-id ID
                 [--domain D] [--org O] [--records N] [--seed S]
                 [--from ADDR] [--to ADDR] [--begin UTC_SECONDS]
  make_report.py payload OUT --encoding gz|zip|xml|broken ...   (no e-mail)
  make_report.py plain OUT [--from ADDR] [--to ADDR]   (an ordinary e-mail)
"""
import argparse
import base64
import gzip
import io
import random
import sys
import zipfile

BEGIN = 1763683200  # 2025-11-21T00:00:00Z by default, so that output is stable
DAY = 86400


def report_xml(report_id, org, domain, n_records, seed, begin):
    """Returns (xml bytes, record count, sum of <count>)."""
    rng = random.Random(f"{seed}/{report_id}")
    rows = []
    total = 0
    for i in range(n_records):
        if i % 4 == 3:
            ip = f"2001:db8:{rng.randrange(1, 0xffff):x}::{i + 1:x}"
        else:
            ip = f"198.51.100.{(i % 250) + 1}"
        count = rng.choice([1, 1, 2, 3, 5, 8, 13, 40, 120])
        total += count
        dkim_ok = rng.random() < 0.7
        spf_ok = rng.random() < 0.8
        disposition = "none" if (dkim_ok or spf_ok) else "quarantine"
        rows.append(
            "  <record>\n"
            "    <row>\n"
            f"      <source_ip>{ip}</source_ip>\n"
            f"      <count>{count}</count>\n"
            "      <policy_evaluated>\n"
            f"        <disposition>{disposition}</disposition>\n"
            f"        <dkim>{'pass' if dkim_ok else 'fail'}</dkim>\n"
            f"        <spf>{'pass' if spf_ok else 'fail'}</spf>\n"
            "      </policy_evaluated>\n"
            "    </row>\n"
            "    <identifiers>\n"
            f"      <header_from>{domain}</header_from>\n"
            "    </identifiers>\n"
            "    <auth_results>\n"
            "      <dkim>\n"
            f"        <domain>{domain}</domain>\n"
            f"        <selector>s{i % 3}</selector>\n"
            f"        <result>{'pass' if dkim_ok else 'fail'}</result>\n"
            "      </dkim>\n"
            "      <spf>\n"
            f"        <domain>{domain}</domain>\n"
            "        <scope>mfrom</scope>\n"
            f"        <result>{'pass' if spf_ok else 'softfail'}</result>\n"
            "      </spf>\n"
            "    </auth_results>\n"
            "  </record>\n"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<feedback>\n"
        "  <report_metadata>\n"
        f"    <org_name>{org}</org_name>\n"
        f"    <email>noreply-dmarc@{org}</email>\n"
        f"    <report_id>{report_id}</report_id>\n"
        "    <date_range>\n"
        f"      <begin>{begin}</begin>\n"
        f"      <end>{begin + DAY - 1}</end>\n"
        "    </date_range>\n"
        "  </report_metadata>\n"
        "  <policy_published>\n"
        f"    <domain>{domain}</domain>\n"
        "    <adkim>r</adkim>\n"
        "    <aspf>r</aspf>\n"
        "    <p>none</p>\n"
        "    <sp>none</sp>\n"
        "    <pct>100</pct>\n"
        "  </policy_published>\n" + "".join(rows) + "</feedback>\n"
    )
    return xml.encode(), n_records, total


def pack(xml, encoding, stem):
    """Returns (payload bytes, content type, file name)."""
    if encoding == "gz":
        return gzip.compress(xml, mtime=0), "application/gzip", stem + ".xml.gz"
    if encoding == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            info = zipfile.ZipInfo(stem + ".xml", date_time=(2025, 11, 22, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, xml)
        return buf.getvalue(), "application/zip", stem + ".zip"
    if encoding == "xml":
        return xml, "text/xml", stem + ".xml"
    if encoding == "broken":
        # Well-formed gzip around XML cut off in the middle of a record.
        cut = xml[: xml.index(b"<record>") + 40]
        return gzip.compress(cut, mtime=0), "application/gzip", stem + ".xml.gz"
    raise SystemExit(f"make_report.py: unknown encoding {encoding!r}")


def wrap_base64(data):
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def eml(payload, ctype, filename, args):
    boundary = f"=_rua_sample_{args.report_id}"
    subject = f"Report Domain: {args.domain} Submitter: {args.org} Report-ID: <{args.report_id}>"
    lines = [
        f"From: DMARC Aggregate Report <{args.sender}>",
        f"To: {args.to}",
        f"Subject: {subject}",
        "Date: Sat, 22 Nov 2025 06:00:00 +0000",
        f"Message-ID: <{args.report_id}@{args.org}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        "This is a multi-part message in MIME format.",
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        f"This is an aggregate report from {args.org}.",
        "",
        f"--{boundary}",
        f'Content-Type: {ctype}; name="{filename}"',
        f'Content-Disposition: attachment; filename="{filename}"',
        "Content-Transfer-Encoding: base64",
        "",
        wrap_base64(payload),
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode()


def plain_eml(args):
    lines = [
        f"From: Someone <{args.sender}>",
        f"To: {args.to}",
        "Subject: an ordinary message, not a report",
        "Date: Sat, 22 Nov 2025 06:00:00 +0000",
        "Message-ID: <plain-1@example.org>",
        "",
        "Hello,",
        "",
        ".a line that starts with a dot (dot-stuffed on the wire)",
        "tabs\tand trailing spaces   ",
        "",
        "-- ",
        "the end",
        "",
    ]
    return "\r\n".join(lines).encode()


def main():
    ap = argparse.ArgumentParser(description="sample DMARC aggregate reports")
    ap.add_argument("kind", choices=["eml", "payload", "plain"])
    ap.add_argument("out")
    ap.add_argument("--encoding", default="gz", choices=["gz", "zip", "xml", "broken"])
    ap.add_argument("--report-id", default="sample-1")
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--org", default="reporter.example.org")
    ap.add_argument("--records", type=int, default=3)
    ap.add_argument("--seed", default="rua")
    ap.add_argument("--from", dest="sender", default="noreply-dmarc@reporter.example.org")
    ap.add_argument("--to", default="dmarc@example.net")
    ap.add_argument("--begin", type=int, default=BEGIN, help="report period start, UTC seconds")
    args = ap.parse_args()
    begin = args.begin - args.begin % DAY

    if args.kind == "plain":
        data = plain_eml(args)
        records, total = 0, 0
    else:
        xml, records, total = report_xml(args.report_id, args.org, args.domain, args.records, args.seed, begin)
        stem = f"{args.org}!{args.domain}!{begin}!{begin + DAY - 1}!{args.report_id}"
        payload, ctype, filename = pack(xml, args.encoding, stem)
        data = payload if args.kind == "payload" else eml(payload, ctype, filename, args)
        if args.encoding == "broken":
            records, total = 0, 0  # nothing in it can be stored
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"file={args.out} bytes={len(data)} records={records} messages={total}")


if __name__ == "__main__":
    sys.exit(main())
