#!/usr/bin/env python3
"""Metrics test: the real rua-milter with MetricsSocket on a free loopback
port, scraped over HTTP after a known sequence spoken over the milter
protocol (protocol_test.py's MTA): one report stored, the same report again
(a duplicate), one RCPT refused, one report while its database refuses
connections (451 4.3.0). The counters must equal exactly that. Also: 404,
405, a bad MetricsSocket refused by `-n` and a port in use refused at start,
both with exit 78 and one line. Scratch database of its own on the `pg`
fixture's server, dropped at the end; no daemon left running.

Usage: metrics_test.py RUA_MILTER RUACTL PSQL PG_URL_FILE WORK_DIR
"""
import http.client
import os
import signal
import socket
import struct
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import protocol_test as proto  # noqa: E402  # same arguments: MILTER RUACTL PSQL URL_FILE WORK
from protocol_test import Log, Mta, check, message_steps, psql, reply_of  # noqa: E402

MILTER, RUACTL, PSQL, URL_FILE, WORK = sys.argv[1:6]
SCRATCH_DB = "rua_metrics_test"


def write_config(name, milter_port, metrics_spec, url):
    os.makedirs(WORK, exist_ok=True)
    conf = os.path.join(WORK, name)
    with open(conf, "w") as f:
        f.write(f"Socket inet:{milter_port}@127.0.0.1\nDatabaseURI {url}\n"
                f"ReportDomains example.net\nLogLevel debug\nMetricsSocket {metrics_spec}\n"
                # No refresh borrows the pool's connection while a scrape
                # expects none held.
                "RegistryRefresh 3600\n")
        if os.geteuid() == 0:
            f.write("UserID nobody\n")
    return conf


def scrape(port, method="GET", path="/metrics"):
    """(status, content type, body) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        conn.close()


def samples(text):
    """{series: value} of an exposition (comment lines left out)."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = value
    return out


def messages(kind, verdict):
    return f'rua_milter_messages_total{{kind="{kind}",verdict="{verdict}"}}'


def bad_configs(url):
    """-n refuses a non-numeric port; the daemon refuses a port in use."""
    conf = write_config("bad.conf", proto.free_port(), "inet:metrics@127.0.0.1", url)
    done = subprocess.run([MILTER, "-n", "-c", conf], capture_output=True, text=True)
    check(done.returncode == 78, f"-n with a bad MetricsSocket exited {done.returncode}")
    check(done.stderr == f'{conf}:5: MetricsSocket: "inet:metrics@127.0.0.1": port "metrics" '
                         'is not a number\n', f"-n said {done.stderr!r}")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        conf = write_config("taken.conf", proto.free_port(), f"inet:{port}", url)
        done = subprocess.run([MILTER, "-c", conf], capture_output=True, text=True, timeout=60)
        check(done.returncode == 78, f"a port in use: exit {done.returncode}")
        check(done.stderr == f"rua-milter: {conf}: MetricsSocket: cannot listen on inet:{port}: "
                             "Address already in use\n", f"a port in use: {done.stderr!r}")


