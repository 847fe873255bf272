#!/usr/bin/python3
"""rua-web's API against a real PostgreSQL (the pg fixture) and a real
rua-web process: the numbers equal SQL over aggregate_record spread with
rua_day_split (exactly), tenancy (every endpoint with another account's
token is 404, with none 401), malformed parameters (400 and the message),
SQL metacharacters, page sizes capped at MaxPageSize, security headers,
login/logout cookies and revocation, CSV, raw download, redaction, -n,
the command line, and a database that does not answer (503).

Usage: api.py RUACTL RUA_WEB SOURCE_DIR PG_DIR OUT_DIR
"""
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import Env, check, finish  # noqa: E402

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
env = Env(sys.argv, "api", max_page_size=20)


def split_sql(select, where, group):
    """SQL over the records, each count spread over its report's days."""
    return env.sql(
        "SET TimeZone = 'UTC'; "
        f"SELECT {select} FROM aggregate_record r"
        " JOIN aggregate_report a ON a.id = r.report_id AND a.date_begin = r.date_begin"
        " CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
        f" WHERE {where} GROUP BY {group} ORDER BY {group}")


def numbers(acme):
    t = env.tokens["acme"]
    dom = "lower(a.domain) = 'acme.example' AND a.account_id = %s" % acme
    window = " AND s.day > current_date - 30 AND s.day <= current_date"
    # Daily pass/fail.
    want = {d: (int(p), int(f)) for d, p, f in split_sql(
        "s.day, coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0),"
        " coalesce(sum(s.messages) FILTER (WHERE NOT r.dmarc_pass), 0)", dom + window, "s.day")}
    overview = env.json("/api/v1/domains/acme.example/overview?since=30d", t)
    got = {r["day"]: (r["pass"], r["fail"]) for r in overview["daily"] if r["messages"]}
    check("overview daily pass/fail equal SQL over the records split by day", want, got)
    check("overview: 30 days listed", 30, len(overview["daily"]))
    check("overview: messages = pass + fail each day", True,
          all(r["messages"] == r["pass"] + r["fail"] for r in overview["daily"]))
    total = int(env.sql("SELECT sum(r.count) FROM aggregate_record r JOIN aggregate_report a"
                        " ON a.id = r.report_id WHERE " + dom)[0][0])
    all_days = env.json("/api/v1/domains/acme.example/overview?since=3660d", t)
    check("overview over 3660 days: every message of the domain's records, once", total,
          sum(r["messages"] for r in all_days["daily"]))
    # Day reports cover the last 8 days; a three-day report days 10 to 8 back:
    # spread, it puts messages on 10 distinct days.
    check("a three-day report is spread over its days", 10,
          len([r for r in all_days["daily"] if r["messages"]]))
    # Disposition.
    want = {d: int(m) for d, m in split_sql("coalesce(r.disposition, ''), sum(s.messages)", dom + window, "1")}
    check("overview disposition equals SQL", want,
          {r["disposition"]: r["messages"] for r in overview["disposition"]})
    # Top reporters and sources.
    want = {rep: int(m) for rep, m in split_sql("a.reporter, sum(s.messages)", dom + window, "1")}
    check("overview top reporters equal SQL", want,
          {r["reporter"]: r["messages"] for r in overview["top_reporters"]})
    want_sources = {ip: (int(m), int(p)) for ip, m, p in split_sql(
        "host(r.source_ip), sum(s.messages), coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0)",
        dom + window, "1")}
    top = sorted(want_sources.items(), key=lambda kv: (-kv[1][0], kv[0]))[:10]
    check("overview top sources: the ten busiest, numbers equal SQL",
          {ip: v for ip, v in top}, {r["source_ip"]: (r["messages"], r["pass"]) for r in overview["top_sources"]})
    # DKIM breakdown by domain and selector.
    rows = env.sql("SET TimeZone = 'UTC'; SELECT lower(k->>'domain'), k->>'selector', k->>'result',"
                   " sum(s.messages) FROM aggregate_record r JOIN aggregate_report a"
                   " ON a.id = r.report_id AND a.date_begin = r.date_begin"
                   " CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
                   " CROSS JOIN LATERAL json_array_elements(r.auth_dkim) k"
                   f" WHERE {dom}{window} GROUP BY 1, 2, 3")
    want = {(d, sel, res): int(m) for d, sel, res, m in rows}
    got = {}
    for r in overview["auth"]:
        if r["method"] == "dkim":
            key = (r["auth_domain"], r["selector"], r["result"])
            got[key] = got.get(key, 0) + r["messages"]
    check("overview DKIM by domain and selector equals SQL over the records' signatures", want, got)
    check("overview: policy changes seen (none -> quarantine)", True,
          [r["p"] for r in overview["policy_changes"]][-2:] == ["none", "quarantine"])
    # Domain list: 30-day numbers and the sparkline.
    doms = env.json("/api/v1/domains?q=acme.example", t)
    row = [d for d in doms["items"] if d["domain"] == "acme.example"][0]
    day_total = {r["day"]: r["messages"] for r in overview["daily"]}
    check("domains: 30-day messages equal the overview's", sum(day_total.values()), row["messages"])
    check("domains: compliant equals the overview's pass", sum(r["pass"] for r in overview["daily"]),
          row["compliant"])
    check("domains: sparkline is the 30 daily counts, oldest first",
          [r["messages"] for r in overview["daily"]], row["sparkline"])
    check("domains: the current policy", ("quarantine", "none", 100), (row["p"], row["sp"], row["pct"]))
    # Sources list.
    src = env.json("/api/v1/domains/acme.example/sources?since=30d", t)
    check("sources equal SQL per source address", want_sources,
          {r["source_ip"]: (r["messages"], r["pass"]) for r in src["items"]})
    failing = env.json("/api/v1/domains/acme.example/sources?failing=1&sort=failing", t)
    check("sources failing=1: only sources with failures, most failing first", True,
          all(r["fail"] > 0 for r in failing["items"]) and
          [r["fail"] for r in failing["items"]] == sorted((r["fail"] for r in failing["items"]), reverse=True))
    by_rep = env.json("/api/v1/domains/acme.example/sources?reporter=yahoo", t)
    want = {ip: int(m) for ip, m in split_sql("host(r.source_ip), sum(s.messages)",
                                               dom + window + " AND a.reporter = 'yahoo'", "1")}
    check("sources reporter=yahoo equal SQL", want, {r["source_ip"]: r["messages"] for r in by_rep["items"]})
    by_dkim = env.json("/api/v1/domains/acme.example/sources?dkim_domain=mailer.example", t)
    want = set(ip for (ip,) in env.sql(
        "SET TimeZone = 'UTC'; SELECT DISTINCT host(r.source_ip) FROM aggregate_record r"
        " JOIN aggregate_report a ON a.id = r.report_id"
        " CROSS JOIN LATERAL json_array_elements(r.auth_dkim) k"
        f" WHERE {dom} AND a.date_end > current_date - 29 AND k->>'domain' = 'mailer.example'"))
    check("sources dkim_domain=mailer.example: the sources SQL finds", want,
          set(r["source_ip"] for r in by_dkim["items"]))
    one = src["items"][0]["source_ip"]
    detail = env.json(f"/api/v1/domains/acme.example/sources/{urllib.parse.quote(one)}", t)
    check("source detail: daily total equals the list's", src["items"][0]["messages"],
          sum(r["messages"] for r in detail["daily"]))
    check("source detail: breakdown total equals the list's", src["items"][0]["messages"],
          sum(r["messages"] for r in detail["breakdown"]))


