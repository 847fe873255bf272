"""Shared by the rua-web tests (api.py, browser.py): a scratch database on
the pg fixture's server, generated reports imported with the real ruactl,
tokens made with `ruactl token add`, and a real rua-web process on a free
loopback port. Never touches the server's own `rua` database or another
test's scratch database; stops what it starts.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import gen_data

FAILED = []


def check(what, expected, actual):
    if expected == actual:
        print(f"ok: {what}")
    else:
        print(f"FAIL: {what}: expected {expected!r}, got {actual!r}")
        FAILED.append(what)


def finish():
    print("PASS" if not FAILED else f"FAILED ({len(FAILED)})")
    sys.exit(1 if FAILED else 0)


class Env:
    """argv: RUACTL RUA_WEB SOURCE_DIR PG_DIR OUT_DIR"""

    def __init__(self, argv, name, max_page_size=20):
        self.ruactl_bin, self.rua_web, self.src, self.pgdir, self.out = argv[1:6]
        os.makedirs(self.out, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix=f"web-{name}.")
        os.environ["RUA_SQL_DIR"] = os.path.join(self.src, "sql")
        with open(os.path.join(self.pgdir, "url")) as f:
            url = f.read().strip()
        self.db = f"t_web_{name}_{os.getpid()}"
        self.admin_url = url.replace(":///rua?", ":///postgres?")
        self.url = url.replace(":///rua?", f":///{self.db}?")
        self.psql_admin(f"CREATE DATABASE {self.db}")
        os.environ["RUA_DATABASE_URL"] = self.url
        self.proc = None
        self.max_page_size = max_page_size

    def psql_admin(self, sql):
        subprocess.run(["psql", self.admin_url, "-qAtX", "-c", sql], check=True,
                       stdout=subprocess.DEVNULL)

    def sql(self, sql):
        out = subprocess.run(["psql", self.url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("|") for line in out.splitlines() if line != ""]

    def ruactl(self, *args):
        return subprocess.run([self.ruactl_bin, *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    def load(self):
        """Migrates, registers the accounts, imports the generated reports."""
        self.ruactl("db", "migrate")
        facts = gen_data.write(self.work)
        for account, domains, rua in gen_data.ACCOUNTS:
            self.ruactl("account", "add", account)
            self.ruactl("rua", "add", rua, "--account", account, *sum((["--domain", d] for d in domains), []))
        for rua, files in facts["imports"]:
            subprocess.run([self.ruactl_bin, "import", "--rua", rua, *files], check=False,
                           capture_output=True, text=True)
        for extra in facts["extra_domains"]:
            self.ruactl("domain", "add", extra, "--account", "acme")
        self.tokens = {
            "acme": self.ruactl("token", "add", "--account", "acme", "--label", "test"),
            "other": self.ruactl("token", "add", "--account", "other"),
            "admin": self.ruactl("token", "add", "--admin"),
        }
        return facts

    def start(self, extra=""):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        conf = os.path.join(self.work, "rua-web.conf")
        user = "UserID nobody\n" if os.geteuid() == 0 else ""
        with open(conf, "w") as f:
            f.write(f"Listen 127.0.0.1:{self.port}\nDatabaseURI {self.url}\n{user}"
                    f"CookieSecure no\nMaxPageSize {self.max_page_size}\n"
                    f"StaticDir {os.path.join(self.src, 'web', 'static')}\nLogLevel debug\n{extra}")
        self.log = open(os.path.join(self.out, "rua-web.log"), "w")
        self.proc = subprocess.Popen([self.rua_web, "-f", "-c", conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            if self.proc.poll() is not None:
                raise SystemExit(f"rua-web exited with {self.proc.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=2).read()
                return
            except OSError:  # refused, reset or timed out: not up yet
                time.sleep(0.1)
        raise SystemExit("rua-web did not answer")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = "killed"
            check("rua-web stops on SIGTERM with status 0", 0, rc)
        self.proc = None

    def close(self):
        self.stop()
        try:
            self.psql_admin(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def get(self, path, token=None, headers=None, method="GET", body=None):
        """(status, headers, body bytes); never raises for an HTTP status."""
        req = urllib.request.Request(self.base + path, method=method, data=body)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(req, timeout=60) as res:
                return res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path, token):
        status, _, body = self.get(path, token)
        if status != 200:
            raise AssertionError(f"GET {path}: {status} {body[:200]!r}")
        return json.loads(body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
