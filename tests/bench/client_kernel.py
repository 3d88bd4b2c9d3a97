#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackd's client role against the Linux kernel's TCP over net_tap: a
benchmark driver for usertools/bench series 7 (docs/benchmarks.md), not a
test (registered nowhere in meson test).

synackd runs as a client only in a private network namespace
(tests/integration/sktap.py's Engine); the kernel side of its tap is
198.18.0.1, where `kernel_cps -S` serves each connection with the 1-byte
exchange (read one byte, write "y", close once the client has closed), on
one thread. synackd searches for the highest clean rate (`--cps max`): SYN
/ SYN-ACK / ACK + "x" / "y" / our FIN / the kernel's FIN / ACK, every
response checked (`--expect y`).

Prints synackd's JSON summary, the kernel server's JSON, then one line
  client_kernel: {"best_clean_cps": N, ...}
Exit 0 when the run happened (whatever the rate; a disagreement between the
two sides is reported in that line, "agree": false), 77 without root, 1 when
it could not run. Everything it starts is stopped and its namespace removed
on any exit (sktap's handlers, and a time budget).

Environment: SYNACKD (build/app/synackd), KERNEL_CPS
(build/tests/bench/kernel_cps), SK_CK_DURATION (8s), SK_CK_RAMP_STEP
(500ms), SK_CK_CONCURRENCY (512), SK_CK_SERVER_CPU (the CPU that is not
synackd's worker's).
"""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402
from sktap import KERNEL_ADDR, TestFailure, log  # noqa: E402

PORT = 8080
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SYNACKD = os.environ.get("SYNACKD") or os.path.join(ROOT, "build/app/synackd")
KERNEL_CPS = os.environ.get("KERNEL_CPS") or os.path.join(
    ROOT, "build/tests/bench/kernel_cps")
DURATION = os.environ.get("SK_CK_DURATION", "8s")
RAMP_STEP = os.environ.get("SK_CK_RAMP_STEP", "500ms")
CONC = os.environ.get("SK_CK_CONCURRENCY", "512")


def seconds(d):
    for unit, mul in (("ms", 0.001), ("s", 1), ("m", 60)):
        if d.endswith(unit) and d[:-len(unit)].replace(".", "").isdigit():
            return float(d[:-len(unit)]) * mul
    return float(d)


class KernelServerEngine(sktap.Engine):
    """The Engine, with the kernel's server started in its namespace before
    synackd: the first SYN must meet a listener, not a RST, and synackd may
    open as soon as its ARP request is answered (the namespace allows the
    bind before the tap's address exists: ip_nonlocal_bind)."""

    server = None
    server_secs = 60.0
    server_cpu = None

    def command(self):
        sktap.run(["ip", "netns", "exec", self.ns, "sysctl", "-q", "-w",
                   "net.ipv4.ip_nonlocal_bind=1",
                   "net.core.somaxconn=4096"])
        cmd = ["ip", "netns", "exec", self.ns, KERNEL_CPS, "-S", KERNEL_ADDR,
               "-p", str(PORT), "-s", "%.1f" % self.server_secs]
        if self.server_cpu is not None:
            cmd += ["-C", str(self.server_cpu)]
        log("+ " + " ".join(cmd))
        self.server = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
        time.sleep(0.3)
        if self.server.poll() is not None:
            raise TestFailure("kernel_cps -S exited %d: %s" % (
                self.server.returncode, self.server.stdout.read()))
        return super().command()

    def cleanup(self):
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(5)
        super().cleanup()


def main():
    sktap.install_handlers(int(seconds(DURATION)) + 120)
    sktap.require_root()
    for exe in (SYNACKD, KERNEL_CPS):
        if not os.access(exe, os.X_OK):
            raise TestFailure("%s not found (build first)" % exe)
    cpus = sorted(os.sched_getaffinity(0))
    # synackd: main lcore on the first CPU, its worker on the second
    # (sktap.lcores_arg); the kernel's server thread beside the main lcore
    srv_cpu = int(os.environ.get("SK_CK_SERVER_CPU", cpus[0]))
    dur = seconds(DURATION)
    eng = KernelServerEngine(SYNACKD, listen=(), tag="ck", options=[
        "--client", "%s:%d" % (KERNEL_ADDR, PORT), "--cps", "max",
        "--ramp-step", RAMP_STEP, "--duration", DURATION,
        "--concurrency", CONC, "--request", "x", "--expect", "y",
        "--close", "client", "--syn-rto", "1s", "--json"])
    eng.server_secs = dur + 60
    eng.server_cpu = srv_cpu
    try:
        eng.start()
        try:
            rc = eng.proc.wait(dur + 60)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("synackd's client run did not end within %.0f s"
                              % (dur + 60)) from e
        if eng._reader is not None:
            eng._reader.join(5)
        # the last connections' FINs: the kernel closes them as they come
        time.sleep(0.5)
        eng.server.send_signal(signal.SIGTERM)
        sout, _ = eng.server.communicate(timeout=15)
        ks = [l for l in sout.splitlines() if l.startswith('{"kernel_server"')]
        summary = [l for l in eng.lines if l.startswith('{"client"')]
        for l in eng.lines:
            if l.startswith("synackd: client: "):
                log(l)
        if rc != 0 or not summary:
            raise TestFailure("synackd exited %d, its output:\n%s" % (
                rc, eng.output()))
        if not ks:
            raise TestFailure("kernel_cps -S printed no summary: %s" % sout)
        log(summary[-1])
        log(ks[-1])
        c = json.loads(summary[-1])["client"]
        k = json.loads(ks[-1])["kernel_server"]
        with open(eng.stats_path) as f:
            st = json.load(f)
        cnt = st["counters"]
        drops = {n: v for n, v in cnt.items() if n.startswith("drop_") and v}
        mb = st.get("mbufs", {})
        agree = (c["failed"] == 0 and c["completed"] == c["attempted"] ==
                 k["served"] and not k["unanswered"] and not drops and
                 mb.get("in_use_start") == mb.get("in_use_end"))
        r = c.get("ramp") or {}
        out = {
            "best_clean_cps": r.get("best_cps"), "offered_cps": r.get("offered_cps"),
            "steps": r.get("steps"), "backoffs": r.get("backoffs"),
            "step_ms": r.get("step_ms"), "attempted": c["attempted"],
            "completed": c["completed"], "failed": c["failed"],
            "syn_retx": c["syn_retx"], "no_tuple": c["no_tuple"],
            "cps": c["cps"], "latency_us": c["latency_us"],
            "kernel_served": k["served"], "kernel_unanswered": k["unanswered"],
            "drops": drops, "agree": agree, "server_cpu": srv_cpu,
            "lcores": sktap.lcores_arg(),
        }
        print("client_kernel: " + json.dumps(out), flush=True)
        log("synackd client -> Linux kernel over net_tap: best clean %s CPS "
            "(%s steps of %s ms, %s backoffs, %d SYN retransmissions, "
            "%d failed)%s" % (r.get("best_cps"), r.get("steps"),
                              r.get("step_ms"), r.get("backoffs"),
                              c["syn_retx"], c["failed"],
                              "" if agree else "; THE SIDES DISAGREE"))
        return 0
    finally:
        signal.alarm(0)
        eng.cleanup()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TestFailure as e:
        log("client_kernel: could not run: %s" % e)
        sktap._cleanup_all()
        sys.exit(1)
