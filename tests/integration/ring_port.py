#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackd on a net_ring vdev: a loopback, what it sends comes back.

    ring_port.py [--synackd PATH]

`--vdev net_ring0` makes a port from one rte_ring used for both RX and TX
(rte_eth_ring.c's CREATE action with the same rings on both sides), so
nothing is on the other side: the port is for embedders that build it with
rte_eth_from_rings() (docs/ports.md). This runs the command docs/ports.md
gives for it: synackd starts and says `ready` with what the PMD offers
(no checksum offload, one queue, link up), and in the client role its ARP
requests for the target come straight back to it: each one received as a
request for someone else's address (drop_arp), rx_packets = tx_packets;
then it ends as a client that got no ARP reply does (exit 2, one error
line), with every mbuf back in the pool.
Exit 0 = pass, 1 = fail, 77 = skipped (not root). Python 3 standard library.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sktap  # noqa: E402
from sktap import TestFailure, log  # noqa: E402


def run_case(args):
    mem, why = sktap.eal_mem_args()
    if why:
        log("note: %s: synackd runs with %s" % (why, " ".join(mem)))
    prefix = "sk-ring-%d" % os.getpid()
    tmp = tempfile.mkdtemp(prefix="sk-int-")
    stats_path = os.path.join(tmp, "stats.json")
    cmd = [args.synackd, "--lcores", sktap.lcores_arg(), "--file-prefix",
           prefix] + mem + ["--no-pci", "--vdev", "net_ring0", "--",
                            "--addr", "198.18.0.2/24",
                            "--client", "198.18.0.3:8080",
                            "--connections", "1", "--request", "x",
                            "--duration", "3s", "--stats-file", stats_path]
    log("+ " + " ".join(cmd))
    try:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=60)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("synackd on net_ring0 did not end within 60 s") from e
        out = p.stdout + p.stderr
        ready = [l for l in out.splitlines() if l.startswith("synackd: ready")]
        bad = []
        if not ready:
            raise TestFailure("no ready line; synackd said:\n" + out)
        log(ready[0])
        for want in ("(net_ring0, net_ring)", "offloads tx-ip off tx-tcp off rx off",
                     "1 worker (one queue)", "link up"):
            if want not in ready[0]:
                bad.append("the ready line does not say %r" % want)
        if p.returncode != 2:
            bad.append("exit %d, expected 2 (a client with no ARP reply)"
                       % p.returncode)
        if "no ARP reply from the next hop (198.18.0.3:8080)" not in out:
            bad.append("no 'no ARP reply' error line")
        try:
            with open(stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            raise TestFailure("stats file: %s; synackd said:\n%s" % (e, out)) from e
        c = stats["counters"]
        log("counters (non-zero): " + " ".join(
            "%s=%d" % kv for kv in c.items() if kv[1]))
        # one ARP request a second for 3 s (and one at the start)
        if c.get("client_arp_request", 0) < 2:
            bad.append("client_arp_request = %s, expected at least 2"
                       % c.get("client_arp_request"))
        for k in ("tx_packets", "rx_packets", "drop_arp"):
            if c.get(k) != c.get("client_arp_request"):
                bad.append("%s = %s, expected client_arp_request = %s (each "
                           "request comes back once)" % (
                               k, c.get(k), c.get("client_arp_request")))
        if c.get("tx_full"):
            bad.append("tx_full = %d, expected 0" % c["tx_full"])
        mb = stats.get("mbufs", {})
        if mb.get("in_use_start") != mb.get("in_use_end"):
            bad.append("mbufs in use %s at start, %s at the end" % (
                mb.get("in_use_start"), mb.get("in_use_end")))
        if bad:
            raise TestFailure("\n  ".join(["net_ring0:"] + bad) +
                              "\nsynackd said:\n" + out)
        log("net_ring0: %d frames sent, the same %d received back"
            % (c["tx_packets"], c["rx_packets"]))
    finally:
        shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    sktap.synackd_main(__doc__, run_case, budget_s=90)


if __name__ == "__main__":
    main()