def run(url, admin_url):
    ruactl = [RUACTL, "--database", url]
    subprocess.run(ruactl + ["db", "migrate"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["account", "add", "metrics-test"], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run(ruactl + ["rua", "add", "proto@example.net", "--account", "metrics-test",
                             "--domain", proto.POLICY_DOMAIN], check=True,
                   stdout=subprocess.DEVNULL)
    bad_configs(url)

    milter_port = proto.free_port()
    metrics_port = proto.free_port()
    conf = write_config("metrics.conf", milter_port, f"inet:{metrics_port}", url)
    proc = subprocess.Popen([MILTER, "-f", "-c", conf], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    log = Log(proc)
    try:
        log.wait_for(f"metrics: serving http://127.0.0.1:{metrics_port}/metrics")
        log.wait_for("started: socket")
        status, ctype, body = scrape(metrics_port)
        check(status == 200, f"first scrape: {status}")
        check(ctype == "text/plain; version=0.0.4; charset=utf-8", f"content type {ctype!r}")
        first = samples(body)
        check(first[messages("aggregate", "stored")] == "0", "not zero at start")
        check(first["rua_milter_registry_age_seconds"] != "+Inf", "registry never loaded?")
        check(first["rua_milter_build_info{version=\"" +
                    subprocess.run([MILTER, "-V"], capture_output=True,
                                   text=True).stdout.split()[1] + "\"}"] == "1", "build_info")
        check(scrape(metrics_port, path="/")[0] == 404, "GET / is not 404")
        check(scrape(metrics_port, method="POST")[0] == 405, "POST /metrics is not 405")

        mta = Mta(milter_port)
        mta.negotiate()
        check(mta.step(b"C", b"mta.example\0" + b"4" + struct.pack("!H", 25) +
                       b"127.0.0.1\0")[0] == b"c", "CONNECT not continued")
        # 1. stored; 2. the same again: duplicate.
        for qid in (b"QID1", b"QID2"):
            _, early = message_steps(mta, [b"<proto@example.net>"], qid)
            check(early is None, f"{qid}: refused early: {early!r}")
            _, final = mta.end_of_message()
            check(final[0] == b"d", f"{qid}: end of message {final!r}")
        # 3. an unregistered address at a report domain: 550 5.1.1.
        replies, early = message_steps(mta, [b"<nobody@example.net>"], b"QID3")
        check(replies[0][0] == b"y" and replies[0][1].startswith(b"550 5.1.1"),
              f"RCPT nobody: {replies[0]!r}")
        mta.send(b"A")
        # 4. the database refuses connections: 451 4.3.0.
        psql(admin_url, f"ALTER DATABASE {SCRATCH_DB} ALLOW_CONNECTIONS false")
        psql(admin_url, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        f"WHERE datname = '{SCRATCH_DB}'")
        try:
            _, early = message_steps(mta, [b"<proto@example.net>"], b"QID4",
                                     report_id=proto.REPORT_ID_2)
            check(early is None, f"QID4 refused early: {early!r}")
            _, final = mta.end_of_message()
            check(reply_of(final) == (b"y", b"451 4.3.0 cannot store the report now, try again "
                                            b"later"), f"database down: {final!r}")
        finally:
            psql(admin_url, f"ALTER DATABASE {SCRATCH_DB} ALLOW_CONNECTIONS true")
        mta.close()

        status, _, body = scrape(metrics_port)
        check(status == 200, f"second scrape: {status}")
        got = samples(body)
        expected = {
            messages("aggregate", "stored"): "1",
            messages("aggregate", "duplicate"): "1",
            messages("aggregate", "quarantined"): "0",
            messages("aggregate", "rejected"): "0",
            messages("aggregate", "tempfail"): "1",
            messages("unknown", "tempfail"): "0",
            "rua_milter_rcpt_rejected_total": "1",
            'rua_milter_tempfail_total{reason="database"}': "1",
            'rua_milter_tempfail_total{reason="deadline"}': "0",
            'rua_milter_tempfail_total{reason="overload"}': "0",
            'rua_milter_tempfail_total{reason="registry"}': "0",
            'rua_milter_tempfail_total{reason="internal"}': "0",
            'rua_milter_eom_seconds_bucket{le="+Inf"}': "3",
            "rua_milter_eom_seconds_count": "3",
            "rua_milter_inflight_messages": "0",
            "rua_milter_inflight_bytes": "0",
            "rua_milter_db_pool_in_use": "0",
        }
        for series, value in expected.items():
            check(got.get(series) == value, f"{series}: expected {value}, got {got.get(series)}")
        others = [s for s, v in got.items() if s.startswith("rua_milter_messages_total") and
                  s not in expected and v != "0"]
        check(not others, f"other messages counted: {others}")

        proc.send_signal(signal.SIGTERM)
        log.rest()
        proc.wait(timeout=30)
        check(proc.returncode == 0, f"rua-milter exited with {proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(WORK, "metrics.log"), "w") as f:
            f.write(log.text())


def main():
    fixture_url = open(URL_FILE).read().strip()
    admin_url = proto.database_url(fixture_url, "postgres")
    url = proto.database_url(fixture_url, SCRATCH_DB)
    psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    psql(admin_url, f"CREATE DATABASE {SCRATCH_DB}")
    try:
        run(url, admin_url)
    finally:
        psql(admin_url, f"ALTER DATABASE {SCRATCH_DB} ALLOW_CONNECTIONS true")
        psql(admin_url, f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    print("metrics_test: PASS")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"metrics_test: FAIL: {error}", file=sys.stderr)
        sys.exit(1)
