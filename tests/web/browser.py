#!/usr/bin/python3
"""rua-web's pages in a real browser: headless Chromium driven by Debian's
chromedriver (python3-selenium), one session for every page. Logs in
through the form, opens every page, checks that the numbers shown equal the
API's, that no console error was logged (CSP violations included), that a
reporter's markup shows as text, and that a 1,000-domain account's list
renders (paged, SVG sparklines). Saves a screenshot of each page under
OUT_DIR/screenshots (test artefacts, never committed).

Usage: browser.py RUACTL RUA_WEB SOURCE_DIR PG_DIR OUT_DIR
Exits 77 (skipped) when Chromium or chromedriver is not installed.
"""
import glob
import os
import re
import shutil
import sys
import time
import urllib.parse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    print(f"SKIP: {CHROMIUM} or {CHROMEDRIVER} is not installed (apt-get install chromium chromium-driver)")
    sys.exit(77)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webtest import Env, check, finish  # noqa: E402

env = Env(sys.argv, "browser", max_page_size=500)
shots = os.path.join(env.out, "screenshots")
shutil.rmtree(shots, ignore_errors=True)
os.makedirs(shots)
BIG = 1000


def big_account():
    """An account with 1,000 domains, three days of reports each, written in
    SQL (generate_series) and rolled up as the store does."""
    env.ruactl("account", "add", "big")
    env.sql(f"""
        INSERT INTO account_domain (account_id, domain)
        SELECT a.id, format('big-%s.example', lpad(n::text, 4, '0'))
          FROM account a, generate_series(0, {BIG - 1}) n WHERE a.name = 'big';
        INSERT INTO aggregate_report (org_name, report_id, date_begin, date_end, domain, p, sp, pct,
                                      schema_flavour, via, fingerprint, record_count, message_count,
                                      account_id)
        SELECT 'gen.example', format('b%s-%s', d.n, k), day, day + interval '1 day' - interval '1 second',
               d.domain, 'reject', 'none', 100, 'rfc7489', 'import', sha256(convert_to(d.domain || k, 'UTF8')),
               2, 10 + k, d.account_id
          FROM (SELECT row_number() OVER (ORDER BY domain) AS n, domain, account_id FROM account_domain
                 WHERE account_id = (SELECT id FROM account WHERE name = 'big')) d,
               generate_series(1, 3) k,
               LATERAL (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                               - k * interval '1 day' AS day) t;
        INSERT INTO aggregate_record (report_id, ordinal, source_ip, count, disposition, dkim, spf,
                                      header_from, dmarc_pass, date_begin, account_id)
        SELECT a.id, o, ('198.51.100.' || (o + 1))::inet, CASE o WHEN 0 THEN 8 + (a.id % 3) ELSE 2 END,
               'none', CASE o WHEN 0 THEN 'pass' ELSE 'fail' END, 'fail', a.domain, o = 0,
               a.date_begin, a.account_id
          FROM aggregate_report a, generate_series(0, 1) o WHERE a.org_name = 'gen.example';
        UPDATE aggregate_report a SET message_count = (SELECT sum(count) FROM aggregate_record r
                                                        WHERE r.report_id = a.id)
         WHERE org_name = 'gen.example';
        SELECT count(rua_rollup_report(id)) FROM aggregate_report WHERE org_name = 'gen.example';
        SELECT rua_rollup_fold();""")
    return env.ruactl("token", "add", "--account", "big")


def static_csp_check():
    """No inline script, no inline style, no handler attributes in the pages."""
    bad = []
    for path in glob.glob(os.path.join(env.src, "web", "static", "*.html")):
        text = open(path).read()
        if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(r"\sstyle=|<style|\son[a-z]+=", text):
            bad.append(os.path.basename(path))
    check("pages: no inline script, style or event handler (the CSP allows none)", [], bad)


def main():
    static_csp_check()
    env.load()
    big_token = big_account()
    env.start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        run(driver, big_token)
    finally:
        driver.quit()


def console_errors(driver, page):
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(f"{page}: no console errors", [], errors)


def open_page(driver, path, name):
    driver.get(env.base + path)
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    check(f"{name}: rendered without error", "1",
          driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    driver.save_screenshot(os.path.join(shots, f"{name}.png"))
    console_errors(driver, name)


def column(driver, table, col):
    return [td.text for td in driver.find_elements(By.CSS_SELECTOR, f"#{table} td[data-col='{col}']")]


def login(driver, token):
    driver.get(env.base + "/login")
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 60).until(lambda d: urllib.parse.urlparse(d.current_url).path == "/domains")