def analytics(acme):
    """/breakdown and /readiness: SQL over the records, and `ruactl summary`."""
    t = env.tokens["acme"]
    dom = "lower(a.domain) = 'acme.example' AND a.account_id = %s" % acme
    window = " AND s.day > current_date - 30 AND s.day <= current_date"
    base = "/api/v1/domains/acme.example/breakdown?top=1000&by="

    def sums(key, where=""):
        return {k: (int(m), int(p), int(f)) for k, m, p, f in split_sql(
            f"{key}, sum(s.messages), coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0),"
            " coalesce(sum(s.messages) FILTER (WHERE NOT r.dmarc_pass), 0)", dom + window + where, "1")}

    def got(data, key):
        return {r[key]: (r["messages"], r["pass"], r["fail"]) for r in data["breakdown"]}

    for by, column, key in (("source", "source_ip", "host(r.source_ip)"), ("reporter", "reporter", "a.reporter"),
                            ("header-from", "header_from", "lower(r.header_from)"),
                            ("day", "day", "s.day::text")):
        data = env.json(base + by, t)
        check(f"breakdown by={by} equals SQL over the records split by day", sums(key), got(data, column))
    for by, column, items in (("dkim-domain", "dkim_domain", "r.auth_dkim"),
                              ("spf-domain", "spf_domain", "r.auth_spf")):
        want = {k: (int(m), int(p), int(f)) for k, m, p, f in env.sql(
            "SET TimeZone = 'UTC'; SELECT k, sum(s.messages),"
            " coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0),"
            " coalesce(sum(s.messages) FILTER (WHERE NOT r.dmarc_pass), 0) FROM aggregate_record r"
            " JOIN aggregate_report a ON a.id = r.report_id AND a.date_begin = r.date_begin"
            " CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
            f" CROSS JOIN LATERAL (SELECT DISTINCT lower(e->>'domain') AS k FROM json_array_elements({items}) e) d"
            f" WHERE {dom}{window} GROUP BY 1")}
        check(f"breakdown by={by}: each domain its records name, equal to SQL", want,
              got(env.json(base + by, t), column))
    failing = env.json(base + "source&failing=1", t)
    check("breakdown failing=1 equals SQL over the failing records", sums("host(r.source_ip)", " AND NOT r.dmarc_pass"),
          got(failing, "source_ip"))
    check("breakdown failing=1: no passing message", 0, sum(r["pass"] for r in failing["breakdown"]))
    total = split_sql("1, sum(s.messages), coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0)",
                      dom + window, "1")[0]
    top = env.json("/api/v1/domains/acme.example/breakdown?by=source&top=3", t)
    check("breakdown top=3: three rows, the busiest", sorted(sums("host(r.source_ip)").items(),
          key=lambda kv: (-kv[1][0], kv[0]))[:3], [(r["source_ip"], (r["messages"], r["pass"], r["fail"]))
                                                     for r in top["breakdown"]])
    check("breakdown: the number of groups and the totals equal SQL",
          (len(sums("host(r.source_ip)")), int(total[1]), int(total[2])),
          (top["breakdown_total"], top["totals"][0]["messages"], top["totals"][0]["pass"]))
    check("breakdown: the request echoed", ("acme.example", "source", 30, False, False, 3),
          (top["domain"], top["by"], top["days"], top["failing"], top["rollup"], top["top"]))
    check("breakdown: share % of the busiest source",
          round(100 * top["breakdown"][0]["messages"] / top["totals"][0]["messages"] + 1e-9, 1),
          top["breakdown"][0]["share_pct"])
    # Readiness: the numbers of the window, and the line `ruactl summary` prints.
    ready = env.json("/api/v1/domains/acme.example/readiness", t)
    r = ready["readiness"][0]
    days = int(split_sql("1, count(DISTINCT s.day)", dom + window, "1")[0][1])
    reporters = int(split_sql("1, count(DISTINCT a.reporter)", dom + window, "1")[0][1])
    check("readiness: messages, pass, reporters and days equal SQL",
          (int(total[1]), int(total[2]), reporters, days),
          (r["messages"], r["pass"], r["reporters"], r["days_with_data"]))
    check("readiness: the latest report's policy", ("quarantine", "none", 100), (r["p"], r["sp"], r["pct"]))
    check("readiness: compliance %", round(100 * int(total[2]) / int(total[1]) + 1e-9, 1), r["compliance_pct"])
    check("readiness: the checks named", ["policy", "compliance", "unapproved", "reporters", "data"],
          [c["check"] for c in ready["checks"]])
    # No source is approved here: every failing message is an unapproved source's.
    failing_sources = sums("host(r.source_ip)", " AND NOT r.dmarc_pass")
    check("readiness: unapproved failing sources and messages equal SQL (nothing approved)",
          (len(failing_sources), sum(v[0] for v in failing_sources.values())),
          (r["unapproved_sources"], r["unapproved_messages"]))
    providers = env.json(base + "provider", t)
    check("breakdown by=provider: no provider known, one group of every message",
          [(None, int(total[1]))], [(x["provider"], x["messages"]) for x in providers["breakdown"]])
    cli = json.loads(env.ruactl("summary", "--domain", "acme.example", "--by", "source", "--top", "1000",
                                "--format", "json"))
    check("readiness line: the same as ruactl summary's", cli["readiness"][0]["line"], r["line"])
    full = env.json(base + "source", t)
    check("breakdown: the same rows as ruactl summary --by source",
          [(x["source_ip"], x["messages"], x["pass"], x["fail"]) for x in cli["breakdown"]],
          [(x["source_ip"], x["messages"], x["pass"], x["fail"]) for x in full["breakdown"]])
    status, headers, body = env.get("/api/v1/domains/acme.example/breakdown?by=reporter&format=csv", t)
    check("breakdown CSV: the breakdown table", (200, "reporter,messages,pass,fail,compliance_pct,share_pct"),
          (status, body.decode().split("\r\n")[0]))
    status, headers, body = env.get("/api/v1/domains/acme.example/readiness?format=csv&table=checks", t)
    check("readiness CSV of the checks", (200, "domain,check,value,want,ok"), (status, body.decode().split("\r\n")[0]))


