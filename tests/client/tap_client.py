# SPDX-License-Identifier: BSD-3-Clause
"""synackd's client role against the Linux kernel's TCP server over net_tap.

synackd runs in a private network namespace (sktap.Engine) as a client
only (no --listen); this script joins the namespace and serves on the
kernel side of the tap (198.18.0.1:8080) what the seeds' server does: read
a line, answer "Hello Client\\n", close. synackd opens SK_CLIENT_CONNS
connections (default 10000) at SK_CLIENT_CPS per second (default 1000),
sends "Hello Server\\n" on each, checks every response byte for byte
(--expect), closes with a FIN and exits by itself. The test then checks:
zero failures of any cause, every connection completed on both sides,
latency percentiles present, no dropped frame, no leaked mbuf.

SK_CLIENT_FAMILY=6: the same over IPv6, synackd at 2001:db8::2 opening
connections to [2001:db8::1]:8080 from 2001:db8::100-2001:db8::1ff; it
finds the kernel's MAC by Neighbor Discovery, and the kernel finds each of
those sources' by asking synackd.

Needs root; exits 77 without it.
"""

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402
from sktap import KERNEL_ADDR, KERNEL_ADDR6, TestFailure, log  # noqa: E402

PORT = 8080
CONNS = int(os.environ.get("SK_CLIENT_CONNS", "10000"))
CPS = int(os.environ.get("SK_CLIENT_CPS", "1000"))
# more than one: the client role on that many worker lcores, each with its
# own tap queue, opening its share on tuples it owns (software dispatch)
WORKERS = int(os.environ.get("SK_CLIENT_WORKERS", "1"))
V6 = os.environ.get("SK_CLIENT_FAMILY", "4") == "6"


class Server:
    """asyncio line server on its own thread: one line in, one line out."""

    def __init__(self):
        self.ok = 0
        self.bad = 0
        self.ready = threading.Event()
        self.loop = None
        self.error = None

    async def handle(self, reader, writer):
        try:
            line = await asyncio.wait_for(reader.readline(), 30)
            if line == b"Hello Server\n":
                writer.write(b"Hello Client\n")
                await writer.drain()
                self.ok += 1
            else:
                self.bad += 1
        except (asyncio.TimeoutError, ConnectionError):
            self.bad += 1
        finally:
            writer.close()

    async def main(self):
        # any address: the tap and its address do not exist yet
        srv = await asyncio.start_server(self.handle, "::" if V6 else
                                         "0.0.0.0", PORT,
                                         backlog=4096, reuse_address=True)
        self.ready.set()
        async with srv:
            await srv.serve_forever()

    def run(self, ns):
        try:
            sktap.join_netns(ns)  # this thread alone
        except OSError as e:
            self.error = e
            self.ready.set()
            return
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self.main())
        except asyncio.CancelledError:
            pass  # stop()
        except Exception as e:  # reported by the test
            self.error = e
            self.ready.set()

    def stop(self):
        if self.loop is not None:
            for t in asyncio.all_tasks(self.loop):
                self.loop.call_soon_threadsafe(t.cancel)


