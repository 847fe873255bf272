#!/usr/bin/env python3
"""Writes the largest gzip aggregate report the default bounds admit, as one
report e-mail: RFC 7489 XML of compact records (one DKIM and one SPF result
each), decompressed size just under Limits::max_decompressed_bytes (64 MiB)
and fewer records than Limits::max_records (core/include/rua/limits.hpp).
Deterministic (same bytes every run). For tests/bench/run.sh only: it never
writes anywhere but the path it is given.

Usage: gen_big.py OUT.eml [--bytes N] [--to ADDRESS]
Prints one line: records=R xml_bytes=X gz_bytes=G eml_bytes=E
"""
import argparse
import base64
import gzip
import sys

K_MAX_DECOMPRESSED = 64 << 20  # Limits::max_decompressed_bytes
K_MAX_RECORDS = 200000  # Limits::max_records
K_DOMAIN = "big-example.net"
K_BEGIN = 1707696000  # 2024-02-12 00:00:00 UTC
K_END = K_BEGIN + 86399

HEAD = f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback>
<report_metadata><org_name>big-reporter.example</org_name><email>noreply@big-reporter.example</email><report_id>big-gz-0001</report_id><date_range><begin>{K_BEGIN}</begin><end>{K_END}</end></date_range></report_metadata>
<policy_published><domain>{K_DOMAIN}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
"""
TAIL = "</feedback>\n"


def record(i):
    """The i-th record: a distinct private IPv4 source each; every third
    one carries a DKIM result beside its SPF result (~370 bytes on average)."""
    ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    count = 1 + i % 7
    dkim = "pass" if i % 5 else "fail"
    spf = "pass" if i % 3 else "fail"
    auth_dkim = (f"<dkim><domain>{K_DOMAIN}</domain><selector>s{i % 4}</selector>"
                 f"<result>{dkim}</result></dkim>") if i % 3 == 0 else ""
    return (f"<record><row><source_ip>{ip}</source_ip><count>{count}</count>"
            f"<policy_evaluated><disposition>none</disposition><dkim>{dkim}</dkim>"
            f"<spf>{spf}</spf></policy_evaluated></row>"
            f"<identifiers><header_from>{K_DOMAIN}</header_from></identifiers>"
            f"<auth_results>{auth_dkim}<spf><domain>{K_DOMAIN}</domain>"
            f"<result>{spf}</result></spf></auth_results></record>\n")


def build_xml(limit):
    """Records until the next one would pass `limit` bytes (or the record bound)."""
    parts = [HEAD]
    size = len(HEAD) + len(TAIL)
    count = 0
    while count < K_MAX_RECORDS - 1:
        rec = record(count)
        if size + len(rec) > limit:
            break
        parts.append(rec)
        size += len(rec)
        count += 1
    parts.append(TAIL)
    return "".join(parts).encode(), count


def email(payload, to):
    name = f"big-reporter.example!{K_DOMAIN}!{K_BEGIN}!{K_END}.xml.gz"
    body = base64.encodebytes(payload).decode()
    text = f"""From: noreply@big-reporter.example
To: {to}
Subject: Report domain: {K_DOMAIN} Submitter: big-reporter.example Report-ID: <big-gz-0001>
Message-ID: <big-gz-0001@big-reporter.example>
Date: Tue, 13 Feb 2024 01:35:59 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_big"

--=_big
Content-Type: text/plain; charset=us-ascii

The largest gzip DMARC aggregate report the default bounds admit.

--=_big
Content-Type: application/gzip; name="{name}"
Content-Disposition: attachment; filename="{name}"
Content-Transfer-Encoding: base64

{body}
--=_big--
"""
    return text.replace("\n", "\r\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    # 1 MiB of headroom under the bound: the parser counts every layer.
    parser.add_argument("--bytes", type=int, default=K_MAX_DECOMPRESSED - (1 << 20))
    parser.add_argument("--to", default=f"dmarc-rua@{K_DOMAIN}")
    args = parser.parse_args()
    xml, count = build_xml(args.bytes)
    payload = gzip.compress(xml, compresslevel=6, mtime=0)
    raw = email(payload, args.to)
    with open(args.out, "wb") as f:
        f.write(raw)
    print(f"records={count} xml_bytes={len(xml)} gz_bytes={len(payload)} eml_bytes={len(raw)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
