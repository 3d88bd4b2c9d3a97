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
import json
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


# -- 9: two worker lcores, two tap queues ----------------------------------

MC_SEQ, MC_CONC, MC_CONC_N = 1500, 50, 500
# Each connection binds its own source port, below the ephemeral range:
# Linux picks ephemeral ports from a counter keyed by the addresses alone
# (table_perturb, shared by every network namespace), so other tests
# connecting from 198.18.0.1 to 198.18.0.2:8080 at the same time on this
# machine move it, and it can come back to a port whose flow the engine
# still holds in TIME_WAIT (counted as flow_tw_reuse, not close_normal).
MC_PORT_BASE = 20000
# Counters that must stay zero on every worker in this run.
MC_ZERO = ("rx_wrong_worker", "tx_oow_ack", "tx_rst", "cookie_bad_mac",
           "cookie_too_old", "close_rst", "close_idle", "close_fin_timeout",
           "close_fin_wait2", "tx_full", "drop_handoff")


def lcore_counters(eng):
    """{lcore: (counters, flows per state, flow_count)} from
    `synackctl --json lcores`."""
    ctl = os.environ.get("SYNACKCTL")
    if not ctl or not os.access(ctl, os.X_OK):
        raise TestFailure("synackctl not found: set SYNACKCTL (meson does)")
    p = sktap.run([ctl, "-p", eng.prefix, "--json", "lcores"], timeout=15)
    try:
        d = json.loads(p.stdout)
    except ValueError as e:
        raise TestFailure("synackctl --json lcores: not JSON: %r" % p.stdout[:200]) from e
    # {"<lcore id>": {"lcore": .., "socket": .., "counters": {..},
    #                  "flows": {..}, "flow_count": ..}, ...}
    out = {}
    for lc, e in (d.items() if isinstance(d, dict) else ()):
        if not isinstance(e, dict) or not isinstance(e.get("counters"), dict):
            raise TestFailure("synackctl --json lcores: no counters for lcore %s: %r"
                              % (lc, p.stdout[:300]))
        out[int(lc)] = (e["counters"], e.get("flows", {}), e.get("flow_count"))
    return out


