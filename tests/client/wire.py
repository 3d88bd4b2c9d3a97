#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Client role against server role over a virtual wire, no kernel between:
two synackd processes joined by net_memif (a unix socket and shared
memory), or by vhost-user (SK_WIRE_PORT=vhost, below). The client opens N connections (hello: "Hello Server\\n" ->
"Hello Client\\n", client closes) as fast as its concurrency allows; every
one must complete, and the two engines' counters must agree. Root (the
EAL, hugepages); exit 77 otherwise. Prints the achieved connections per
second and handshake latency (numbers, not checked).

That default is a CI test (suite client). The environment changes it for
the CPS benchmark (usertools/bench series 7, docs/benchmarks.md):

  SK_WIRE_CONNECTIONS  N, the fixed number of connections (100000); 0:
                       no fixed N, a fixed --cps rate for SK_WIRE_DURATION
                       (N = what the client attempted, every check below
                       still holds; usertools/bench's search for the
                       highest rate held clean), the offered and achieved
                       rates printed
  SK_WIRE_CONCURRENCY  most connections in flight (512)
  SK_WIRE_CPS          --cps: 0 (as fast as the concurrency allows) or a
                       rate; "max" is the ramp: no fixed N, the client
                       searches for the highest clean rate, one offered
                       rate per SK_WIRE_RAMP_STEP (200ms), for
                       SK_WIRE_DURATION (5s; 120s is the fixed-N bound),
                       N = what it attempted; every check below still
                       holds, and the ramp's best clean CPS is printed
  SK_WIRE_APP          the server's responder (hello); echo answers each
                       byte with itself: SK_WIRE_REQUEST=x SK_WIRE_EXPECT=x
                       is the 1-byte request / 1-byte response exchange
  SK_WIRE_REQUEST, SK_WIRE_EXPECT   the client's --request and --expect
  SK_WIRE_SRC_IPS      the client's --src-ips (its first address alone)
  SK_WIRE_CLIENT_TW    the client's --time-wait (1s): with echo the
                       client closes first and holds the TIME_WAITs
  SK_WIRE_TW_REUSE     the client's --tw-reuse (synackd's default, 1s)
  SK_WIRE_FLOWS        the client's --flows (synackd's default)
  SK_WIRE_RSIZE        net_memif rsize, log2 of the ring size (the PMD's
                       default, 10: 1024 descriptors)
  SK_WIRE_PORT         the wire: memif (the default) or vhost: the server
                       on net_vhost (a vhost-user backend: it creates the
                       socket), the client on net_virtio_user (the
                       frontend: it connects and shares its memory with
                       the backend, so it runs with --single-file-segments
                       (vhost-user maps at most 8 memory regions, one file
                       descriptor each; without it the start fails with
                       "Failed to set memory table") and --in-memory
                       (--huge-unlink is refused with single-file
                       segments) or --no-huge). Test client-wire-vhost,
                       docs/ports.md.
  SK_WIRE_NOSTART=1    with SK_WIRE_PORT=vhost: the client runs without
                       --single-file-segments, so its port cannot start
                       (virtio-user reports success all the same): it
                       must exit 2 with a "did not start" error and never
                       say ready. Test client-wire-vhost-nostart.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402

CPS = os.environ.get("SK_WIRE_CPS", "0")
RAMP = CPS == "max"
# the ramp has no fixed N: it is what the client attempted
N = None if RAMP else int(os.environ.get("SK_WIRE_CONNECTIONS", "100000"))
# SK_WIRE_CONNECTIONS=0: no fixed N either, the run lasts SK_WIRE_DURATION
HOLD = N == 0
if HOLD:
    N = None
