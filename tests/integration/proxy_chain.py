#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SYN proxy between synack peers over virtual wires, no kernel in the
path: three synackd processes, a client role -> a proxy with two arms ->
a server, joined by two net_memif pairs (issue 14's "synackd client ->
synackd proxy -> synackd server, all in DPDK"; docs/benchmarks.md series
9 (c)).

  client 198.18.0.1 --memif a--> proxy 198.18.0.2 | 198.18.1.2 --memif b-->
  server 198.18.1.3 (--listen 8080:hello)

The client opens N connections ("Hello Server\\n" -> "Hello Client\\n",
client closes) at most C at a time; the proxy answers each SYN with a
cookie and opens the backend connection on the cookie's ACK. Every
connection must complete and the three sets of counters must agree (exit
1 otherwise); prints the client's connections/s and the proxy's frames in
per second (numbers, not checked).

CPUs: each worker lcore gets a CPU of its own where there are 3 or more
(the main lcores share the first: they sleep). With 2 the proxy's worker
has the second to itself and the client's and the server's share the
first: the rate then measures the scheduler's time slices as much as the
proxy (said in the output). Root (the EAL); exit 77 otherwise.

  proxy_chain.py [--connections N] [--concurrency C] [--family 4|6]
                 [--synackd PATH] [--json FILE]

CI runs it with a small N over IPv4 and IPv6 (proxy-chain-memif,
proxy-chain-memif6); usertools/bench series 9 (c) with the default N.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sktap  # noqa: E402

ADDR = {4: {"cli": "198.18.0.1/24", "px": ["198.18.0.2/24", "198.18.1.2/24"],
            "srv": "198.18.1.3/24", "target": "198.18.0.2:8080",
            "backend": "198.18.1.3:8080"},
        6: {"cli": "2001:db8::1/64",
            "px": ["2001:db8::2/64", "2001:db8:1::2/64"],
            "srv": "2001:db8:1::3/64", "target": "[2001:db8::2]:8080",
            "backend": "[2001:db8:1::3]:8080"}}


def placement():
    """Lcores per process: (server, proxy, client), and whether two
    workers share a CPU."""
    c = sorted(os.sched_getaffinity(0))
    if len(c) >= 4:
        m = c[0]
        return ("0@%d,1@%d" % (m, c[1]), "0@%d,1@%d" % (m, c[2]),
                "0@%d,1@%d" % (m, c[3])), False
    if len(c) == 3:
        return ("0@%d,1@%d" % (c[0], c[0]), "0@%d,1@%d" % (c[0], c[1]),
                "0@%d,1@%d" % (c[0], c[2])), False
    a, b = c[0], c[-1]
    return ("0@%d,1@%d" % (a, a), "0@%d,1@%d" % (a, b),
            "0@%d,1@%d" % (a, a)), True


def start(cmd, what):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    t0 = time.time()
    out = []
    while True:
        line = p.stdout.readline()
        if not line or time.time() - t0 > 60:
            p.kill()
            raise sktap.TestFailure("%s synackd did not start:\n%s" % (
                what, "".join(out)[-2000:]))
        out.append(line)
        if "synackd: ready" in line:
            return p


def stop(p, what):
    p.terminate()
    try:
        out, _ = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    if p.returncode == -11:
        # DPDK 22.11's net_memif (sktap.MemifRace); the stop order in
        # main() keeps it rare
        raise sktap.MemifRace("%s synackd crashed (SIGSEGV) as its memif "
                              "peer went away" % what)
    if p.returncode != 0:
        raise sktap.TestFailure("%s synackd exited %d when told to stop:\n%s"
                                % (what, p.returncode, out[-2000:]))