def case_multicore(args):
    """N worker lcores (--workers, default 2) on an N-queue tap: the kernel
    steers each flow to one queue; every worker gets an even share +- 40 %
    of it (30-70 % with 2), and every frame of a flow reaches one worker.
    With SK_PORT=af_packet: an N-queue-pair af_packet port on a veth, the
    flows handed to their owner in software (sktap.DISPATCH)."""
    workers = args.workers
    total = MC_SEQ + MC_CONC_N
    with sktap.Engine(args.synackd, options=TIME_WAIT, tag="mc",
                      lcores=sktap.lcores_workers_arg(workers)) as eng:
        mode = "%d workers (%s)" % (workers, sktap.DISPATCH[eng.port])
        # a port that may reorder a flow's frames: tx_oow_ack is counted
        # against a bound instead (sktap.REORDER_SLACK)
        oow_max = int(total * sktap.REORDER_SLACK.get(eng.port, 0))
        zero = [k for k in MC_ZERO if not (oow_max and k == "tx_oow_ack")]
        if mode not in eng.ready_line:
            raise TestFailure("ready line does not say %r: %s"
                              % (mode, eng.ready_line))
        errors, lat, base = [], [], MC_PORT_BASE
        for n, conc in ((MC_SEQ, 1), (MC_CONC_N, MC_CONC)):
            ports = list(range(base, base + n))
            base += n
            ok, errs, secs = hello_client.run_hello(
                ENGINE_ADDR, 8080, n, conc, IO_TIMEOUT, src_ports=ports,
                latencies=lat)
            log("hello: %d/%d ok in %.2f s (%.0f/s), %d at a time"
                % (ok, n, secs, ok / secs if secs else 0, conc))
            for i, err in errs[:20]:
                log("  connection %d: %s" % (i, err))
            errors += errs
        if errors:
            raise TestFailure("%d of %d hello connections failed"
                              % (len(errors), total))
        # TIME_WAIT (1 s) and the timer wheel's slack: wait until every
        # worker has closed its flows (bounded).
        deadline = time.monotonic() + 15
        while True:
            time.sleep(0.5)
            per = lcore_counters(eng)
            live = sum(fc or 0 for _, _, fc in per.values())
            closed = sum(c.get("close_normal", 0) for c, _, _ in per.values())
            if (live == 0 and closed >= total) or time.monotonic() > deadline:
                break
        bad = []
        if len(per) != workers:
            bad.append("%d worker lcores in synackctl lcores, expected %d"
                       % (len(per), workers))
        created = {lc: c.get("flow_created", 0) for lc, (c, _, _) in per.items()}
        sums = {}
        for lc, (c, flows, fc) in sorted(per.items()):
            log("lcore %s: %s" % (lc, " ".join(
                "%s=%d" % kv for kv in c.items() if kv[1])))
            for k, v in c.items():
                sums[k] = sums.get(k, 0) + v
            for k in zero:
                if c.get(k, 0):
                    bad.append("lcore %s: %s = %d, expected 0" % (lc, k, c[k]))
            for k, v in sorted(c.items()):
                if k.startswith("drop_") and v:
                    bad.append("lcore %s: %s = %d, expected 0" % (lc, k, v))
            if fc:
                bad.append("lcore %s: %d flows still live: %s" % (lc, fc, flows))
            # Every frame of a flow on one worker: the flows a worker
            # created are the ones it answered SYNs for, and it saw all of
            # their data and FINs (a frame on the other worker would find no
            # flow there: a RST, counted above). rx_wrong_worker is only
            # computed with RSS, so this is the check for tap steering.
            fcr = c.get("flow_created", 0)
            for k in ("cookie_ok", "close_normal", "rx_fin", "tx_fin", "tx_data"):
                if c.get(k, 0) != fcr:
                    bad.append("lcore %s: %s = %d, flow_created = %d"
                               % (lc, k, c.get(k, 0), fcr))
            if c.get("rx_payload_bytes", 0) != fcr * len(hello_client.REQUEST):
                bad.append("lcore %s: rx_payload_bytes = %d for %d flows"
                           % (lc, c.get("rx_payload_bytes", 0), fcr))
            if c.get("tx_synack", 0) != c.get("rx_syn", 0) or \
                    c.get("rx_syn", 0) < fcr:
                bad.append("lcore %s: rx_syn %d, tx_synack %d, flow_created %d"
                           % (lc, c.get("rx_syn", 0), c.get("tx_synack", 0), fcr))
        if sums.get("tx_oow_ack", 0) > oow_max:
            bad.append("tx_oow_ack = %d over the workers, expected at most %d "
                       "(frames reordered by a %s port)"
                       % (sums["tx_oow_ack"], oow_max, eng.port))
        elif sums.get("tx_oow_ack", 0):
            log("note: tx_oow_ack = %d: the %s port delivered a flow's frames "
                "out of order (sktap.REORDER_SLACK)" % (sums["tx_oow_ack"],
                                                        eng.port))
        shares = {lc: v / total for lc, v in created.items()}
        log("flow_created per worker: %s (%s)" % (
            ", ".join("lcore %s: %d" % kv for kv in sorted(created.items())),
            ", ".join("%.1f %%" % (100 * v) for _, v in sorted(shares.items()))))
        lo, hi = 0.6 / workers, 1.4 / workers
        for lc, sh in sorted(shares.items()):
            if not lo <= sh <= hi:
                bad.append("lcore %s created %.1f %% of the flows, expected "
                           "%.0f-%.0f %%" % (lc, 100 * sh, 100 * lo, 100 * hi))
        if sums.get("rx_syn") == total:
            # no SYN retransmitted: each worker's SYNs are its flows
            for lc, (c, _, _) in sorted(per.items()):
                if c.get("rx_syn", 0) != c.get("flow_created", 0):
                    bad.append("lcore %s: rx_syn %d != flow_created %d (a "
                               "flow's SYN and ACK reached different workers)"
                               % (lc, c.get("rx_syn", 0), c.get("flow_created", 0)))
        else:
            log("note: %d SYNs for %d flows (the kernel retransmitted SYNs)"
                % (sums.get("rx_syn", 0), total))
        for k in ("cookie_ok", "flow_created", "close_normal"):
            if sums.get(k) != total:
                bad.append("sum of %s over the workers = %s, expected %d"
                           % (k, sums.get(k), total))
        lat.sort()
        slow = [x for x in lat if x > 0.2]
        log("connection time: median %.1f ms, 99th percentile %.1f ms, max "
            "%.1f ms; %d over 200 ms" % (1e3 * lat[len(lat) // 2],
                                         1e3 * lat[len(lat) * 99 // 100],
                                         1e3 * lat[-1], len(slow)))
        if bad:
            if slow:
                # A worker that does not run for 200 ms or more (the kernel's
                # minimum RTO) sees the kernel's retransmissions next to the
                # originals: it answers the duplicates (tx_oow_ack), the
                # kernel, already closed, resets (rx_rst, close_rst in
                # TIME_WAIT, drop_no_flow). Every one of those is the right
                # reaction; the stall is the machine's.
                bad.append("note: %d connections took over 200 ms (load "
                           "average %s): the kernel retransmitted; was a "
                           "worker's CPU taken by other processes?"
                           % (len(slow), " ".join(
                               "%.1f" % x for x in os.getloadavg())))
            raise TestFailure("per-lcore counters:\n  " + "\n  ".join(bad))
        stats = eng.stop()
        sktap.check_stats(
            stats,
            expect=expect_flows(total, rx_payload_bytes=total * len(hello_client.REQUEST),
                                rx_wrong_worker=0,
                                tx_oow_ack=sums.get("tx_oow_ack", 0)),
            at_least={"tx_synack": total, "tx_data": total})
        # the final sums (stats file) must equal the per-lcore ones
        c = stats["counters"]
        diff = ["%s: %d in the stats file, %d summed over lcores" % (k, c[k], sums[k])
                for k in ("flow_created", "cookie_ok", "close_normal")
                if c.get(k) != sums.get(k)]
        if diff:
            raise TestFailure("stats file and synackctl lcores disagree: "
                              + "; ".join(diff))


CASES = {
    "hello-seq": case_hello_seq,
    "hello-concurrent": case_hello_concurrent,
    "hold-client-closes": case_hold,
    "echo": case_echo,
    "http-curl": case_http_curl,
    "closed-port": case_closed_port,
    "java-client": case_java,
    "arp-ping": case_arp_ping,
    "multicore": case_multicore,
}


def main():
    ap = argparse.ArgumentParser(description="synackd over net_tap against Linux")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"),
                    help="path to synackd (default: $SYNACKD)")
    ap.add_argument("--workers", type=int, default=2,
                    help="multicore: worker lcores (tap queues)")
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