def case():
    # the duration leaves room (the machine may be busy: the rate is a
    # benchmark figure, not checked here); --connections ends the run
    duration = 4 * max(1, (CONNS + CPS - 1) // CPS) + 10
    srv = None

    class ServedEngine(sktap.Engine):
        # the kernel server listens before synackd starts, so that no
        # SYN finds the port closed (its ARP is answered at once)
        def command(self):
            cmd = super().command()
            threading.Thread(target=srv.run, args=(self.ns,),
                             daemon=True).start()
            srv.ready.wait(10)
            return cmd

    eng = ServedEngine(os.environ.get("SYNACKD", "build/app/synackd/synackd"),
                       listen=(), tag="client6" if V6 else "client",
                       ipv6=V6, options=[
                           "--client", ("[%s]:%d" % (KERNEL_ADDR6, PORT)
                                        if V6 else
                                        "%s:%d" % (KERNEL_ADDR, PORT)),
                       ] + (["--src-ips", "2001:db8::100-2001:db8::1ff"]
                            if V6 else []) + [
                           "--cps", str(CPS), "--duration", "%ds" % duration,
                           "--connections", str(CONNS),
                           "--concurrency", "512",
                           "--request", "Hello Server\\n",
                           "--expect", "Hello Client\\n",
                           "--close", "client", "--src-ports", "10000-60000",
                           "--syn-rto", "1s", "--json"],
                       lcores=(sktap.lcores_workers_arg(WORKERS)
                               if WORKERS > 1 else None))
    srv = Server()
    eng.start()
    if not srv.ready.wait(10) or srv.error:
        raise TestFailure("kernel server did not start: %s" % srv.error)
    try:
        rc = eng.proc.wait(duration + 30)
    except subprocess.TimeoutExpired as e:
        raise TestFailure("synackd's client run did not end within %d s"
                          % (duration + 30)) from e
    if eng._reader is not None:
        eng._reader.join(5)
    srv.stop()
    out = eng.output()
    progress = [l for l in eng.lines if l.startswith("synackd: client: ")]
    summary = [l for l in eng.lines if l.startswith('{"client"')]
    log("\n".join(progress[-3:]))
    if rc != 0:
        raise TestFailure("synackd exited %d:\n%s" % (rc, out))
    if not summary:
        raise TestFailure("no JSON summary line:\n%s" % out)
    s = json.loads(summary[-1])["client"]
    log(summary[-1])
    with open(eng.stats_path) as f:
        stats = json.load(f)
    c = stats["counters"]
    bad = []
    if len(progress) < min(CONNS // CPS, 5) - 1:
        bad.append("only %d progress lines" % len(progress))
    if s["attempted"] != CONNS:
        bad.append("attempted %d, expected %d" % (s["attempted"], CONNS))
    # never faster than asked (the bucket holds at most 100 ms of tokens)
    if s["cps"] > CPS * 1.02 + 100:
        bad.append("achieved %.1f cps, asked for %d" % (s["cps"], CPS))
    for k in ("failed", "fail_timeout", "fail_rst", "fail_bad_synack",
              "fail_response", "fail_closed", "no_tuple"):
        if s[k]:
            bad.append("%s = %d, expected 0" % (k, s[k]))
    if s["established"] != s["attempted"] or s["completed"] != s["attempted"]:
        bad.append("attempted %d, established %d, completed %d" % (
            s["attempted"], s["established"], s["completed"]))
    if WORKERS > 1 and not c.get("rx_handoff"):
        # tun does not bring a SYN-ACK back to the queue its SYN left on:
        # the workers hand each other's frames over (software dispatch)
        bad.append("%d workers but no frame handed over" % WORKERS)
    if srv.ok != s["completed"] or srv.bad:
        bad.append("kernel server answered %d good and %d bad requests, "
                   "synackd completed %d" % (srv.ok, srv.bad, s["completed"]))
    lat = s["latency_us"]
    if lat["count"] != s["established"] or not (
            0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"]):
        bad.append("latency percentiles inconsistent: %s" % lat)
    for name, v in c.items():
        if name.startswith("drop_") and v:
            bad.append("%s = %d (a frame was dropped)" % (name, v))
    for name in ("tx_full", "close_fin_timeout", "close_fin_wait2", "close_idle"):
        if c.get(name):
            bad.append("%s = %d, expected 0" % (name, c[name]))
    mb = stats["mbufs"]
    if mb["in_use_start"] != mb["in_use_end"]:
        bad.append("mbufs in use: %d at start, %d at end" % (
            mb["in_use_start"], mb["in_use_end"]))
    if bad:
        raise TestFailure("; ".join(bad))
    if V6:
        if not c.get("tx_nd_ns") or not c.get("rx_nd_na"):
            raise TestFailure("IPv6 next hop not resolved by ND: tx_nd_ns "
                              "%s, rx_nd_na %s" % (c.get("tx_nd_ns"),
                                                   c.get("rx_nd_na")))
        if c.get("rx_tcp6") != c.get("rx_tcp"):
            raise TestFailure("rx_tcp6 %s != rx_tcp %s: not all IPv6"
                              % (c.get("rx_tcp6"), c.get("rx_tcp")))
    log("client role, %d worker(s), IPv%d: %d connections to the kernel, %.0f cps, "
        "latency p50 %d p99 %d max %d us" % (WORKERS, 6 if V6 else 4, s["completed"],
                                             s["cps"], lat["p50"], lat["p99"], lat["max"]))
    eng.cleanup()


if __name__ == "__main__":
    sktap.main_wrapper(case, budget_s=280)