def tenancy(acme):
    t = env.tokens
    rid = env.sql(f"SELECT min(id) FROM aggregate_report WHERE lower(domain) = 'acme.example'")[0][0]
    fid = env.sql("SELECT min(id) FROM failure_report")[0][0]
    account = ["/api/v1/domains/acme.example/overview", "/api/v1/domains/acme.example/sources",
               "/api/v1/domains/acme.example/sources/192.0.2.1", "/api/v1/domains/acme.example/reports",
               f"/api/v1/reports/{rid}", f"/api/v1/reports/{rid}/raw", "/api/v1/domains/acme.example/tls",
               "/api/v1/domains/acme.example/failures", f"/api/v1/failures/{fid}",
               "/api/v1/domains/acme2.example/overview", "/api/v1/domains/acme.example/breakdown",
               "/api/v1/domains/acme.example/breakdown?by=dkim-domain&rollup=1",
               "/api/v1/domains/acme.example/readiness", "/api/v1/domains/acme.example/readiness?rollup=1"]
    operator = ["/api/v1/quarantine", "/api/v1/conflicts", "/metrics"]
    for path in account + operator + ["/api/v1/domains", "/api/v1/whoami"]:
        status, headers, body = env.get(path)
        check(f"no token: {path} is 401", 401, status)
        check(f"bad token: {path} is 401", 401, env.get(path, "rua_" + "A" * 43)[0])
    for path in account:
        check(f"acme's token: {path} is 200", 200, env.get(path, t["acme"])[0])
        status, _, body = env.get(path, t["other"])
        check(f"other account's token: {path} is 404", (404, b'{"error":"not found"}'), (status, body))
        check(f"admin token: {path} is 200", 200, env.get(path, t["admin"])[0])
    for path in operator:
        check(f"account token: {path} is 404", 404, env.get(path, t["acme"])[0])
        check(f"admin token: {path} is 200", 200, env.get(path, t["admin"])[0])
    # A domain both accounts list: each sees the TLS and failure reports that
    # reached its own rua address (sql/0019), never the other's.
    env.ruactl("domain", "add", "acme.example", "--account", "other")
    try:
        sessions = int(env.sql("SELECT coalesce(sum(p.successful + p.failed), 0) FROM tlsrpt_policy p"
                               " JOIN tlsrpt_report r ON r.id = p.report_id"
                               " WHERE lower(p.policy_domain) = 'acme.example'"
                               f" AND r.account_id = {acme}")[0][0])
        check("acme's TLS report carries acme's account", True, sessions > 0)
        path = "/api/v1/domains/acme.example/tls?since=3660d"
        check("shared domain: acme sees the sessions of its own TLS reports", sessions,
              sum(r["successful"] + r["failed"] for r in env.json(path, t["acme"])["daily"]))
        other = env.json(path, t["other"])
        check("shared domain: the other account sees none of acme's TLS sessions", (0, []),
              (sum(r["successful"] + r["failed"] for r in other["daily"]), other["failures"]))
        check("shared domain: the other account lists none of acme's failure reports", [],
              env.json("/api/v1/domains/acme.example/failures?since=3660d", t["other"])["items"])
        check("shared domain: acme's failure report is 404 for the other account", 404,
              env.get(f"/api/v1/failures/{fid}", t["other"])[0])
        check("shared domain: the admin still sees it", 200, env.get(f"/api/v1/failures/{fid}", t["admin"])[0])
    finally:
        env.ruactl("domain", "remove", "acme.example", "--account", "other")
    names = [d["domain"] for d in env.json("/api/v1/domains?limit=20", t["other"])["items"]]
    check("other's domain list: only its own domain", ["other.example"], names)
    check("a domain nobody has, for an account: 404", 404,
          env.get("/api/v1/domains/nobody.example/overview", t["acme"])[0])
    who = env.json("/api/v1/whoami", t["admin"])
    check("whoami: the admin token", {"admin": True, "account_id": None}, who)
    check("whoami: an account token", {"admin": False, "account_id": int(acme)},
          env.json("/api/v1/whoami", t["acme"]))


