# SPDX-License-Identifier: BSD-3-Clause
"""Checks shared by the synackctl tests: a strict reader of the Prometheus
text format, the stats table, and canned telemetry replies (recorded from a
real synackd with dpdk-telemetry.py, in replies.json) for a fake engine.
Python 3 standard library only."""

import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))

METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE_RE = re.compile(r"(%s)(\{(?:%s(?:,%s)*)?\})? (\S+)" % (METRIC, LABEL, LABEL))
HELP_RE = re.compile(r"# HELP (%s) .+" % METRIC)
TYPE_RE = re.compile(r"# TYPE (%s) (counter|gauge|untyped|summary|histogram)" % METRIC)


class CheckError(Exception):
    pass


def parse_prometheus(text):
    """Every line a # HELP / # TYPE comment or `name{labels} value`; each
    family's HELP and TYPE once, before its samples; counters end in _total;
    a summary's samples carry a quantile, beside its _sum and _count.
    Returns {"name{labels}": value}."""
    samples = {}
    typed = {}
    helped = set()
    if not text.endswith("\n"):
        raise CheckError("prometheus output does not end with a newline")
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            m = HELP_RE.fullmatch(line)
            if m:
                if m.group(1) in helped:
                    raise CheckError("line %d: second HELP for %s" % (n, m.group(1)))
                helped.add(m.group(1))
                continue
            m = TYPE_RE.fullmatch(line)
            if m:
                if m.group(1) in typed:
                    raise CheckError("line %d: second TYPE for %s" % (n, m.group(1)))
                typed[m.group(1)] = m.group(2)
                continue
            raise CheckError("line %d: a comment that is neither HELP nor TYPE: %r"
                             % (n, line))
        m = SAMPLE_RE.fullmatch(line)
        if not m:
            raise CheckError("line %d: not a sample `name{labels} value`: %r" % (n, line))
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        family = name
        for suffix in ("_sum", "_count"):
            base = name[:-len(suffix)]
            if name.endswith(suffix) and typed.get(base) == "summary":
                family = base   # a summary's _sum and _count samples
        if family not in typed or family not in helped:
            raise CheckError("line %d: %s has no HELP/TYPE before it" % (n, name))
        if typed[family] == "summary" and family == name and \
                not re.search(r'quantile="[0-9.]+"', labels):
            raise CheckError("line %d: summary sample %s without a quantile" % (n, name))
        if typed[family] == "counter" and not name.endswith("_total"):
            raise CheckError("line %d: counter %s does not end in _total" % (n, name))
        if not name.startswith("synack_"):
            raise CheckError("line %d: %s is not a synack_ metric" % (n, name))
        try:
            v = float(value)
        except ValueError:
            raise CheckError("line %d: bad value %r" % (n, value))
        key = name + labels
        if key in samples:
            raise CheckError("line %d: duplicate sample %s" % (n, key))
        samples[key] = int(v) if v.is_integer() and "." not in value else v
    if not samples:
        raise CheckError("no samples")
    return samples


