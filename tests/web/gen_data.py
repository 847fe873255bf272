"""Generated data for the rua-web tests and `scripts/demo.sh`-style runs:
DMARC aggregate reports for two accounts, dated relative to today (UTC), with
day-long, three-day and odd-hour periods (so the pro-rata day split is
exercised), several reporters (one with markup in its name), DKIM and SPF
results with several domains and selectors; a report for a foreign domain
(quarantined); an SMTP TLS and a failure report (tests/e2e/make_kinds.py).
Deterministic for a given day. Writes files only; the caller imports them.
"""
import os
import random
import subprocess
import sys
import time

DAY = 86400
HOUR = 3600
ACCOUNTS = [
    ("acme", ["acme.example", "acme2.example"], "dmarc@acme.example"),
    ("other", ["other.example"], "dmarc@other.example"),
]
REPORTERS = ["google.com", "Yahoo", "Evil <b>Org</b> & \"co\"", "=HYPERLINK(\"x\")"]
IPS = ["192.0.2.%d" % i for i in range(1, 13)] + ["2001:db8::%x" % i for i in range(1, 5)]


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def report(report_id, org, domain, begin, end, n_records, seed):
    rng = random.Random(f"{seed}/{report_id}")
    rows = []
    for i in range(n_records):
        ip = rng.choice(IPS)
        count = rng.choice([1, 2, 3, 5, 7, 11, 40, 97])
        dkim_ok = rng.random() < 0.7
        spf_ok = rng.random() < 0.75
        dkim_domain = rng.choice([domain, domain, "mailer.example"])
        selector = rng.choice(["s1", "s2", "k1"])
        spf_domain = rng.choice([domain, "bounce.mailer.example"])
        disposition = "none" if (dkim_ok or spf_ok) else rng.choice(["quarantine", "reject"])
        rows.append(
            "<record><row>"
            f"<source_ip>{ip}</source_ip><count>{count}</count>"
            f"<policy_evaluated><disposition>{disposition}</disposition>"
            f"<dkim>{'pass' if dkim_ok else 'fail'}</dkim><spf>{'pass' if spf_ok else 'fail'}</spf>"
            "</policy_evaluated></row>"
            f"<identifiers><header_from>{domain}</header_from></identifiers>"
            "<auth_results>"
            f"<dkim><domain>{dkim_domain}</domain><selector>{selector}</selector>"
            f"<result>{'pass' if dkim_ok else 'fail'}</result></dkim>"
            f"<spf><domain>{spf_domain}</domain><scope>mfrom</scope>"
            f"<result>{'pass' if spf_ok else 'softfail'}</result></spf>"
            "</auth_results></record>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feedback>'
        f"<report_metadata><org_name>{xml_escape(org)}</org_name>"
        f"<email>noreply@reporter.example</email><report_id>{report_id}</report_id>"
        f"<date_range><begin>{begin}</begin><end>{end}</end></date_range></report_metadata>"
        f"<policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf>"
        f"<p>{'quarantine' if 'q' in report_id else 'none'}</p><sp>none</sp><pct>100</pct>"
        "</policy_published>" + "".join(rows) + "</feedback>\n")


def write(out, today=None):
    """Writes the files under `out`; returns {"imports": [(rua, [files])],
    "extra_domains": [...]}."""
    today = today if today is not None else int(time.time()) // DAY * DAY
    imports = {}

    def add(rua, name, text):
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write(text)
        imports.setdefault(rua, []).append(path)

    n = 0
    for domain, rua in (("acme.example", "dmarc@acme.example"), ("acme2.example", "dmarc@acme.example"),
                        ("other.example", "dmarc@other.example")):
        days = 8 if domain == "acme.example" else 3
        for back in range(1, days + 1):
            for org in REPORTERS if domain == "acme.example" else REPORTERS[:1]:
                n += 1
                begin = today - back * DAY
                rid = f"r{n}{'q' if back <= 2 else ''}"
                add(rua, f"{rid}.xml", report(rid, org, domain, begin, begin + DAY - 1, 6, domain))
        # A three-day report, one over odd hours across three days, one of
        # twenty minutes.
        for rid, begin, end in ((f"long{n}", today - 10 * DAY, today - 7 * DAY),
                                (f"odd{n}", today - 5 * DAY + 10 * HOUR, today - 3 * DAY + 14 * HOUR),
                                (f"short{n}", today - 2 * DAY + 5 * HOUR, today - 2 * DAY + 5 * HOUR + 1200)):
            add(rua, f"{rid}.xml", report(rid, "google.com", domain, begin, end, 9, domain))
    # other.example's report sent to acme's address: quarantined.
    add("dmarc@acme.example", "foreign.xml", report("foreign1", "google.com", "other.example",
                                                    today - DAY, today - 1, 3, "x"))
    kinds = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "make_kinds.py")
    for kind in ("tls", "failure"):
        path = os.path.join(out, f"{kind}.eml")
        subprocess.run([sys.executable, kinds, kind, path, "--domain", "acme.example",
                        "--to", "dmarc@acme.example"], check=True, stdout=subprocess.DEVNULL)
        imports["dmarc@acme.example"].append(path)
    return {"imports": sorted(imports.items()),
            "extra_domains": ["acme-%02d.example" % i for i in range(25)]}


if __name__ == "__main__":
    print(write(sys.argv[1]))