def malformed():
    t = env.tokens["acme"]
    cases = [
        ("/api/v1/domains/acme.example/overview?since=abc", 'since: "abc" is not a number of days (30d)'),
        ("/api/v1/domains/acme.example/overview?since=0d", "since: 0 is out of range (1..3660)"),
        ("/api/v1/domains/acme.example/overview?since=99999d", "since: 99999 is out of range (1..3660)"),
        ("/api/v1/domains?limit=abc", 'limit: "abc" is not a number'),
        ("/api/v1/domains?limit=0", "limit: 0 is out of range (1..999999999)"),
        ("/api/v1/domains?offset=-1", 'offset: "-1" is not a number'),
        ("/api/v1/domains?foo=1", 'unknown parameter "foo"'),
        ("/api/v1/domains?limit=1&limit=2", 'parameter "limit" given twice'),
        ("/api/v1/domains?format=xml", 'format: "xml" is not json or csv'),
        ("/api/v1/domains?q=%01", "q: not 1 to 255 printable characters"),
        ("/api/v1/domains/acme.example/sources?sort=evil",
         'sort: "evil" is not messages, failing, compliance or source_ip'),
        ("/api/v1/domains/acme.example/sources?failing=maybe", "failing: not 1, 0, true or false"),
        ("/api/v1/domains/acme.example/sources?order=up", "order: not asc or desc"),
        ("/api/v1/domains/a..b/overview", '"a..b" is not a domain name'),
        ("/api/v1/domains/acme.example/sources/999.1.1.1", '"999.1.1.1" is not an IP address'),
        ("/api/v1/reports/1%3BDROP%20TABLE%20api_token", 'id: "1;DROP TABLE api_token" is not a number'),
        ("/api/v1/reports/0", "id: 0 is out of range (1..9223372036854775807)"),
        ("/api/v1/reports/99999999999999999999", 'id: "99999999999999999999" is not a number'),
        ("/api/v1/domains/acme.example/overview?format=csv&table=nope", 'table: not one of this answer\'s tables'),
        ("/api/v1/domains/acme.example/sources?dkim_domain=acme.example%27%3B--",
         '"acme.example\';--" is not a domain name'),
        ("/api/v1/domains/acme.example/breakdown?by=asn",
         'by: "asn" is not source, provider, reporter, dkim-domain, spf-domain, header-from or day'),
        ("/api/v1/domains/acme.example/breakdown?top=0", "top: 0 is out of range (1..1000)"),
        ("/api/v1/domains/acme.example/breakdown?top=1001", "top: 1001 is out of range (1..1000)"),
        ("/api/v1/domains/acme.example/breakdown?rollup=maybe", "rollup: not 1, 0, true or false"),
        ("/api/v1/domains/acme.example/readiness?by=source", 'unknown parameter "by"'),
    ]
    for path, message in cases:
        status, headers, body = env.get(path, t)
        try:
            got = json.loads(body)
        except ValueError:
            got = body
        check(f"400 for {path}", (400, "application/json", {"error": message}),
              (status, headers.get("Content-Type"), got))