def run(driver, big_token):
    t = env.tokens
    driver.get(env.base + "/login")
    driver.save_screenshot(os.path.join(shots, "login.png"))
    console_errors(driver, "login")
    driver.find_element(By.ID, "token").send_keys("rua_wrong")
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, 30).until(lambda d: "failed=1" in d.current_url)
    check("a bad token: the form says so", True, driver.find_element(By.ID, "error").is_displayed())
    login(driver, t["acme"])

    api = env.json("/api/v1/domains?limit=50", t["acme"])
    open_page(driver, "/domains", "domains")
    check("domains page: the API's domains and 30-day messages",
          [(d["domain"], str(d["messages"])) for d in api["items"]],
          list(zip(column(driver, "domains", "domain"), column(driver, "domains", "messages"))))
    check("domains page: one SVG sparkline per domain", len(api["items"]),
          len(driver.find_elements(By.CSS_SELECTOR, "#domains svg.spark")))
    check("an account sees no operator link", False,
          driver.find_element(By.CSS_SELECTOR, "a[href='/quarantine']").is_displayed())

    over = env.json("/api/v1/domains/acme.example/overview?since=30d", t["acme"])
    open_page(driver, "/domain?d=acme.example&since=30d", "domain")
    check("overview page: daily messages equal the API's", [str(r["messages"]) for r in over["daily"]],
          column(driver, "daily", "messages"))
    check("overview page: top sources equal the API's",
          [(r["source_ip"], str(r["messages"])) for r in over["top_sources"]],
          list(zip(column(driver, "top_sources", "source_ip"), column(driver, "top_sources", "messages"))))
    check("overview page: DKIM/SPF breakdown rows", len(over["auth"]), len(column(driver, "auth", "messages")))
    check("overview page: two charts drawn", 2, len(driver.find_elements(By.CSS_SELECTOR, "canvas")))
    ready = env.json("/api/v1/domains/acme.example/readiness?since=30d", t["acme"])
    check("overview page: the readiness line is the API's (and ruactl summary's)",
          ready["readiness"][0]["line"], driver.find_element(By.ID, "readiness-line").text)
    check("overview page: the readiness checks", [c["check"] for c in ready["checks"]],
          column(driver, "checks", "check"))
    bd = env.json("/api/v1/domains/acme.example/breakdown?by=source&since=30d&top=20", t["acme"])
    check("overview page: the breakdown by source equals the API's",
          [(r["source_ip"], str(r["messages"]), str(r["fail"])) for r in bd["breakdown"]],
          list(zip(column(driver, "breakdown", "source_ip"), column(driver, "breakdown", "messages"),
                   column(driver, "breakdown", "fail"))))
    Select(driver.find_element(By.ID, "by")).select_by_value("dkim-domain")
    WebDriverWait(driver, 30).until(lambda d: column(d, "breakdown", "dkim_domain"))
    bd = env.json("/api/v1/domains/acme.example/breakdown?by=dkim-domain&since=30d&top=20", t["acme"])
    check("overview page: by= DKIM domain, the API's rows",
          [(r["dkim_domain"] or "", str(r["messages"])) for r in bd["breakdown"]],
          list(zip(column(driver, "breakdown", "dkim_domain"), column(driver, "breakdown", "messages"))))
    check("overview page: the by= choice is kept in the address", True, "by=dkim-domain" in driver.current_url)
    driver.save_screenshot(os.path.join(shots, "domain-breakdown.png"))
    console_errors(driver, "domain breakdown by DKIM domain")
    reporters = column(driver, "top_reporters", "reporter")
    check("a reporter's markup is shown as text, never parsed", (True, 0),
          ('evil <b>org</b> & "co"' in reporters,
           len(driver.find_elements(By.CSS_SELECTOR, "#top_reporters b"))))

    src = env.json("/api/v1/domains/acme.example/sources?since=30d&limit=50", t["acme"])
    open_page(driver, "/sources?d=acme.example&since=30d", "sources")
    check("sources page: the API's sources and numbers",
          [(r["source_ip"], str(r["messages"]), str(r["fail"])) for r in src["items"]],
          list(zip(column(driver, "sources", "source_ip"), column(driver, "sources", "messages"),
                   column(driver, "sources", "fail"))))
    driver.find_element(By.ID, "failing").click()
    driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "failing=1" in d.current_url and
                                    d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    failing = env.json("/api/v1/domains/acme.example/sources?since=30d&failing=1&limit=50", t["acme"])
    check("sources page, failing only: the API's", [r["source_ip"] for r in failing["items"]],
          column(driver, "sources", "source_ip"))
    ip = src["items"][0]["source_ip"]
    detail = env.json(f"/api/v1/domains/acme.example/sources/{urllib.parse.quote(ip)}", t["acme"])
    open_page(driver, f"/source?d=acme.example&ip={urllib.parse.quote(ip)}", "source")
    check("source page: daily numbers equal the API's", [str(r["messages"]) for r in detail["daily"]],
          column(driver, "daily", "messages"))

    reports = env.json("/api/v1/domains/acme.example/reports?since=30d&limit=50", t["acme"])
    open_page(driver, "/reports?d=acme.example", "reports")
    check("reports page: the API's reports", [str(r["id"]) for r in reports["items"]],
          column(driver, "reports", "id"))
    rid = reports["items"][0]["id"]
    rep = env.json(f"/api/v1/reports/{rid}?limit=200", t["acme"])
    open_page(driver, f"/report?id={rid}", "report")
    check("report page: every record's count", [str(r["count"]) for r in rep["records"]],
          column(driver, "records", "count"))
    check("report page: a download link for the attachment", 1,
          len(driver.find_elements(By.CSS_SELECTOR, f"a[href='/api/v1/reports/{rid}/raw']")))

    tls = env.json("/api/v1/domains/acme.example/tls?since=365d", t["acme"])
    open_page(driver, "/tls?d=acme.example&since=365d", "tls")
    check("TLS page: failures by result type and MX equal the API's",
          [(r["result_type"], str(r["sessions"])) for r in tls["failures"]],
          list(zip(column(driver, "failures", "result_type"), column(driver, "failures", "sessions"))))
    check("TLS page: successful sessions total", sum(r["successful"] for r in tls["daily"]),
          sum(int(x) for x in column(driver, "daily", "successful")))

    fails = env.json("/api/v1/domains/acme.example/failures?since=3660d", t["acme"])
    open_page(driver, "/failures?d=acme.example&since=3660d", "failures")
    check("failure reports page: the API's list", [str(r["id"]) for r in fails["items"]],
          column(driver, "failures", "id"))
    open_page(driver, f"/failure?id={fails['items'][0]['id']}", "failure")
    check("failure page: redacted fields only", False, "original_headers" in column(driver, "failure", "field"))

    # Phone width and dark mode: the domain overview.
    driver.set_window_size(390, 844)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    open_page(driver, "/domain?d=acme.example", "domain-phone-dark")
    check("dark mode applies", True,
          driver.execute_script("return getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)")
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    driver.set_window_size(1280, 1000)

    # The operator.
    driver.find_element(By.CSS_SELECTOR, "header form button").click()
    WebDriverWait(driver, 30).until(lambda d: urllib.parse.urlparse(d.current_url).path == "/login")
    login(driver, t["admin"])
    quarantine = env.json("/api/v1/quarantine", t["admin"])
    open_page(driver, "/quarantine", "quarantine")
    check("quarantine page: the API's rows", [str(r["id"]) for r in quarantine["items"]],
          column(driver, "quarantine", "id"))
    check("the operator sees the operator links", True,
          driver.find_element(By.CSS_SELECTOR, "a[href='/quarantine']").is_displayed())
    open_page(driver, "/conflicts", "conflicts")
    # An alert whose text a sender chose: shown as text, never as markup.
    env.sql("INSERT INTO alert_event (account_id, kind, domain, key, payload) "
            "SELECT id, 'conflict', '<b>x</b>.example', 'conflict:1', "
            "       '{\"via\": \"<img src=x>\"}' FROM account WHERE name = 'acme'")
    open_page(driver, "/alerts", "alerts")
    check("alerts: the sender's text as text", ["<b>x</b>.example"], column(driver, "alerts", "domain"))
    check("alerts: no markup from the payload", 0,
          len(driver.find_elements(By.CSS_SELECTOR, "#alerts img, #alerts b")))

    # A 1,000-domain account.
    driver.find_element(By.CSS_SELECTOR, "header form button").click()
    WebDriverWait(driver, 30).until(lambda d: urllib.parse.urlparse(d.current_url).path == "/login")
    login(driver, big_token)
    started = time.monotonic()
    open_page(driver, "/domains", "domains-1000")
    elapsed = time.monotonic() - started
    print(f"figure: 1,000-domain account, first page of the domain list rendered in {elapsed:.2f} s")
    check("1,000 domains: a page of 50 rows with sparklines", (50, 50, "1-50 of 1000"),
          (len(column(driver, "domains", "domain")),
           len(driver.find_elements(By.CSS_SELECTOR, "#domains svg.spark")),
           driver.find_element(By.ID, "range").text))
    api = env.json("/api/v1/domains?limit=50", big_token)
    check("1,000 domains: the numbers shown equal the API's", [str(d["messages"]) for d in api["items"]],
          column(driver, "domains", "messages"))
    driver.find_element(By.ID, "next").click()
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "range").text == "51-100 of 1000")
    check("1,000 domains: the next page", "big-0050.example", column(driver, "domains", "domain")[0])
    console_errors(driver, "domains-1000 next page")
    print(f"screenshots: {shots}")


try:
    main()
finally:
    env.close()
finish()
