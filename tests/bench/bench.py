#!/usr/bin/env python3
"""The issue-9 benchmarks, run by tests/bench/run.sh: whole-process parse
against the C++ floor and the Node seed, peak RSS of one large message in
ruactl parse, ruactl import and the milter, store rate against COPY and
pgbench floors, plus instruction counts, start-up, TLS reports and an
optional perf profile. Prints figures and one summary table; never fails on
a slow figure, only when something cannot run or gives a wrong answer.
Every loop is bounded (runs, files); it writes only under --work.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milter_client  # noqa: E402

K_MIB = 1024 * 1024
K_GOAL_RSS_MIB = 64
K_MILTER_START_S = 60


class BenchError(Exception):
    pass


def say(text):
    print(f"== {text}", file=sys.stderr, flush=True)


def shown(cmd, limit=6):
    """A command line for the table: long file lists shortened."""
    words = [shlex.quote(str(w)) for w in cmd]
    files = [w for w in words if w.endswith(".eml")]
    if len(files) > limit:
        first = words.index(files[0])
        words = words[:first] + [os.path.dirname(files[0]) + "/*.eml"] + \
            [w for w in words[first:] if not w.endswith(".eml")]
    return " ".join(words)


def measure(cmd, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd as one child: wall seconds, user+sys seconds and peak RSS
    (MiB) of the child and the children it waited for, its exit status,
    its standard error and (stdout=subprocess.PIPE) its standard output.
    The peak RSS comes from GNU time (/usr/bin/time -f %M), which forks the
    command from its own small image: a child forked from this Python
    process would count this process's resident pages as its own peak (the
    kernel keeps the pre-exec image's high-water mark across exec)."""
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        fd, rss_file = tempfile.mkstemp(prefix="rua-bench-rss-")
        os.close(fd)
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + list(cmd)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    got = {}
    readers = []
    for name, pipe in (("stderr", proc.stderr), ("stdout", proc.stdout)):
        if pipe is not None:
            readers.append(threading.Thread(
                target=lambda n=name, p=pipe: got.__setitem__(n, p.read())))
            readers[-1].start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / 1024.0
    if rss_file is not None:
        with open(rss_file) as f:
            last = f.read().strip().splitlines()
        os.unlink(rss_file)
        if last and last[-1].isdigit():
            rss = int(last[-1]) / 1024.0
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime,
            "sys": usage.ru_stime, "rss": rss, "rc": proc.returncode,
            "stderr": got.get("stderr", b"").decode(errors="replace"),
            "stdout": got.get("stdout", b"").decode(errors="replace")}


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def ratio(a, b):
    return a / b if b else float("nan")


class Results:
    """The summary rows, in the order they are added."""

    def __init__(self):
        self.rows = []
        self.commands = []
        self.notes = []

    def add(self, figure, ours, peer, value, goal=None, met=None):
        self.rows.append((figure, ours, peer, value, goal or "-",
                          "-" if met is None else ("yes" if met else "NO")))

    def command(self, name, cmd):
        text = cmd if isinstance(cmd, str) else shown(cmd)
        if (name, text) not in self.commands:
            self.commands.append((name, text))

    def print(self):
        head = ("figure", "ours", "peer or floor (same run)", "ratio / value", "goal", "met")
        widths = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(len(head))]
        line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(head))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in self.rows:
            print(line(r))
        if self.notes:
            print()
            for n in self.notes:
                print(f"note: {n}")
        print()
        print("commands:")
        for name, text in self.commands:
            print(f"  {name}: {text}")