def metacharacters():
    t = env.tokens["acme"]
    tokens_before = env.sql("SELECT count(*) FROM api_token")[0][0]
    for path in ["/api/v1/domains?q=" + urllib.parse.quote("' OR '1'='1"),
                 "/api/v1/domains?q=" + urllib.parse.quote("%_\\"),
                 "/api/v1/domains/acme.example/sources?reporter=" + urllib.parse.quote("x' OR 1=1 --"),
                 "/api/v1/domains/acme.example/sources?reporter=" + urllib.parse.quote("yahoo'; DROP TABLE api_token; --")]:
        status, _, body = env.get(path, t)
        check(f"SQL metacharacters are data: {path}", (200, 0), (status, json.loads(body)["total"]))
    check("no table was touched", tokens_before, env.sql("SELECT count(*) FROM api_token")[0][0])
    status, _, body = env.get("/api/v1/domains?q=" + urllib.parse.quote("Evil"), t)
    check("a search is a substring, never a pattern", 0, json.loads(body)["total"])


def paging():
    t = env.tokens["acme"]
    for limit in ["21", "1000000", "999999999", "99999999999999999999999"]:
        data = env.json(f"/api/v1/domains?limit={limit}", t)
        check(f"limit={limit} is capped at MaxPageSize", (20, 20, 27), (data["limit"], len(data["items"]), data["total"]))
    data = env.json("/api/v1/domains?limit=20&offset=20", t)
    check("the second page holds the rest", (7, 27), (len(data["items"]), data["total"]))
    rid = env.sql("SELECT min(id) FROM aggregate_report WHERE record_count = 9 AND lower(domain) = 'acme.example'")[0][0]
    detail = env.json(f"/api/v1/reports/{rid}?limit=100000", t)
    check("report records capped at MaxPageSize too", (9, 9), (len(detail["records"]), detail["records_total"]))


