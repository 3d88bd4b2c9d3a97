#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests: synackd on net_tap against the Linux kernel's TCP.

    tap_cases.py --case NAME [--synackd PATH]

Each case starts its own synackd in its own network namespace (sktap.py),
drives it with real kernel sockets (and curl, java, ping), stops it and
compares its final counters with what the case did. Exit 0 = pass, 1 = fail,
77 = skipped (not root, or no javac for the Java case). Python 3 standard
library only.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, TestFailure, log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TIME_WAIT = ["--time-wait", "1s"]
# After the last connection: TIME_WAIT (1 s) plus timer slack.
DRAIN_S = 2.5
IO_TIMEOUT = 5.0


def engine(args, tag, options=TIME_WAIT):
    return sktap.Engine(args.synackd, options=options, tag=tag)


def expect_flows(n, **extra):
    """Exact counters for n connections that each completed both handshakes."""
    e = {"cookie_ok": n, "flow_created": n, "close_normal": n,
         "rx_fin": n, "tx_fin": n}
    e.update(extra)
    return e


# -- 1, 2: hello ------------------------------------------------------------

def hello_case(args, n, concurrency, together):
    with engine(args, "hello") as eng:
        ok, errors, secs = hello_client.run_hello(
            ENGINE_ADDR, 8080, n, concurrency, IO_TIMEOUT, together=together)
        log("hello: %d/%d ok in %.2f s (%.0f/s), %d at a time"
            % (ok, n, secs, ok / secs if secs else 0, concurrency))
        for i, err in errors[:20]:
            log("  connection %d: %s" % (i, err))
        if errors:
            raise TestFailure("%d of %d hello connections failed" % (len(errors), n))
        time.sleep(DRAIN_S)
        stats = eng.stop()
        c = stats["counters"]
        if c.get("tx_synack", 0) > n:
            log("note: tx_synack = %d > %d (the kernel retransmitted SYNs)"
                % (c["tx_synack"], n))
        if c.get("flow_tw_reuse"):
            log("note: flow_tw_reuse = %d" % c["flow_tw_reuse"])
        if c.get("tx_fin_retx"):
            log("note: tx_fin_retx = %d" % c["tx_fin_retx"])
        sktap.check_stats(
            stats,
            expect=expect_flows(n, rx_payload_bytes=n * len(hello_client.REQUEST)),
            at_least={"tx_synack": n, "tx_data": n})


def case_hello_seq(args):
    hello_case(args, 1000, 1, False)


def case_hello_concurrent(args):
    # 200 threads: all connect, wait until all 200 are established, then
    # every one sends and reads.
    hello_case(args, 200, 200, True)


# -- 3: hold, the client closes first ---------------------------------------

def case_hold(args):
    n = 5
    total = 0
    with engine(args, "hold") as eng:
        for i in range(n):
            data = b"synack hold %d\n" % i * (i + 1)
            with socket.create_connection((ENGINE_ADDR, 9), timeout=IO_TIMEOUT) as s:
                s.settimeout(IO_TIMEOUT)
                s.sendall(data)
                total += len(data)
                # `hold` keeps the connection open and says nothing.
                s.settimeout(0.3)
                try:
                    got = s.recv(4096)
                    raise TestFailure("hold: connection %d: got %r before the "
                                      "client closed, expected nothing" % (i, got))
                except socket.timeout:
                    pass
                s.settimeout(IO_TIMEOUT)
                s.shutdown(socket.SHUT_WR)      # our FIN first
                try:
                    got = s.recv(4096)          # the engine's FIN: EOF
                except socket.timeout:
                    raise TestFailure("hold: connection %d: no FIN from the engine "
                                      "within %.0f s of ours" % (i, IO_TIMEOUT))
                if got != b"":
                    raise TestFailure("hold: connection %d: got %r after our FIN, "
                                      "expected EOF" % (i, got))
        log("hold: %d connections closed by the client, EOF seen on each" % n)
        time.sleep(0.5)  # the kernel's last ACK reaches the engine (LAST_ACK)
        stats = eng.stop()
        sktap.check_stats(stats,
                          expect=expect_flows(n, rx_payload_bytes=total, tx_data=0))


