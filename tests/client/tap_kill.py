# SPDX-License-Identifier: BSD-3-Clause
"""synackd's client role when the kernel's server goes away mid-run.

  tap_kill.py kill    the server process is killed (SIGKILL) mid-run
  tap_kill.py silent  the kernel goes silent mid-run (a blackhole route
                      to synackd's address: it still receives, answers
                      nothing)
  tap_kill.py down    the kernel's side of the tap is set down mid-run
                      (synackd's frames no longer reach the kernel: its
                      writes to the tap fail, counted as tx_full)

(this kernel has no netfilter tables, netem or tc filters; a route and
the link are what can silence it)

synackd runs in a private network namespace (sktap.Engine) as a client of
a server on the kernel's side of the tap (198.18.0.1:8080): a separate
Python process answering "Hello Client\\n" to each "Hello Server\\n" after
0.1 s (so that tens of connections are open at any time), then closing.
Its listening socket is made before the kernel has its address (so
synackd never meets a closed port before the server is up) and handed to
that process, the only holder once it runs: when the process is killed
the port is closed. synackd opens connections at a modest rate for a few
seconds, with short SYN, FIN and response timeouts so that every
connection ends in bounded time. Once connections have completed, the
server is killed (or the kernel silenced); the run must then go on and
end by itself:

  - synackd exits 0 on its own, with its JSON summary, within a bound;
  - every connection is accounted for: attempted = completed + failed,
    and the summary agrees with the --stats-file counters;
  - completed > 0 (before the kill), no failure before it;
  - kill: failed > 0 with fail_rst > 0 (a SYN to the closed port gets a
    RST) and fail_closed > 0 (connections open at the kill, request read
    and answer not sent, get the kernel's FIN), no timeout;
    silent and down: fail_timeout > 0, SYN retransmissions, every
    failure a timeout;
  - no bad SYN-ACK, no wrong response, no tuple shortage;
  - no mbuf leaked (in use at exit = in use at start).

The rate is never checked (a busy machine slows it). Needs root; exits 77
without it.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, KERNEL_ADDR, TestFailure, log  # noqa: E402

PORT = 8080
CPS = 300
DURATION_S = 6
# after the opening window: SYN retries (0.2 + 0.4 + 0.8 s), the response
# timeout (2 s), FIN retries (0.2 + 0.4 + 0.8 s), FIN_WAIT_2 (2 s); the
# rest is room for a busy machine
END_BOUND_S = DURATION_S + 14
# the server waits this long before answering, so that tens of
# connections are open (request read, answer not sent) when it goes
ANSWER_DELAY_S = 0.1

# The kernel's server: a thread per connection; reads a line, answers,
# closes. It gets its listening socket as file descriptor argv[1].
SERVER = r"""
import socket, sys, threading, time
ls = socket.socket(fileno=int(sys.argv[1]))
DELAY = float(sys.argv[2])
def handle(c):
    try:
        c.settimeout(10)
        buf = b""
        while not buf.endswith(b"\n"):
            b = c.recv(100)
            if not b:
                break
            buf += b
        if buf == b"Hello Server\n":
            time.sleep(DELAY)
            c.sendall(b"Hello Client\n")
    except OSError:
        pass
    finally:
        c.close()
print("serving", flush=True)
while True:
    c, _ = ls.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
