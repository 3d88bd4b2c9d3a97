#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackd warns once when its peer leaves TCP checksums partial.

    veth_cksum.py [--synackd PATH]

A veth pair in a private namespace: the kernel keeps v0 (198.18.0.1/24,
TX checksum offload on, as a veth has by default), synackd takes v1 with
net_af_packet. The kernel's segments reach synackd with their TCP
checksum still to be filled in, so:
  1. a kernel connection to 198.18.0.2:8080 times out, and synackd prints,
     once, the warning that names `ethtool -K PEER tx off`;
  2. after `ethtool -K v0 tx off` the same connection says hello;
  3. SIGTERM: exit 0, drop_tcp_cksum >= 3 in the final counters, still one
     warning line.
Exit 0 = pass, 1 = fail, 77 = skipped (not root). Python 3 standard library.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, KERNEL_ADDR, TestFailure, log  # noqa: E402

WARNING = "the peer leaves TCP checksums partial"


class Veth:
    def __init__(self, synackd):
        self.synackd = synackd
        uniq = "cksum-%d" % os.getpid()
        self.ns = "sk-" + uniq
        self.prefix = "sk-" + uniq
        self.tmp = tempfile.mkdtemp(prefix="sk-int-")
        self.stats_path = os.path.join(self.tmp, "stats.json")
        self.proc = None
        self.lines = []
        self.ns_made = False
        self.orig = None

    def start(self):
        sktap.run(["ip", "netns", "add", self.ns])
        self.ns_made = True
        sktap.run(["ip", "netns", "exec", self.ns, "sh", "-c",
                   "for k in all default; do f=/proc/sys/net/ipv6/conf/$k/disable_ipv6; "
                   "[ ! -e $f ] || echo 1 > $f; done"])
        for cmd in (["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
                    ["addr", "add", "%s/24" % KERNEL_ADDR, "dev", "v0"],
                    ["link", "set", "v0", "up"], ["link", "set", "v1", "up"],
                    ["link", "set", "lo", "up"]):
            sktap.run(["ip", "-n", self.ns] + cmd)
        mem, _ = sktap.eal_mem_args()
        cmd = ["ip", "netns", "exec", self.ns, self.synackd,
               "--lcores", sktap.lcores_arg(), "--file-prefix", self.prefix] + mem + [
               "--no-pci", "--vdev", "net_af_packet0,iface=v1", "--",
               "--addr", "%s/24" % ENGINE_ADDR, "--listen", "8080:hello",
               "--time-wait", "1s", "--stats-file", self.stats_path]
        log("+ " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     errors="replace")
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.time() + 60
        while not any(l.startswith("synackd: ready") for l in self.lines):
            if self.proc.poll() is not None or time.time() > deadline:
                raise TestFailure("synackd did not get ready:\n" + self.output())
            time.sleep(0.05)
        log(next(l for l in self.lines if l.startswith("synackd: ready")))
        self.orig = os.open("/proc/self/ns/net", os.O_RDONLY)
        sktap.join_netns(self.ns)

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines)

    def warnings(self):
        return [l for l in self.lines if WARNING in l]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(20)
        except subprocess.TimeoutExpired:
            raise TestFailure("synackd did not stop within 20 s of SIGTERM")
        if rc != 0:
            raise TestFailure("synackd exited %d after SIGTERM" % rc)
        with open(self.stats_path) as f:
            return json.load(f)

    def cleanup(self):
        if self.orig is not None:
            sktap._setns(self.orig)
            os.close(self.orig)
            self.orig = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.ns_made:
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=30)
            self.ns_made = False
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_case(args):
    if shutil.which("ethtool") is None:
        raise TestFailure("ethtool not found (run usertools/setup)")
    v = Veth(args.synackd)
    try:
        v.start()
        # 1. partial checksums: the handshake cannot complete
        try:
            s = socket.create_connection((ENGINE_ADDR, 8080), timeout=5)
            s.close()
            raise TestFailure("a connection completed with TX checksum offload "
                              "on the peer: the test's premise is gone")
        except (socket.timeout, TimeoutError):
            pass
        deadline = time.time() + 5
        while not v.warnings() and time.time() < deadline:
            time.sleep(0.1)
        if not v.warnings():
            raise TestFailure("no checksum warning; synackd said:\n" + v.output())
        log(v.warnings()[0])
        if "ethtool -K PEER tx off" not in v.warnings()[0]:
            raise TestFailure("the warning does not say what to do: %s"
                              % v.warnings()[0])
        # 2. what the warning says works
        sktap.run(["ethtool", "-K", "v0", "tx", "off"])
        err = hello_client.hello_once(ENGINE_ADDR, 8080, 5.0)
        if err is not None:
            raise TestFailure("hello after ethtool -K v0 tx off: %s" % err)
        log("hello works after ethtool -K v0 tx off")
        time.sleep(2.5)
        # 3. the counters, and the warning said once
        stats = v.stop()
        c = stats["counters"]
        if c.get("drop_tcp_cksum", 0) < 3:
            raise TestFailure("drop_tcp_cksum = %s, expected at least 3"
                              % c.get("drop_tcp_cksum"))
        if c.get("close_normal") != 1:
            raise TestFailure("close_normal = %s, expected 1" % c.get("close_normal"))
        if len(v.warnings()) != 1:
            raise TestFailure("%d checksum warnings, expected one:\n%s"
                              % (len(v.warnings()), "\n".join(v.warnings())))
        log("drop_tcp_cksum = %d, one warning" % c["drop_tcp_cksum"])
    except TestFailure:
        log("--- synackd output ---\n" + v.output())
        raise
    finally:
        v.cleanup()


def main():
    sktap.synackd_main(__doc__, run_case, budget_s=90)


if __name__ == "__main__":
    main()