# -- 4: echo ----------------------------------------------------------------

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def case_echo(args):
    sizes = [1, 13, 100, 536, 1400, 1460, 1461, 2000, 2920, 4000]
    total = 0
    conns = 0
    with engine(args, "echo") as eng:
        for size in sizes:
            payload = bytes((i * 7 + size) & 0xff for i in range(size))
            with socket.create_connection((ENGINE_ADDR, 7), timeout=IO_TIMEOUT) as s:
                s.settimeout(IO_TIMEOUT)
                s.sendall(payload)
                got = recv_exact(s, size)
                if got != payload:
                    raise TestFailure("echo %d bytes: got %d bytes back%s" % (
                        size, len(got), "" if len(got) != size else
                        ", first difference at byte %d" % next(
                            i for i in range(size) if got[i] != payload[i])))
                s.shutdown(socket.SHUT_WR)
                rest = s.recv(4096)
                if rest != b"":
                    raise TestFailure("echo %d bytes: %d extra bytes after the echo"
                                      % (size, len(rest)))
            total += size
            conns += 1
        # Several writes on one connection, each echoed before the next.
        with socket.create_connection((ENGINE_ADDR, 7), timeout=IO_TIMEOUT) as s:
            s.settimeout(IO_TIMEOUT)
            for k in range(1, 6):
                chunk = os.urandom(800 * k)
                s.sendall(chunk)
                got = recv_exact(s, len(chunk))
                if got != chunk:
                    raise TestFailure("echo write %d (%d bytes) on one connection: "
                                      "got %d bytes, %s" % (
                                          k, len(chunk), len(got),
                                          "different" if len(got) == len(chunk)
                                          else "short"))
                total += len(chunk)
            s.shutdown(socket.SHUT_WR)
            if s.recv(4096) != b"":
                raise TestFailure("echo: extra bytes after the last echo")
            conns += 1
        log("echo: %d connections, %d bytes echoed identically" % (conns, total))
        time.sleep(DRAIN_S)
        stats = eng.stop()
        sktap.check_stats(stats, expect=expect_flows(conns, rx_payload_bytes=total),
                          at_least={"tx_data": conns})


# -- 5: http with curl ------------------------------------------------------

def case_http_curl(args):
    if shutil.which("curl") is None:
        raise TestFailure("curl not found (run usertools/setup)")
    n = 20
    with engine(args, "http") as eng:
        for i in range(n):
            p = sktap.run(["curl", "-sS", "--max-time", "5", "-i",
                           "http://%s:80/" % ENGINE_ADDR], timeout=15, check=False)
            if p.returncode != 0:
                raise TestFailure("curl request %d: exit %d: %s"
                                  % (i, p.returncode, p.stderr.strip()))
            head, sep, body = p.stdout.replace("\r\n", "\n").partition("\n\n")
            status = head.split("\n", 1)[0]
            if not re.match(r"HTTP/1\.[01] 200\b", status):
                raise TestFailure("curl request %d: status line %r, expected "
                                  "HTTP/1.1 200" % (i, status))
            if not sep or not body:
                raise TestFailure("curl request %d: no body; got %r" % (i, p.stdout))
            if i == 0:
                log("http: %s, %d body bytes" % (status, len(body)))
        log("http: %d curl requests answered 200" % n)
        time.sleep(DRAIN_S)
        stats = eng.stop()
        sktap.check_stats(stats,
                          expect={"cookie_ok": n, "flow_created": n, "close_normal": n},
                          at_least={"tx_data": n})


# -- 6: closed port ---------------------------------------------------------

def case_closed_port(args):
    n = 10
    with engine(args, "closed") as eng:
        for i in range(n):
            try:
                s = socket.create_connection((ENGINE_ADDR, 9999), timeout=IO_TIMEOUT)
                s.close()
                raise TestFailure("connection %d to closed port 9999 was accepted" % i)
            except ConnectionRefusedError:
                pass
            except socket.timeout:
                raise TestFailure("connection %d to closed port 9999 timed out "
                                  "(no RST)" % i)
            except OSError as e:
                raise TestFailure("connection %d to closed port 9999: %s, expected "
                                  "ConnectionRefusedError" % (i, e))
        log("closed-port: %d connections refused" % n)
        stats = eng.stop()
        sktap.check_stats(stats, expect={"tx_rst_closed_port": n, "tx_rst": n,
                                         "cookie_ok": 0, "flow_created": 0,
                                         "tx_synack": 0})


