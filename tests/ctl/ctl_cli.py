#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackctl without an engine: error lines, exit codes and bounded waits.

    ctl_cli.py --case NAME [--synackctl PATH]

No root and no DPDK needed. `no-engine` runs synackctl against a file
prefix nobody uses; the other cases point it (--socket) at fake telemetry
servers, SOCK_SEQPACKET sockets in a temporary directory that misbehave in
one way each: silent, closing, garbage, another DPDK application, an engine
that is stopping, a stale socket, a socket we may not open. `fake-engine`
serves canned replies and checks the tables, --json and prometheus.
Exit 0 = pass, 1 = fail. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlcheck  # noqa: E402

HELLO = {"version": "DPDK 22.11.11", "pid": os.getpid(), "max_output_len": 16384}


class Fail(Exception):
    pass


class FakeServer:
    """A telemetry-like server on a SOCK_SEQPACKET socket: handler(cmd)
    returns the reply bytes, or None to close the connection."""

    def __init__(self, path, handler, hello=True):
        self.path = path
        self.handler = handler
        self.hello = hello
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.stop = False
        self.conns = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            if self.hello:
                c.send(json.dumps(HELLO).encode())
            else:
                return  # never a hello: the client must time out
            while not self.stop:
                cmd = c.recv(1024)
                if not cmd:
                    break
                reply = self.handler(cmd.decode())
                if reply is None:
                    c.close()
                    return
                c.send(reply)
        except OSError:
            pass

    def close(self):
        self.stop = True
        self.sock.close()
        self.thread.join(2)
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def reply(cmd, value):
    return json.dumps({cmd.split(",")[0]: value}).encode()


def run_ctl(args, ctl, timeout=15, env=None, preexec=None):
    t0 = time.monotonic()
    try:
        p = subprocess.run([ctl] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout,
                           env=env, preexec_fn=preexec)
    except subprocess.TimeoutExpired:
        raise Fail("synackctl %s: no exit within %d s (a hang)" % (" ".join(args), timeout))
    return p, time.monotonic() - t0


def expect(p, code, line_re, what):
    err = p.stderr
    lines = err.splitlines()
    if p.returncode != code:
        raise Fail("%s: exit %d, expected %d; stderr %r" % (what, p.returncode, code, err))
    if len(lines) != 1 or not re.fullmatch(line_re, lines[0]):
        raise Fail("%s: stderr %r does not match %r (one line)" % (what, err, line_re))
    print("ok: %s: exit %d: %s" % (what, code, lines[0]), flush=True)


def runtime_base():
    """DPDK's rule, as synackctl applies it."""
    if os.getuid() == 0:
        return "/var/run"
    return os.environ.get("XDG_RUNTIME_DIR") or "/tmp"


# -- cases ------------------------------------------------------------------

def case_no_engine(ctl, tmp):
    prefix = "sk-ctl-none-%d" % os.getpid()
    own = "%s/dpdk/%s" % (runtime_base(), prefix)
    env = dict(os.environ)
    env.pop("SYNACK_FILE_PREFIX", None)
    p, secs = run_ctl(["-p", prefix, "stats"], ctl, env=env)
    if os.getuid() != 0 and os.path.isdir("/var/run/dpdk") and \
            not os.access("/var/run/dpdk", os.X_OK):
        # root's runtime directory exists and is closed to us: synackctl
        # cannot tell whether root runs an engine there
        want = ("synackctl: error: permission denied looking for /var/run/dpdk/%s, "
                "and no directory %s \\(an engine started by root is visible to root "
                "only\\)" % (re.escape(prefix), re.escape(own)))
        expect(p, 5, want, "no engine, as a user")
    else:
        want = "synackctl: error: no engine running with file prefix '%s' (no directory %s)" % (
            prefix, own)
        expect(p, 3, re.escape(want), "no engine")
    if p.stdout:
        raise Fail("no engine: stdout not empty: %r" % p.stdout)
    if secs > 1.0:
        raise Fail("no engine: synackctl took %.2f s, expected well under a second" % secs)
    # The environment variable names the prefix too; -p wins over it.
    env["SYNACK_FILE_PREFIX"] = prefix + "-env"
    p, _ = run_ctl(["version"], ctl, env=env)
    if prefix + "-env" not in p.stderr or p.returncode not in (3, 5):
        raise Fail("SYNACK_FILE_PREFIX not honoured: exit %d, %r" % (p.returncode, p.stderr))
    p, _ = run_ctl(["-p", prefix, "version"], ctl, env=env)
    if prefix not in p.stderr or prefix + "-env" in p.stderr:
        raise Fail("-p does not override SYNACK_FILE_PREFIX: %r" % p.stderr)
    # An existing runtime directory without a socket (a stopped engine).
    env = dict(os.environ, XDG_RUNTIME_DIR=tmp)
    stopped = "sk-ctl-stopped-%d" % os.getpid()
    d = os.path.join(runtime_base() if os.getuid() == 0 else tmp, "dpdk", stopped)
    os.makedirs(d)
    try:
        p, _ = run_ctl(["-p", stopped, "stats"], ctl, env=env)
        expect(p, 3, re.escape(
            "synackctl: error: no engine running with file prefix '%s' (no "
            "telemetry socket in %s: synackd stopped, or started with --no-telemetry)"
            % (stopped, d)), "runtime directory without a socket")
    finally:
        os.rmdir(d)
    # --socket to nothing
    p, _ = run_ctl(["-s", os.path.join(tmp, "nothing"), "stats"], ctl)
    expect(p, 3, re.escape("synackctl: error: no engine running with file prefix 'rte' "
                           "(no socket %s)" % os.path.join(tmp, "nothing")),
           "--socket to a missing path")