class Bench:
    def __init__(self, args):
        self.a = args
        self.res = Results()
        self.skip = set(args.skip.split())
        self.work = args.work
        if args.sql_dir:
            # Every ruactl and rua-milter started here checks the schema
            # against these migrations.
            os.environ["RUA_SQL_DIR"] = args.sql_dir

    # ---- helpers -------------------------------------------------------
    def runs(self, size):
        if size == "large":
            return int(os.environ.get("RUA_BENCH_RUNS_LARGE", "3"))
        return int(os.environ.get("RUA_BENCH_RUNS", "5"))

    def emails(self, size):
        files = sorted(glob.glob(os.path.join(self.a.corpus, size, "*.eml")))
        if not files:
            raise BenchError(f"no .eml files in {self.a.corpus}/{size}")
        return files

    def psql(self, db, *sql, check=True):
        cmd = [self.a.psql, "-qAtX", "-v", "ON_ERROR_STOP=1", "-d", self.url(db)]
        for s in sql:
            cmd += ["-c", s]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise BenchError(f"psql {sql!r}: {done.stderr.strip()}")
        return done.stdout.strip()

    def url(self, db):
        return f"postgresql:///{db}?host={self.a.pg}&user=postgres"

    def ruactl_store(self, db, *args):
        cmd = [self.a.ruactl, "--database", self.url(db)] + list(args)
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"{shown(cmd)}: {done.stderr.strip()}")
        return done.stdout

    def template(self):
        """A migrated database with the corpus' rua addresses registered,
        copied (CREATE DATABASE ... TEMPLATE) for each measured run."""
        if getattr(self, "_template", None):
            return self._template
        name = "bench_template"
        self.psql("postgres", f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        self.ruactl_store(name, "db", "migrate")
        self.ruactl_store(name, "account", "add", "bench")
        for domain in ("example.com", "example.org", "mail.example.io", "newsletter-example.de",
                       "shop-example.net", "big-example.net"):
            self.ruactl_store(name, "rua", "add", f"dmarc-rua@{domain}", "--account", "bench",
                              "--domain", domain)
        # The steady state of a site: the months its reports cover have their
        # partitions (`ruactl retention apply` creates them ahead), so the
        # records go straight into them. The generated corpus covers late 2023
        # to early 2024 (gen_corpus.py: days 19600-19800 since the epoch).
        self.psql(name, "SELECT count(rua_partition_create('aggregate_record', m::date)) "
                        "FROM generate_series(date '2023-08-01', date '2024-04-01', "
                        "interval '1 month') AS m")
        self._template = name
        return name

    def fresh_db(self, name):
        self.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                  f"CREATE DATABASE {name} TEMPLATE {self.template()}")
        return name

    def drop_db(self, name):
        self.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)

    # ---- 1. parse, whole process ----------------------------------------
    def part_parse(self):
        say("parse, whole process over each corpus folder: ruactl parse vs floor vs node seed")
        for size in ("small", "medium", "large"):
            files = self.emails(size)
            folder = os.path.join(self.a.corpus, size)
            tools = {"ours": [self.a.ruactl, "parse"] + files}
            if self.a.floor and "floor" not in self.skip:
                tools["floor"] = [self.a.floor, "--passes", "1", folder]
            if self.a.node_bench and "node" not in self.skip:
                tools["node"] = ["node", self.a.node_bench, folder]
            self.check_parse_output(size, files, tools)
            runs = {name: [] for name in tools}
            n = self.runs(size)
            for i in range(n):
                order = list(tools) if i % 2 == 0 else list(reversed(list(tools)))
                for name in order:
                    r = measure(tools[name])
                    if r["rc"] != 0:
                        raise BenchError(f"{name} {size} exited {r['rc']}: {r['stderr'][-500:]}")
                    runs[name].append(r)
            med = {name: {k: median_of(rs, k) for k in ("wall", "cpu", "rss")}
                   for name, rs in runs.items()}
            for name, m in med.items():
                print(f"parse {size:6} {name:5} wall {m['wall']:8.3f} s  cpu {m['cpu']:8.3f} s  "
                      f"peak RSS {m['rss']:7.1f} MiB  (median of {n}; walls "
                      f"{', '.join('%.3f' % r['wall'] for r in runs[name])})", flush=True)
                self.res.command(f"parse {name} {size}", tools[name])
            o = med["ours"]
            ours = f"{o['wall']:.3f} s wall, {o['cpu']:.3f} s cpu, {o['rss']:.0f} MiB"
            if "node" in med:
                m = med["node"]
                r = ratio(m["wall"], o["wall"])
                goal = {"small": 12, "large": 10}.get(size)
                self.res.add(f"parse {size}: node wall / ours wall", ours,
                             f"node {m['wall']:.3f} s wall, {m['cpu']:.3f} s cpu, {m['rss']:.0f} MiB",
                             f"{r:.2f}x (cpu {ratio(m['cpu'], o['cpu']):.2f}x)",
                             f">= {goal}x" if goal else None, r >= goal if goal else None)
            if "floor" in med:
                m = med["floor"]
                r = ratio(m["wall"], o["wall"])
                goal = 1.0 if size == "small" else None
                self.res.add(f"parse {size}: floor wall / ours wall", ours,
                             f"floor {m['wall']:.3f} s wall, {m['cpu']:.3f} s cpu, {m['rss']:.0f} MiB",
                             f"{100 * r:.0f} % (cpu {100 * ratio(m['cpu'], o['cpu']):.0f} %)",
                             ">= 100 %" if goal else None, r >= goal if goal else None)

    def check_parse_output(self, size, files, tools):
        """Once, untimed: ruactl parse exits 0 with one JSON line per e-mail
        (each corpus e-mail holds one report); the peers print their line."""
        out_path = os.path.join(self.work, f"parse-{size}.jsonl")
        with open(out_path, "wb") as out:
            r = measure(tools["ours"], stdout=out)
        if r["rc"] != 0:
            raise BenchError(f"ruactl parse {size} exited {r['rc']}: {r['stderr'][-500:]}")
        lines = 0
        with open(out_path, "rb") as f:
            for line in f:
                if not line.startswith(b"{"):
                    raise BenchError(f"ruactl parse {size}: a line that is not JSON")
                lines += 1
        if lines != len(files):
            raise BenchError(f"ruactl parse {size}: {lines} JSON lines for {len(files)} e-mails")
        print(f"parse {size}: ruactl parse exit 0, {lines} JSON lines for {len(files)} e-mails",
              flush=True)
        os.unlink(out_path)
        for name in ("floor", "node"):
            if name in tools:
                done = subprocess.run(tools[name], capture_output=True, text=True)
                if done.returncode != 0:
                    raise BenchError(f"{name} {size} exited {done.returncode}: {done.stderr[-500:]}")
                print(f"parse {size}: {name}: {done.stdout.strip().splitlines()[-1][:200]}",
                      flush=True)

    # ---- 2. peak RSS of one large message -------------------------------
    def rss_messages(self):
        msgs = []
        for enc in ("gz", "zip", "xml"):
            found = sorted(glob.glob(os.path.join(self.a.corpus, "large", f"large-*-{enc}.eml")))
            if found:
                msgs.append((f"20k {enc}", found[0], self.manifest_records("large")[
                    os.path.basename(found[0])]))
        big = os.path.join(self.work, "big-gz.eml")
        gen = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "gen_big.py"),
                              big], capture_output=True, text=True, check=True)
        print(f"gen_big.py: {gen.stdout.strip()}", flush=True)
        self.res.command("generate the largest gz report", f"tests/bench/gen_big.py {big}")
        records = int(re.search(r"records=(\d+)", gen.stdout).group(1))
        msgs.append((f"{records // 1000}k gz (bound)", big, records))
        return msgs

    def part_rss(self):
        say("peak RSS, one message per process: ruactl parse, ruactl import, rua-milter")
        for label, path, records in self.rss_messages():
            to = self.recipient(path)
            figures = []
            r = measure([self.a.ruactl, "parse", path])
            if r["rc"] != 0:
                raise BenchError(f"ruactl parse {path}: exit {r['rc']}: {r['stderr'][-300:]}")
            figures.append(("ruactl parse", r["rss"], f"{r['wall']:.2f} s"))
            self.res.command("rss parse", [self.a.ruactl, "parse", path])
            if self.a.pg and "rss-db" not in self.skip:
                db = self.fresh_db("bench_rss")
                cmd = [self.a.ruactl, "--database", self.url(db), "import", path]
                r = measure(cmd, stdout=subprocess.PIPE)
                if r["rc"] != 0:
                    raise BenchError(f"ruactl import {path}: exit {r['rc']}: {r['stderr'][-300:]}")
                rows = self.rows_stored(db, records)
                figures.append(("ruactl import", r["rss"], f"{r['wall']:.2f} s, {rows} rows"))
                self.res.command("rss import", cmd)
                self.drop_db(db)
                if self.a.milter and "milter" not in self.skip:
                    db = self.fresh_db("bench_rss")
                    hwm, wall, idle = self.milter_one(db, path, to)
                    rows = self.rows_stored(db, records)
                    figures.append(("rua-milter", hwm, f"{wall:.2f} s, {rows} rows, idle {idle:.0f} MiB"))
                    self.drop_db(db)
            for prog, mib, extra in figures:
                print(f"rss {label:16} {prog:13} VmHWM {mib:7.1f} MiB  ({extra})", flush=True)
                self.res.add(f"peak RSS {label}: {prog}", f"{mib:.1f} MiB ({extra})", "-",
                             f"{mib:.1f} MiB", f"<= {K_GOAL_RSS_MIB} MiB", mib <= K_GOAL_RSS_MIB)

    def manifest_records(self, size):
        """file name -> records, from the generator's MANIFEST.tsv."""
        out = {}
        with open(os.path.join(self.a.corpus, size, "MANIFEST.tsv")) as f:
            for line in f:
                cols = line.split("\t")
                if len(cols) >= 6 and cols[5].isdigit():
                    out[cols[0]] = int(cols[5])
        return out

    def rows_stored(self, db, expected):
        rows = int(self.psql(db, "SELECT count(*) FROM aggregate_record"))
        if rows != expected:
            raise BenchError(f"{rows} records stored, the report holds {expected}")
        return rows

    @staticmethod
    def recipient(path):
        with open(path, "rb") as f:
            head = f.read(65536).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        m = re.search(rb"^To:\s*<?([^>\s]+)>?", head, re.MULTILINE)
        if not m:
            raise BenchError(f"{path}: no To: field")
        return m.group(1).decode()

    def milter_one(self, db, path, to):
        """A fresh daemon, one message, its VmHWM before it stops."""
        with open(path, "rb") as f:
            raw = f.read()
        if b"\r\n" not in raw[:2000]:
            raw = raw.replace(b"\n", b"\r\n")
        mdir = os.path.join(self.work, "milter")
        os.makedirs(mdir, exist_ok=True)
        sock = os.path.join(mdir, "milter.sock")
        conf = os.path.join(mdir, "bench.conf")
        with open(conf, "w") as f:
            f.write(f"Socket unix:{sock}\nDatabaseURI {self.url(db)}\n"
                    "ReportDomains example.com example.org mail.example.io "
                    "newsletter-example.de shop-example.net big-example.net\n")
            if os.geteuid() == 0:
                f.write("UserID nobody\n")
        if os.geteuid() == 0:
            os.chown(mdir, 65534, -1)
        self.res.command("rss milter", f"{self.a.milter} -f -c {conf}  (config: {open(conf).read().strip()!r})"
                         " + tests/bench/milter_client.py, VmHWM from /proc/PID/status")
        proc = subprocess.Popen([self.a.milter, "-f", "-c", conf], stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        log = []
        started = threading.Event()

        def drain():
            for line in proc.stderr:
                log.append(line.decode(errors="replace"))
                if "started: socket" in log[-1]:
                    started.set()
        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        try:
            if not started.wait(K_MILTER_START_S):
                raise BenchError("rua-milter did not start:\n" + "".join(log))
            idle = self.vm_hwm(proc.pid)
            start = time.monotonic()
            mta = milter_client.Mta(sock)
            command, data = mta.deliver(b"BENCH1", "noreply@bench.example", to, raw)
            wall = time.monotonic() - start
            mta.close()
            if command not in (b"a", b"d"):
                raise BenchError(f"rua-milter answered {command!r} {data!r}:\n" + "".join(log))
            hwm = self.vm_hwm(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            reader.join(timeout=10)
        if not any("stored" in line for line in log):
            raise BenchError("rua-milter logged no stored line:\n" + "".join(log)[-2000:])
        return hwm, wall, idle

    @staticmethod
    def vm_hwm(pid):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        raise BenchError(f"no VmHWM for {pid}")

    # ---- 3. store -------------------------------------------------------
    def import_run(self, db, jobs, files):
        """ruactl import of the corpus e-mails (not the folder: it also holds
        the bare payloads and MANIFEST.tsv)."""
        cmd = [self.a.ruactl, "--database", self.url(db), "import", "--jobs", str(jobs)] + files
        r = measure(cmd, stdout=subprocess.PIPE)
        if r["rc"] != 0:
            raise BenchError(f"{shown(cmd)}: exit {r['rc']}: {r['stderr'][-500:]}")
        return r, cmd

    def copy_floor(self, db, tsv):
        """COPY of the rows just stored back into the same table: out to a
        file, TRUNCATE, then one timed \\copy in (whole psql process)."""
        cols = self.psql(db, "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) "
                             "FROM information_schema.columns WHERE table_schema = 'public' "
                             "AND table_name = 'aggregate_record' AND is_generated = 'NEVER'")
        if not os.path.exists(tsv):
            self.psql(db, f"\\copy (SELECT {cols} FROM aggregate_record) TO '{tsv}'")
        self.psql(db, "TRUNCATE aggregate_record", "CHECKPOINT")
        cmd = [self.a.psql, "-qAtX", "-v", "ON_ERROR_STOP=1", "-d", self.url(db), "-c",
               f"\\copy aggregate_record ({cols}) FROM '{tsv}'"]
        r = measure(cmd)
        if r["rc"] != 0:
            raise BenchError(f"COPY floor: {r['stderr'][-500:]}")
        rows = int(self.psql(db, "SELECT count(*) FROM aggregate_record"))
        self.res.command("COPY floor", f"psql -c \"\\copy (SELECT cols FROM aggregate_record) TO "
                         f"'{tsv}'\"; TRUNCATE aggregate_record; CHECKPOINT; psql -c \"\\copy "
                         f"aggregate_record (cols) FROM '{tsv}'\" (timed)")
        return r, rows

    def part_store(self):
        say("store: 20k-record reports, one writer, vs COPY of the same rows; small reports, 8 vs 1 writers vs pgbench")
        large = self.emails("large")
        n = self.runs("large")
        ours, floor = [], []
        tsv = os.path.join(self.work, "large-records.tsv")
        os.chmod(self.work, 0o755)
        for i in range(n):
            db = self.fresh_db("bench_store")
            self.psql(db, "CHECKPOINT")
            r, cmd = self.import_run(db, 1, large)
            rows = int(self.psql(db, "SELECT count(*) FROM aggregate_record"))
            r["rows"] = rows
            ours.append(r)
            self.res.command("store large, 1 writer", cmd)
            fr, frows = self.copy_floor(db, tsv)
            if frows != rows:
                raise BenchError(f"COPY floor loaded {frows} rows, the import stored {rows}")
            fr["rows"] = frows
            floor.append(fr)
            print(f"store large 1 writer: {rows} records in {r['wall']:.3f} s "
                  f"({rows / r['wall']:.0f}/s; import: {r['stdout'].strip()}) | COPY floor {frows} rows in {fr['wall']:.3f} s "
                  f"({frows / fr['wall']:.0f}/s)", flush=True)
            self.drop_db(db)
        rows = ours[0]["rows"]
        o = rows / median_of(ours, "wall")
        f = rows / median_of(floor, "wall")
        self.res.add("store large, 1 writer: records/s (ruactl import, whole process)",
                     f"{o:.0f}/s", f"COPY floor {f:.0f}/s", f"{o:.0f}/s", ">= 60000/s", o >= 60000)
        self.res.add("store large, 1 writer: ours / COPY floor", f"{o:.0f}/s", f"{f:.0f}/s",
                     f"{ratio(o, f):.2f}x", ">= 0.5x", ratio(o, f) >= 0.5)
        # Each import against the floor measured right after it: on a shared
        # machine the two drift together, so the spread shows the noise.
        pairs = sorted(ratio(fl["wall"], ou["wall"]) for ou, fl in zip(ours, floor))
        self.res.add("store large, 1 writer: ours / COPY floor, each run against its own floor",
                     f"{len(pairs)} runs", "the floor after each", f"median {statistics.median(pairs):.2f}x "
                     f"({pairs[0]:.2f}-{pairs[-1]:.2f}x)", "-", None)

        small = self.emails("small")
        reports = len(small)
        n = max(1, min(3, self.runs("small")))
        w1, w8, pgb, pgb8 = [], [], [], []
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg_small_report.sql")
        for i in range(n):
            for jobs, into in ((1, w1), (8, w8)) if i % 2 == 0 else ((8, w8), (1, w1)):
                db = self.fresh_db("bench_store")
                self.psql(db, "CHECKPOINT")
                r, cmd = self.import_run(db, jobs, small)
                stored = int(self.psql(db, "SELECT count(*) FROM aggregate_report"))
                if stored != reports:
                    raise BenchError(f"import --jobs {jobs}: {stored} reports stored of {reports}")
                into.append(reports / r["wall"])
                self.res.command(f"store small, {jobs} writer(s)", cmd)
                self.drop_db(db)
            # Prepared statements, as the store uses: the strongest single-connection
            # floor; and the same transactions from 8 connections, the ceiling of
            # what this machine's CPUs and disk give 8 writers with no parsing at all.
            for clients, into in ((1, pgb), (8, pgb8)):
                db = self.fresh_db("bench_pgbench")
                self.psql(db, "CHECKPOINT")
                cmd = [self.a.pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j",
                       str(min(clients, 2)), "-t", str(reports // clients), "-f", script,
                       self.url(db)]
                done = subprocess.run(cmd, capture_output=True, text=True)
                m = re.search(r"^tps = ([0-9.]+)", done.stdout, re.MULTILINE)
                if done.returncode != 0 or not m:
                    raise BenchError(f"pgbench: {done.stderr.strip()[-500:]}")
                into.append(float(m.group(1)))
                self.res.command(f"pgbench -c {clients}", cmd)
                self.drop_db(db)
            print(f"store small: 1 writer {w1[-1]:.1f} reports/s, 8 writers {w8[-1]:.1f} reports/s, "
                  f"pgbench -c 1 {pgb[-1]:.1f} tx/s, pgbench -c 8 {pgb8[-1]:.1f} tx/s", flush=True)
        m1, m8, mp = statistics.median(w1), statistics.median(w8), statistics.median(pgb)
        mp8 = statistics.median(pgb8)
        self.res.add("store small: 8 writers / 1 writer (reports/s)", f"{m8:.0f}/s",
                     f"1 writer {m1:.0f}/s", f"{ratio(m8, m1):.2f}x", ">= 2x", ratio(m8, m1) >= 2)
        self.res.add("store small: 8 writers / pgbench -c 1 floor", f"{m8:.0f}/s",
                     f"pgbench {mp:.0f} tx/s", f"{ratio(m8, mp):.2f}x", ">= 1.5x", ratio(m8, mp) >= 1.5)
        self.res.add("store small: 1 writer / pgbench -c 1 floor", f"{m1:.0f}/s",
                     f"pgbench {mp:.0f} tx/s", f"{ratio(m1, mp):.2f}x")
        self.res.add("store small: pgbench -c 8 / pgbench -c 1 (the machine's ceiling)",
                     f"{mp8:.0f} tx/s", f"pgbench {mp:.0f} tx/s", f"{ratio(mp8, mp):.2f}x")
        self.res.add("store small: 8 writers / pgbench -c 8 ceiling", f"{m8:.0f}/s",
                     f"pgbench -c 8 {mp8:.0f} tx/s", f"{ratio(m8, mp8):.2f}x")

    # ---- 4. the older parts: instructions, start-up, TLS reports ---------
    def part_callgrind(self):
        if not shutil.which("valgrind"):
            self.res.notes.append("valgrind missing: instruction counts skipped")
            return
        say("instruction counts (callgrind): first 150 small e-mails minus one (start-up removed)")
        files = self.emails("small")[:150]

        def ir(cmd):
            done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            m = re.search(r"Collected : (\d+)", done.stderr)
            if not m:
                raise BenchError(f"callgrind {shown(cmd)}: {done.stderr[-300:]}")
            return int(m.group(1))
        ours = (ir([self.a.ruactl, "parse"] + files) - ir([self.a.ruactl, "parse", files[0]])) / 149
        self.res.command("callgrind ours", f"valgrind --tool=callgrind {self.a.ruactl} parse "
                         "<first 150 small e-mails>, minus the same with the first one only")
        line = f"instructions per small report: ours {ours / 1e6:.2f} M"
        if self.a.floor:
            d150 = os.path.join(self.work, "small-150")
            empty = os.path.join(self.work, "empty")
            os.makedirs(d150, exist_ok=True)
            os.makedirs(empty, exist_ok=True)
            for f in files:
                dst = os.path.join(d150, os.path.basename(f))
                if not os.path.exists(dst):
                    os.symlink(f, dst)
            floor = (ir([self.a.floor, "--passes", "1", d150]) - ir([self.a.floor, "--passes", "1", empty])) / 150
            self.res.command("callgrind floor", ["valgrind", "--tool=callgrind", self.a.floor, "--passes", "1", d150])
            line += f", floor {floor / 1e6:.2f} M"
            self.res.add("instructions per small report (callgrind)", f"{ours / 1e6:.2f} M",
                         f"floor {floor / 1e6:.2f} M", f"{ratio(ours, floor):.2f}x floor")
        print(line, flush=True)

    def part_startup(self):
        if not self.a.ruactl_store_bin:
            return
        say("start-up: ruactl parse vs the all-in-one ruactl-store parse, one small report")
        one = self.emails("small")[0]
        walls, cpus = {}, {}
        for name, binary in (("ruactl", self.a.ruactl), ("ruactl-store", self.a.ruactl_store_bin)):
            rs = [measure([binary, "parse", one]) for _ in range(50)]
            walls[name], cpus[name] = median_of(rs, "wall"), median_of(rs, "cpu")
            self.res.command(f"start-up {name}", [binary, "parse", one])
        self.res.add("start-up: parse of one small report, wall (cpu), median of 50",
                     f"ruactl {1000 * walls['ruactl']:.1f} ms ({1000 * cpus['ruactl']:.1f} ms)",
                     f"ruactl-store {1000 * walls['ruactl-store']:.1f} ms "
                     f"({1000 * cpus['ruactl-store']:.1f} ms)",
                     f"{ratio(walls['ruactl-store'], walls['ruactl']):.2f}x "
                     f"(cpu {ratio(cpus['ruactl-store'], cpus['ruactl']):.2f}x)")

    def part_tlsrpt(self):
        if not self.a.tlsrpt_bench:
            return
        say("TLS reports (tlsrpt_bench)")
        done = subprocess.run([self.a.tlsrpt_bench], capture_output=True, text=True, timeout=600)
        for line in done.stdout.strip().splitlines():
            print(f"tlsrpt: {line}", flush=True)
        self.res.command("tlsrpt", [self.a.tlsrpt_bench])

    def part_maildmarc(self):
        probe = subprocess.run(["perl", "-MMail::DMARC::Report::Receive", "-e", "1"],
                               capture_output=True)
        if probe.returncode != 0 or not self.a.maildmarc_bench:
            self.res.notes.append("Mail::DMARC not installed (libmail-dmarc-perl): its parse skipped")
            return
        say("Mail::DMARC parse only (gz+zip), small")
        cmd = ["perl", self.a.maildmarc_bench, os.path.join(self.a.corpus, "small"), "--enc", "gz,zip"]
        r = measure(cmd)
        self.res.command("Mail::DMARC small", cmd)
        self.res.add("parse small gz+zip: Mail::DMARC wall (1 run)", "-", f"{r['wall']:.2f} s", "-")

    def part_perf(self):
        if not shutil.which("perf"):
            self.res.notes.append("perf missing: profile skipped")
            return
        say("profile: perf record of ruactl parse over the medium corpus")
        data = os.path.join(self.work, "perf.data")
        cmd = ["perf", "record", "-q", "-F", "999", "-o", data, "--", self.a.ruactl, "parse"] + \
            self.emails("medium")
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            self.res.notes.append(f"perf record failed: {done.stderr.strip()[-200:]}")
            return
        rep = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio", "--sort",
                              "dso,symbol", "--percent-limit", "1.5"],
                             capture_output=True, text=True)
        print("perf (self time, ruactl parse medium):")
        for line in rep.stdout.splitlines():
            if re.match(r"\s+[0-9.]+%", line):
                line = re.sub(r"(\s+-)+\s*$", "", line)
                print("  " + re.sub(r"\s+", " ", line.strip())[:150])
        self.res.command("profile", f"perf record -F 999 -o {data} -- {self.a.ruactl} parse "
                         f"{self.a.corpus}/medium/*.eml; perf report --no-children --sort dso,symbol")

    def main(self):
        parts = [("parse", self.part_parse), ("rss", self.part_rss), ("store", self.part_store),
                 ("callgrind", self.part_callgrind), ("startup", self.part_startup),
                 ("tlsrpt", self.part_tlsrpt), ("maildmarc", self.part_maildmarc),
                 ("perf", self.part_perf)]
        failed = []
        for name, part in parts:
            if name in self.skip:
                continue
            if name == "store" and not self.a.pg:
                continue
            try:
                part()
            except (BenchError, OSError, subprocess.SubprocessError) as e:
                failed.append(name)
                print(f"bench: part {name} failed: {e}", file=sys.stderr, flush=True)
                self.res.notes.append(f"part {name} FAILED: {str(e).splitlines()[0][:200]}")
        say("summary")
        self.res.print()
        with open(os.path.join(self.work, "summary.txt"), "w") as out:
            saved, sys.stdout = sys.stdout, out
            try:
                self.res.print()
            finally:
                sys.stdout = saved
        return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--ruactl", required=True)
    p.add_argument("--ruactl-store-bin")
    p.add_argument("--milter")
    p.add_argument("--tlsrpt-bench")
    p.add_argument("--floor")
    p.add_argument("--node-bench")
    p.add_argument("--maildmarc-bench")
    p.add_argument("--pg", help="directory of the private PostgreSQL (tests/pg/start.sh)")
    p.add_argument("--sql-dir")
    p.add_argument("--psql", default="psql")
    p.add_argument("--pgbench", default="/usr/lib/postgresql/15/bin/pgbench")
    p.add_argument("--skip", default="")
    return Bench(p.parse_args()).main()


if __name__ == "__main__":
    sys.exit(main())