# -- 7: the seeds' Java client ----------------------------------------------

def case_java(args):
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        log("SKIP: javac/java not found")
        sys.exit(sktap.SKIP)
    n = 20
    tmp = tempfile.mkdtemp(prefix="sk-java-")
    try:
        shutil.copy(os.path.join(HERE, "TCPClient.java"), tmp)
        sktap.run([javac, "-d", tmp, os.path.join(tmp, "TCPClient.java")], timeout=120)
        with engine(args, "java") as eng:
            for i in range(n):
                p = sktap.run([java, "-Djava.net.preferIPv4Stack=true", "-cp", tmp,
                               "TCPClient", ENGINE_ADDR], timeout=60, check=False)
                if p.returncode != 0 or p.stdout != "Server: Hello Client\n" or p.stderr:
                    raise TestFailure("java TCPClient run %d: exit %d, stdout %r, "
                                      "stderr %r; expected 'Server: Hello Client'"
                                      % (i, p.returncode, p.stdout, p.stderr))
            log("java: %d runs printed 'Server: Hello Client'" % n)
            time.sleep(DRAIN_S)
            stats = eng.stop()
            sktap.check_stats(stats, expect=expect_flows(n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- 8: ARP and ping --------------------------------------------------------

def neigh():
    return sktap.run(["ip", "neigh", "show", ENGINE_ADDR, "dev", sktap.IFACE]).stdout.strip()


def case_arp_ping(args):
    if shutil.which("ping") is None:
        raise TestFailure("ping not found (iputils-ping)")
    with engine(args, "arp") as eng:
        before = neigh()
        if "PERMANENT" in before:
            raise TestFailure("a static neighbour entry exists: %r" % before)
        p = sktap.run(["ping", "-n", "-c", "3", "-W", "1", ENGINE_ADDR],
                      timeout=30, check=False)
        log(p.stdout.strip())
        if p.returncode != 0:
            raise TestFailure("ping -c 3 %s: exit %d: %s"
                              % (ENGINE_ADDR, p.returncode, p.stdout + p.stderr))
        after = neigh()
        log("ip neigh: %s" % after)
        m = re.search(r"lladdr ([0-9a-f:]{17})", after)
        if not m or any(s in after for s in ("FAILED", "INCOMPLETE", "PERMANENT")):
            raise TestFailure("the kernel did not learn %s by ARP: %r" % (ENGINE_ADDR, after))
        if eng.mac and m.group(1) != eng.mac:
            raise TestFailure("ARP gave %s, the engine's MAC is %s" % (m.group(1), eng.mac))
        stats = eng.stop()
        c = stats["counters"]
        sktap.check_stats(stats, expect={"rx_icmp_echo": 3, "tx_icmp_reply": 3,
                                         "tx_arp_reply": c.get("rx_arp_request", -1)},
                          at_least={"rx_arp_request": 1})


CASES = {
    "hello-seq": case_hello_seq,
    "hello-concurrent": case_hello_concurrent,
    "hold-client-closes": case_hold,
    "echo": case_echo,
    "http-curl": case_http_curl,
    "closed-port": case_closed_port,
    "java-client": case_java,
    "arp-ping": case_arp_ping,
}


def main():
    ap = argparse.ArgumentParser(description="synackd over net_tap against Linux")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"),
                    help="path to synackd (default: $SYNACKD)")
    ap.add_argument("--budget", type=int, default=280,
                    help="seconds before the case gives up")
    args = ap.parse_args()
    if not args.synackd:
        ap.error("no synackd: pass --synackd or set SYNACKD")
    args.synackd = os.path.abspath(args.synackd)
    t0 = time.monotonic()

    def body():
        CASES[args.case](args)
        log("%s: %.1f s" % (args.case, time.monotonic() - t0))
    sktap.main_wrapper(body, args.budget)


if __name__ == "__main__":
    main()
