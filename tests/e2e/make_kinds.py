#!/usr/bin/env python3
"""Sample SMTP TLS (RFC 8460) and DMARC failure (RFC 6591 ARF) report e-mails
for the end-to-end test. Written from the RFCs' formats; deterministic.

  make_kinds.py tls OUT --report-id ID [--domain D]
  make_kinds.py failure OUT [--domain D] [--message-id MID]
Prints one line of key=value facts about what it wrote (what the test expects).
"""
import argparse
import base64
import gzip
import json


def wrap(data):
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def tls(args):
    report = {
        "organization-name": "Receiver Example Corp.",
        "date-range": {"start-datetime": "2026-11-01T00:00:00Z",
                       "end-datetime": "2026-11-01T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@receiver.example",
        "report-id": args.report_id,
        "policies": [{
            "policy": {"policy-type": "sts",
                       "policy-string": ["version: STSv1", "mode: enforce",
                                         "mx: mx.%s" % args.domain, "max_age: 86400"],
                       "policy-domain": args.domain,
                       "mx-host": ["mx.%s" % args.domain]},
            "summary": {"total-successful-session-count": 5326,
                        "total-failure-session-count": 303},
            "failure-details": [
                {"result-type": "certificate-expired", "sending-mta-ip": "2001:db8:0:0::1",
                 "receiving-mx-hostname": "mx.%s" % args.domain,
                 "failed-session-count": 100},
                {"result-type": "starttls-not-supported", "sending-mta-ip": "198.51.100.7",
                 "receiving-ip": "192.0.2.25", "failed-session-count": 203}]}]}
    payload = gzip.compress(json.dumps(report).encode(), mtime=0)
    name = "receiver.example!%s!1793491200!1793577599!%s.json.gz" % (args.domain, args.report_id)
    boundary = "tls-boundary-1"
    msg = (
        "From: tlsrpt-noreply@receiver.example\r\n"
        "To: %s\r\n"
        "Subject: Report Domain: %s Submitter: receiver.example Report-ID: <%s>\r\n"
        "Date: Mon, 02 Nov 2026 00:10:00 +0000\r\n"
        "Message-ID: <tls-%s@receiver.example>\r\n"
        "TLS-Report-Domain: %s\r\nTLS-Report-Submitter: receiver.example\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=\"tlsrpt\"; boundary=\"%s\"\r\n\r\n"
        "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is an aggregate TLS report from receiver.example.\r\n\r\n"
        "--%s\r\nContent-Type: application/tlsrpt+gzip\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n%s\r\n--%s--\r\n"
    ) % (args.to, args.domain, args.report_id, args.report_id, args.domain, boundary, boundary,
         boundary, name, wrap(payload), boundary)
    open(args.out, "w", newline="").write(msg)
    print("kind=tlsrpt report_id=%s successful=5326 failed=303 failures=2" % args.report_id)


def failure(args):
    boundary = "arf-boundary-1"
    original = (
        "Received: from mail.sender.example (mail.sender.example [192.0.2.1])\r\n"
        "\tby mx.receiver.example with ESMTP id 4AB1C2\r\n"
        "From: John Doe <john.doe@%s>\r\n"
        "To: Alice <alice@receiver.example>\r\n"
        "Subject: Secret plans for the merger\r\n"
        "Date: Sun, 01 Nov 2026 10:00:00 +0000\r\n"
        "Message-ID: <%s>\r\n"
        "\r\n"
        "The body of the original message, never to be stored under redacted.\r\n"
    ) % (args.domain, args.message_id)
    msg = (
        "From: dmarc-failure@receiver.example\r\n"
        "To: %s\r\n"
        "Subject: DMARC failure report for %s\r\n"
        "Date: Sun, 01 Nov 2026 10:05:00 +0000\r\n"
        "Message-ID: <ruf-%s>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=\"%s\"\r\n\r\n"
        "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is an authentication failure report for an email message received from\r\n"
        "IP 192.0.2.1 on Sun, 01 Nov 2026 10:00:00 +0000.\r\n\r\n"
        "--%s\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: auth-failure\r\n"
        "User-Agent: ReceiverFilter/2.1\r\n"
        "Version: 1\r\n"
        "Original-Mail-From: <john.doe@%s>\r\n"
        "Original-Rcpt-To: <alice@receiver.example>\r\n"
        "Arrival-Date: Sun, 01 Nov 2026 10:00:00 +0000\r\n"
        "Reporting-MTA: dns; mx.receiver.example\r\n"
        "Source-IP: 192.0.2.1\r\n"
        "Authentication-Results: mx.receiver.example; dmarc=fail header.from=%s\r\n"
        "Reported-Domain: %s\r\n"
        "Auth-Failure: dmarc\r\n"
        "Identity-Alignment: dkim, spf\r\n"
        "\r\n"
        "--%s\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--%s--\r\n"
    ) % (args.to, args.domain, args.message_id, boundary, boundary, boundary, args.domain,
         args.domain, args.domain, boundary, original, boundary)
    open(args.out, "w", newline="").write(msg)
    print("kind=failure reported_domain=%s source_ip=192.0.2.1 message_id=%s"
          % (args.domain, args.message_id))


def main():
    ap = argparse.ArgumentParser(description="sample TLS and DMARC failure report e-mails")
    ap.add_argument("kind", choices=["tls", "failure"])
    ap.add_argument("out")
    ap.add_argument("--report-id", default="2026-11-01T00:00:00Z_example.net")
    ap.add_argument("--domain", default="example.net")
    ap.add_argument("--to", default="dmarc@example.net")
    ap.add_argument("--message-id", default="original-1@example.net")
    args = ap.parse_args()
    {"tls": tls, "failure": failure}[args.kind](args)


if __name__ == "__main__":
    main()