def counters(path):
    with open(path) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connections", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=256)
    ap.add_argument("--family", type=int, choices=(4, 6), default=4)
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD") or
                    "build/app/synackd")
    ap.add_argument("--json")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("skip: needs root (EAL)")
        return 77
    if not 0 < a.connections <= 25000:
        # the proxy's source ports toward the server (28,232) stay in
        # TIME_WAIT 5 s: more would measure port reuse
        raise sktap.TestFailure("--connections: 1..25000")
    mem, why = sktap.eal_mem_args()
    if why:
        print("note: %s: every engine runs with %s" % (why, " ".join(mem)))
    (l_srv, l_px, l_cli), shared = placement()
    tmp = tempfile.mkdtemp(prefix="sk-chain-")
    pid = os.getpid()
    pfx = {k: "sk-chain-%s-%d" % (k, pid) for k in ("srv", "px", "cli")}
    st = {k: os.path.join(tmp, k + ".json") for k in pfx}
    sock_a, sock_b = os.path.join(tmp, "a.sock"), os.path.join(tmp, "b.sock")
    ad = ADDR[a.family]
    procs = []
    eal = ["--no-pci", "--no-telemetry"] + mem
    try:
        procs.append(("server", start(
            [a.synackd, "--lcores", l_srv, "--file-prefix", pfx["srv"]] + eal +
            ["--vdev", "net_memif0,role=server,id=0,socket=" + sock_b, "--",
             "--addr", ad["srv"], "--listen", "8080:hello", "--time-wait",
             "1s", "--stats-file", st["srv"]], "server")))
        px_addrs = []
        for x in ad["px"]:
            px_addrs += ["--addr", x]
        procs.append(("proxy", start(
            [a.synackd, "--lcores", l_px, "--file-prefix", pfx["px"]] + eal +
            ["--vdev", "net_memif0,role=server,id=0,socket=" + sock_a,
             "--vdev", "net_memif1,role=client,id=0,socket=" + sock_b, "--",
             "--port", "net_memif0", "--proxy-port", "net_memif1"] + px_addrs +
            ["--listen", "8080:proxy", "--backend", ad["backend"],
             "--stats-file", st["px"]], "proxy")))
        t0 = time.time()
        cli = subprocess.run(
            [a.synackd, "--lcores", l_cli, "--file-prefix", pfx["cli"]] + eal +
            ["--vdev", "net_memif0,role=client,id=0,socket=" + sock_a, "--",
             "--addr", ad["cli"], "--client", ad["target"],
             "--connections", str(a.connections),
             "--concurrency", str(a.concurrency), "--cps", "0",
             "--duration", "120s", "--request", "Hello Server\\n",
             "--expect", "Hello Client\\n", "--time-wait", "1s",
             "--stats-file", st["cli"], "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=240)
        wall = time.time() - t0
        summ = [ln for ln in cli.stdout.splitlines()
                if ln.startswith('{"client"')]
        if cli.returncode != 0 or not summ:
            raise sktap.TestFailure("client synackd exited %d:\n%s" % (
                cli.returncode, cli.stdout[-3000:]))
        r = json.loads(summ[-1])["client"]
        time.sleep(1.5)  # the server's TIME_WAITs (1 s) run out
        # the server first: its own stop is clean (workers end before the
        # port closes) and the proxy, which sees the disconnect, has a CPU
        # of its own (placement())
        for what, p in procs:
            stop(p, what)
        procs = []
        s, x, c = (counters(st[k])["counters"] for k in ("srv", "px", "cli"))
        n = a.connections
        bad = []
        want = {("client", "client_completed"): n,
                ("proxy", "proxy_opened"): n,
                ("proxy", "proxy_established"): n,
                ("proxy", "proxy_closed"): n,
                ("server", "flow_created"): n,
                ("proxy", "proxy_reset"): 0, ("server", "tx_rst"): 0,
                ("client", "tx_rst"): 0}
        cnt = {"client": c, "proxy": x, "server": s}
        for (side, name), v in want.items():
            if cnt[side].get(name, 0) != v:
                bad.append("%s %s = %s, expected %d" % (
                    side, name, cnt[side].get(name, 0), v))
        for side, cc in cnt.items():
            for name, v in cc.items():
                if v and (name.startswith("client_fail") or
                          name.startswith("proxy_fail") or
                          (name.startswith("drop_") and
                           name != "drop_l2_dst")):
                    bad.append("%s %s = %d, expected 0" % (side, name, v))
        run_s = r.get("run_s") or wall
        res = {
            "family": a.family, "connections": n,
            "concurrency": a.concurrency, "shared_cpu": shared,
            "lcores": {"server": l_srv, "proxy": l_px, "client": l_cli},
            "client_cps": r.get("cps"), "run_s": run_s,
            "proxy": {"rx_packets": x.get("rx_packets"),
                      "tx_packets": x.get("tx_packets"),
                      "relayed": x.get("proxy_fwd_c2b", 0) +
                      x.get("proxy_fwd_b2c", 0),
                      "rx_mpps": round(x.get("rx_packets", 0) / run_s / 1e6,
                                       3)},
            "syn_retx": r.get("syn_retx"),
            "latency_us": r.get("latency_us"),
        }
        print("proxy_chain: " + json.dumps(res))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=1)
        if bad:
            raise sktap.TestFailure("\n  ".join(["counters disagree:"] + bad))
        print("ok: %d connections through the proxy over net_memif, IPv%d, "
              "%.0f/s%s" % (n, a.family, r.get("cps") or 0,
                            " (the client's and the server's workers share "
                            "a CPU: the scheduler's rate)" if shared else ""))
        return 0
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for v in pfx.values():
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + v])
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sktap.run_memif_test(main)
