#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackctl against a running synackd on net_tap (needs root).

    ctl_tap.py --case NAME [--synackd PATH] [--synackctl PATH]

Each case starts its own synackd in its own network namespace with a unique
--file-prefix (ctltap.py, over tests/integration/sktap.py), makes a known
number of kernel connections and checks what synackctl, dpdk-telemetry.py
and dpdk-dumpcap report; `client` runs synackd's client role against a
kernel server instead and reads `synackctl client` while the run goes on. Exit 0 = pass, 1 = fail, 77 = skipped.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import ctlcheck  # noqa: E402
import ctltap  # noqa: E402
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, KERNEL_ADDR, TestFailure, log  # noqa: E402

TIME_WAIT = ["--time-wait", "1s"]
DRAIN_S = 2.5
IO_TIMEOUT = 5.0
CLOSED_PORT = 9999
HOLD_PORT = 9

ALL_COMMANDS = ["/synack/stats", "/synack/stats/help", "/synack/lcores",
                "/synack/lcores,1", "/synack/ports", "/synack/ports,0",
                "/synack/flows", "/synack/flows/list", "/synack/flows/list,5",
                "/synack/cookies", "/synack/config", "/synack/version",
                "/synack/client", "/synack/proxy"]


def engine(args, tag, **kw):
    return ctltap.CtlEngine(args.synackd, args.synackctl, options=TIME_WAIT,
                            tag=tag, **kw)


def closed_port_connections(n):
    for i in range(n):
        try:
            s = socket.create_connection((ENGINE_ADDR, CLOSED_PORT), timeout=IO_TIMEOUT)
            s.close()
            raise TestFailure("connection %d to closed port %d was accepted"
                              % (i, CLOSED_PORT))
        except ConnectionRefusedError:
            pass
        except socket.timeout:
            raise TestFailure("connection %d to closed port: no RST" % i)