def headers_and_forms():
    t = env.tokens["acme"]
    for path, token in [("/api/v1/domains", t), ("/api/v1/domains", None), ("/domains", None),
                        ("/login", None), ("/static/app.js", None), ("/nosuchpage", None),
                        ("/api/v1/nosuch", t), ("/metrics", None), ("/static/chart.js", None)]:
        status, headers, _ = env.get(path, token)
        check(f"security headers on {path} ({status})", (CSP, "nosniff", "no-referrer", "DENY"),
              (headers.get("Content-Security-Policy"), headers.get("X-Content-Type-Options"),
               headers.get("Referrer-Policy"), headers.get("X-Frame-Options")))
    check("Chart.js is served from Debian's package", 200, env.get("/static/chart.js")[0])
    # Every page is web/static/page.html filled in: its title, its name for
    # app.js, Chart.js on the two pages with charts, no placeholder left.
    pages = {"/domains": ("Domains", "domains"), "/domain": ("Domain overview", "domain"),
             "/sources": ("Sources", "sources"), "/source": ("Source", "source"),
             "/reports": ("Reports", "reports"), "/report": ("Report", "report"),
             "/tls": ("SMTP TLS", "tls"), "/failures": ("Failure reports", "failures"),
             "/failure": ("Failure report", "failure"), "/quarantine": ("Quarantine", "quarantine"),
             "/conflicts": ("Conflicts", "conflicts"), "/alerts": ("Alerts", "alerts")}
    for path, (title, name) in pages.items():
        status, headers, body = env.get(path)
        text = body.decode()
        check(f"page {path}: title, name, charts only on /domain and /tls",
              (200, "text/html; charset=utf-8", 1, 1, 1, path in ("/domain", "/tls"), False),
              (status, headers.get("Content-Type"), text.count(f"<title>{title} - rua-web</title>"),
               text.count(f'<body data-page="{name}">'), text.count(f'<h1 id="title">{title}</h1>'),
               '<script src="/static/chart.js" defer></script>' in text, "{{" in text))
    status, _, body = env.get("/login")
    check("the login page is its own", (200, 1), (status, body.decode().count('data-page="login"')))
    status, headers, body = env.get("/api/v1/domains?format=csv&limit=2", t)
    check("CSV: type, attachment and header line",
          ("text/csv; charset=utf-8", 'attachment; filename="domains.csv"',
           "domain,messages,compliant,compliance_pct,sparkline,last_report,p,sp,pct"),
          (headers.get("Content-Type"), headers.get("Content-Disposition"), body.decode().split("\r\n")[0]))
    status, _, body = env.get("/api/v1/domains/acme.example/overview?format=csv&table=top_reporters", t)
    check("CSV of one table of the overview, sender text quoted", True,
          '"Evil <b>Org</b> & ""co"""' in body.decode().lower() or 'evil <b>org</b> & ""co""' in body.decode().lower())
    lines = body.decode().split("\r\n")
    check("CSV: a cell that a spreadsheet would run as a formula is neutralised", True,
          any(line.startswith("\"'=hyperlink(\"\"x\"\")\",") for line in lines))
    # Raw download.
    rid, hexdata = env.sql("SELECT a.id, encode(w.data, 'hex') FROM aggregate_report a JOIN raw_report w"
                           " ON w.id = a.raw_report_id WHERE lower(a.domain) = 'acme.example' ORDER BY a.id LIMIT 1")[0]
    status, headers, body = env.get(f"/api/v1/reports/{rid}/raw", t)
    check("raw download: the attachment's bytes as stored", (200, "application/octet-stream", hexdata),
          (status, headers.get("Content-Type"), body.hex()))
    check("raw download: an attachment", True, headers.get("Content-Disposition", "").startswith("attachment; filename=\""))
    # Failure reports: redacted.
    fid = env.sql("SELECT min(id) FROM failure_report")[0][0]
    failure = env.json(f"/api/v1/failures/{fid}", t)["failure"][0]
    check("failure detail: no subject, headers, body, recipients or message-id", [],
          [k for k in failure if k.startswith("original_subject") and k != "original_subject_length"
           or k in ("original_headers", "original_body", "original_to", "original_rcpt_to", "original_message_id",
                    "feedback_fields", "authentication_results")])
    # Login, cookie, logout, revoke.
    origin = {"Origin": env.base, "Content-Type": "application/x-www-form-urlencoded"}
    form = urllib.parse.urlencode({"token": t}).encode()
    status, _, _ = env.get("/login", method="POST", body=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    check("login without Origin: 403", 403, status)
    status, _, _ = env.get("/login", method="POST", body=form,
                           headers={"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"})
    check("login from another origin: 403", 403, status)
    status, _, _ = env.get("/login", method="POST", body=form,
                           headers={"Origin": "null", "Sec-Fetch-Site": "cross-site",
                                    "Content-Type": "application/x-www-form-urlencoded"})
    check("login with Origin null from another site: 403", 403, status)
    status, headers, _ = env.get("/login", method="POST", body=b"token=rua_nope",
                                 headers={"Origin": "null", "Sec-Fetch-Site": "same-origin",
                                          "Content-Type": "application/x-www-form-urlencoded"})
    check("login with Origin null from our own page (no-referrer): accepted", (303, "/login?failed=1"),
          (status, headers.get("Location")))
    status, headers, _ = env.get("/login", method="POST", body=b"token=rua_nope", headers=origin)
    check("login with a bad token: back to the form", (303, "/login?failed=1", None),
          (status, headers.get("Location"), headers.get("Set-Cookie")))
    status, headers, _ = env.get("/login", method="POST", body=form, headers=origin)
    cookie = headers.get("Set-Cookie", "")
    value = cookie.split(";")[0].split("=", 1)[1] if "=" in cookie else ""
    check("login: 303 to /domains with the session cookie", (303, "/domains"), (status, headers.get("Location")))
    check("the cookie's attributes (CookieSecure no)",
          f"rua_session={value}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict", cookie)
    check("only the cookie's sha256 is stored, with its expiry", [[hashlib.sha256(value.encode()).hexdigest(), "t"]],
          env.sql("SELECT encode(hash, 'hex'), expires_at BETWEEN now() + interval '11 hours 59 minutes'"
                  " AND now() + interval '12 hours 1 minute' FROM web_session"))
    jar = {"Cookie": f"rua_session={value}"}
    check("the cookie opens the API", 200, env.get("/api/v1/domains", headers=jar)[0])
    status, headers, _ = env.get("/logout", method="POST", headers={**origin, **jar}, body=b"")
    check("logout: 303 to /login, cookie cleared", (303, "/login", "rua_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
          (status, headers.get("Location"), headers.get("Set-Cookie")))
    check("logout deleted the session", [["0"]], env.sql("SELECT count(*) FROM web_session"))
    check("a logged-out cookie is refused", 401, env.get("/api/v1/domains", headers=jar)[0])
    _, headers, _ = env.get("/login", method="POST", body=form, headers=origin)
    jar = {"Cookie": headers.get("Set-Cookie").split(";")[0]}
    check("a new session works", 200, env.get("/api/v1/domains", headers=jar)[0])
    acme_token = env.sql("SELECT t.id FROM api_token t JOIN account a ON a.id = t.account_id"
                         " WHERE a.name = 'acme'")[0][0]
    env.ruactl("token", "revoke", acme_token)
    check("a revoked token is refused", 401, env.get("/api/v1/domains", t)[0])
    check("a revoked token's session is refused", 401, env.get("/api/v1/domains", headers=jar)[0])


def openapi():
    doc = json.loads(env.get("/api/v1/openapi.json")[2])
    check("OpenAPI 3.0 document", "3.0", doc["openapi"][:3])
    want = {"/api/v1/whoami", "/api/v1/domains", "/api/v1/domains/{domain}/overview",
            "/api/v1/domains/{domain}/sources", "/api/v1/domains/{domain}/sources/{ip}",
            "/api/v1/domains/{domain}/breakdown", "/api/v1/domains/{domain}/readiness",
            "/api/v1/domains/{domain}/reports", "/api/v1/reports/{id}", "/api/v1/reports/{id}/raw",
            "/api/v1/domains/{domain}/tls", "/api/v1/domains/{domain}/failures", "/api/v1/failures/{id}",
            "/api/v1/quarantine", "/api/v1/conflicts", "/api/v1/alerts", "/api/v1/openapi.json",
            "/metrics", "/login", "/logout"}
    check("OpenAPI lists every endpoint", want, set(doc["paths"]))


def alerts():
    """GET /api/v1/alerts: each account sees its own alerts only, the
    operator every account's; the payload's sender text comes back as data."""
    t = env.tokens
    env.sql("INSERT INTO alert_event (account_id, kind, domain, key, payload) "
            "SELECT a.id, 'compliance', a.name || '.example', 'compliance:' || a.name || '.example', "
            "       jsonb_build_object('domain', '<b>' || a.name || '</b>', 'compliance', 42.5) "
            "  FROM account a WHERE a.name IN ('acme', 'other') ORDER BY a.name")
    check("no token: /api/v1/alerts is 401", 401, env.get("/api/v1/alerts")[0])
    acme = env.json("/api/v1/alerts", t["acme"])
    check("acme sees its one alert", [("compliance", "acme.example", "compliance:acme.example")],
          [(i["kind"], i["domain"], i["key"]) for i in acme["items"]])
    check("the payload is JSON, text as sent", {"domain": "<b>acme</b>", "compliance": 42.5},
          acme["items"][0]["details"])
    other = env.json("/api/v1/alerts", t["other"])
    check("the other account sees only its own", ["other.example"],
          [i["domain"] for i in other["items"]])
    admin = env.json("/api/v1/alerts", t["admin"])
    check("the operator sees both, newest first", ["other.example", "acme.example"],
          [i["domain"] for i in admin["items"]][:2])
    check("a parameter not in the list is refused", 400,
          env.get("/api/v1/alerts?domain=acme.example", t["acme"])[0])
    env.sql("DELETE FROM alert_event")


def metrics():
    status, headers, body = env.get("/metrics", env.tokens["admin"])
    text = body.decode()
    rows = env.sql("SET TimeZone = 'UTC'; SELECT lower(a.domain), sum(s.messages),"
                   " coalesce(sum(s.messages) FILTER (WHERE r.dmarc_pass), 0) FROM aggregate_record r"
                   " JOIN aggregate_report a ON a.id = r.report_id AND a.date_begin = r.date_begin"
                   " CROSS JOIN LATERAL rua_day_split(r.count, a.date_begin, a.date_end) s"
                   " WHERE s.day > current_date - 30 AND s.day <= current_date GROUP BY 1")
    for domain, messages, compliant in rows:
        check(f"metrics: {domain} messages", True,
              f'rua_web_domain_messages_30d{{domain="{domain}"}} {messages}\n' in text)
        check(f"metrics: {domain} compliant", True,
              f'rua_web_domain_compliant_messages_30d{{domain="{domain}"}} {compliant}\n' in text)


def check_mode():
    conf = os.path.join(env.work, "rua-web.conf")
    res = subprocess.run([env.rua_web, "-n", "-c", conf], capture_output=True, text=True)
    check("-n: exit 0 and the OK line", (0, True), (res.returncode, "configuration OK" in res.stdout))
    # Pages that cannot be read: one line per file, exit 78, the database
    # still checked (reachable here).
    empty = os.path.join(env.work, "no-pages")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "app.js"), "w") as f:
        f.write("")
    nopages = os.path.join(env.work, "no-pages.conf")
    with open(nopages, "w") as f:
        f.write(f"DatabaseURI {env.url}\nStaticDir {empty}\nChartJs {empty}/chart.js\n"
                + ("UserID nobody\n" if os.geteuid() == 0 else ""))
    res = subprocess.run([env.rua_web, "-n", "-c", nopages], capture_output=True, text=True)
    missing = "".join(f"{nopages}: StaticDir: {empty}/{name}: cannot read: No such file or directory\n"
                      for name in ("page.html", "login.html", "app.css", "favicon.svg"))
    check("-n with unreadable pages: exit 78, one line per file, nothing on stdout",
          (78, missing + f"{nopages}: ChartJs: {empty}/chart.js: cannot read: No such file or directory\n", ""),
          (res.returncode, res.stderr, res.stdout))
    bad = os.path.join(env.work, "bad.conf")
    with open(bad, "w") as f:
        f.write("Bogus 1\nListen 127.0.0.1:99999\nMaxPageSize 5\nDatabaseURI postgresql:///x\n")
    res = subprocess.run([env.rua_web, "-n", "-c", bad], capture_output=True, text=True)
    check("-n on a bad config: exit 78, one line per problem",
          (78, f'{bad}:1: unknown key "Bogus"\n{bad}:2: Listen: 99999 is out of range (1..65535)\n'
               f'{bad}:3: MaxPageSize: 5 is out of range (10..10000)\n'), (res.returncode, res.stderr))


