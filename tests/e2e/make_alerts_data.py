#!/usr/bin/env python3
"""Writes the reports the alerts test imports, dated from today (UTC), with
exact counts so every alert can be asserted exactly. Never sends anything.

  make_alerts_data.py DIR
writes into DIR:
  base.xml       Reporter A, acme.example, 10 days ago: 192.0.2.10 100 pass,
                 198.51.100.7 5 fail (compliance 95.2 %)
  recent.xml     Reporter A, yesterday: 192.0.2.10 50 pass, 198.51.100.7 20
                 fail (seen before), 203.0.113.9 30 fail (new), 203.0.113.10 5
                 fail (new, under 10) -> compliance 47.6 %
  conflict.xml   recent.xml's key with other counts (a conflicting copy)
  late.xml       Reporter A, yesterday, another id: 203.0.113.77 15 fail (new)
  other.xml      Reporter A, other.example, yesterday: 203.0.113.50 40 fail
  tls.json       a TLS report for acme.example: 900 ok, 150 failed
  failure-N.eml  N = 1..4: failure reports about acme.example
"""
import datetime
import os
import sys

OUT = sys.argv[1]
today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0,
                                                              microsecond=0)
DAY = 86400
midnight = int(today.timestamp())


def aggregate(report_id, domain, begin, rows):
    records = "".join(
        f"""  <record>
    <row>
      <source_ip>{ip}</source_ip>
      <count>{count}</count>
      <policy_evaluated><disposition>none</disposition><dkim>{r}</dkim><spf>{r}</spf></policy_evaluated>
    </row>
    <identifiers><header_from>{domain}</header_from></identifiers>
    <auth_results><spf><domain>{domain}</domain><result>{r}</result></spf></auth_results>
  </record>
""" for ip, count, r in ((ip, c, "pass" if ok else "fail") for ip, c, ok in rows))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>Reporter A</org_name>
    <email>noreply-dmarc@reporter-a.example</email>
    <report_id>{report_id}</report_id>
    <date_range><begin>{begin}</begin><end>{begin + DAY}</end></date_range>
  </report_metadata>
  <policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct></policy_published>
{records}</feedback>
"""


def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


write("base.xml", aggregate("alerts-base", "acme.example", midnight - 10 * DAY,
                            [("192.0.2.10", 100, True), ("198.51.100.7", 5, False)]))
recent = [("192.0.2.10", 50, True), ("198.51.100.7", 20, False), ("203.0.113.9", 30, False),
          ("203.0.113.10", 5, False)]
write("recent.xml", aggregate("alerts-recent", "acme.example", midnight - DAY, recent))
write("conflict.xml", aggregate("alerts-recent", "acme.example", midnight - DAY,
                                recent[:3] + [("203.0.113.10", 6, False)]))
write("late.xml", aggregate("alerts-late", "acme.example", midnight - DAY,
                            [("203.0.113.77", 15, False)]))
write("other.xml", aggregate("alerts-other", "other.example", midnight - DAY,
                             [("203.0.113.50", 40, False)]))

day = (today - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
write("tls.json", f"""{{
  "organization-name": "Reporter T",
  "date-range": {{"start-datetime": "{day}T00:00:00Z", "end-datetime": "{day}T23:59:59Z"}},
  "contact-info": "tlsrpt@reporter-t.example",
  "report-id": "alerts-tls-1",
  "policies": [{{
    "policy": {{"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce"],
                "policy-domain": "acme.example", "mx-host": ["mx.acme.example"]}},
    "summary": {{"total-successful-session-count": 900, "total-failure-session-count": 150}},
    "failure-details": [{{"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.99",
                          "receiving-mx-hostname": "mx.acme.example", "failed-session-count": 150}}]
  }}]
}}
""")

now = datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
for n in range(1, 5):
    write(f"failure-{n}.eml", f"""From: dmarc-ruf@reporter-f.example\r
To: ruf@acme.example\r
Subject: DMARC failure report {n}\r
MIME-Version: 1.0\r
Content-Type: multipart/report; report-type=feedback-report; boundary="b-{n}"\r
\r
--b-{n}\r
Content-Type: text/plain\r
\r
An authentication failure report.\r
\r
--b-{n}\r
Content-Type: message/feedback-report\r
\r
Feedback-Type: auth-failure\r
Version: 1\r
Auth-Failure: dmarc\r
Arrival-Date: {now}\r
Original-Mail-From: spoof{n}@acme.example\r
Source-IP: 203.0.113.{100 + n}\r
Reported-Domain: acme.example\r
\r
--b-{n}\r
Content-Type: text/rfc822-headers\r
\r
From: ceo@acme.example\r
To: victim{n}@example.org\r
Subject: Invoice {n}\r
Message-ID: <forged-{n}@spoof.example>\r
\r
--b-{n}--\r
""")