CONC = os.environ.get("SK_WIRE_CONCURRENCY", "512")
DURATION = os.environ.get("SK_WIRE_DURATION", "5s" if RAMP else "120s")
RAMP_STEP = os.environ.get("SK_WIRE_RAMP_STEP", "200ms")
APP = os.environ.get("SK_WIRE_APP", "hello")
REQUEST = os.environ.get("SK_WIRE_REQUEST", "Hello Server\\n")
EXPECT = os.environ.get("SK_WIRE_EXPECT", "Hello Client\\n")
SRC_IPS = os.environ.get("SK_WIRE_SRC_IPS")
CLIENT_TW = os.environ.get("SK_WIRE_CLIENT_TW", "1s")
TW_REUSE = os.environ.get("SK_WIRE_TW_REUSE")
FLOWS = os.environ.get("SK_WIRE_FLOWS")
RSIZE = os.environ.get("SK_WIRE_RSIZE")
PORT = os.environ.get("SK_WIRE_PORT", "memif")
NOSTART = os.environ.get("SK_WIRE_NOSTART") == "1"
# mbufs the client's port may still hold at its end without a leak:
# net_virtio_user frees a transmitted mbuf only when it cleans its TX ring
# (queue_size=1024 descriptors), on a later transmit, once few are left
# free.
CLIENT_MBUF_SLACK = {"vhost": 1024}


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
    memif = "socket=%s,id=0" % sock
    if RSIZE:
        memif += ",rsize=%s" % RSIZE
    srv_vdev = "net_memif0,role=server," + memif
    cli_vdev = "net_memif0,role=client," + memif
    cli_mem = mem
    if PORT == "vhost":
        sock = os.path.join(tmp, "vhost.sock")
        srv_vdev = "net_vhost0,iface=%s,queues=1" % sock
        cli_vdev = "net_virtio_user0,path=%s,queues=1,queue_size=1024" % sock
        cli_mem = ["--single-file-segments"] + (
            ["--in-memory"] if "--huge-unlink" in mem else mem)
        if NOSTART:
            # a file per hugepage (or memory with no file at all):
            # more than vhost-user's 8 regions, nothing it can map
            cli_mem = mem
    elif PORT != "memif":
        raise sktap.TestFailure("SK_WIRE_PORT=%s: memif or vhost" % PORT)
    srv_stats = os.path.join(tmp, "server.json")
    cli_stats = os.path.join(tmp, "client.json")
    procs = []
    try:
        srv = subprocess.Popen(
            [synackd, "--lcores", "0@%d,1@%d" % (a, a), "--file-prefix", srv_pfx,
             "--no-pci", "--no-telemetry"] + mem +
            ["--vdev", srv_vdev, "--",
             "--addr", "198.18.0.2/24", "--listen", "8080:" + APP,
             "--time-wait", "1s", "--stats-file", srv_stats],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(srv)
        t0 = time.time()
        line = ""
        while "synackd: ready" not in line:
            line = srv.stdout.readline()
            if not line or time.time() - t0 > 60:
                raise sktap.TestFailure("server synackd did not start")
        opts = ["--cps", CPS, "--concurrency", CONC, "--duration", DURATION]
        if RAMP:
            opts += ["--ramp-step", RAMP_STEP]
        elif not HOLD:
            opts += ["--connections", str(N)]
        if SRC_IPS:
            opts += ["--src-ips", SRC_IPS]
        if TW_REUSE:
            opts += ["--tw-reuse", TW_REUSE]
        if FLOWS:
            opts += ["--flows", FLOWS]
        cli = subprocess.run(
            [synackd, "--lcores", "0@%d,1@%d" % (b, b), "--file-prefix", cli_pfx,
             "--no-pci", "--no-telemetry"] + cli_mem +
            ["--vdev", cli_vdev, "--",
             "--addr", "198.18.0.1/24", "--client", "198.18.0.2:8080"] +
            opts + ["--request", REQUEST, "--expect", EXPECT,
                    "--time-wait", CLIENT_TW, "--stats-file", cli_stats,
                    "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=240)
        if NOSTART:
            if "synackd: ready" in cli.stdout or cli.returncode != 2 or \
                    "did not start" not in cli.stdout:
                print(cli.stdout[-3000:])
                raise sktap.TestFailure(
                    "a virtio-user port that did not start: exit %d "
                    "(want 2, the setup code), %s" % (
                        cli.returncode, "said ready" if "synackd: ready"
                        in cli.stdout else "no 'did not start' error"))
            print("\n".join(l for l in cli.stdout.splitlines()
                            if "did not start" in l))
            return 0
        print("\n".join(l for l in cli.stdout.splitlines()
                        if l.startswith("synackd: client") or l.startswith("{")))
        if "Failed to start device" in cli.stdout:
            # DPDK 22.11's virtio-user returns success from such a start
            # (and says link up): the run above then goes nowhere
            raise sktap.TestFailure("the client's virtio-user port did not start: "
                                    + " / ".join(l for l in cli.stdout.splitlines()
                                                 if "ail" in l))
        if cli.returncode != 0:
            print(cli.stdout[-3000:])
            raise sktap.TestFailure("client synackd exited %d" % cli.returncode)
        t_client_end = time.time()
        time.sleep(1.5)  # the server's TIME_WAITs (1 s) run out
        if srv.poll() is not None:
            # nothing here stops it before this point
            out, _ = srv.communicate(timeout=30)
            if srv.returncode == -11:
                raise sktap.MemifRace("server synackd crashed (SIGSEGV) as the "
                                "client disconnected")
            raise sktap.TestFailure(
                "server synackd exited (status %d) before it was told to "
                "stop; its output ends:\n%s" % (srv.returncode, out[-2000:]))
        t_stop = time.time() - t_client_end
        srv.terminate()
        srv_out, _ = srv.communicate(timeout=30)
        if srv.returncode != 0:
            raise sktap.TestFailure(
                "server synackd exited with status %d when told to stop; its "
                "output ends:\n%s" % (srv.returncode, srv_out[-2000:]))
        with open(srv_stats) as f:
            s = json.load(f)
        with open(cli_stats) as f:
            c = json.load(f)
        sc, cc = s["counters"], c["counters"]
        bad = []
        n = N
        if RAMP or HOLD:
            n = cc["client_syn_sent"]
            if not n:
                bad.append("the run attempted no connection")
        want = {
            ("client", "client_syn_sent"): n, ("client", "client_established"): n,
            ("client", "client_completed"): n, ("server", "cookie_ok"): n,
            ("server", "flow_created"): n,
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
        if sc["close_normal"] + sc["flow_tw_reuse"] != n:
            bad.append("server close_normal %d + flow_tw_reuse %d != %d" % (
                sc["close_normal"], sc["flow_tw_reuse"], n))
        # both sides agree: every SYN the client sent was answered once
        if sc["tx_synack"] != cc["client_syn_sent"] + cc.get("client_syn_retx", 0):
            bad.append("server tx_synack %d != client SYNs %d (%d first, %d "
                       "retransmitted)" % (
                           sc["tx_synack"], cc["client_syn_sent"] +
                           cc.get("client_syn_retx", 0), cc["client_syn_sent"],
                           cc.get("client_syn_retx", 0)))
        # what a port did not take is a drop too, but for the client's
        # ARP requests sent before the memif link was up (retried each
        # second): those the server never received
        early_arp = cc.get("client_arp_request", 0) - sc.get("rx_arp_request", 0)
        if sc.get("tx_full"):
            bad.append("server tx_full = %d, expected 0" % sc["tx_full"])
        if cc.get("tx_full", 0) > early_arp:
            bad.append("client tx_full = %d, expected at most %d (ARP "
                       "requests before the link was up)" % (
                           cc["tx_full"], early_arp))
        for side, st in (("server", s), ("client", c)):
            mb = st.get("mbufs", {})
            slack = CLIENT_MBUF_SLACK.get(PORT, 0) if side == "client" else 0
            if not 0 <= mb.get("in_use_end", -1) - mb.get("in_use_start", 0) <= slack:
                bad.append("%s mbufs in use %s at start, %s at the end" % (
                    side, mb.get("in_use_start"), mb.get("in_use_end")))
        if bad:
            # what the server saw: its final counters
            print("server synackd told to stop %.2f s after the client ended; "
                  "its output ends:\n%s" % (t_stop, srv_out[-3000:]))
            raise sktap.TestFailure("\n  ".join(["counters disagree:"] + bad))
        if RAMP:
            summ = [l for l in cli.stdout.splitlines() if l.startswith('{"client"')]
            r = json.loads(summ[-1])["client"]["ramp"] if summ else None
            if not r:
                raise sktap.TestFailure("--cps max: no ramp in the summary")
            print("ramp: best clean %d CPS (offered %d at the end, %d steps of "
                  "%d ms, %d backoffs, %d SYN retransmissions in %d attempts)"
                  % (r["best_cps"], r["offered_cps"], r["steps"], r["step_ms"],
                     r["backoffs"], cc.get("client_syn_retx", 0), n))
        if HOLD:
            summ = [l for l in cli.stdout.splitlines() if l.startswith('{"client"')]
            r = json.loads(summ[-1])["client"] if summ else None
            if not r:
                raise sktap.TestFailure("--cps %s: no summary" % CPS)
            print("rate: offered %s, achieved %.0f CPS over %.3f s opening "
                  "(%d attempted, %d failed, %d SYN retransmissions, %s in "
                  "flight at most)" % (CPS, r["cps"], r["open_s"],
                                       r["attempted"], r["failed"],
                                       r["syn_retx"], CONC))
        print("ok: %d connections over %s, both sides agree, no drop, "
              "no mbuf lost" % (n, "net_memif" if PORT == "memif" else
                                "net_vhost <-> net_virtio_user"))
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
    sktap.run_memif_test(main)