def case_usage(ctl, tmp):
    for args, pat in (
            ([], None),
            (["bogus"], r"synackctl: error: unknown command 'bogus' \(see synackctl --help\)"),
            (["stats", "--list", "3"], r"synackctl: error: --list goes with the flows command"),
            (["flows", "--list", "0"], r"synackctl: error: --list: '0' is not a whole number from 1 to 100000000"),
            (["watch", "-i", "x"], r"synackctl: error: --interval: 'x' is not a number of seconds from 0.1 to 86400"),
            (["stats", "-n", "3"], r"synackctl: error: --interval and --count go with the watch command"),
            (["--json", "prometheus"], r"synackctl: error: --json does not go with prometheus"),
            (["exporter"], r"synackctl: error: exporter needs --listen ADDR:PORT, e\.g\. "
             r"synackctl exporter --listen 127\.0\.0\.1:9469"),
            (["stats", "--listen", ":1"], r"synackctl: error: --listen goes with the exporter command"),
            (["exporter", "--listen", "9469"], r"synackctl: error: --listen: '9469' is not "
             r"ADDR:PORT \(e\.g\. 127\.0\.0\.1:9469, \[::1\]:9469, :9469\)"),
            (["exporter", "--listen", ":70000"], r"synackctl: error: --listen: port 70000 is over 65535"),
            (["lcores", "--lcores"], r"synackctl: error: --lcores goes with the watch command \(the lcores command shows the counters per lcore\)"),
            (["stats", "extra"], r"synackctl: error: unexpected 'extra' \(see synackctl --help\)"),
            (["--frobnicate"], r"synackctl: error: unknown option '--frobnicate' \(see synackctl --help\)"),
            (["raw"], r"synackctl: error: raw needs a telemetry command, e\.g\. synackctl raw /ethdev/list")):
        p, _ = run_ctl(args, ctl)
        if pat is None:
            if p.returncode != 2 or "Usage:" not in p.stderr:
                raise Fail("no command: exit %d, %r" % (p.returncode, p.stderr))
            print("ok: no command: usage on stderr, exit 2", flush=True)
            continue
        expect(p, 2, pat, "usage " + " ".join(args))
    p, _ = run_ctl(["--help"], ctl)
    if p.returncode != 0 or "Exit codes:" not in p.stdout:
        raise Fail("--help: exit %d" % p.returncode)
    for code in range(0, 10):
        if not re.search(r"^  %d  " % code, p.stdout, re.M):
            raise Fail("--help does not document exit code %d" % code)
    p, _ = run_ctl(["--version"], ctl)
    if p.returncode != 0 or not re.fullmatch(r"synackctl \S+\n", p.stdout):
        raise Fail("--version: %r" % p.stdout)
    print("ok: --help lists exit codes 0-9; --version", flush=True)


def with_server(tmp, handler, hello=True):
    path = os.path.join(tmp, "t%d.sock" % len(os.listdir(tmp)))
    return FakeServer(path, handler, hello), path


