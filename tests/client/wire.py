#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Client role against server role over a virtual wire, no kernel between:
two synackd processes joined by net_memif (a unix socket and shared
memory). The client opens N connections (hello: "Hello Server\\n" ->
"Hello Client\\n", client closes) as fast as its concurrency allows; every
one must complete, and the two engines' counters must agree. Root (the
EAL, hugepages); exit 77 otherwise. Prints the achieved connections per
second and handshake latency (numbers, not checked)."""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402

N = int(os.environ.get("SK_WIRE_CONNECTIONS", "100000"))
CONC = os.environ.get("SK_WIRE_CONCURRENCY", "512")


def cpus():
    c = sorted(os.sched_getaffinity(0))
    return c[0], c[-1]


def main():
    if os.geteuid() != 0:
        print("skip: needs root (EAL, hugepages)")
        return 77
    synackd = os.environ.get("SYNACKD") or "build/app/synackd"
    mem, why = sktap.eal_mem_args()
    if why:
        print("note: %s: both engines run with %s" % (why, " ".join(mem)))
    tmp = tempfile.mkdtemp(prefix="sk-wire-")
    sock = os.path.join(tmp, "memif.sock")
    pid = os.getpid()
    srv_pfx, cli_pfx = "sk-wire-s-%d" % pid, "sk-wire-c-%d" % pid
    a, b = cpus()
    srv_stats = os.path.join(tmp, "server.json")
    cli_stats = os.path.join(tmp, "client.json")
    procs = []
    try:
        srv = subprocess.Popen(
            [synackd, "--lcores", "0@%d,1@%d" % (a, a), "--file-prefix", srv_pfx,
             "--no-pci", "--no-telemetry"] + mem +
            ["--vdev", "net_memif0,role=server,socket=%s,id=0" % sock, "--",
             "--addr", "198.18.0.2/24", "--listen", "8080:hello",
             "--time-wait", "1s", "--stats-file", srv_stats],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(srv)
        t0 = time.time()
        line = ""
        while "synackd: ready" not in line:
            line = srv.stdout.readline()
            if not line or time.time() - t0 > 60:
                raise sktap.TestFailure("server synackd did not start")
        cli = subprocess.run(
            [synackd, "--lcores", "0@%d,1@%d" % (b, b), "--file-prefix", cli_pfx,
             "--no-pci", "--no-telemetry"] + mem +
            ["--vdev", "net_memif0,role=client,socket=%s,id=0" % sock, "--",
             "--addr", "198.18.0.1/24", "--client", "198.18.0.2:8080",
             "--cps", "0", "--concurrency", CONC, "--connections", str(N),
             "--duration", "120s", "--request", "Hello Server\\n",
             "--expect", "Hello Client\\n", "--time-wait", "1s",
             "--stats-file", cli_stats, "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=240)
        print("\n".join(l for l in cli.stdout.splitlines()
                        if l.startswith("synackd: client") or l.startswith("{")))
        if cli.returncode != 0:
            print(cli.stdout[-3000:])
            raise sktap.TestFailure("client synackd exited %d" % cli.returncode)
        time.sleep(1.5)  # the server's TIME_WAITs (1 s) run out
        srv.terminate()
        srv.communicate(timeout=30)
        with open(srv_stats) as f:
            s = json.load(f)
        with open(cli_stats) as f:
            c = json.load(f)
        sc, cc = s["counters"], c["counters"]
        bad = []
        want = {
            ("client", "client_syn_sent"): N, ("client", "client_established"): N,
            ("client", "client_completed"): N, ("server", "cookie_ok"): N,
            ("server", "flow_created"): N,
            ("server", "tx_rst"): 0, ("client", "tx_rst"): 0,
        }
        for (side, name), v in want.items():
            got = (cc if side == "client" else sc).get(name)
            if got != v:
                bad.append("%s %s = %s, expected %d" % (side, name, got, v))
        for side, cnt in (("server", sc), ("client", cc)):
            for name, v in cnt.items():
                if (name.startswith("drop_") or name.startswith("client_fail")) and v:
                    bad.append("%s %s = %d, expected 0" % (side, name, v))
        # 64,512 source ports for N connections: a reused port meets its
        # old flow in the server's TIME_WAIT and reopens it (RFC 6191)
        if sc["close_normal"] + sc["flow_tw_reuse"] != N:
            bad.append("server close_normal %d + flow_tw_reuse %d != %d" % (
                sc["close_normal"], sc["flow_tw_reuse"], N))
        # both sides agree: every SYN the client sent was answered once
        if sc["tx_synack"] != cc["client_syn_sent"] + cc.get("client_syn_retx", 0):
            bad.append("server tx_synack %d != client SYNs %d" % (
                sc["tx_synack"], cc["client_syn_sent"]))
        for side, st in (("server", s), ("client", c)):
            mb = st.get("mbufs", {})
            if mb.get("in_use_end") != mb.get("in_use_start"):
                bad.append("%s mbufs in use %s at start, %s at the end" % (
                    side, mb.get("in_use_start"), mb.get("in_use_end")))
        if bad:
            raise sktap.TestFailure("\n  ".join(["counters disagree:"] + bad))
        print("ok: %d connections over net_memif, both sides agree, no drop, "
              "no mbuf lost" % N)
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for pfx in (srv_pfx, cli_pfx):
            subprocess.run(["rm", "-rf", "/var/run/dpdk/" + pfx])
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (sktap.TestFailure, subprocess.TimeoutExpired) as e:
        print("FAIL: %s" % e)
        sys.exit(1)