def command_line():
    res = subprocess.run([env.rua_web, "-V"], capture_output=True, text=True)
    check("-V prints the version", (0, True), (res.returncode, res.stdout.startswith("rua-web ")))
    res = subprocess.run([env.rua_web, "-x"], capture_output=True, text=True)
    check("an unknown option: exit 64 and one line", (64, 'rua-web: unknown option "-x" (try -h)\n'),
          (res.returncode, res.stderr))
    res = subprocess.run([env.rua_web, "-h"], capture_output=True, text=True)
    check("-h prints the manual", (0, True), (res.returncode, "EXIT STATUS" in res.stdout))
    if os.geteuid() == 0:
        conf = os.path.join(env.work, "root.conf")
        with open(conf, "w") as f:
            f.write("DatabaseURI postgresql:///x\n")
        res = subprocess.run([env.rua_web, "-f", "-c", conf], capture_output=True, text=True)
        check("as root without UserID: exit 77, nothing served", (77, True),
              (res.returncode, "refusing to run as root without UserID" in res.stderr))


def database_down():
    """A database that does not answer: 503 with a fixed message, pages still served."""
    empty = os.path.join(env.work, "nopg")
    os.makedirs(empty)
    os.chmod(env.work, 0o755)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = os.path.join(env.work, "down.conf")
    user = "UserID nobody\n" if os.geteuid() == 0 else ""
    with open(conf, "w") as f:
        f.write(f"Listen 127.0.0.1:{port}\nDatabaseURI postgresql:///rua?host={empty}\n{user}"
                f"StaticDir {os.path.join(env.src, 'web', 'static')}\n")
    proc = subprocess.Popen([env.rua_web, "-f", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except OSError:  # refused, reset or timed out: not up yet
                time.sleep(0.1)
        req = urllib.request.Request(base + "/api/v1/domains",
                                     headers={"Authorization": "Bearer rua_" + "A" * 43})
        try:
            urllib.request.urlopen(req, timeout=30)
            got = (200, b"")
        except urllib.error.HTTPError as e:
            got = (e.code, e.read())
        check("database down: 503 and a fixed message, no database text",
              (503, b'{"error":"the database is unavailable; try again later"}'), got)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    check("database down: the reason is logged, not sent", True, "cannot connect to the database" in err)


try:
    command_line()
    database_down()
    env.load()
    acme = env.sql("SELECT id FROM account WHERE name = 'acme'")[0][0]
    env.start()
    numbers(acme)
    analytics(acme)
    tenancy(acme)
    malformed()
    metacharacters()
    paging()
    openapi()
    alerts()
    metrics()
    check_mode()
    headers_and_forms()
finally:
    env.close()
finish()