def case_errors(ctl, tmp):
    # 1. silent: accepts, never says hello -> timeout, bounded
    srv, path = with_server(tmp, lambda c: None, hello=False)
    try:
        p, secs = run_ctl(["-s", path, "-t", "0.5", "stats"], ctl)
        expect(p, 7, r"synackctl: error: timed out after 0\.5 s waiting for the "
               r"telemetry hello \(too many clients\? DPDK serves 10 at a time\) \(.*\)",
               "silent server")
        if not 0.4 <= secs < 2.0:
            raise Fail("silent server: gave up after %.2f s, expected about 0.5 s" % secs)
        p, secs = run_ctl(["-s", path, "stats"], ctl)
        if p.returncode != 7 or not 1.9 <= secs < 3.5:
            raise Fail("silent server, default timeout: exit %d after %.2f s, "
                       "expected 7 after about 2 s" % (p.returncode, secs))
        print("ok: default timeout: exit 7 after %.2f s" % secs, flush=True)
    finally:
        srv.close()

    # 2. hello, then silence on a command
    def mute(cmd):
        time.sleep(5)
        return None
    srv, path = with_server(tmp, mute)
    try:
        p, secs = run_ctl(["-s", path, "-t", "0.5", "stats"], ctl)
        expect(p, 7, r"synackctl: error: timed out after 0\.5 s waiting for the reply "
               r"to /synack/stats \(.*\)", "server silent after a command")
    finally:
        srv.close()

    # 3. closes mid-read (the engine stopping)
    srv, path = with_server(tmp, lambda c: None)
    try:
        p, _ = run_ctl(["-s", path, "stats"], ctl)
        expect(p, 6, r"synackctl: error: the engine closed the connection waiting for "
               r"the reply to /synack/stats \(synackd stopping\? prefix 'rte'\)",
               "connection closed mid-read")
    finally:
        srv.close()

    # 4. garbage
    srv, path = with_server(tmp, lambda c: b"{not json")
    try:
        p, _ = run_ctl(["-s", path, "stats"], ctl)
        expect(p, 8, r"synackctl: error: reply to /synack/stats is not JSON: at byte \d+: "
               r"string or '}' expected near 'not'", "garbage reply")
    finally:
        srv.close()

    # 5. another DPDK application: no /synack/ commands
    def other_app(cmd):
        if cmd == "/":
            return reply(cmd, ["/", "/ethdev/list", "/help", "/info"])
        return reply(cmd, None)
    srv, path = with_server(tmp, other_app)
    try:
        p, _ = run_ctl(["-s", path, "stats"], ctl)
        expect(p, 4, r"synackctl: error: the DPDK process with file prefix 'rte' "
               r"\(pid %d, .*\) is not synackd: it has no /synack/ telemetry commands"
               % os.getpid(), "not synackd")
    finally:
        srv.close()

    # 6. an engine that is stopping: /synack/ commands registered, all null
    def stopping(cmd):
        if cmd == "/":
            return reply(cmd, ["/", "/synack/stats", "/synack/version"])
        return reply(cmd, None)
    srv, path = with_server(tmp, stopping)
    try:
        p, _ = run_ctl(["-s", path, "stats"], ctl)
        expect(p, 6, r"synackctl: error: the engine is stopping \(prefix 'rte'\)",
               "engine stopping")
    finally:
        srv.close()

    # 7. a stale socket: bound, nobody listening
    stale = os.path.join(tmp, "stale.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.bind(stale)
    s.close()
    p, _ = run_ctl(["-s", stale, "stats"], ctl)
    expect(p, 3, r"synackctl: error: no engine running with file prefix 'rte' "
           r"\(stale socket %s: no process listens on it\)" % re.escape(stale),
           "stale socket")

    # 8. permission denied: a socket we may not write to
    srv, path = with_server(tmp, stopping)
    try:
        os.chmod(path, 0)
        preexec = None
        if os.getuid() == 0:
            os.chmod(tmp, 0o755)
            # nobody may not reach the build tree (a clone under /root, a
            # 0700 temporary folder): run a copy from the test's folder
            shutil.copy(ctl, os.path.join(tmp, "synackctl"))
            ctl = os.path.join(tmp, "synackctl")
            os.chmod(ctl, 0o755)

            def preexec():
                os.setgid(65534)
                os.setuid(65534)
        p, _ = run_ctl(["-s", path, "stats"], ctl, preexec=preexec)
        expect(p, 5, r"synackctl: error: permission denied on %s \(synackd runs as "
               r"root: run synackctl as root\)" % re.escape(path), "permission denied")
    finally:
        srv.close()


def case_fake_engine(ctl, tmp):
    """Canned replies shaped like synackd's: tables, JSON, prometheus."""
    canned = ctlcheck.canned_replies()

    def engine(cmd):
        if cmd == "/":
            return reply(cmd, sorted(canned) + ["/", "/info"])
        base = cmd.split(",")[0]
        if base == "/synack/flows/list":
            return reply(cmd, ctlcheck.canned_flow_page(cmd))
        if base in canned:
            return reply(cmd, canned[base])
        return reply(cmd, None)
    srv, path = with_server(tmp, engine)
    try:
        p, _ = run_ctl(["-s", path, "--json", "stats"], ctl)
        if p.returncode != 0 or json.loads(p.stdout) != canned["/synack/stats"]:
            raise Fail("--json stats differs from the reply: %r" % p.stdout[:300])
        p, _ = run_ctl(["-s", path, "stats"], ctl)
        if p.returncode != 0:
            raise Fail("stats: exit %d %r" % (p.returncode, p.stderr))
        ctlcheck.check_stats_table(p.stdout, canned["/synack/stats"])
        print(p.stdout, flush=True)
        # IPv6: frames among the received ones, Neighbor Discovery in a
        # group of its own, IPv6 drop reasons among the drops
        rows = [l.split()[0] for l in p.stdout.splitlines()[1:] if l.strip()]
        titles = [l.strip() for l in p.stdout.splitlines()[1:] if l and l[0] != " "]

        def group(name):
            t = None
            for l in p.stdout.splitlines()[1:]:
                if l and l[0] != " ":
                    t = l.strip()
                elif l.split() and l.split()[0] == name:
                    return t
            return None
        for name, want in (("rx_ipv6", "received"), ("rx_nd_ns", "IPv6 Neighbor Discovery"),
                           ("tx_nd_na", "IPv6 Neighbor Discovery"),
                           ("drop_ip6_frag", "dropped")):
            if group(name) != want:
                raise Fail("stats: %s under %r, expected %r (titles %r)"
                           % (name, group(name), want, titles))
        if titles.index("IPv6 Neighbor Discovery") != titles.index("sent") + 1 or \
                rows.index("rx_nd_ns") > rows.index("tx_nd_na"):
            raise Fail("stats: Neighbor Discovery group misplaced: %r" % titles)
        p, _ = run_ctl(["-s", path, "prometheus"], ctl)
        if p.returncode != 0:
            raise Fail("prometheus: exit %d %r" % (p.returncode, p.stderr))
        samples = ctlcheck.parse_prometheus(p.stdout)
        ctlcheck.promtool_check(p.stdout, "prometheus, a client role")
        c = canned["/synack/stats"]["counters"]
        for name, want in (('synack_cookie_ok_total{lcore="1"}', c["cookie_ok"]),
                           ('synack_drops_total{lcore="1",reason="ip_cksum"}', c["drop_ip_cksum"]),
                           ('synack_flows{lcore="1",state="ESTABLISHED"}', 3),
                           ('synack_rx_ipv6_total{lcore="1"}', 9),
                           ('synack_tx_ipv6_total{lcore="1"}', 0),
                           ('synack_nd_received_total{lcore="1",kind="ns"}', 2),
                           ('synack_nd_received_total{lcore="1",kind="other"}', 0),
                           ('synack_nd_sent_total{lcore="1",kind="na"}', 2),
                           ('synack_drops_total{lcore="1",reason="ip6_frag"}', 1),
                           ('synack_drops_total{lcore="1",reason="icmp6"}', 0)):
            if samples.get(name) != want:
                raise Fail("prometheus %s = %s, expected %s" % (name, samples.get(name), want))
        if any(k.startswith(("synack_rx_nd_", "synack_tx_nd_")) for k in samples):
            raise Fail("prometheus: ND counters outside their families")
        # flows --list pages through /synack/flows/list,N,SKIP
        p, _ = run_ctl(["-s", path, "--json", "flows", "--list", "250"], ctl)
        got = json.loads(p.stdout)
        if p.returncode != 0 or got["shown"] != 250 or len(got["flows"]) != 250 \
                or got["more"] != 1 or got["flows"]["249"]["remote"] != "10.0.0.249:1249" \
                or got["flows"]["1"]["remote"] != "[2001:db8::1]:1001" \
                or got["flows"]["1"]["local"] != "[2001:db8::2]:9":
            raise Fail("flows --list 250 over pages: %r" % p.stdout[:300])
        p, _ = run_ctl(["-s", path, "flows", "--list", "1000"], ctl)
        lines = p.stdout.splitlines()
        if p.returncode != 0 or len(lines) != 302 or lines[-1] != "300 flows shown, 300 live":
            raise Fail("flows --list 1000: %d lines, last %r" % (len(lines), lines[-1:]))
        v6 = [l.split() for l in lines if "[2001:db8::" in l]
        if len(v6) != 100 or v6[0][1:3] != ["[2001:db8::1]:1001", "[2001:db8::2]:9"]:
            raise Fail("flows --list 1000: IPv6 rows %r" % v6[:2])
        for cmd in ("lcores", "ports", "flows", "cookies", "config", "version"):
            for extra in ([], ["--json"]):
                p, _ = run_ctl(["-s", path, cmd] + extra, ctl)
                if p.returncode != 0 or not p.stdout or p.stderr:
                    raise Fail("%s %s: exit %d, stderr %r" % (cmd, extra, p.returncode, p.stderr))
        print("ok: fake engine: tables, --json, prometheus, paged flow list", flush=True)
    finally:
        srv.close()


def case_fake_watch_lcores(ctl, tmp):
    """watch --lcores against an engine with 2 workers whose /synack/lcores
    reply was too big (the ids only): each lcore asked for on its own; its
    counters grow by a known step per request, so the rates are known."""
    canned = ctlcheck.canned_replies()
    one = canned["/synack/lcores"]["1"]
    step = {"1": 10, "2": 30}          # rx_syn per request
    asked = {"1": 0, "2": 0, "all": 0}
    lock = threading.Lock()

    def entry(lc):
        e = ctlcheck.copy_of(one)
        e["lcore"] = int(lc)
        with lock:
            asked[lc] += 1
            k = asked[lc]
        for name in e["counters"]:
            e["counters"][name] = 0
        e["counters"]["rx_syn"] = e["counters"]["tx_synack"] = step[lc] * k
        e["counters"]["close_normal"] = e["counters"]["close_rst"] = k
        e["counters"]["rx_packets"] = 1000000 * k
        return e

    flows = ctlcheck.copy_of(canned["/synack/flows"])
    fl1 = flows["lcores"]["1"]
    fl1["flow_count"], fl1["capacity"] = 131, 262144
    fl2 = ctlcheck.copy_of(fl1)
    fl2["lcore"], fl2["flow_count"] = 2, 262
    flows["lcores"]["2"] = fl2

    def engine(cmd):
        if cmd == "/synack/lcores":
            with lock:
                asked["all"] += 1
            return reply(cmd, {"lcores": [1, 2]})   # too big: ids only
        if cmd.startswith("/synack/lcores,"):
            lc = cmd.split(",")[1]
            return reply(cmd, {lc: entry(lc)} if lc in step else None)
        if cmd == "/synack/flows":
            return reply(cmd, flows)
        return reply(cmd, None)
    srv, path = with_server(tmp, engine)
    try:
        p, _ = run_ctl(["-s", path, "watch", "--lcores", "-n", "2", "-i", "0.2"], ctl)
        if p.returncode != 0 or p.stderr:
            raise Fail("watch --lcores: exit %d, stderr %r" % (p.returncode, p.stderr))
        print(p.stdout, flush=True)
        if "\033" in p.stdout:
            raise Fail("watch --lcores on a pipe wrote terminal escapes")
        blocks = [b.splitlines() for b in p.stdout.split("\n\n") if b.strip()]
        if len(blocks) != 2 or asked["all"] != 3 or asked["1"] != 3 or asked["2"] != 3:
            raise Fail("watch --lcores -n 2: %d blocks, requests %r" % (len(blocks), asked))
        for b in blocks:
            dt = float(re.search(r"interval ([\d.]+) s$", b[0]).group(1))
            if b[1].split() != ["LCORE", "1", "LCORE", "2", "TOTAL"]:
                raise Fail("watch --lcores: header %r" % b[1])
            rows = {}
            for line in b[2:]:
                m = re.fullmatch(r"(\S.*?)\s+(\S+)\s+(\S+)\s+(\S+)", line)
                if not m:
                    raise Fail("watch --lcores: row %r" % line)
                rows[m.group(1)] = [float(x) for x in m.group(2, 3, 4)]
            want = ["SYN/s", "SYN-ACK/s", "established/s", "closed/s", "RST sent/s",
                    "RST received/s", "drops/s", "rx Mpps", "tx Mpps", "IPv6 rx/s", "flows in use",
                    "flow capacity", "occupancy %"]
            if list(rows) != want:
                raise Fail("watch --lcores: rows %r" % list(rows))
            for label, per in (("SYN/s", (10, 30)), ("closed/s", (2, 2)),
                               ("rx Mpps", (1, 1)), ("established/s", (0, 0))):
                r1, r2, tot = rows[label]
                for got, d in ((r1, per[0]), (r2, per[1])):
                    if abs(got * dt - d) > 0.05 * d + 0.05:
                        raise Fail("watch --lcores: %s %r over %.2f s, expected a "
                                   "change of %d" % (label, rows[label], dt, d))
                if abs(r1 + r2 - tot) > 0.11:
                    raise Fail("watch --lcores: %s total %r" % (label, rows[label]))
            if rows["flows in use"] != [131, 262, 393] or \
                    rows["flow capacity"] != [262144, 262144, 524288] or \
                    rows["occupancy %"] != [0.05, 0.1, 0.07]:
                raise Fail("watch --lcores: flow rows %r" % rows)
        p, _ = run_ctl(["-s", path, "--json", "watch", "--lcores", "-n", "1", "-i", "0.1"],
                       ctl)
        o = json.loads(p.stdout)
        if sorted(o["lcores"]) != ["1", "2"] or o["total"]["flow_count"] != 393 or \
                o["lcores"]["2"]["totals"]["syn"] % 30 or o["lcores"]["1"]["capacity"] != 262144:
            raise Fail("watch --lcores --json: %r" % p.stdout[:300])
        print("ok: watch --lcores: a column per lcore, each lcore asked for on its own "
              "when /synack/lcores lacks it, rates and occupancy as served", flush=True)
    finally:
        srv.close()

def case_fake_client(ctl, tmp):
    """synackctl client, prometheus and watch against canned /synack/client
    replies: a client role (as recorded, with failures), a ramp, a failed
    run, an engine without a client role, one too old to have the command,
    and malformed replies."""
    canned = ctlcheck.canned_replies()
    cur = {"client": canned["/synack/client"], "listed": True}

    def engine(cmd):
        if cmd == "/":
            names = sorted(canned) + ["/", "/info"]
            if not cur["listed"]:
                names.remove("/synack/client")
            return reply(cmd, names)
        base = cmd.split(",")[0]
        if base == "/synack/client":
            return reply(cmd, cur["client"])
        if base in canned:
            return reply(cmd, canned[base])
        return reply(cmd, None)
    srv, path = with_server(tmp, engine)
    try:
        c = cur["client"]
        lat = c["latency_us"]
        p, _ = run_ctl(["-s", path, "--json", "client"], ctl)
        if p.returncode != 0 or p.stderr or json.loads(p.stdout) != c:
            raise Fail("--json client differs from the reply: exit %d, %r"
                       % (p.returncode, p.stdout[:300]))
        p, _ = run_ctl(["-s", path, "client"], ctl)
        if p.returncode != 0 or p.stderr:
            raise Fail("client: exit %d, %r" % (p.returncode, p.stderr))
        print(p.stdout, flush=True)
        head, rows = ctlcheck.parse_client_table(p.stdout)
        want_head = {
            "target": c["target"], "state": c["state"],
            "time": "%d.%03d s since the first SYN, %d.%03d s of them opening" % (
                c["run_ms"] // 1000, c["run_ms"] % 1000, c["open_ms"] // 1000,
                c["open_ms"] % 1000),
            "rate": "%d cps offered, %d achieved (established / opening time)" % (
                c["rate_cps"], c["cps"])}
        if head != want_head:
            raise Fail("client table header %r, expected %r" % (head, want_head))
        keys = {"attempted": c["attempted"], "established": c["established"],
                "completed": c["completed"], "failed": c["failed"],
                "  timeout": c["fail_timeout"], "  rst": c["fail_rst"],
                "  bad_synack": c["fail_bad_synack"], "  response": c["fail_response"],
                "  closed": c["fail_closed"], "syn_retx": c["syn_retx"],
                "no_tuple": c["no_tuple"], "concurrent": c["concurrent"],
                "latency_us": lat["count"], "  min": lat["min"], "  p50": lat["p50"],
                "  p90": lat["p90"], "  p99": lat["p99"], "  p99.9": lat["p99_9"],
                "  max": lat["max"],
                "  mean": round(lat["sum"] / lat["count"], 1)}
        for k, v in keys.items():
            if rows[k] != v:
                raise Fail("client table: %s = %r, expected %r" % (k.strip(), rows[k], v))
        # prometheus: the client's figures beside the counters
        p, _ = run_ctl(["-s", path, "prometheus"], ctl)
        if p.returncode != 0:
            raise Fail("prometheus: exit %d %r" % (p.returncode, p.stderr))
        smp = ctlcheck.parse_prometheus(p.stdout)
        for k, want in (('synack_client_info{target="%s"}' % c["target"], 1),
                        ('synack_client_state{state="opening"}', 1),
                        ('synack_client_state{state="finished"}', 0),
                        ("synack_client_run_seconds", c["run_ms"] / 1000),
                        ("synack_client_open_seconds", c["open_ms"] / 1000),
                        ("synack_client_concurrent", c["concurrent"]),
                        ("synack_client_cps", c["cps"]),
                        ("synack_client_rate_cps", c["rate_cps"]),
                        ("synack_client_ramp", 0),
                        ("synack_client_ramp_steps_total", 0),
                        # microseconds served, seconds exposed (base units)
                        ('synack_client_latency_seconds{quantile="0"}', lat["min"] / 1e6),
                        ('synack_client_latency_seconds{quantile="0.5"}', lat["p50"] / 1e6),
                        ('synack_client_latency_seconds{quantile="0.99"}', lat["p99"] / 1e6),
                        ('synack_client_latency_seconds{quantile="0.999"}', lat["p99_9"] / 1e6),
                        ('synack_client_latency_seconds{quantile="1"}', lat["max"] / 1e6),
                        ("synack_client_latency_seconds_sum", lat["sum"] / 1e6),
                        ("synack_client_latency_seconds_count", lat["count"])):
            got = smp.get(k)
            if got is None or abs(got - want) > 1e-9 * max(1, abs(want)):
                raise Fail("prometheus %s = %r, expected %r" % (k, got, want))
        # watch: a client line under the rates; --json has a "client" object
        p, _ = run_ctl(["-s", path, "watch", "-n", "1", "-i", "0.1"], ctl)
        last = p.stdout.rstrip("\n").splitlines()[-1]
        m = ctlcheck.CLIENT_ROW_RE.fullmatch(last)
        if p.returncode != 0 or not m or m.group(1) != "opening" or \
                int(m.group(5)) != c["concurrent"] or int(m.group(6)) != lat["p99"]:
            raise Fail("watch: client line %r (exit %d, %r)" % (last, p.returncode, p.stderr))
        p, _ = run_ctl(["-s", path, "--json", "watch", "-n", "1", "-i", "0.1"], ctl)
        w = json.loads(p.stdout)["client"]
        if w != {"state": "opening", "attempted": 0.0, "established": 0.0, "failed": 0.0,
                 "concurrent": c["concurrent"], "p99_us": lat["p99"]}:
            raise Fail("watch --json: client %r" % w)
        print("ok: client: table, --json, prometheus, watch line as served", flush=True)

        # the ramp, a failed run, a run not started yet
        cur["client"] = dict(c, ramp=1, rate_cps=4000, best_cps=3800, ramp_steps=12,
                             ramp_backoffs=2)
        p, _ = run_ctl(["-s", path, "client"], ctl)
        want = ("rate    ramp (--cps max): offering 4000 cps, best clean step 3800 cps, "
                "12 steps, 2 backoffs; %d achieved" % c["cps"])
        if p.returncode != 0 or want not in p.stdout.splitlines():
            raise Fail("client, ramp: %r" % p.stdout[:400])
        p, _ = run_ctl(["-s", path, "prometheus"], ctl)
        smp = ctlcheck.parse_prometheus(p.stdout)
        if smp.get("synack_client_ramp") != 1 or \
                smp.get("synack_client_ramp_best_cps") != 3800 or \
                smp.get("synack_client_ramp_backoffs_total") != 2:
            raise Fail("prometheus, ramp: %r" % {k: v for k, v in smp.items()
                                                  if "ramp" in k})
        cur["client"] = dict(c, state="failed", error="no ARP reply from the next hop")
        p, _ = run_ctl(["-s", path, "client"], ctl)
        head, _ = ctlcheck.parse_client_table(p.stdout)
        if p.returncode != 0 or head.get("error") != "no ARP reply from the next hop" or \
                head["state"] != "failed":
            raise Fail("client, failed run: %r" % head)
        cur["client"] = dict(c, state="resolving", run_ms=0, open_ms=0, attempted=0,
                             rate_cps=0, cps=0)
        p, _ = run_ctl(["-s", path, "client"], ctl)
        head, _ = ctlcheck.parse_client_table(p.stdout)
        if p.returncode != 0 or not head["state"].startswith("resolving (") or \
                not head["rate"].startswith("no limit (--cps 0)"):
            raise Fail("client, resolving, no limit: %r" % head)
        print("ok: client: ramp, failed run, resolving", flush=True)

        # no client role; an engine without the command: exit 9, one line;
        # prometheus and watch go on without the client's figures
        for role_reply, listed, msg in (
                ({"role": "server"}, True,
                 r"synackctl: error: the engine with file prefix 'rte' runs no client "
                 r"role \(synackd started without --client\)"),
                (None, False,
                 r"synackctl: error: the engine with file prefix 'rte' has no "
                 r"/synack/client command \(a synackd older than this synackctl\)")):
            cur["client"], cur["listed"] = role_reply, listed
            for extra in ([], ["--json"]):
                p, _ = run_ctl(["-s", path, "client"] + extra, ctl)
                expect(p, 9, msg, "client%s, reply %r" % ("".join(" " + e for e in extra), role_reply))
                if p.stdout:
                    raise Fail("client without a client role: stdout %r" % p.stdout)
            p, _ = run_ctl(["-s", path, "prometheus"], ctl)
            smp = ctlcheck.parse_prometheus(p.stdout)
            ctlcheck.promtool_check(p.stdout, "prometheus, reply %r" % role_reply)
            if p.returncode != 0 or p.stderr or \
                    any(k.startswith(("synack_client_state", "synack_client_latency"))
                        for k in smp):
                raise Fail("prometheus without a client role: exit %d, %r" % (
                    p.returncode, p.stderr))
            p, _ = run_ctl(["-s", path, "watch", "-n", "1", "-i", "0.1"], ctl)
            if p.returncode != 0 or p.stderr or "\nclient " in p.stdout:
                raise Fail("watch without a client role: exit %d, %r, %r" % (
                    p.returncode, p.stderr, p.stdout[-200:]))
        cur["listed"] = True

        # malformed replies: one line, exit 8, no crash
        for bad in ([1, 2], 7, "client", {"role": "client"},
                    {"role": "client", "attempted": 1, "latency_us": [1]},
                    {"role": 5, "attempted": 1, "latency_us": {}}):
            cur["client"] = bad
            for cmd in (["client"], ["--json", "client"], ["prometheus"]):
                p, _ = run_ctl(["-s", path] + cmd, ctl)
                expect(p, 8, r"synackctl: error: unexpected reply to /synack/client",
                       "%s, reply %r" % (" ".join(cmd), bad))
        # odd values are shown, not trusted
        cur["client"] = dict(c, state="x" * 100, attempted="many", cps=-1,
                             latency_us={"count": 0, "p99": 1e30})
        p, _ = run_ctl(["-s", path, "client"], ctl)
        if p.returncode != 0 or p.stderr:
            raise Fail("client, odd values: exit %d, %r" % (p.returncode, p.stderr))
        print("ok: client: no client role and an older engine (exit 9), malformed "
              "replies (exit 8)", flush=True)
    finally:
        srv.close()


def case_fake_proxy(ctl, tmp):
    """synackctl proxy and prometheus against canned /synack/proxy replies:
    two backends (one down, one IPv6 and unresolved), no proxy ({}), an
    engine too old to have the command, and malformed replies."""
    canned = ctlcheck.canned_replies()
    px = canned["/synack/proxy"]
    cur = {"proxy": px, "listed": True}

    def engine(cmd):
        if cmd == "/":
            names = sorted(canned) + ["/", "/info"]
            if not cur["listed"]:
                names.remove("/synack/proxy")
            return reply(cmd, names)
        base = cmd.split(",")[0]
        if base == "/synack/proxy":
            return reply(cmd, cur["proxy"])
        return reply(cmd, canned.get(base))
    srv, path = with_server(tmp, engine)
    try:
        # JSON: the backends as a list, in the engine's order
        p, _ = run_ctl(["-s", path, "--json", "proxy"], ctl)
        if p.returncode != 0 or p.stderr or json.loads(p.stdout) != [px["0"], px["1"]]:
            raise Fail("--json proxy: exit %d, %r" % (p.returncode, p.stdout[:300]))
        # the table: every figure in its column
        p, _ = run_ctl(["-s", path, "proxy"], ctl)
        if p.returncode != 0 or p.stderr:
            raise Fail("proxy: exit %d, %r" % (p.returncode, p.stderr))
        print(p.stdout, flush=True)
        rows = ctlcheck.parse_proxy_table(p.stdout)
        want = {}
        for b in (px["0"], px["1"]):
            want[b["backend"]] = {
                "PORT": str(b.get("listen_port") or "any"),
                "RESOLVED": "yes" if b["resolved"] else "no",
                "HEALTH": "down (1 worker)" if b["down"] else "unresolved",
                "OPENED": b["opened"], "ESTABLISHED": b["established"],
                "FAILED": b["failed"], "BYTES_C2B": b["bytes_c2b"],
                "BYTES_B2C": b["bytes_b2c"], "FLOWS": b["flows"]}
        if rows != want or list(rows) != [px["0"]["backend"], px["1"]["backend"]]:
            raise Fail("proxy table %r, expected %r" % (rows, want))
        # prometheus: a series per backend and figure
        p, _ = run_ctl(["-s", path, "prometheus"], ctl)
        smp = ctlcheck.parse_prometheus(p.stdout)
        ctlcheck.promtool_check(p.stdout, "prometheus, a proxy")
        for b in (px["0"], px["1"]):
            lb = 'backend="%s",listen_port="%s"' % (b["backend"],
                                                     b.get("listen_port") or "any")
            for k, want_v in (("resolved", b["resolved"]), ("down", b["down"]),
                              ("opened_total", b["opened"]),
                              ("established_total", b["established"]),
                              ("failed_total", b["failed"]), ("flows", b["flows"])):
                name = "synack_proxy_backend_%s{%s}" % (k, lb)
                if smp.get(name) != want_v:
                    raise Fail("prometheus %s = %r, expected %r" % (name, smp.get(name), want_v))
            for d in ("c2b", "b2c"):
                name = 'synack_proxy_backend_bytes_total{%s,direction="%s"}' % (lb, d)
                if smp.get(name) != b["bytes_" + d]:
                    raise Fail("prometheus %s = %r, expected %r" % (
                        name, smp.get(name), b["bytes_" + d]))
        n = sum(1 for k in smp if k.startswith("synack_proxy_backend_"))
        if n != 2 * 8:
            raise Fail("prometheus: %d synack_proxy_backend_ samples, expected 16" % n)
        print("ok: proxy: table, --json, prometheus (%d backend samples)" % n, flush=True)

        # no proxy: [] and one line; no backend series
        cur["proxy"] = {}
        p, _ = run_ctl(["-s", path, "--json", "proxy"], ctl)
        if p.returncode != 0 or p.stdout != "[]\n":
            raise Fail("--json proxy, no proxy: exit %d, %r" % (p.returncode, p.stdout))
        p, _ = run_ctl(["-s", path, "proxy"], ctl)
        if p.returncode != 0 or p.stdout != "no proxy: no port listens with app proxy " \
                "(--listen PORT:proxy --backend ADDR:PORT)\n":
            raise Fail("proxy, no proxy: exit %d, %r" % (p.returncode, p.stdout))
        # an engine without the command: exit 9, one line; prometheus goes on
        for proxy_reply, listed, code, msg in (
                ({}, True, 0, None),
                (None, False, 9,
                 r"synackctl: error: the engine with file prefix 'rte' has no "
                 r"/synack/proxy command \(a synackd older than this synackctl\)")):
            cur["proxy"], cur["listed"] = proxy_reply, listed
            if msg is not None:
                for extra in ([], ["--json"]):
                    p, _ = run_ctl(["-s", path, "proxy"] + extra, ctl)
                    expect(p, code, msg, "proxy%s, an older engine" % "".join(
                        " " + e for e in extra))
                    if p.stdout:
                        raise Fail("proxy, an older engine: stdout %r" % p.stdout)
            p, _ = run_ctl(["-s", path, "prometheus"], ctl)
            smp = ctlcheck.parse_prometheus(p.stdout)
            ctlcheck.promtool_check(p.stdout, "prometheus, reply %r" % proxy_reply)
            if p.returncode != 0 or p.stderr or \
                    any(k.startswith("synack_proxy_backend_") for k in smp):
                raise Fail("prometheus without a proxy (reply %r): exit %d, %r" % (
                    proxy_reply, p.returncode, p.stderr))
        cur["listed"] = True
        print("ok: proxy: none ([]), an older engine (exit 9), prometheus without "
              "backend series", flush=True)

        # malformed replies: one line, exit 8, no crash
        for bad in ([px["0"]], 7, "proxy", {"0": 5}, {"1": px["0"]},
                    {"0": {"address": "198.18.0.3"}}, {"0": px["0"], "2": px["1"]}):
            cur["proxy"] = bad
            for cmd in (["proxy"], ["--json", "proxy"], ["prometheus"]):
                p, _ = run_ctl(["-s", path] + cmd, ctl)
                expect(p, 8, r"synackctl: error: unexpected reply to /synack/proxy",
                       "%s, reply %r" % (" ".join(cmd), bad))
        # odd values are shown, not trusted
        cur["proxy"] = {"0": dict(px["0"], opened="many", down=-1, backend="x" * 200)}
        for cmd in (["proxy"], ["prometheus"]):
            p, _ = run_ctl(["-s", path] + cmd, ctl)
            if p.returncode != 0 or p.stderr:
                raise Fail("%s, odd values: exit %d, %r" % (cmd[0], p.returncode, p.stderr))
        print("ok: proxy: malformed replies (exit 8), odd values", flush=True)
    finally:
        srv.close()


def wait_state(pid, want, what):
    """Until /proc/PID/stat says the process is in state @want."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == want:
                return
        time.sleep(0.02)
    raise Fail("%s: process not in state %s after 5 s" % (what, want))


def wait_raw(fd, what):
    import termios
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not termios.tcgetattr(fd)[3] & (termios.ICANON | termios.ECHO):
            return
        time.sleep(0.02)
    raise Fail("%s: raw mode not back after SIGCONT" % what)


def case_fake_watch_keys(ctl, tmp):
    """watch on a terminal (a pty as stdin): q quits at once, Ctrl-C
    (SIGINT) still does, and an engine that goes away ends it with exit 6;
    each time the terminal's settings are as before (canonical, echo).
    Ctrl-Z (SIGTSTP) gives the terminal back as it was while stopped, and
    SIGCONT puts watch's raw mode back."""
    import pty
    import signal
    import termios
    canned = ctlcheck.canned_replies()
    state = {"gone": False}

    def engine(cmd):
        if state["gone"]:
            return None
        if cmd == "/":
            return reply(cmd, sorted(canned) + ["/", "/info"])
        base = cmd.split(",")[0]
        return reply(cmd, canned.get(base))
    srv, path = with_server(tmp, engine)
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        if not before[3] & termios.ICANON or not before[3] & termios.ECHO:
            raise Fail("the pty does not start canonical with echo: %r" % before[3])
        for how in ("q", "SIGINT", "gone", "SIGTSTP"):
            for extra in ([], ["--lcores"]):
                state["gone"] = False
                # a process group of its own, as a shell's job: this one
                # (its parent here, in the same session) keeps it from
                # being orphaned, and an orphaned group ignores SIGTSTP
                p = subprocess.Popen([ctl, "-s", path, "watch", "-i", "0.2"] + extra,
                                     stdin=slave, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     preexec_fn=os.setpgrp)
                what = "watch %s, %s" % (" ".join(extra), how)
                try:
                    line = p.stdout.readline()   # the first block is out
                    if not line.startswith("synackd pid "):
                        raise Fail("%s: first line %r" % (what, line))
                    now = termios.tcgetattr(slave)
                    if now[3] & (termios.ICANON | termios.ECHO):
                        raise Fail("%s: the terminal is not in raw mode while "
                                   "watching: lflag %#x" % (what, now[3]))
                    if how == "SIGTSTP":
                        p.send_signal(signal.SIGTSTP)
                        wait_state(p.pid, "T", what)
                        if termios.tcgetattr(slave) != before:
                            raise Fail("%s: terminal not restored while stopped" % what)
                        p.send_signal(signal.SIGCONT)
                        wait_raw(slave, what)
                    t0 = time.monotonic()
                    if how in ("q", "SIGTSTP"):
                        os.write(master, b"q")
                    elif how == "SIGINT":
                        p.send_signal(signal.SIGINT)
                    else:
                        state["gone"] = True
                    out, err = p.communicate(timeout=5)
                    secs = time.monotonic() - t0
                finally:
                    if p.poll() is None:
                        p.kill()
                        p.wait()
                want = 6 if how == "gone" else 0
                if p.returncode != want:
                    raise Fail("%s: exit %d, expected %d; stderr %r" % (
                        what, p.returncode, want, err))
                if how != "gone" and (err or secs > 1.0):
                    raise Fail("%s: stopped after %.2f s, stderr %r" % (what, secs, err))
                after = termios.tcgetattr(slave)
                if after != before:
                    raise Fail("%s: terminal settings not restored: lflag %#x, "
                               "was %#x" % (what, after[3], before[3]))
                print("ok: %s: exit %d after %.2f s, terminal restored" % (
                    what, p.returncode, secs), flush=True)
    finally:
        os.close(master)
        os.close(slave)
        srv.close()


def case_fake_exporter(ctl, tmp):
    """synackctl exporter against canned replies: 503 and the reason while
    there is no engine, the canned figures once there is one (promtool
    clean, server and client role), 404/405 for anything else, 503 again
    when the engine goes away; a port in use is one line and exit 1;
    SIGTERM and SIGINT stop it at once, exit 0."""
    import signal
    canned = ctlcheck.canned_replies()
    cur = {"client": canned["/synack/client"]}

    def engine(cmd):
        if cmd == "/":
            return reply(cmd, sorted(canned) + ["/", "/info"])
        base = cmd.split(",")[0]
        if base == "/synack/client":
            return reply(cmd, cur["client"])
        return reply(cmd, canned.get(base))
    path = os.path.join(tmp, "later.sock")
    exp = ctlcheck.Exporter([ctl, "-s", path, "-t", "0.5"])
    srv = None
    try:
        status, ctype, body = exp.get()
        want = "synackd unavailable: no engine running with file prefix 'rte' " \
            "(no socket %s)\n" % path
        if status != 503 or body != want:
            raise Fail("exporter, no engine: %d %r, expected 503 %r" % (status, body, want))
        print("ok: exporter, no engine: 503 %s" % body.strip(), flush=True)
        srv = FakeServer(path, engine)
        c = canned["/synack/stats"]["counters"]
        lat = cur["client"]["latency_us"]
        for role in ("client", "server"):
            if role == "server":
                cur["client"] = {"role": "server"}
            smp = exp.scrape("%s role" % role)
            for k, want in (('synack_cookie_ok_total{lcore="1"}', c["cookie_ok"]),
                            ('synack_drops_total{lcore="1",reason="ip_cksum"}',
                             c["drop_ip_cksum"]),
                            ('synack_flows{lcore="1",state="ESTABLISHED"}', 3),
                            ('synack_port_rx_packets_total{port="0",name="net_tap0"}',
                             canned["/synack/ports"]["0"]["stats"]["ipackets"]),
                            ("synack_cookie_max_age_seconds",
                             canned["/synack/cookies"]["max_age_s"]),
                            ("synack_cookie_rotation_seconds",
                             canned["/synack/cookies"]["rotate_s"]),
                            ("synack_client_latency_seconds_count",
                             lat["count"] if role == "client" else None)):
                if smp.get(k) != want:
                    raise Fail("exporter, %s role: %s = %r, expected %r" % (
                        role, k, smp.get(k), want))
            print("ok: exporter, %s role: 200, %d samples, promtool clean" % (
                role, len(smp)), flush=True)
        status, _, body = exp.get(exp.url.replace("/metrics", "/other"))
        if status != 404:
            raise Fail("exporter /other: %d %r" % (status, body))
        status, _, body = exp.get(method="POST")
        if status != 405:
            raise Fail("exporter POST /metrics: %d %r" % (status, body))
        status, _, body = exp.get(method="HEAD")
        if status != 200:
            raise Fail("exporter HEAD /metrics: %d" % status)
        # the engine stops: 503 again, with why
        srv.close()
        srv = None
        os.unlink(path)
        status, _, body = exp.get()
        if status != 503 or not body.startswith("synackd unavailable: no engine") or \
                body.count("\n") != 1:
            raise Fail("exporter, engine gone: %d %r" % (status, body))
        # the same port again: one line, exit 1
        p, _ = run_ctl(["-s", path, "exporter", "--listen", exp.hostport], ctl)
        expect(p, 1, r"synackctl: error: cannot listen on %s: Address already in use "
               r"\(another exporter\? pick another port with --listen\)"
               % re.escape(exp.hostport), "exporter on a port in use")
        rc, err = exp.stop(signal.SIGTERM)
        lines = err.splitlines()
        if rc != 0 or lines[-1] != "synackctl: exporter: stopped (SIGTERM)":
            raise Fail("exporter, SIGTERM: exit %d, stderr %r" % (rc, err))
        # SIGINT, and the port is free again at once
        exp2 = ctlcheck.Exporter([ctl, "-s", path], exp.hostport)
        rc, err = exp2.stop(signal.SIGINT)
        if rc != 0 or not err.endswith("synackctl: exporter: stopped (SIGINT)\n"):
            raise Fail("exporter, SIGINT: exit %d, stderr %r" % (rc, err))
        print("ok: exporter: 404, 405, HEAD, 503 when the engine goes, a port in use, "
              "SIGTERM and SIGINT", flush=True)
    finally:
        if exp.proc.poll() is None:
            exp.proc.kill()
            exp.proc.wait()
        if srv is not None:
            srv.close()


CASES = {"fake-exporter": case_fake_exporter, "fake-watch-keys": case_fake_watch_keys, "no-engine": case_no_engine, "usage": case_usage, "errors": case_errors,
         "fake-engine": case_fake_engine, "fake-watch-lcores": case_fake_watch_lcores,
         "fake-client": case_fake_client, "fake-proxy": case_fake_proxy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--synackctl", default=os.environ.get("SYNACKCTL"))
    a = ap.parse_args()
    if not a.synackctl:
        ap.error("no synackctl: pass --synackctl or set SYNACKCTL")
    ctl = os.path.abspath(a.synackctl)
    tmp = tempfile.mkdtemp(prefix="sk-ctl-")
    try:
        CASES[a.case](ctl, tmp)
    except (Fail, ctlcheck.CheckError) as e:
        print("FAIL: %s" % e, flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