def promtool_check(text, what):
    """`promtool check metrics` (Debian's prometheus package, in
    SK_PACKAGES): the exposition's syntax, and its lint: base units,
    _total on counters, HELP on every family. Any finding fails."""
    tool = shutil.which("promtool")
    if tool is None:
        raise CheckError("promtool not found: usertools/setup installs it "
                         "(the prometheus package)")
    p = subprocess.run([tool, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0 or p.stdout.strip() or p.stderr.strip():
        raise CheckError("promtool check metrics on %s: exit %d: %s" % (
            what, p.returncode, (p.stdout + p.stderr).strip()))


class Exporter:
    """`synackctl ARGS exporter --listen LISTEN` in the background: the URL
    it says it serves, scrapes, and a stop by signal."""

    def __init__(self, ctl_argv, listen="127.0.0.1:0"):
        self.proc = subprocess.Popen(ctl_argv + ["exporter", "--listen", listen],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"synackctl: exporter: serving (http://(\S+)/metrics) for file "
                         r"prefix '[^']*' \(Ctrl-C stops\)\n", line)
        if not m:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise CheckError("exporter: first line %r, exit %s, stderr %r"
                             % (line, self.proc.returncode, err))
        self.url, self.hostport = m.group(1), m.group(2)

    def get(self, url=None, method="GET"):
        """(status, content type, body) of one request."""
        req = urllib.request.Request(url or self.url, method=method)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode()

    def scrape(self, what):
        """A good scrape: 200, the exposition format, promtool clean.
        Returns its samples."""
        status, ctype, body = self.get()
        if status != 200 or ctype != "text/plain; version=0.0.4; charset=utf-8":
            raise CheckError("exporter %s: %d %s: %r" % (what, status, ctype, body[:300]))
        promtool_check(body, "the exporter's /metrics, " + what)
        return parse_prometheus(body)

    def stop(self, sig=signal.SIGTERM):
        """Signal it; returns (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise CheckError("exporter: still running 10 s after signal %d" % sig)
        return self.proc.returncode, err


DASHBOARD = os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "grafana",
                         "synack.json")


def dashboard_queries(job="synack", rate_interval="10s"):
    """docs/grafana/synack.json's queries as [(panel title, PromQL)], its
    variables filled in the way Grafana would: $job, $instance (all),
    $__rate_interval."""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    out = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            q = t["expr"].replace("$__rate_interval", rate_interval)
            q = q.replace("$job", job).replace("$instance", ".*")
            out.append((p["title"], q))
    if not out:
        raise CheckError("%s: no queries" % DASHBOARD)
    return out


def dashboard_metric_names():
    """The synack_ metric names the dashboard's queries use (a name
    followed by _sum or _count is a summary's)."""
    names = set()
    for _, q in dashboard_queries():
        for m in re.finditer(r"\b(synack_[a-z0-9_]+)\b(?![\"])", q):
            names.add(m.group(1))
    return names


def free_tcp_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class PrometheusServer:
    """Debian's prometheus (the package that brings promtool) scraping
    @target every second as job "synack", in a temporary folder; query()
    runs PromQL through its HTTP API."""

    def __init__(self, target):
        tool = shutil.which("prometheus")
        if tool is None:
            raise CheckError("prometheus not found: usertools/setup installs it")
        self.tmp = tempfile.mkdtemp(prefix="sk-prom-")
        cfg = os.path.join(self.tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: synack\n    static_configs:\n"
                    "      - targets: ['%s']\n" % target)
        self.base = "http://127.0.0.1:%d" % free_tcp_port()
        self.log = open(os.path.join(self.tmp, "log"), "w+")
        self.proc = subprocess.Popen(
            [tool, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(
                self.tmp, "data"), "--web.listen-address=" + self.base[7:]],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def query(self, q):
        """The result vector of an instant query; CheckError when
        Prometheus refuses the query."""
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            raise CheckError("prometheus refused %r: %s" % (q, e.read().decode()[:300]))
        if body.get("status") != "success":
            raise CheckError("prometheus: %r: %r" % (q, body))
        return body["data"]["result"]

    def wait(self, q, pred, timeout=30):
        """Query @q until pred(result); returns the result."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise CheckError("prometheus exited %d: %s" % (
                    self.proc.returncode, self.log.read()[-500:]))
            try:
                r = self.query(q)
                if pred(r):
                    return r
            except (OSError, CheckError):
                r = None
            if time.monotonic() > deadline:
                raise CheckError("prometheus: %r still %r after %d s" % (q, r, timeout))
            time.sleep(0.5)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def check_stats_table(text, stats, all_counters=False):
    """The human stats table: a header, then every non-zero counter (all
    with all_counters) and live-flow state with its value, the values
    right-aligned in one column (a description may follow them)."""
    lines = text.splitlines()
    if not lines or lines[0].split() != ["COUNTER", "VALUE"]:
        raise CheckError("stats table: header %r" % lines[:1])
    values = {}
    width = None
    for line in lines[1:]:
        m = re.match(r"\s*(\S+)\s+(\d+)(?=\s|$)", line)
        if m:
            values[m.group(1)] = int(m.group(2))
            end = m.end()
            if width is None:
                width = end
            elif end != width:
                raise CheckError("stats table: values not aligned: %r" % line)
    for name, v in stats["counters"].items():
        if (v or all_counters) and values.get(name) != v:
            raise CheckError("stats table: %s = %s, expected %d" % (name, values.get(name), v))
        if not v and not all_counters and name in values:
            raise CheckError("stats table: zero counter %s shown" % name)
    for state, v in stats["flows"].items():
        if v and values.get(state) != v:
            raise CheckError("stats table: flows %s = %s, expected %d" % (state, values.get(state), v))
    if values.get("total") != stats["flow_count"]:
        raise CheckError("stats table: flow total %s, expected %d" % (values.get("total"), stats["flow_count"]))
    return values


# watch's client line (a client role runs)
CLIENT_ROW_RE = re.compile(
    r"client (resolving|opening|draining|finished|failed): attempted/s (\d+\.\d), "
    r"established/s (\d+\.\d), failed/s (\d+\.\d), concurrent (\d+), p99 (\d+) us")


def parse_client_table(text):
    """synackctl client: the header lines, then label / count rows."""
    head, rows = {}, {}
    lines = text.splitlines()
    i = 0
    while i < len(lines) and lines[i]:
        k, _, v = lines[i].partition(" ")
        head[k] = v.strip()
        i += 1
    if set(head) - {"target", "state", "error", "time", "rate"} or \
            not {"target", "state", "time", "rate"} <= set(head):
        raise CheckError("client table: header %r" % lines[:i])
    if i + 1 >= len(lines) or lines[i + 1].split()[:2] != ["CONNECTIONS", "COUNT"]:
        raise CheckError("client table: no CONNECTIONS COUNT after the header: %r" % text)
    for line in lines[i + 2:]:
        m = re.match(r"(\s*)(\S+)\s+(\d+(?:\.\d)?)(?:\s|$)", line)
        if not m:
            raise CheckError("client table: row %r" % line)
        rows[("  " if m.group(1) else "") + m.group(2)] = float(m.group(3))
    want = ["attempted", "established", "completed", "failed", "  timeout", "  rst",
            "  bad_synack", "  response", "  closed", "syn_retx", "no_tuple",
            "concurrent", "latency_us", "  min", "  mean", "  p50", "  p90", "  p99",
            "  p99.9", "  max"]
    if list(rows) != want:
        raise CheckError("client table: rows %r, expected %r" % (list(rows), want))
    return head, rows


def parse_proxy_table(text):
    """synackctl proxy: a header row, a row per backend, a footnote line.
    Returns {backend: {column: value}} (numbers as int)."""
    lines = text.splitlines()
    head = ["BACKEND", "PORT", "RESOLVED", "HEALTH", "OPENED", "ESTABLISHED", "FAILED",
            "BYTES_C2B", "BYTES_B2C", "FLOWS"]
    if not lines or lines[0].split() != head or not lines[-1].startswith("port: "):
        raise CheckError("synackctl proxy: table %r" % text)
    rows = {}
    for line in lines[1:-1]:
        m = re.fullmatch(r"(\S+)\s+(any|\d+)\s+(yes|no)"
                         r"\s+(up|unresolved|down(?: \(\d+ workers?\))?)"
                         r"\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", line)
        if not m:
            raise CheckError("synackctl proxy: row %r" % line)
        rows[m.group(1)] = dict(zip(head[1:], [m.group(2), m.group(3), m.group(4)] +
                                    [int(v) for v in m.groups()[4:]]))
    return rows


def canned_replies():
    """Recorded replies, changed so that every kind of value shows: live
    flows, a drop reason, a rejected cookie; /synack/client (recorded from
    a client-role run) with failures, retransmissions and open connections."""
    with open(os.path.join(HERE, "replies.json")) as f:
        r = json.load(f)
    for s in (r["/synack/stats"], r["/synack/lcores"]["1"]):
        s["flows"]["ESTABLISHED"] = 3
        s["flows"]["TIME_WAIT"] = 2
        s["flow_count"] = 5
        s["counters"]["drop_ip_cksum"] = 7
        s["counters"]["cookie_bad_mac"] = 4
        # IPv6: frames, Neighbor Discovery both ways, a drop reason
        s["counters"]["rx_ipv6"] = 9
        s["counters"]["rx_nd_ns"] = 2
        s["counters"]["tx_nd_na"] = 2
        s["counters"]["drop_ip6_frag"] = 1
    c = r["/synack/client"]
    c.update(fail_timeout=1, fail_rst=2, failed=3, syn_retx=4, concurrent=5)
    c["attempted"] += 3 + 5
    # /synack/proxy (recorded from ctl-tap-proxy: a refusing backend, down,
    # and an unresolved IPv6 one): live flows, and different byte counts
    # each way, so that no two columns can be swapped unseen
    r["/synack/proxy"]["0"].update(flows=2, bytes_c2b=1234, bytes_b2c=56789)
    # the second one proxied port 8443's own; the first says nothing (a
    # synackd from before per-port backends): "any"
    r["/synack/proxy"]["1"]["listen_port"] = 8443
    return r


def canned_flow_page(cmd):
    """/synack/flows/list,N,SKIP over 300 made-up flows, at most 90 a page
    (as the engine's 16 KiB replies are); every third one (j % 3 == 1) is
    IPv6, in the engine's "[RFC 5952]:port" form."""
    total = 300
    parts = cmd.split(",")
    n = int(parts[1]) if len(parts) > 1 else 100
    skip = int(parts[2]) if len(parts) > 2 else 0
    k = max(0, min(n, 90, total - skip))
    flows = {}
    for i in range(k):
        j = skip + i
        if j % 3 == 1:
            rem, loc = "[2001:db8::%x]:%d" % (j, 1000 + j), "[2001:db8::2]:9"
        else:
            rem, loc = "10.0.0.%d:%d" % (j % 256, 1000 + j), "198.18.0.2:9"
        flows[str(i)] = {"lcore": 1, "remote": rem, "local": loc,
                         "state": "ESTABLISHED", "app": "hold", "age_ms": 1000 + j}
    return {"flow_count": total, "shown": k, "more": int(skip + k < total),
            "flows": flows}


def copy_of(v):
    return copy.deepcopy(v)