"""

PROGRESS = re.compile(r"synackd: client: (\d+)s attempted (\d+) established "
                      r"(\d+) completed (\d+) failed (\d+) cps \d+ "
                      r"concurrent (\d+)")


class ServerProcess:
    def __init__(self):
        self.proc = None
        self.output = []

    def listen(self, eng):
        """prepare hook: in the namespace, before the kernel's address."""
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", PORT))
        ls.listen(4096)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVER, str(ls.fileno()),
                 str(ANSWER_DELAY_S)],
                pass_fds=(ls.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        finally:
            ls.close()  # the server process holds the only reference now
        line = self.proc.stdout.readline()
        if line.strip() != "serving":
            raise TestFailure("kernel server did not start: %r" % line)
        # anything it says later (a traceback) is kept, never blocks it
        self.output = []
        threading.Thread(target=lambda: self.output.extend(self.proc.stdout),
                         daemon=True).start()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


def progress(eng):
    return [tuple(int(x) for x in m.groups()) for m in
            (PROGRESS.match(l) for l in list(eng.lines)) if m]


def case(mode):
    srv = ServerProcess()
    eng = sktap.Engine(
        os.environ.get("SYNACKD", "build/app/synackd/synackd"), listen=(),
        tag="ckill-" + mode, prepare=srv.listen, options=[
            "--client", "%s:%d" % (KERNEL_ADDR, PORT),
            "--cps", str(CPS), "--duration", "%ds" % DURATION_S,
            "--concurrency", "512",
            "--request", "Hello Server\\n", "--expect", "Hello Client\\n",
            "--close", "client",
            "--syn-retries", "2", "--syn-rto", "200ms",
            "--client-timeout", "2s", "--rto", "200ms", "--fin-retries", "2",
            "--fin-wait2", "2s", "--time-wait", "1s", "--json"])
    try:
        eng.start()
        t0 = time.time()
        # connections have completed: then the server goes, a second later
        while not any(p[3] > 0 for p in progress(eng)):
            if not eng.alive() or time.time() - t0 > 20:
                raise TestFailure("no connection completed within 20 s:\n%s"
                                  % eng.output())
            time.sleep(0.05)
        time.sleep(1.0)
        before = progress(eng)[-1]
        if mode == "kill":
            srv.kill()
            what = "server killed (SIGKILL)"
        elif mode == "silent":
            sktap.run(["ip", "-n", eng.ns, "route", "add", "blackhole",
                       ENGINE_ADDR + "/32"])
            what = "kernel silenced (blackhole route to %s)" % ENGINE_ADDR
        else:
            sktap.run(["ip", "-n", eng.ns, "link", "set", sktap.IFACE,
                       "down"])
            what = "kernel's side of the tap down"
        t_kill = time.time()
        log("%s after %.1f s; last progress before: %ds attempted %d "
            "established %d completed %d failed %d concurrent %d" % (
                (what, t_kill - t0) + before))
        try:
            rc = eng.proc.wait(END_BOUND_S)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("synackd's run did not end within %d s of the "
                              "%s" % (END_BOUND_S, what)) from e
        log("synackd ended by itself %.1f s after that, exit %d"
            % (time.time() - t_kill, rc))
        if eng._reader is not None:
            eng._reader.join(5)
        out = eng.output()
        log("\n".join(l for l in eng.lines if l.startswith("synackd: client")))
        summary = [l for l in eng.lines if l.startswith('{"client"')]
        if rc != 0:
            raise TestFailure("synackd exited %d:\n%s" % (rc, out))
        if not summary:
            raise TestFailure("no JSON summary line:\n%s" % out)
        log(summary[-1])
        s = json.loads(summary[-1])["client"]
        with open(eng.stats_path) as f:
            stats = json.load(f)
        c = stats["counters"]
        bad = []
        if s["error"] is not None:
            bad.append("the run failed as a whole: %s" % s["error"])
        # every connection accounted for
        causes = ("fail_timeout", "fail_rst", "fail_bad_synack",
                  "fail_response", "fail_closed")
        if s["failed"] != sum(s[k] for k in causes):
            bad.append("failed %d != the sum of its causes %s" % (
                s["failed"], {k: s[k] for k in causes}))
        if s["attempted"] != s["completed"] + s["failed"]:
            bad.append("attempted %d != completed %d + failed %d (%d lost)"
                       % (s["attempted"], s["completed"], s["failed"],
                          s["attempted"] - s["completed"] - s["failed"]))
        if not s["completed"] <= s["established"] <= s["attempted"]:
            bad.append("completed %d, established %d, attempted %d" % (
                s["completed"], s["established"], s["attempted"]))
        # the summary and the counters agree
        for k, name in (("attempted", "client_syn_sent"),
                        ("established", "client_established"),
                        ("completed", "client_completed"),
                        ("syn_retx", "client_syn_retx")) + tuple(
                            (k, "client_" + k) for k in causes):
            if c.get(name) != s[k]:
                bad.append("summary %s %d, counter %s %s" % (
                    k, s[k], name, c.get(name)))
        if s["completed"] == 0:
            bad.append("no connection completed")
        if before[4] != 0:
            bad.append("%d failures before the server went" % before[4])
        if s["failed"] == 0:
            bad.append("no failure after the %s" % what)
        if mode == "kill":
            # SYNs to the closed port get a RST; connections open at the
            # kill (request read, answer not sent) get the kernel's FIN
            # (closed early), or a RST; the kernel answers every segment,
            # so nothing times out
            if s["fail_rst"] == 0:
                bad.append("fail_rst = 0: no RST from the kernel counted")
            if before[5] >= 5 and s["fail_closed"] == 0:
                bad.append("fail_closed = 0 with %d connections open a "
                           "second before the kill" % before[5])
            if s["failed"] != s["fail_rst"] + s["fail_closed"]:
                bad.append("failures other than RST or closed early: %d "
                           "timeouts" % s["fail_timeout"])
        else:
            # no SYN-ACK (after the SYN retries) or no answer (after the
            # response timeout): every failure is a timeout
            if s["fail_timeout"] == 0:
                bad.append("fail_timeout = 0: no timeout counted")
            if s["syn_retx"] == 0:
                bad.append("no SYN retransmission while the kernel was silent")
            if s["failed"] != s["fail_timeout"]:
                bad.append("failures other than timeouts from a silent "
                           "kernel: rst %d, closed %d" % (s["fail_rst"],
                                                          s["fail_closed"]))
        for k in ("fail_bad_synack", "fail_response", "no_tuple"):
            if s[k]:
                bad.append("%s = %d, expected 0" % (k, s[k]))
        mb = stats["mbufs"]
        if mb["in_use_start"] != mb["in_use_end"]:
            bad.append("mbufs in use: %d at start, %d at end (leak)" % (
                mb["in_use_start"], mb["in_use_end"]))
        nz = " ".join("%s=%d" % (k, v) for k, v in c.items() if v)
        log("counters (non-zero): " + nz)
        if srv.output:
            log("kernel server said:\n" + "".join(srv.output[-20:]))
        if bad:
            raise TestFailure("; ".join(bad))
        log("%s: %d attempted = %d completed + %d failed (timeout %d, rst %d, "
            "closed %d), clean exit" % (what, s["attempted"], s["completed"],
                                        s["failed"], s["fail_timeout"],
                                        s["fail_rst"], s["fail_closed"]))
    finally:
        srv.kill()
        eng.cleanup()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("kill", "silent", "down"):
        sys.exit("usage: tap_kill.py kill|silent|down")
    sktap.main_wrapper(lambda: case(sys.argv[1]), budget_s=60)