def reset_connections(n):
    """Connect to `hold`, then close with SO_LINGER 0: the kernel sends RST."""
    for i in range(n):
        s = socket.create_connection((ENGINE_ADDR, HOLD_PORT), timeout=IO_TIMEOUT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def hello(n):
    ok, errors, secs = hello_client.run_hello(ENGINE_ADDR, 8080, n, 1, IO_TIMEOUT)
    if errors:
        raise TestFailure("%d of %d hello connections failed: %s"
                          % (len(errors), n, errors[:3]))
    return ok


def expect_equal(what, got, want):
    if got != want:
        raise TestFailure("%s = %r, expected %r" % (what, got, want))


# -- counters: synackctl, dpdk-telemetry.py and prometheus agree exactly -----

def case_counters(args):
    n_hello, n_closed, n_reset = 50, 10, 5
    with engine(args, "ctlc") as eng:
        hello(n_hello)
        closed_port_connections(n_closed)
        reset_connections(n_reset)
        log("made %d hello connections, %d to closed port %d, %d reset by the client"
            % (n_hello, n_closed, CLOSED_PORT, n_reset))
        time.sleep(DRAIN_S)

        stats = eng.ctl_json("stats")
        c = stats["counters"]
        n = n_hello + n_reset
        expect = {"cookie_ok": n, "flow_created": n, "close_normal": n_hello,
                  "close_rst": n_reset, "rx_rst": n_reset,
                  "tx_rst_closed_port": n_closed, "tx_rst": n_closed,
                  "rx_payload_bytes": n_hello * len(hello_client.REQUEST),
                  "cookie_bad_mac": 0, "cookie_too_old": 0, "tx_full": 0}
        for name, want in expect.items():
            expect_equal("synackctl --json stats: " + name, c.get(name), want)
        if not (c["tx_synack"] == c["cookie_sent"] == c["rx_syn"] >= n):
            raise TestFailure("tx_synack %d, cookie_sent %d, rx_syn %d: expected "
                              "equal and >= %d" % (c["tx_synack"], c["cookie_sent"],
                                                   c["rx_syn"], n))
        sktap.check_stats(stats, expect=expect, mbufs=False)
        log("synackctl --json stats: cookie_ok %d, flow_created %d, close_normal %d, "
            "close_rst %d, tx_rst_closed_port %d" % (
                c["cookie_ok"], c["flow_created"], c["close_normal"], c["close_rst"],
                c["tx_rst_closed_port"]))

        # DPDK's own client reads every command, and the same figures.
        tel = eng.telemetry_py(ALL_COMMANDS)
        for cmd in ALL_COMMANDS:
            if tel[cmd.split(",")[0]] is None:
                raise TestFailure("dpdk-telemetry.py: %s replied null" % cmd)
        expect_equal("dpdk-telemetry.py /synack/stats", tel["/synack/stats"], stats)
        expect_equal("dpdk-telemetry.py /synack/client (no client role)",
                     tel["/synack/client"], {"role": "server"})
        expect_equal("dpdk-telemetry.py /synack/proxy (no proxy)", tel["/synack/proxy"], {})
        log("dpdk-telemetry.py: all %d commands answer; /synack/stats identical"
            % len(ALL_COMMANDS))

        # The human table shows the same numbers.
        p = eng.ctl("stats")
        ctlcheck.check_stats_table(p.stdout, stats)
        log("synackctl stats (%.0f ms):\n%s" % (p.seconds * 1000, p.stdout.rstrip()))
        p = eng.ctl("stats", "--all", "--verbose")
        ctlcheck.check_stats_table(p.stdout, stats, all_counters=True)
        if "frames received" not in p.stdout:
            raise TestFailure("stats --verbose: no descriptions")

        # Per lcore: sums to the totals.
        lc = eng.ctl_json("lcores")
        for name, v in c.items():
            expect_equal("lcores: sum of " + name,
                         sum(l["counters"][name] for l in lc.values()), v)
        # Ports: the port saw what the engine counted.
        ports = eng.ctl_json("ports")
        p0 = ports[str(ports["ports"][0])]
        expect_equal("ports: ipackets", p0["stats"]["ipackets"], c["rx_packets"])
        expect_equal("ports: opackets", p0["stats"]["opackets"], c["tx_packets"])
        # Cookies, flows, config, version.
        ck = eng.ctl_json("cookies")
        expect_equal("cookies: accepted", ck["accepted"], n)
        expect_equal("cookies: rejected", ck["rejected"], 0)
        expect_equal("cookies: rejected_by_reason", ck["rejected_by_reason"],
                     {"bad_mac": 0, "too_old": 0})
        expect_equal("cookies: secret", ck["secret"], "(random)")
        fl = eng.ctl_json("flows")
        expect_equal("flows: flow_count", fl["flow_count"], 0)
        if fl["capacity"] <= 0:
            raise TestFailure("flows: capacity %r" % fl["capacity"])
        cfg = eng.ctl_json("config")
        expect_equal("config: listen", cfg["engine"]["listen"],
                     list(sktap.DEFAULT_LISTEN))
        expect_equal("config: time_wait", cfg["timeouts"]["time_wait"], "1s")
        expect_equal("config: secret", cfg["cookies"]["secret"], "(random)")
        ver = eng.ctl_json("version")
        expect_equal("version: pid", ver["pid"], eng.proc.pid)
        for cmd in ("lcores", "ports", "flows", "cookies", "config", "version"):
            p = eng.ctl(cmd)
            if not p.stdout.strip():
                raise TestFailure("synackctl %s printed nothing" % cmd)
        log("synackctl version:\n" + eng.ctl("version").stdout.rstrip())
        # No client role: the client command says so, one line, exit 9.
        for extra in ([], ["--json"]):
            p = eng.ctl(*(extra + ["client"]), check=False)
            want = ("synackctl: error: the engine with file prefix '%s' runs no client "
                    "role (synackd started without --client)\n" % eng.prefix)
            if p.returncode != 9 or p.stderr != want or p.stdout:
                raise TestFailure("synackctl %s client without a client role: exit %d, "
                                  "stdout %r, stderr %r" % (" ".join(extra), p.returncode,
                                                             p.stdout, p.stderr))
        log("synackctl client, no client role: exit 9: " + p.stderr.strip())
        # No proxy: an empty list, and a line that says so.
        expect_equal("synackctl --json proxy (no proxy)", eng.ctl_json("proxy"), [])
        expect_equal("synackctl proxy (no proxy)", eng.ctl("proxy").stdout,
                     "no proxy: no port listens with app proxy (--listen PORT:proxy "
                     "--backend ADDR:PORT)\n")

        # Prometheus: every line parses; the figures are the same.
        p = eng.ctl("prometheus")
        samples = ctlcheck.parse_prometheus(p.stdout)
        ctlcheck.promtool_check(p.stdout, "prometheus, a server role")
        lcore = str(lc[next(iter(lc))]["lcore"])
        for metric, want in (
                ('synack_cookie_ok_total{lcore="%s"}' % lcore, n),
                ('synack_flow_created_total{lcore="%s"}' % lcore, n),
                ('synack_tx_rst_closed_port_total{lcore="%s"}' % lcore, n_closed),
                ('synack_flows_closed_total{lcore="%s",reason="rst"}' % lcore, n_reset),
                ('synack_flows_closed_total{lcore="%s",reason="normal"}' % lcore, n_hello),
                ('synack_drops_total{lcore="%s",reason="ip_cksum"}' % lcore, 0),
                ('synack_cookies_rejected_total{lcore="%s",reason="bad_mac"}' % lcore, 0),
                ('synack_flows{lcore="%s",state="ESTABLISHED"}' % lcore, 0),
                ('synack_port_rx_packets_total{port="0",name="net_tap0"}', c["rx_packets"])):
            expect_equal("prometheus " + metric, samples.get(metric), want)
        if any(k.startswith(("synack_client_latency", "synack_client_state"))
               for k in samples):
            raise TestFailure("prometheus: client role figures without a client role")
        if any(k.startswith("synack_proxy_backend_") for k in samples):
            raise TestFailure("prometheus: proxy backend series without a proxy")
        log("prometheus: %d samples parse" % len(samples))

        final = eng.stop()
        # the file adds the mbuf accounting, which telemetry does not carry
        sktap.check_stats(final, expect=expect)
        final.pop("mbufs", None)
        expect_equal("synackd --stats-file vs synackctl --json stats", final, stats)
        log("the engine's final stats file equals synackctl's JSON")


# -- watch: three blocks with rates, on a pipe ---------------------------------

RATE_LABELS = ["SYN/s", "SYN-ACK/s", "established/s", "closed/s", "RST sent/s",
               "RST received/s", "drops/s", "rx Mpps", "tx Mpps", "IPv6 rx/s"]


def parse_watch(text):
    blocks = [b for b in text.split("\n\n") if b.strip()]
    out = []
    for b in blocks:
        lines = b.splitlines()
        m = re.match(r"synackd pid \d+, prefix \S+, [\d-]+ [\d:]+, interval ([\d.]+) s$",
                     lines[0])
        if not m:
            raise TestFailure("watch: block header %r" % lines[0])
        if lines[1].split() != ["RATE", "TOTAL"]:
            raise TestFailure("watch: column header %r" % lines[1])
        rows = {}
        for l, label in zip(lines[2:], RATE_LABELS):
            mm = re.fullmatch(r"(.+?)\s+(\d+\.\d+)\s+(\d+)", l)
            if not mm or mm.group(1) != label:
                raise TestFailure("watch: row %r, expected %s" % (l, label))
            rows[label] = (float(mm.group(2)), int(mm.group(3)))
        if len(rows) != len(RATE_LABELS) or not lines[-1].startswith("flows "):
            raise TestFailure("watch: block %r" % b)
        out.append((float(m.group(1)), rows))
    return out


def case_watch(args):
    with engine(args, "ctlw") as eng:
        stop = threading.Event()
        done = [0]

        def traffic():
            while not stop.is_set():
                if hello_client.hello_once(ENGINE_ADDR, 8080, IO_TIMEOUT) is None:
                    done[0] += 1
                time.sleep(0.02)
        th = threading.Thread(target=traffic, daemon=True)
        th.start()
        try:
            t0 = time.monotonic()
            p = eng.ctl("watch", "-n", "3", "-i", "1", timeout=20)
            secs = time.monotonic() - t0
        finally:
            stop.set()
            th.join(10)
        log("watch -n 3 -i 1 (%.1f s, %d hello connections meanwhile):\n%s"
            % (secs, done[0], p.stdout.rstrip()))
        if "\033" in p.stdout:
            raise TestFailure("watch on a pipe wrote terminal escapes")
        blocks = parse_watch(p.stdout)
        expect_equal("watch: blocks", len(blocks), 3)
        if not 2.9 <= secs < 6:
            raise TestFailure("watch -n 3 -i 1 took %.1f s" % secs)
        if not any(rows["SYN/s"][0] > 0 for _, rows in blocks):
            raise TestFailure("watch: no block shows SYN/s > 0 under traffic")
        # a rate is the change of its total over the interval
        for k in range(1, len(blocks)):
            dt, rows = blocks[k]
            for label in RATE_LABELS:
                rate, total = rows[label]
                delta = total - blocks[k - 1][1][label][1]
                if label.endswith("Mpps"):
                    rate *= 1e6
                if abs(rate * dt - delta) > 0.1 * dt + 1:
                    raise TestFailure("watch block %d: %s %.6f over %.2f s, but the "
                                      "total moved by %d" % (k + 1, label, rate, dt, delta))
        # --json: one object a line
        p = eng.ctl("--json", "watch", "-n", "2", "-i", "0.3", timeout=20)
        lines = p.stdout.splitlines()
        expect_equal("watch --json: lines", len(lines), 2)
        for l in lines:
            o = json.loads(l)
            if set(o["rates"]) != {"syn", "synack", "established", "closed", "rst_sent",
                                   "rst_received", "drops", "rx_mpps", "tx_mpps",
                                   "ipv6_rx"}:
                raise TestFailure("watch --json: rates %r" % o["rates"])
        time.sleep(DRAIN_S)
        stats = eng.stop()
        sktap.check_stats(stats, expect={"cookie_ok": done[0], "close_normal": done[0]})


# -- exporter: /metrics over HTTP while kernel connections run ----------------

def case_exporter(args):
    """synackctl exporter on 127.0.0.1 (in the engine's namespace): scraped
    while hello connections run and after, each scrape promtool clean, the
    counters growing and at the end equal to what the test did; 503 with
    the reason once synackd has stopped; SIGTERM stops it."""
    with engine(args, "ctlx") as eng:
        exp = ctlcheck.Exporter([args.synackctl, "-p", eng.prefix])
        try:
            smp = exp.scrape("before any connection")
            lcore = next(k.split('"')[1] for k in smp
                         if k.startswith("synack_flow_created_total{"))
            created = 'synack_flow_created_total{lcore="%s"}' % lcore
            normal = 'synack_flows_closed_total{lcore="%s",reason="normal"}' % lcore
            expect_equal("exporter, before: " + created, smp[created], 0)
            stop = threading.Event()
            done = [0]

            def traffic():
                while not stop.is_set():
                    if hello_client.hello_once(ENGINE_ADDR, 8080, IO_TIMEOUT) is None:
                        done[0] += 1
                    time.sleep(0.01)
            th = threading.Thread(target=traffic, daemon=True)
            th.start()
            seen = []
            try:
                deadline = time.monotonic() + 20
                while len(seen) < 4 or seen[-1] < 30:
                    if time.monotonic() > deadline:
                        raise TestFailure("exporter: flow_created stayed at %r" % seen)
                    time.sleep(0.3)
                    seen.append(exp.scrape("while connections run")[created])
            finally:
                stop.set()
                th.join(10)
            if seen != sorted(seen) or seen[-1] <= seen[0]:
                raise TestFailure("exporter: %s over scrapes %r, expected growth" %
                                  (created, seen))
            log("exporter: %s over %d scrapes while connections ran: %r"
                % (created, len(seen), seen))
            time.sleep(DRAIN_S)
            smp = exp.scrape("after the connections")
            stats = eng.ctl_json("stats")
            n = done[0]
            if n < 30:
                raise TestFailure("only %d hello connections" % n)
            for k, want in ((created, n), (normal, n),
                            ('synack_cookie_ok_total{lcore="%s"}' % lcore, n),
                            ('synack_flows{lcore="%s",state="ESTABLISHED"}' % lcore, 0),
                            ('synack_port_rx_packets_total{port="0",name="net_tap0"}',
                             stats["counters"]["rx_packets"]),
                            ('synack_rx_syn_total{lcore="%s"}' % lcore,
                             stats["counters"]["rx_syn"])):
                expect_equal("exporter, after %d connections: %s" % (n, k), smp.get(k), want)
            log("exporter: after %d hello connections: %s %d, %s %d, promtool clean"
                % (n, created, smp[created], normal, smp[normal]))
            prometheus_scrapes(exp, n)
            eng.stop()
            status, _, body = exp.get()
            want = "synackd unavailable: no engine running with file prefix '%s'" % eng.prefix
            if status != 503 or not body.startswith(want) or body.count("\n") != 1:
                raise TestFailure("exporter, synackd stopped: %d %r" % (status, body))
            log("exporter, synackd stopped: %d %s" % (status, body.strip()))
            rc, err = exp.stop()
            if rc != 0 or not err.endswith("synackctl: exporter: stopped (SIGTERM)\n"):
                raise TestFailure("exporter, SIGTERM: exit %d, stderr %r" % (rc, err))
        finally:
            if exp.proc.poll() is None:
                exp.proc.kill()
                exp.proc.wait()


# Families only a client role has: the dashboard's panels on them are empty
# for a server.
CLIENT_ROLE_ONLY = ("synack_client_latency_seconds", "synack_client_concurrent",
                    "synack_client_rate_cps", "synack_client_cps")
# Families only an engine with proxy backends has (docs/proxy.md).
PROXY_ONLY_PREFIX = "synack_proxy_backend_"


def prometheus_scrapes(exp, n):
    """A real Prometheus scrapes the exporter: the target is up, the
    counters it stored are the test's, and every query of the Grafana
    dashboard (docs/grafana/synack.json) is valid PromQL that finds data,
    but for the client role's panels and the drops (none here)."""
    prom = ctlcheck.PrometheusServer(exp.hostport)
    try:
        prom.wait('up{job="synack"}', lambda r: r and r[0]["value"][1] == "1")
        # rate() over 10 s wants a few samples
        prom.wait('count_over_time(up{job="synack"}[10s])',
                  lambda r: r and float(r[0]["value"][1]) >= 4)
        r = prom.query('sum(synack_flow_created_total{job="synack"})')
        expect_equal("prometheus: sum(synack_flow_created_total)",
                     int(float(r[0]["value"][1])) if r else None, n)
        empty = []
        queries = ctlcheck.dashboard_queries()
        for title, q in queries:
            if not prom.query(q) and "> 0" not in q and \
                    not any(m in q for m in CLIENT_ROLE_ONLY) and \
                    PROXY_ONLY_PREFIX not in q:
                empty.append((title, q))
        if empty:
            raise TestFailure("grafana dashboard: queries without data: %r" % empty)
        log("prometheus %s scraped the exporter: up 1, flow_created %d; the %d "
            "dashboard queries are valid and find data" % (
                prom.base, n, len(queries)))
    finally:
        prom.close()


# -- watch --lcores: 2 worker lcores, a column each, under 300 connections ---

LCORE_ROWS = RATE_LABELS + ["flows in use", "flow capacity", "occupancy %"]


def parse_watch_lcores(text, lcores):
    """Blocks of `watch --lcores` on a pipe: [(interval, {label: [per lcore
    ..., total]})]; the columns are LCORE <id> for each of @lcores, TOTAL."""
    head = []
    for lc in lcores:
        head += ["LCORE", str(lc)]
    head.append("TOTAL")
    out = []
    for b in (b for b in text.split("\n\n") if b.strip()):
        lines = b.splitlines()
        m = re.match(r"synackd pid \d+, prefix \S+, [\d-]+ [\d:]+, interval ([\d.]+) s$",
                     lines[0])
        if not m:
            raise TestFailure("watch --lcores: block header %r" % lines[0])
        if lines[1].split() != head:
            raise TestFailure("watch --lcores: column header %r, expected %s"
                              % (lines[1], " ".join(head)))
        rows = {}
        for l, label in zip(lines[2:], LCORE_ROWS):
            if not l.startswith(label + " "):
                raise TestFailure("watch --lcores: row %r, expected %s" % (l, label))
            vals = l[len(label):].split()
            if len(vals) != len(lcores) + 1:
                raise TestFailure("watch --lcores: row %r: %d values" % (l, len(vals)))
            rows[label] = [float(v) for v in vals]
        if list(rows) != LCORE_ROWS or len(lines) != 2 + len(LCORE_ROWS):
            raise TestFailure("watch --lcores: block %r" % b)
        out.append((float(m.group(1)), rows))
    return out


def case_watch_lcores(args):
    n = 300
    with engine(args, "ctll", lcores=sktap.lcores_workers_arg(2)) as eng:
        if "2 workers" not in eng.ready_line:
            raise TestFailure("ready line does not say 2 workers: %s" % eng.ready_line)
        lcores = sorted(int(k) for k in eng.ctl_json("lcores"))
        expect_equal("worker lcores", len(lcores), 2)
        cmd = [eng.synackctl, "-p", eng.prefix, "watch", "--lcores", "-n", "3", "-i", "1"]
        log("+ " + " ".join(cmd))
        t0 = time.monotonic()
        w = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            # the first sample is taken at once; the connections all fall
            # within the three intervals that follow it
            time.sleep(0.4)
            ok, errors, secs = hello_client.run_hello(ENGINE_ADDR, 8080, n, 10, IO_TIMEOUT)
            t_end = time.monotonic() - t0
            out, err = w.communicate(timeout=20)
        finally:
            if w.poll() is None:
                w.kill()
                w.wait(5)
        secs_w = time.monotonic() - t0
        log("watch --lcores -n 3 -i 1 (%.1f s; %d hello connections from 0.4 s to "
            "%.1f s):\n%s" % (secs_w, ok, t_end, out.rstrip()))
        if errors:
            raise TestFailure("%d of %d hello connections failed: %s"
                              % (len(errors), n, errors[:3]))
        if w.returncode != 0 or err:
            raise TestFailure("watch --lcores: exit %d, stderr %r" % (w.returncode, err))
        if t_end > 2.8:
            raise TestFailure("the %d connections took until %.1f s: not all within "
                              "the watch (3 s)" % (n, t_end))
        if "\033" in out:
            raise TestFailure("watch --lcores on a pipe wrote terminal escapes")
        blocks = parse_watch_lcores(out, lcores)
        expect_equal("watch --lcores: blocks", len(blocks), 3)
        if not 2.9 <= secs_w < 6:
            raise TestFailure("watch --lcores -n 3 -i 1 took %.1f s" % secs_w)
        # The totals per lcore once every connection is over: the engine
        # was fresh, so the rates over the three intervals add up to them.
        per = eng.ctl_json("lcores")
        for col, lc in enumerate(lcores):
            c = per[str(lc)]["counters"]
            for label, counter in (("SYN/s", "rx_syn"), ("SYN-ACK/s", "tx_synack"),
                                   ("established/s", "flow_created")):
                moved = sum(rows[label][col] * dt for dt, rows in blocks)
                if abs(moved - c[counter]) > 0.01 * c[counter] + 0.5:
                    raise TestFailure("lcore %d: %s over the three blocks adds up to "
                                      "%.1f, but %s = %d" % (lc, label, moved, counter,
                                                             c[counter]))
            share = c["flow_created"] / n
            log("lcore %d: flow_created %d (%.1f %%), rx_syn %d" % (
                lc, c["flow_created"], 100 * share, c["rx_syn"]))
            if not 0.3 <= share <= 0.7:
                raise TestFailure("lcore %d created %.1f %% of the flows, expected 30-70 %%"
                                  % (lc, 100 * share))
        expect_equal("flow_created, all lcores",
                     sum(per[str(lc)]["counters"]["flow_created"] for lc in lcores), n)
        for k, (dt, rows) in enumerate(blocks):
            for label in LCORE_ROWS:
                v = rows[label]
                if label == "occupancy %":
                    for j in range(len(v)):
                        want = 100 * rows["flows in use"][j] / rows["flow capacity"][j]
                        if abs(v[j] - want) > 0.006:
                            raise TestFailure("block %d: occupancy %r for %r in use of %r"
                                              % (k + 1, v, rows["flows in use"],
                                                 rows["flow capacity"]))
                    continue
                slack = 0.0 if label.startswith("flow") else \
                    (1e-6 if label.endswith("Mpps") else 0.05) * len(lcores) + 1e-9
                if abs(sum(v[:-1]) - v[-1]) > slack:
                    raise TestFailure("block %d: %s %r: the lcores do not add up to "
                                      "the total" % (k + 1, label, v))
            if min(rows["flow capacity"]) <= 0:
                raise TestFailure("block %d: flow capacity %r" % (k + 1,
                                                                  rows["flow capacity"]))
        # TIME_WAIT (1 s) keeps the flows in the table for a while: shown
        if not any(min(rows["flows in use"][:-1]) > 0 for _, rows in blocks):
            raise TestFailure("watch --lcores: no block shows flows in use on every lcore")
        # --json: one object a line, per lcore and the total
        p = eng.ctl("--json", "watch", "--lcores", "-n", "2", "-i", "0.3", timeout=20)
        lines = p.stdout.splitlines()
        expect_equal("watch --lcores --json: lines", len(lines), 2)
        for l in lines:
            o = json.loads(l)
            expect_equal("watch --lcores --json: lcores", sorted(o["lcores"]),
                         sorted(str(lc) for lc in lcores))
            for key in ("syn", "established", "rx_mpps"):
                expect_equal("watch --lcores --json: total %s" % key,
                             o["total"]["totals"][key],
                             sum(e["totals"][key] for e in o["lcores"].values()))
            expect_equal("watch --lcores --json: total syn", o["total"]["totals"]["syn"],
                         sum(per[str(lc)]["counters"]["rx_syn"] for lc in lcores))
        time.sleep(DRAIN_S)
        stats = eng.stop()
        sktap.check_stats(stats, expect={"cookie_ok": n, "close_normal": n})


# -- flows --list while hold connections are open ----------------------------

def case_flows_list(args):
    n = 150
    with engine(args, "ctlf") as eng:
        socks = []
        try:
            for _ in range(n):
                s = socket.create_connection((ENGINE_ADDR, HOLD_PORT), timeout=IO_TIMEOUT)
                socks.append(s)
            ports = {s.getsockname()[1] for s in socks}
            time.sleep(0.3)
            p = eng.ctl("flows", "--list", "10")
            log("synackctl flows --list 10:\n" + p.stdout.rstrip())
            lines = p.stdout.splitlines()
            if lines[0].split() != ["LCORE", "REMOTE", "LOCAL", "STATE", "APP", "AGE"]:
                raise TestFailure("flows --list: header %r" % lines[0])
            expect_equal("flows --list 10: footer", lines[-1],
                         "10 flows shown, %d live (more: raise --list)" % n)
            rows = lines[1:-1]
            expect_equal("flows --list 10: rows", len(rows), 10)
            for r in rows:
                w = r.split()
                host, port = w[1].rsplit(":", 1)
                if host != KERNEL_ADDR or int(port) not in ports or \
                        w[2] != "%s:%d" % (ENGINE_ADDR, HOLD_PORT) or \
                        w[3] != "ESTABLISHED" or w[4] != "hold":
                    raise TestFailure("flows --list: row %r is not one of our flows" % r)
            # All of them, over several telemetry replies (16 KiB each).
            js = eng.ctl_json("flows", "--list", "1000")
            expect_equal("flows --list 1000: shown", js["shown"], n)
            expect_equal("flows --list 1000: more", js["more"], 0)
            got = {int(f["remote"].rsplit(":", 1)[1]) for f in js["flows"].values()}
            expect_equal("flows --list 1000: client ports", got, ports)
            if any(f["age_ms"] > 60000 for f in js["flows"].values()):
                raise TestFailure("flows --list: an age over 60 s")
            fl = eng.ctl_json("flows")
            expect_equal("flows: ESTABLISHED", fl["flows"]["ESTABLISHED"], n)
            log("flows --list 1000 listed all %d flows; flows shows %d ESTABLISHED"
                % (n, n))
        finally:
            for s in socks:
                s.close()
        time.sleep(DRAIN_S)
        expect_equal("flows after close: flow_count", eng.ctl_json("flows")["flow_count"], 0)
        p = eng.ctl("flows", "--list", "10")
        expect_equal("flows --list with no flows", p.stdout, "0 flows shown, 0 live\n")
        stats = eng.stop()
        sktap.check_stats(stats, expect={"cookie_ok": n, "close_normal": n})


# -- IPv6 flows, counters and metrics ---------------------------------------

ENGINE_ADDR6 = sktap.ENGINE_ADDR6
KERNEL_ADDR6 = sktap.KERNEL_ADDR6


def case_flows_list6(args):
    """A dual-stack engine: IPv6 flows listed as [RFC 5952]:port beside IPv4
    ones, the IPv6 and Neighbor Discovery counters in stats and prometheus."""
    n6, n4 = 40, 5
    with engine(args, "ctl6", ipv6=True) as eng:
        if "%s/64" % ENGINE_ADDR6 not in eng.ready_line:
            raise TestFailure("ready line without the IPv6 address: %r" % eng.ready_line)
        socks = []
        try:
            for _ in range(n6):
                socks.append(socket.create_connection((ENGINE_ADDR6, HOLD_PORT),
                                                      timeout=IO_TIMEOUT))
            ports6 = {s.getsockname()[1] for s in socks}
            for _ in range(n4):
                socks.append(socket.create_connection((ENGINE_ADDR, HOLD_PORT),
                                                      timeout=IO_TIMEOUT))
            time.sleep(0.3)
            js = eng.ctl_json("flows", "--list", "1000")
            expect_equal("flows --list 1000: shown", js["shown"], n6 + n4)
            got6 = set()
            for f in js["flows"].values():
                if f["remote"].startswith("["):
                    host, port = f["remote"].rsplit(":", 1)
                    if host != "[%s]" % KERNEL_ADDR6 or \
                            f["local"] != "[%s]:%d" % (ENGINE_ADDR6, HOLD_PORT):
                        raise TestFailure("flows --list: IPv6 flow %r" % f)
                    got6.add(int(port))
                elif f["local"] != "%s:%d" % (ENGINE_ADDR, HOLD_PORT):
                    raise TestFailure("flows --list: IPv4 flow %r" % f)
            expect_equal("flows --list: IPv6 client ports", got6, ports6)
            p = eng.ctl("flows", "--list", "1000")
            rows = [l.split() for l in p.stdout.splitlines()[1:-1]]
            if sum(1 for w in rows if w[1].startswith("[%s]:" % KERNEL_ADDR6)
                   and w[2] == "[%s]:%d" % (ENGINE_ADDR6, HOLD_PORT)) != n6:
                raise TestFailure("flows --list table: IPv6 rows\n" + p.stdout)
            log("flows --list: %d IPv6 flows as [%s]:port, %d IPv4 ones"
                % (n6, KERNEL_ADDR6, n4))

            # stats: IPv6 among the received, ND in its own group
            p = eng.ctl("stats")
            group, where = None, {}
            for l in p.stdout.splitlines()[1:]:
                if l and l[0] != " ":
                    group = l.strip()
                elif l.split():
                    where[l.split()[0]] = group
            for name, want in (("rx_tcp6", "received"), ("rx_ipv6", "received"),
                               ("tx_ipv6", "sent"),
                               ("rx_nd_ns", "IPv6 Neighbor Discovery"),
                               ("tx_nd_na", "IPv6 Neighbor Discovery")):
                if where.get(name) != want:
                    raise TestFailure("stats: %s under %r, expected %r\n%s"
                                      % (name, where.get(name), want, p.stdout))
            p = eng.ctl("prometheus")
            samples = ctlcheck.parse_prometheus(p.stdout)
            ctlcheck.promtool_check(p.stdout, "prometheus, dual stack")
            # a SYN and an ACK per connection, at least
            lc = sorted(k for k in samples if k.startswith("synack_rx_tcp6_total"))
            if not lc or sum(samples[k] for k in lc) < 2 * n6 or \
                    not any(k.startswith("synack_nd_received_total{") and 'kind="ns"' in k
                            and samples[k] >= 1 for k in samples) or \
                    not any(k.startswith("synack_nd_sent_total{") and 'kind="na"' in k
                            and samples[k] >= 1 for k in samples):
                raise TestFailure("prometheus: IPv6 samples %r" % sorted(
                    (k, v) for k, v in samples.items() if "6" in k or "nd_" in k))
            log("stats and prometheus: IPv6 and Neighbor Discovery counters")
        finally:
            for s in socks:
                s.close()
        time.sleep(DRAIN_S)
        stats = eng.stop()
        sktap.check_stats(stats, expect={"cookie_ok": n6 + n4,
                                         "close_normal": n6 + n4})


# -- live capture with dpdk-dumpcap -----------------------------------------

def read_tshark(path):
    """(src port, dst port, flags) of each TCP segment in a capture file."""
    if shutil.which("tshark"):
        p = sktap.run(["tshark", "-r", path, "-T", "fields", "-e", "tcp.srcport",
                       "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
                       "-e", "tcp.flags.reset", "-Y", "tcp"], timeout=60)
        out = []
        for l in p.stdout.splitlines():
            w = l.split("\t")
            fl = ("S" if w[2] in ("1", "True") else "") + \
                 ("A" if w[3] in ("1", "True") else "") + \
                 ("R" if w[4] in ("1", "True") else "")
            out.append((int(w[0]), int(w[1]), fl))
        return out, "tshark"
    p = sktap.run(["tcpdump", "-nn", "-r", path, "tcp"], timeout=60)
    out = []
    for l in p.stdout.splitlines():
        m = re.search(r"IP [\d.]+\.(\d+) > [\d.]+\.(\d+): Flags \[([^\]]*)\]", l)
        if m:
            f = m.group(3)
            fl = ("S" if "S" in f else "") + ("A" if "." in f else "") + \
                 ("R" if "R" in f else "")
            out.append((int(m.group(1)), int(m.group(2)), fl))
    return out, "tcpdump"


def case_pdump(args):
    dumpcap = shutil.which("dpdk-dumpcap")
    if dumpcap is None:
        log("SKIP: dpdk-dumpcap not found (Debian package dpdk)")
        sys.exit(sktap.SKIP)
    if not shutil.which("tshark") and not shutil.which("tcpdump"):
        log("SKIP: neither tshark nor tcpdump to read the capture")
        sys.exit(sktap.SKIP)
    mem, why = sktap.eal_mem_args()
    if "--no-huge" in mem:
        log("SKIP: %s: synackd would run with --no-huge, and dpdk-dumpcap, a DPDK "
            "secondary process, needs the primary's hugepage files" % why)
        sys.exit(sktap.SKIP)
    n = 3
    tmp = tempfile.mkdtemp(prefix="sk-cap-")
    out = os.path.join(tmp, "capture.pcapng")
    cap = None
    try:
        with engine(args, "ctlp", keep_hugepage_files=True) as eng:
            ver = eng.ctl_json("version")
            if ver.get("pdump") != 1:
                raise TestFailure("synackd reports no live capture: %r" % ver)
            cmd = [dumpcap, "--file-prefix=" + eng.prefix, "-i", "0", "-p", "-w", out,
                   "-a", "duration:60"]
            if shutil.which("stdbuf"):
                # its stdout is a pipe: line-buffer "Capturing on ..."
                cmd = ["stdbuf", "-oL"] + cmd
            log("+ " + " ".join(cmd))
            cap = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
            # Wait (bounded) until it captures: its "Packets captured:"
            # progress on stderr comes once the primary has enabled the
            # capture ("Capturing on ..." comes before that).
            text, deadline = "", time.monotonic() + 30
            while time.monotonic() < deadline and "Packets captured" not in text:
                r, _, _ = select.select([cap.stdout], [], [], 0.5)
                if r:
                    chunk = os.read(cap.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    text += chunk.decode(errors="replace")
            lines = [l for l in re.split(r"[\r\n]+", text) if l]
            if "Packets captured" not in text:
                raise TestFailure("dpdk-dumpcap did not start capturing within 30 s "
                                  "(exit %s):\n  %s" % (cap.poll(), "\n  ".join(lines)))
            log("dpdk-dumpcap: " + "; ".join(lines))
            hello(n)
            time.sleep(0.5)
            cap.send_signal(signal.SIGINT)
            try:
                rest, _ = cap.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                raise TestFailure("dpdk-dumpcap did not stop within 20 s of SIGINT")
            lines += [l for l in re.split(r"[\r\n]+", rest.decode(errors="replace")) if l]
            if cap.returncode != 0:
                raise TestFailure("dpdk-dumpcap exit %d:\n  %s"
                                  % (cap.returncode, "\n  ".join(lines)))
            log("dpdk-dumpcap: %s" % "; ".join(l for l in lines[-2:] if l))
            segs, tool = read_tshark(out)
            syns = [s for s in segs if s[1] == 8080 and s[2] == "S"]
            expect_equal("capture: SYNs to 8080", len(syns), n)
            for sport, _, _ in syns:
                if (8080, sport, "SA") not in segs:
                    raise TestFailure("capture: no SYN-ACK to port %d" % sport)
                if (sport, 8080, "A") not in segs:
                    raise TestFailure("capture: no ACK from port %d" % sport)
            log("capture (%s, %d TCP segments): SYN, SYN-ACK and ACK of all %d "
                "handshakes" % (tool, len(segs), n))
            time.sleep(DRAIN_S)
            stats = eng.stop()
            sktap.check_stats(stats, expect={"cookie_ok": n, "close_normal": n})
    finally:
        if cap is not None and cap.poll() is None:
            cap.kill()
            cap.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


# -- client: the client role's live state while a run goes on ----------------

CLIENT_CPS = 200
CLIENT_DURATION_S = 4
CLIENT_CONCURRENCY = 64
CLIENT_STATES = ["resolving", "opening", "draining", "finished"]
FAIL_KEYS = ["fail_timeout", "fail_rst", "fail_bad_synack", "fail_response",
             "fail_closed"]
QUANTILES = ["min", "p50", "p90", "p99", "p99_9", "max"]


def check_client_reply(o, target, ramp):
    """One /synack/client reply of a live client run: its figures in their
    natural order (docs/synackctl.md, client)."""
    bad = []
    lat = o.get("latency_us", {})
    for k in ["attempted", "established", "completed", "failed", "syn_retx",
              "no_tuple", "concurrent", "run_ms", "open_ms", "cps", "ramp",
              "rate_cps", "best_cps", "ramp_steps", "ramp_backoffs"] + FAIL_KEYS:
        if not isinstance(o.get(k), int):
            bad.append("%s = %r" % (k, o.get(k)))
    for k in ["count", "sum", "mean"] + QUANTILES:
        if not isinstance(lat.get(k), int):
            bad.append("latency_us.%s = %r" % (k, lat.get(k)))
    if bad:
        raise TestFailure("/synack/client: missing or not a whole number: %s; %r"
                          % (", ".join(bad), o))
    if o["role"] != "client" or o["target"] != target or \
            o["state"] not in CLIENT_STATES:
        bad.append("role %r, target %r, state %r" % (o["role"], o["target"], o["state"]))
    if not o["attempted"] >= lat["count"] >= o["established"] >= o["completed"]:
        bad.append("not attempted %d >= latency count %d >= established %d >= "
                   "completed %d" % (o["attempted"], lat["count"], o["established"],
                                     o["completed"]))
    # latency is counted just before established, and the report reads
    # established, then the histogram (lib/sk_client_report.h): on a live
    # run the engine may establish more in between, at most those whose
    # SYN was out when established was read (--concurrency; 4 seen under
    # TSan, whose reader is slow); a finished run's are equal
    if lat["count"] - o["established"] > CLIENT_CONCURRENCY or \
            (o["state"] == "finished" and lat["count"] != o["established"]):
        bad.append("latency count %d, established %d" % (lat["count"], o["established"]))
    if o["failed"] != sum(o[k] for k in FAIL_KEYS):
        bad.append("failed %d is not the sum of its causes" % o["failed"])
    if o["attempted"] < o["completed"] + o["failed"] + o["concurrent"] - 1:
        bad.append("attempted %d < completed %d + failed %d + concurrent %d"
                   % (o["attempted"], o["completed"], o["failed"], o["concurrent"]))
    if o["concurrent"] > CLIENT_CONCURRENCY:
        bad.append("concurrent %d above --concurrency" % o["concurrent"])
    if o["open_ms"] > o["run_ms"] + 1 or o["open_ms"] > CLIENT_DURATION_S * 1000 + 50:
        bad.append("open_ms %d, run_ms %d" % (o["open_ms"], o["run_ms"]))
    if o["state"] == "resolving" and (o["attempted"] or o["run_ms"]):
        bad.append("resolving, but attempted %d, run_ms %d" % (o["attempted"], o["run_ms"]))
    if ramp and (o["ramp"] != 1 or (o["state"] != "resolving" and o["rate_cps"] < 1)):
        bad.append("ramp %d, rate_cps %d: expected --cps max" % (o["ramp"], o["rate_cps"]))
    if not ramp and (o["ramp"] != 0 or o["rate_cps"] != CLIENT_CPS or o["best_cps"] or
                     o["ramp_steps"] or o["ramp_backoffs"]):
        bad.append("ramp %d, rate_cps %d: expected a fixed %d" % (o["ramp"], o["rate_cps"],
                                                                  CLIENT_CPS))
    q = [lat[k] for k in QUANTILES]
    if lat["count"] and (q != sorted(q) or q[0] <= 0 or
                         not q[0] <= lat["mean"] <= q[-1]):
        bad.append("latency not ordered: %r" % lat)
    if not lat["count"] and any(q + [lat["sum"], lat["mean"]]):
        bad.append("latency without samples: %r" % lat)
    if bad:
        raise TestFailure("/synack/client: %s; reply %r" % ("; ".join(bad), o))


class KernelServer:
    """The kernel's side for the client role: on 0.0.0.0:8080 in the
    engine's namespace, read a line, answer "Hello Client\\n", close. It
    listens before synackd starts, so no SYN can find the port closed."""

    def __init__(self):
        self.ok = self.bad = 0
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.error = None
        self.srv = None

    def start(self, ns):
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                try:
                    good = self.rfile.readline() == b"Hello Server\n"
                    if good:
                        self.wfile.write(b"Hello Client\n")
                except OSError:
                    good = False
                with outer.lock:
                    if good:
                        outer.ok += 1
                    else:
                        outer.bad += 1

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 1024

        def run():
            try:
                sktap.join_netns(ns)  # this thread alone
                self.srv = Server(("0.0.0.0", 8080), Handler)
            except Exception as e:  # reported by the test
                self.error = e
                self.ready.set()
                return
            self.ready.set()
            self.srv.serve_forever(poll_interval=0.1)
        threading.Thread(target=run, daemon=True).start()
        if not self.ready.wait(10) or self.error:
            raise TestFailure("kernel server did not start: %s" % self.error)

    def stop(self):
        if self.srv is not None:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv = None


class ClientEngine(ctltap.CtlEngine):
    """CtlEngine whose kernel server listens before synackd starts."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.server = KernelServer()

    def command(self):
        cmd = super().command()
        self.server.start(self.ns)  # the namespace exists by now
        return cmd

    def cleanup(self):
        self.server.stop()
        super().cleanup()


def case_client(args, ramp=False):
    """synackd as a client of the kernel (as tests/client/tap_client.py),
    read with synackctl while the run goes on. With @ramp: --cps max on two
    worker lcores, so the ramp's figures and the sum over workers show."""
    target = "%s:%d" % (KERNEL_ADDR, 8080)
    rate = ["--cps", "max", "--ramp-step", "500ms"] if ramp else ["--cps", str(CLIENT_CPS)]
    eng = ClientEngine(args.synackd, args.synackctl, tag="ctlcl", listen=(),
                       lcores=sktap.lcores_workers_arg(2) if ramp else None, options=[
        "--client", target] + rate + [
        "--duration", "%ds" % CLIENT_DURATION_S,
        "--concurrency", str(CLIENT_CONCURRENCY),
        "--request", "Hello Server\\n", "--expect", "Hello Client\\n",
        "--close", "client", "--src-ports", "10000-60000", "--syn-rto", "1s", "--json"])
    watch = None
    with eng:
        if ramp and "2 workers" not in eng.ready_line:
            raise TestFailure("ready line does not say 2 workers: %s" % eng.ready_line)
        srv = eng.server
        try:
            samples, table, prom = [], None, None
            deadline = time.monotonic() + CLIENT_DURATION_S + 40
            while True:
                if time.monotonic() > deadline:
                    raise TestFailure("the client run did not end within %d s"
                                      % (CLIENT_DURATION_S + 40))
                p = eng.ctl("--json", "client", check=False)
                if p.returncode != 0:
                    # the run is over and synackd exits: its socket goes away
                    try:
                        eng.proc.wait(10)
                    except subprocess.TimeoutExpired:
                        raise TestFailure("synackctl --json client: exit %d, %r, while "
                                          "synackd runs" % (p.returncode, p.stderr))
                    log("synackctl --json client after the end: exit %d: %s"
                        % (p.returncode, p.stderr.strip()))
                    break
                o = json.loads(p.stdout)
                check_client_reply(o, target, ramp)
                samples.append(o)
                if table is None and o["state"] == "opening" and o["run_ms"] >= 1000:
                    cmd = [eng.synackctl, "-p", eng.prefix, "watch", "-n", "2", "-i", "0.5"]
                    log("+ " + " ".join(cmd))
                    watch = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             text=True)
                    table = eng.ctl("client")
                    prom = eng.ctl("prometheus")
                time.sleep(0.2)
            wout, werr = watch.communicate(timeout=20) if watch else ("", "")
        finally:
            if watch is not None and watch.poll() is None:
                watch.kill()
                watch.wait(5)
        if eng._reader is not None:
            eng._reader.join(5)
        rc = eng.proc.returncode
        summary = [l for l in eng.lines if l.startswith('{"client"')]
        if rc != 0 or not summary:
            raise TestFailure("synackd exit %s, summary %r:\n%s" % (rc, summary[-1:],
                                                                   eng.output()))
        final = json.loads(summary[-1])["client"]
        log("synackd's summary: " + summary[-1])
        if table is None:
            raise TestFailure("no sample while opening after the first second: "
                              "%r" % [(o["state"], o["run_ms"]) for o in samples])

        # the states, in order; the counters never go back
        states = [o["state"] for o in samples]
        log("%d samples, states %s" % (len(samples), " ".join(
            "%s x%d" % (st, states.count(st)) for st in CLIENT_STATES if st in states)))
        idx = [CLIENT_STATES.index(st) for st in states]
        if idx != sorted(idx):
            raise TestFailure("states out of order: %s" % states)
        if states.count("opening") < 3:
            raise TestFailure("only %d samples while opening" % states.count("opening"))
        for k in ("attempted", "established", "completed", "failed", "run_ms",
                  "ramp_steps", "ramp_backoffs"):
            v = [o[k] for o in samples]
            if v != sorted(v):
                raise TestFailure("%s went back: %s" % (k, v))
        # the last sample agrees with synackd's summary (the same figures,
        # lib/sk_client_report.h): exactly once the run is finished
        last = samples[-1]
        keys = ["attempted", "established", "completed", "failed", "syn_retx",
                "no_tuple"] + FAIL_KEYS
        if last["state"] == "finished":
            for k in keys:
                expect_equal("finished: /synack/client %s vs the summary" % k, last[k],
                             final[k])
            for k in ["count"] + QUANTILES:
                expect_equal("finished: latency %s vs the summary" % k,
                             last["latency_us"][k], final["latency_us"][k])
            if abs(last["run_ms"] - 1000 * final["run_s"]) > 1 or \
                    abs(last["open_ms"] - 1000 * final["open_s"]) > 1 or \
                    abs(last["cps"] - final["cps"]) > 0.51 or \
                    abs(last["latency_us"]["mean"] - final["latency_us"]["mean"]) > 0.51:
                raise TestFailure("finished: times, cps or mean differ from the summary: "
                                  "%r vs %r" % (last, final))
            log("the last sample (finished) equals synackd's summary")
        else:
            for k in keys:
                if last[k] > final[k]:
                    raise TestFailure("%s: %d in the last sample, %d in the summary"
                                      % (k, last[k], final[k]))
        if not ramp and final.get("ramp") is not None:
            raise TestFailure("a fixed rate, but the summary has a ramp: %r" % final)
        if ramp and (not final.get("ramp") or
                     last["ramp_steps"] > final["ramp"]["steps"] or
                     last["ramp_backoffs"] > final["ramp"]["backoffs"] or
                     not any(o["ramp_steps"] for o in samples)):
            raise TestFailure("ramp: the last sample %r, the summary %r"
                              % ({k: last[k] for k in ("rate_cps", "best_cps", "ramp_steps",
                                                        "ramp_backoffs")}, final.get("ramp")))
        if final["failed"] or srv.bad or not final["attempted"] == \
                final["established"] == final["completed"] == srv.ok > 0:
            raise TestFailure("the run was not clean: %r, the server answered %d "
                              "good and %d bad requests" % (final, srv.ok, srv.bad))

        # the table, prometheus and watch taken while opening
        log("synackctl client (while opening):\n" + table.stdout.rstrip())
        head, rows = ctlcheck.parse_client_table(table.stdout)
        expect_equal("client table: target", head["target"], target)
        expect_equal("client table: state", head["state"], "opening")
        if not rows["attempted"] >= rows["established"] >= rows["completed"] or \
                rows["failed"] != sum(rows[k] for k in ("  timeout", "  rst",
                                                        "  bad_synack", "  response",
                                                        "  closed")) or \
                not rows["  min"] <= rows["  p50"] <= rows["  p90"] <= rows["  p99"] <= \
                rows["  p99.9"] <= rows["  max"] or rows["latency_us"] < 1:
            raise TestFailure("client table: figures out of order: %r" % rows)
        want = "ramp (--cps max): offering " if ramp else "%d cps offered" % CLIENT_CPS
        if not head["rate"].startswith(want):
            raise TestFailure("client table: rate %r" % head["rate"])
        samples_p = ctlcheck.parse_prometheus(prom.stdout)
        for k, want in (('synack_client_state{state="opening"}', 1),
                        ('synack_client_state{state="finished"}', 0),
                        ('synack_client_info{target="%s"}' % target, 1),
                        ("synack_client_ramp", int(ramp))):
            expect_equal("prometheus " + k, samples_p.get(k), want)
        if not ramp:
            expect_equal("prometheus synack_client_rate_cps",
                         samples_p.get("synack_client_rate_cps"), CLIENT_CPS)
        ctlcheck.promtool_check(prom.stdout, "prometheus, a client role running")
        fams = {k.split("{")[0] for k in samples_p}
        missing = {m for m in ctlcheck.dashboard_metric_names() - fams
                   if not m.startswith(PROXY_ONLY_PREFIX)}
        if missing:
            raise TestFailure("grafana dashboard: metrics a client-role engine does "
                              "not export: %s" % sorted(missing))
        qs = [samples_p.get('synack_client_latency_seconds{quantile="%s"}' % q)
              for q in ("0", "0.5", "0.9", "0.99", "0.999", "1")]
        if None in qs or qs != sorted(qs) or qs[-1] >= 10 or \
                not samples_p.get("synack_client_latency_seconds_count", 0) >= 1 or \
                "synack_client_latency_seconds_sum" not in samples_p:
            raise TestFailure("prometheus: client latency summary %r" % qs)
        lc = [k for k in samples_p if k.startswith("synack_client_syn_sent_total{")]
        if not lc:
            raise TestFailure("prometheus: no synack_client_syn_sent_total per lcore")
        log("prometheus (while opening): %s" % "; ".join(
            "%s %s" % (k, v) for k, v in samples_p.items() if k.startswith("synack_client_")
            and not k.endswith("_total}") and "_total{" not in k))
        log("synackctl watch -n 2 -i 0.5 (while opening):\n" + wout.rstrip())
        if watch.returncode != 0 or werr:
            raise TestFailure("watch: exit %d, %r" % (watch.returncode, werr))
        crows = [ctlcheck.CLIENT_ROW_RE.fullmatch(l) for l in wout.splitlines()
                 if l.startswith("client ")]
        if len(crows) != 2 or None in crows:
            raise TestFailure("watch: client lines %r" % crows)
        if not any(float(m.group(2)) > 0 for m in crows) or \
                any(float(m.group(4)) for m in crows):
            raise TestFailure("watch: client rates %r" % [m.group(0) for m in crows])
        eng.cleanup()


# -- proxy: per-backend counters through a real kernel backend --------------

BACKEND_ADDR = "198.18.0.3"
BACKEND_ADDR6 = "2001:db8::3"
PROXY_PORT = 8080
PROXY_CONNECTIONS = 20


class EchoBackend:
    """A kernel server on BACKEND_ADDR:PROXY_PORT in the engine's namespace
    (the calling thread's): reads a line, writes it back, closes. Each
    accepted connection releases self.accepted."""

    def __init__(self):
        self.lines = 0
        self.lock = threading.Lock()
        self.accepted = threading.Semaphore(0)
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                outer.accepted.release()
                line = self.rfile.readline()
                if line:
                    self.wfile.write(line)
                    with outer.lock:
                        outer.lines += 1

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.srv = Server((BACKEND_ADDR, PROXY_PORT), Handler)
        threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def proxy_json(eng):
    """synackctl --json proxy, its shape checked: a list of backends."""
    px = eng.ctl_json("proxy")
    keys = {"backend", "address", "port", "family", "listen_port", "resolved", "down",
            "down_workers", "opened", "established", "failed", "bytes_c2b", "bytes_b2c",
            "flows"}
    if not isinstance(px, list) or any(set(b) != keys for b in px):
        raise TestFailure("synackctl --json proxy: %r" % px)
    return {b["backend"]: b for b in px}


def proxy_connections(addr, n, backend):
    """n connections to addr:PROXY_PORT, each sends a line and must get the
    same line back from the backend; returns the bytes sent. Each line goes
    once the backend has accepted the connection: synackd has then spliced
    it, so no line waits parked while the backend connects and none is
    retransmitted by the client (the byte counters count what is relayed,
    retransmissions too), so the bytes relayed are exactly the bytes sent."""
    sent = 0
    for i in range(n):
        msg = ("line %d through the proxy to %s\n" % (i, addr)).encode()
        with socket.create_connection((addr, PROXY_PORT), timeout=IO_TIMEOUT) as s:
            if not backend.accepted.acquire(timeout=IO_TIMEOUT):
                raise TestFailure("proxied connection %d to %s: the backend accepted "
                                  "nothing in %.0f s" % (i, addr, IO_TIMEOUT))
            s.sendall(msg)
            got = b""
            while not got.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        if got != msg:
            raise TestFailure("proxied connection %d to %s: sent %r, got %r back"
                              % (i, addr, msg, got))
        sent += len(msg)
    return sent


def refused_connections(addr, k):
    """k connections whose backend refuses: the client's handshake completes
    (a cookie), then synackd resets it. Returns k. The clients send nothing:
    a data segment that reached synackd after its RST would carry a valid
    cookie too and open a second backend connection (counted again)."""
    for i in range(k):
        try:
            # the RST may come before connect() has returned (the kernel
            # completed the handshake, then saw the RST): reset there too
            with socket.create_connection((addr, PROXY_PORT), timeout=IO_TIMEOUT) as s:
                got = s.recv(100)
        except ConnectionResetError:
            continue
        except socket.timeout:
            raise TestFailure("connection %d, backend refusing: no RST in %.0f s"
                              % (i, IO_TIMEOUT))
        raise TestFailure("connection %d, backend refusing: got %r, expected an RST"
                          % (i, got))
    return k


def wait_proxy(eng, what, pred, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        px = proxy_json(eng)
        if pred(px):
            return px
        if time.monotonic() > deadline:
            raise TestFailure("synackctl --json proxy: %s not reached in %d s: %r"
                              % (what, timeout, px))
        time.sleep(0.2)


def case_proxy(args):
    """--listen 8080:proxy with an IPv4 and an IPv6 backend: the IPv6 one
    has no answer to its Neighbor Solicitations (unresolved); the IPv4 one
    gets its address only after synackd starts (unresolved, then resolved),
    then serves PROXY_CONNECTIONS echoed lines. synackctl proxy (table and
    JSON), dpdk-telemetry.py, the stats counters and prometheus agree on
    every figure: opened == established == N, bytes each way == sent."""
    b4 = "%s:%d" % (BACKEND_ADDR, PROXY_PORT)
    b6 = "[%s]:%d" % (BACKEND_ADDR6, PROXY_PORT)
    eng = engine(args, "ctlpx", listen=("%d:proxy" % PROXY_PORT,), ipv6=True)
    eng.options += ["--backend", "%s,%s" % (b4, b6)]
    with eng:
        px = proxy_json(eng)
        expect_equal("backends before any address", sorted(px), sorted([b4, b6]))
        for b, fam, addr in ((b4, 4, BACKEND_ADDR), (b6, 6, BACKEND_ADDR6)):
            want = {"backend": b, "address": addr, "port": PROXY_PORT, "family": fam,
                    "listen_port": 0, "resolved": 0, "down": 0, "down_workers": 0, "opened": 0,
                    "established": 0, "failed": 0, "bytes_c2b": 0, "bytes_b2c": 0,
                    "flows": 0}
            expect_equal("synackctl --json proxy %s before its address" % b, px[b], want)
        rows = ctlcheck.parse_proxy_table(eng.ctl("proxy").stdout)
        expect_equal("synackctl proxy: health before the address",
                     {b: (r["RESOLVED"], r["HEALTH"]) for b, r in rows.items()},
                     {b4: ("no", "unresolved"), b6: ("no", "unresolved")})

        sktap.run(["ip", "-n", eng.ns, "addr", "add", "%s/%d" % (BACKEND_ADDR,
                   sktap.PREFIX_LEN), "dev", sktap.IFACE])
        backend = EchoBackend()  # this thread is in the namespace
        try:
            wait_proxy(eng, "%s resolved" % b4, lambda p: p[b4]["resolved"] == 1)
            # one connection held open: the flows gauge counts it
            with socket.create_connection((ENGINE_ADDR, PROXY_PORT),
                                          timeout=IO_TIMEOUT) as held:
                if not backend.accepted.acquire(timeout=IO_TIMEOUT):
                    raise TestFailure("the held connection: the backend accepted nothing")
                px = proxy_json(eng)
                expect_equal("synackctl --json proxy, one connection open: "
                             "opened, established, flows",
                             [px[b4][k] for k in ("opened", "established", "flows")],
                             [1, 1, 1])
                held.shutdown(socket.SHUT_WR)
                if held.recv(100) != b"":
                    raise TestFailure("the held connection: data from the backend")
            sent = proxy_connections(ENGINE_ADDR, PROXY_CONNECTIONS, backend)
            log("%d connections through %s:%d to %s, %d bytes each way, echoed"
                % (PROXY_CONNECTIONS, ENGINE_ADDR, PROXY_PORT, b4, sent))
            px = wait_proxy(eng, "no proxied flow left", lambda p: p[b4]["flows"] == 0)
        finally:
            backend.stop()
        n = PROXY_CONNECTIONS + 1
        expect_equal("backend: lines echoed", backend.lines, n - 1)
        want = {"backend": b4, "address": BACKEND_ADDR, "port": PROXY_PORT, "family": 4,
                "listen_port": 0, "resolved": 1, "down": 0, "down_workers": 0, "opened": n,
                "established": n, "failed": 0, "bytes_c2b": sent, "bytes_b2c": sent,
                "flows": 0}
        expect_equal("synackctl --json proxy " + b4, px[b4], want)
        expect_equal("synackctl --json proxy %s (unresolved, unused)" % b6,
                     {k: px[b6][k] for k in ("resolved", "down", "opened", "failed")},
                     {"resolved": 0, "down": 0, "opened": 0, "failed": 0})
        log("synackctl --json proxy: %s" % json.dumps(px[b4]))

        # the table
        p = eng.ctl("proxy")
        log("synackctl proxy:\n" + p.stdout.rstrip())
        rows = ctlcheck.parse_proxy_table(p.stdout)
        expect_equal("synackctl proxy: backends, in order", list(rows), [b4, b6])
        expect_equal("synackctl proxy: row " + b4, rows[b4], {
            "PORT": "any", "RESOLVED": "yes", "HEALTH": "up", "OPENED": n, "ESTABLISHED": n, "FAILED": 0,
            "BYTES_C2B": sent, "BYTES_B2C": sent, "FLOWS": 0})
        expect_equal("synackctl proxy: health of " + b6,
                     (rows[b6]["RESOLVED"], rows[b6]["HEALTH"]), ("no", "unresolved"))

        # the same from DPDK's own client, and the engine's global counters
        # (the engine answers a dict keyed by position, synackctl a list)
        tel = eng.telemetry_py(["/synack/proxy"])
        expect_equal("dpdk-telemetry.py /synack/proxy", tel["/synack/proxy"],
                     {str(i): b for i, b in enumerate(px.values())})
        c = eng.ctl_json("stats")["counters"]
        expect_equal("stats: proxy_opened, proxy_established, proxy_bytes_c2b, "
                     "proxy_bytes_b2c",
                     [c["proxy_opened"], c["proxy_established"], c["proxy_bytes_c2b"],
                      c["proxy_bytes_b2c"]], [n, n, sent, sent])

        # the backend's server is gone: the kernel refuses our SYNs, each
        # client gets an RST; after SK_PX_FAILS_DOWN (3) in a row the
        # backend shows down (for 5 s)
        refused = refused_connections(ENGINE_ADDR, 3)
        px = wait_proxy(eng, "%s down" % b4, lambda p: p[b4]["down"] == 1, timeout=5)
        expect_equal("synackctl --json proxy %s after %d refused" % (b4, refused),
                     {k: px[b4][k] for k in ("resolved", "down", "down_workers", "opened",
                                             "established", "failed", "flows")},
                     {"resolved": 1, "down": 1, "down_workers": 1, "opened": n + refused,
                      "established": n, "failed": refused, "flows": 0})
        p = eng.ctl("proxy")
        rows = ctlcheck.parse_proxy_table(p.stdout)
        expect_equal("synackctl proxy: %s refused" % b4,
                     [rows[b4][k] for k in ("RESOLVED", "HEALTH", "OPENED", "FAILED")],
                     ["yes", "down (1 worker)", n + refused, refused])
        log("synackctl proxy, the backend refusing:\n" + p.stdout.rstrip())

        # prometheus: a series per backend, labelled with it
        p = eng.ctl("prometheus")
        samples = ctlcheck.parse_prometheus(p.stdout)
        ctlcheck.promtool_check(p.stdout, "prometheus, a proxy")
        for b, want in ((b4, {"resolved": 1, "down": 1, "opened_total": n + refused,
                              "established_total": n, "failed_total": refused,
                              "flows": 0}),
                        (b6, {"resolved": 0, "down": 0, "opened_total": 0})):
            for k, v in want.items():
                name = 'synack_proxy_backend_%s{backend="%s",listen_port="any"}' % (k, b)
                expect_equal("prometheus " + name, samples.get(name), v)
        for d in ("c2b", "b2c"):
            name = ('synack_proxy_backend_bytes_total{backend="%s",listen_port="any",'
                    'direction="%s"}' % (b4, d))
            expect_equal("prometheus " + name, samples.get(name), sent)
        log("prometheus: %s" % "; ".join("%s %s" % (k, v) for k, v in samples.items()
                                          if k.startswith("synack_proxy_backend_")))
        # every family the dashboard's proxy panels use is exported
        fams = {k.split("{")[0] for k in samples}
        missing = {m for m in ctlcheck.dashboard_metric_names() - fams
                   if m.startswith("synack_proxy")}
        if missing:
            raise TestFailure("grafana dashboard: proxy metrics not exported: %s"
                              % sorted(missing))
        c = eng.stop()["counters"]
        expect_equal("final counters: proxy_fail_refused", c["proxy_fail_refused"], refused)


CASES = {"counters": case_counters, "client": case_client,
         "client-ramp": lambda a: case_client(a, ramp=True), "watch": case_watch,
         "watch-lcores": case_watch_lcores,
         "flows-list": case_flows_list, "flows-list6": case_flows_list6,
         "pdump": case_pdump, "exporter": case_exporter, "proxy": case_proxy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    ap.add_argument("--synackctl", default=os.environ.get("SYNACKCTL"))
    ap.add_argument("--budget", type=int, default=280)
    args = ap.parse_args()
    if not args.synackd or not args.synackctl:
        ap.error("pass --synackd and --synackctl, or set SYNACKD and SYNACKCTL")
    args.synackd = os.path.abspath(args.synackd)
    args.synackctl = os.path.abspath(args.synackctl)
    t0 = time.monotonic()

    def body():
        CASES[args.case](args)
        log("%s: %.1f s" % (args.case, time.monotonic() - t0))
    sktap.main_wrapper(body, args.budget)


if __name__ == "__main__":
    main()
