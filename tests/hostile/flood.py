#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Floods and faults over net_tap while a kernel client keeps completing
handshakes (issue 6; docs/robustness.md).

    flood.py --case syn|ack|syn6|ack6|rst-guess|table-full|table-full-mixed|
             link-flap [--synackd PATH]

Each case starts synackd on net_tap in its own network namespace
(tests/integration/sktap.py), runs a thread that opens sequential `hello`
connections from the kernel and counts them, and injects crafted frames
from the kernel side of the tap with an AF_PACKET socket (a child process,
so that the client thread is not starved of the GIL). At the end synackd
is stopped and its final counters and mbuf accounting checked. syn6 and
ack6 are the SYN and forged-ACK floods over IPv6 (issue 13): synackd dual
stack (sktap.Engine(ipv6=True)), the flood from random sources in
fd00:f100::/32 and the legitimate client over IPv6, resolved by Neighbor
Discovery.

SK_FLOOD_N: frames per flood (default 1,000,000; the meson test passes a
smaller number). SK_FLOOD_PPS: the injector's pace (default 50,000/s:
about what net_tap's PMD reads here, one read(2) per frame, without the
tun driver dropping frames; the tun driver does not push back on the
qdisc, so frames over that rate are dropped in its ring: they are read
from the tap's tx_dropped (netlink), reported, and allowed for in every
check).

Exit 0 = pass, 1 = fail, 77 = not root. Python 3 standard library only.
"""

import argparse
import errno
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, ENGINE_ADDR6, KERNEL_ADDR, TestFailure, log  # noqa: E402

IO_TIMEOUT = 3.0
FLOOD_NET = 10 << 24           # random sources in 10.0.0.0/8 (not the tap's)
FLOOD_NET6 = 0xfd00f100 << 96   # IPv6: random sources in fd00:f100::/32
FAKE_MAC = bytes.fromhex("02feedfacade")   # the flood's source MAC
CHAL_LIMIT = 1000              # synackd's default --challenge-ack-limit
ETH_P_ALL = 3
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
SYNACKCTL = None


# -- frames -------------------------------------------------------------------

def csum_add(s, data):
    if len(data) & 1:
        data += b"\0"
    return s + sum(struct.unpack("!%dH" % (len(data) // 2), data))


def csum_fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(dst_mac, src_mac, saddr, daddr, sport, dport, seq, ack, flags,
          win=65535, payload=b""):
    """An Ethernet/IPv4/TCP frame with valid checksums (addresses: ints)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0) + payload
    src, dst = struct.pack("!I", saddr), struct.pack("!I", daddr)
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcs = csum_fold(csum_add(csum_add(0, ph), tcp))
    tcp = tcp[:16] + struct.pack("!H", tcs) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum_fold(csum_add(0, ip))) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


def frame6(dst_mac, src_mac, saddr, daddr, sport, dport, seq, ack, flags,
           win=65535, payload=b""):
    """An Ethernet/IPv6/TCP frame with a valid checksum over the IPv6
    pseudo header (RFC 8200 8.1); addresses: 128-bit ints."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0) + payload
    src, dst = saddr.to_bytes(16, "big"), daddr.to_bytes(16, "big")
    ph = src + dst + struct.pack("!IxxxB", len(tcp), 6)
    tcs = csum_fold(csum_add(csum_add(0, ph), tcp))
    tcp = tcp[:16] + struct.pack("!H", tcs) + tcp[18:]
    ip = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + src + dst
    return dst_mac + src_mac + b"\x86\xdd" + ip + tcp


def ip2int(a):
    return struct.unpack("!I", socket.inet_aton(a))[0]


def gen_frames(kind, n, dst_mac, targets, seed):
    """Yield n frames of a flood. targets: for rst-guess, a list of
    (sport, rcv_nxt) of live flows."""
    rnd = random.Random(seed)
    daddr = ip2int(ENGINE_ADDR)
    kaddr = ip2int(KERNEL_ADDR)
    daddr6 = int.from_bytes(socket.inet_pton(socket.AF_INET6, ENGINE_ADDR6),
                            "big")
    for i in range(n):
        if kind == "syn6":
            yield frame6(dst_mac, FAKE_MAC, FLOOD_NET6 | rnd.getrandbits(96),
                         daddr6, 1024 + rnd.getrandbits(15), 8080,
                         rnd.getrandbits(32), 0, SYN)
        elif kind == "ack6":
            yield frame6(dst_mac, FAKE_MAC, FLOOD_NET6 | rnd.getrandbits(96),
                         daddr6, 1024 + rnd.getrandbits(15), 8080,
                         rnd.getrandbits(32), rnd.getrandbits(32), ACK)
        elif kind == "syn":
            yield frame(dst_mac, FAKE_MAC, FLOOD_NET | rnd.getrandbits(24),
                        daddr, 1024 + rnd.getrandbits(15), 8080,
                        rnd.getrandbits(32), 0, SYN)
        elif kind == "ack":
            yield frame(dst_mac, FAKE_MAC, FLOOD_NET | rnd.getrandbits(24),
                        daddr, 1024 + rnd.getrandbits(15), 8080,
                        rnd.getrandbits(32), rnd.getrandbits(32), ACK)
        else:  # rst-guess: in window, never exact
            sport, nxt = targets[i % len(targets)]
            yield frame(dst_mac, FAKE_MAC, kaddr, daddr, sport, 9,
                        (nxt + 1 + rnd.randrange(65534)) & 0xffffffff, 0, RST)


def inject_main(a):
    """Child process: send the flood on the tap's kernel side, paced."""
    targets = json.loads(a.targets) if a.targets else []
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((sktap.IFACE, 0))
    mac = bytes.fromhex(a.mac.replace(":", ""))
    batch = 256
    # build ahead of time in chunks, so that pacing measures sending
    frames = gen_frames(a.inject, a.n, mac, targets, a.seed)
    sent = errors = 0
    t0 = time.monotonic()
    while sent + errors < a.n:
        chunk = [f for _, f in zip(range(batch), frames)]
        for f in chunk:
            for _ in range(1000):
                try:
                    s.send(f)
                    sent += 1
                    break
                except OSError as e:
                    # the qdisc is full (pfifo: ENOBUFS): back off, again
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    time.sleep(0.0002)
            else:
                errors += 1
        ahead = (sent + errors) / a.pps - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    secs = time.monotonic() - t0
    print(json.dumps({"sent": sent, "errors": errors, "seconds": secs}),
          flush=True)


# -- the engine's side ------------------------------------------------------

def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def ctl_stats(eng):
    """Live counters through synackctl (telemetry)."""
    p = sktap.run([SYNACKCTL, "--json", "--prefix", eng.prefix, "stats"],
                  timeout=10, check=False)
    if p.returncode != 0:
        raise TestFailure("synackctl stats: exit %d: %s"
                          % (p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def tap_dropped():
    """Frames the kernel dropped on the tap's transmit side (the tun
    driver's ring to the PMD full), plus its qdisc's drops. Read through
    netlink (`ip -s`): /sys shows the namespace that mounted it, not ours."""
    p = sktap.run(["ip", "-j", "-s", "link", "show", "dev", sktap.IFACE],
                  check=False)
    try:
        n = json.loads(p.stdout)[0]["stats64"]["tx"]["dropped"]
    except (ValueError, LookupError, TypeError):
        raise TestFailure("cannot read the tap's tx_dropped: %r" % p.stdout)
    q = sktap.run(["tc", "-s", "qdisc", "show", "dev", sktap.IFACE],
                  check=False).stdout.split()
    if "dropped" in q:
        n += int(q[q.index("dropped") + 1].rstrip(","))
    return n


class Client(threading.Thread):
    """Sequential hello connections until stopped; counts them."""

    def __init__(self, retry_unreachable=False, host=ENGINE_ADDR):
        super().__init__(daemon=True)
        self.host = host
        self.ok = 0
        self.failed = []
        self.stop_ev = threading.Event()
        self.retry_unreachable = retry_unreachable
        self.ok_times = []

    def run(self):
        while not self.stop_ev.is_set():
            err = hello_client.hello_once(self.host, 8080, IO_TIMEOUT)
            if err is None:
                self.ok += 1
                self.ok_times.append(time.monotonic())
            else:
                self.failed.append((time.monotonic(), err))
                time.sleep(0.05)

    def finish(self):
        self.stop_ev.set()
        self.join(IO_TIMEOUT * 4)


def inject(kind, n, eng, targets=None, pps=None, seed=1):
    cmd = [sys.executable, os.path.abspath(__file__), "--inject", kind,
           "--n", str(n), "--mac", eng.mac, "--seed", str(seed),
           "--pps", str(pps or int(os.environ.get("SK_FLOOD_PPS", "50000")))]
    if targets:
        cmd += ["--targets", json.dumps(targets)]
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=max(120, n // 5000))
    if p.returncode != 0:
        raise TestFailure("injector: exit %d: %s" % (p.returncode, p.stderr))
    return json.loads(p.stdout.strip().splitlines()[-1])


def flood_n():
    return int(os.environ.get("SK_FLOOD_N", "1000000"))


def start(args, tag, options=(), ipv6=False):
    eng = sktap.Engine(args.synackd, tag=tag, ipv6=ipv6,
                       options=["--time-wait", "1s"] + list(options))
    eng.start()
    # A plain FIFO on the tap's kernel side: when it is full, the
    # injector's send() fails with ENOBUFS and is retried, so the flood is
    # paced by what the PMD reads instead of being dropped silently (the
    # default fq_codel drops and still reports success).
    sktap.run(["tc", "qdisc", "replace", "dev", sktap.IFACE, "root",
               "pfifo", "limit", "1000"])
    if not eng.mac:
        raise TestFailure("no MAC in synackd's ready line")
    return eng


def check_end(stats, extra_zero=()):
    """After stop: no flow left, mbufs back, no crash (stop() checked exit 0)."""
    bad = []
    mb = stats.get("mbufs")
    if mb is None:
        bad.append("no mbufs accounting in the stats file")
    elif mb["in_use_end"] != mb["in_use_start"]:
        bad.append("mbufs in use: %d at start, %d at the end (leak)"
                   % (mb["in_use_start"], mb["in_use_end"]))
    else:
        log("mbufs in use: %d at start, %d at the end (pool %d)"
            % (mb["in_use_start"], mb["in_use_end"], mb["pool"]))
    if stats.get("flow_count") != 0:
        bad.append("flow_count = %s at the end" % stats.get("flow_count"))
    c = stats["counters"]
    for name in extra_zero:
        if c.get(name):
            bad.append("%s = %d, expected 0" % (name, c[name]))
    log("counters (non-zero): " + " ".join(
        "%s=%d" % (k, v) for k, v in c.items() if v))
    if bad:
        raise TestFailure("; ".join(bad))


def legit_report(cl, secs):
    log("legitimate client: %d hello connections completed during the flood "
        "(%.1f s, %.0f/s), %d failed" % (cl.ok, secs, cl.ok / secs if secs else 0,
                                        len(cl.failed)))
    for t, e in cl.failed[:10]:
        log("  failure: %s" % e)


def warmup(n=20, host=ENGINE_ADDR):
    ok, errors, _ = hello_client.run_hello(host, 8080, n, 1, IO_TIMEOUT)
    if errors:
        raise TestFailure("warm-up: %d of %d hello connections failed: %s"
                          % (len(errors), n, errors[0][1]))
    return ok


# -- a, b: SYN and forged-ACK floods ----------------------------------------

def case_flood(args, kind):
    """kind: syn, ack, or over IPv6 syn6, ack6 (the same checks, and the
    IPv6 counters: the flood's frames in rx_tcp6, every frame synackd sent
    during it IPv6)."""
    n = flood_n()
    v6 = kind.endswith("6")
    host = ENGINE_ADDR6 if v6 else ENGINE_ADDR
    eng = start(args, kind + "flood", ipv6=v6)
    try:
        pid = eng.proc.pid
        base = warmup(host=host)
        time.sleep(1.5)                      # warm-up flows leave TIME_WAIT
        rss0 = vmrss_kb(pid)
        drop0 = tap_dropped()
        s0 = ctl_stats(eng)
        cl = Client(host=host)
        t0 = time.monotonic()
        cl.start()
        res = inject(kind, n, eng, seed=7 if kind.startswith("syn") else 8)
        time.sleep(0.5)
        cl.finish()
        secs = time.monotonic() - t0
        live = ctl_stats(eng)
        rss1 = vmrss_kb(pid)
        dropped = tap_dropped() - drop0
        log("%s flood: %d frames sent in %.1f s (%.0f/s), %d send errors, "
            "%d dropped by the kernel's tap queue"
            % (kind.upper(), res["sent"], res["seconds"],
               res["sent"] / res["seconds"], res["errors"], dropped))
        legit_report(cl, secs)
        log("synackd VmRSS: %d kB before, %d kB after (%+d kB)"
            % (rss0, rss1, rss1 - rss0))
        log("flow_count during/after the flood (live): %s" % live.get("flow_count"))
        time.sleep(2.0)                      # client flows leave TIME_WAIT
        stats = eng.stop()
    finally:
        eng.cleanup()
    c = stats["counters"]
    c0 = s0["counters"]
    legit = base + cl.ok
    bad = []
    if cl.ok == 0:
        bad.append("the legitimate client completed no connection during the flood")
    if cl.failed:
        bad.append("%d legitimate connections failed" % len(cl.failed))
    if abs(rss1 - rss0) > 4096:
        bad.append("VmRSS moved by %d kB (> 4 MB)" % (rss1 - rss0))
    got = res["sent"] - dropped          # frames that can have reached synackd
    # every flow was made by a legitimate handshake; a forged cookie passes
    # with probability 2^-26 per try: allow the expected count, rounded up
    forged_ok = (n >> 26) + 1 if kind.startswith("ack") else 0
    if not legit <= c["flow_created"] <= legit + forged_ok:
        bad.append("flow_created = %d, the legitimate client made %d"
                   % (c["flow_created"], legit))
    if c["flow_created"] > legit:
        log("note: %d forged cookie(s) validated (expected %.3f)"
            % (c["flow_created"] - legit, n / 2.0 ** 26))
    if v6:
        # every TCP segment, the flood's and the client's, came over IPv6,
        # and so did everything synackd sent
        if c.get("rx_tcp6") != c.get("rx_tcp"):
            bad.append("rx_tcp6 = %s, rx_tcp = %s: every segment was IPv6"
                       % (c.get("rx_tcp6"), c.get("rx_tcp")))
        if c.get("tx_ipv6") != c.get("tx_packets"):
            bad.append("tx_ipv6 = %s, tx_packets = %s: every frame sent was "
                       "IPv6" % (c.get("tx_ipv6"), c.get("tx_packets")))
        flood_tcp6 = c.get("rx_tcp6", 0) - c0.get("rx_tcp6", 0)
        if flood_tcp6 < got:
            bad.append("rx_tcp6 moved by %d during the flood, %d flood frames "
                       "reached synackd" % (flood_tcp6, got))
        if not c.get("rx_nd_ns") or c.get("tx_nd_na") != c.get("rx_nd_ns"):
            bad.append("rx_nd_ns = %s, tx_nd_na = %s: the kernel resolves "
                       "synackd by ND" % (c.get("rx_nd_ns"), c.get("tx_nd_na")))
    if kind.startswith("syn"):
        flood_syn = c["rx_syn"] - c0["rx_syn"] - cl.ok
        if flood_syn < got or flood_syn > res["sent"]:
            bad.append("rx_syn from the flood = %d, frames sent %d, dropped "
                       "by the tap %d" % (flood_syn, res["sent"], dropped))
        if c["tx_synack"] != c["rx_syn"]:
            bad.append("tx_synack = %d, rx_syn = %d: not every SYN answered"
                       % (c["tx_synack"], c["rx_syn"]))
        log("tx_synack during the flood: %d (flood SYNs received: %d)"
            % (c["tx_synack"] - c0["tx_synack"], flood_syn))
    else:
        bad_mac = c["cookie_bad_mac"] - c0["cookie_bad_mac"]
        if bad_mac < got - forged_ok or bad_mac > res["sent"]:
            bad.append("cookie_bad_mac = %d, frames sent %d, dropped by the "
                       "tap %d" % (bad_mac, res["sent"], dropped))
        if c["tx_rst_bad_cookie"] != c["cookie_bad_mac"] + c["cookie_too_old"]:
            bad.append("tx_rst_bad_cookie = %d != cookie_bad_mac + too_old = %d"
                       % (c["tx_rst_bad_cookie"],
                          c["cookie_bad_mac"] + c["cookie_too_old"]))
        log("forged ACKs counted: cookie_bad_mac %d, tx_rst_bad_cookie %d"
            % (bad_mac, c["tx_rst_bad_cookie"] - c0["tx_rst_bad_cookie"]))
    print("FLOOD-RESULT " + json.dumps({
        "case": kind, "sent": res["sent"], "seconds": round(res["seconds"], 1),
        "tap_dropped": dropped, "legit_ok": cl.ok, "legit_failed": len(cl.failed),
        "rss_kb_before": rss0, "rss_kb_after": rss1,
        "flow_created": c["flow_created"], "legit_total": legit}), flush=True)
    if bad:
        raise TestFailure("; ".join(bad))
    check_end(stats, extra_zero=("close_rst",))


# -- c: in-window RST guessing ---------------------------------------------

class SynSniffer(threading.Thread):
    """Record the ISN of every SYN the kernel sends to port 9 on the tap."""

    def __init__(self):
        super().__init__(daemon=True)
        self.isn = {}
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(ETH_P_ALL))
        self.s.bind((sktap.IFACE, 0))
        self.s.settimeout(0.2)
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            try:
                d = self.s.recv(2048)
            except socket.timeout:
                continue
            if len(d) < 54 or d[12:14] != b"\x08\x00" or d[23] != 6:
                continue
            ihl = (d[14] & 15) * 4
            t = 14 + ihl
            sport, dport, seq = struct.unpack("!HHI", d[t:t + 8])
            if dport == 9 and d[t + 13] & 0x3f == SYN:
                self.isn[sport] = seq


def open_hold(n, host=ENGINE_ADDR):
    socks = []
    for i in range(n):
        s = socket.create_connection((host, 9), timeout=IO_TIMEOUT)
        s.settimeout(IO_TIMEOUT)
        socks.append(s)
    return socks


def close_hold(socks, what):
    """Data then our FIN on each: hold ACKs, answers our FIN with its own."""
    for i, s in enumerate(socks):
        try:
            s.sendall(b"still here\n")
            s.shutdown(socket.SHUT_WR)
            got = s.recv(100)
        except OSError as e:
            raise TestFailure("%s: connection %d: %s" % (what, i, e))
        if got != b"":
            raise TestFailure("%s: connection %d: got %r, expected EOF"
                              % (what, i, got))
        s.close()


def case_rst_guess(args):
    n = flood_n()
    k = 16
    eng = start(args, "rstguess")
    try:
        sniff = SynSniffer()
        sniff.start()
        socks = open_hold(k)
        time.sleep(0.3)
        sniff.stop_ev.set()
        sniff.join(2)
        targets = []
        for s in socks:
            port = s.getsockname()[1]
            if port not in sniff.isn:
                raise TestFailure("no SYN seen from port %d" % port)
            targets.append((port, (sniff.isn[port] + 1) & 0xffffffff))
        s0 = ctl_stats(eng)["counters"]
        drop0 = tap_dropped()
        cl = Client()
        t0 = time.monotonic()
        cl.start()
        res = inject("rst-guess", n, eng, targets=targets, seed=9)
        time.sleep(0.5)
        cl.finish()
        secs = time.monotonic() - t0
        dropped = tap_dropped() - drop0
        s1 = ctl_stats(eng)
        log("RST guessing: %d in-window RSTs (none exact) at %d flows in "
            "%.1f s, %d dropped by the tap queue"
            % (res["sent"], k, res["seconds"], dropped))
        legit_report(cl, secs)
        if s1.get("flow_count", 0) < k:
            raise TestFailure("flow_count = %s after the guessing, %d hold "
                              "flows were open" % (s1.get("flow_count"), k))
        close_hold(socks, "after RST guessing")
        # the control: an exact RST (SO_LINGER 0) does close a flow
        s = socket.create_connection((ENGINE_ADDR, 9), timeout=IO_TIMEOUT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.2)
        s.close()
        time.sleep(2.0)
        stats = eng.stop()
    finally:
        eng.cleanup()
    c = stats["counters"]
    c1 = s1["counters"]
    chal = c1["tx_challenge_ack"] - s0["tx_challenge_ack"]
    lim = c1["drop_challenge_limit"] - s0["drop_challenge_limit"]
    rx_rst = c1["rx_rst"] - s0["rx_rst"]
    secs_f = res["seconds"] + 1.0
    cap = CHAL_LIMIT * int(secs_f + 1) + CHAL_LIMIT
    log("challenge ACKs %d (limit %d/s over %.1f s: at most %d), "
        "drop_challenge_limit %d, rx_rst %d"
        % (chal, CHAL_LIMIT, res["seconds"], cap, lim, rx_rst))
    bad = []
    if c1["close_rst"] - s0["close_rst"] != 0:
        bad.append("close_rst moved by %d during the guessing"
                   % (c1["close_rst"] - s0["close_rst"]))
    if chal > cap:
        bad.append("tx_challenge_ack = %d > %d" % (chal, cap))
    if chal + lim != rx_rst:
        bad.append("challenge ACKs %d + limited %d != RSTs received %d"
                   % (chal, lim, rx_rst))
    if rx_rst < res["sent"] - dropped or rx_rst > res["sent"]:
        bad.append("rx_rst = %d, sent %d, dropped by the tap %d"
                   % (rx_rst, res["sent"], dropped))
    if c["close_rst"] != 1:
        bad.append("close_rst = %d at the end, expected 1 (the exact RST)"
                   % c["close_rst"])
    if cl.ok == 0 or cl.failed:
        bad.append("legitimate client: %d ok, %d failed" % (cl.ok, len(cl.failed)))
    print("FLOOD-RESULT " + json.dumps({
        "case": "rst-guess", "sent": res["sent"], "seconds": round(res["seconds"], 1),
        "tap_dropped": dropped, "challenge_acks": chal, "limited": lim,
        "legit_ok": cl.ok, "legit_failed": len(cl.failed)}), flush=True)
    if bad:
        raise TestFailure("; ".join(bad))
    check_end(stats)


# -- d: flow table full -----------------------------------------------------

def case_table_full(args):
    cap, extra = 256, 64
    eng = start(args, "tablefull", ["--flows", str(cap)])
    try:
        first = open_hold(cap)
        live = ctl_stats(eng)
        if live.get("flow_count") != cap:
            raise TestFailure("flow_count = %s with %d hold connections open"
                              % (live.get("flow_count"), cap))
        refused = 0
        for i in range(extra):
            try:
                s = socket.create_connection((ENGINE_ADDR, 9), timeout=IO_TIMEOUT)
            except ConnectionResetError:
                # our ACK was answered with a RST before connect() returned
                refused += 1
                continue
            except OSError as e:
                raise TestFailure("extra connection %d: connect: %s" % (i, e))
            s.settimeout(IO_TIMEOUT)
            try:
                s.sendall(b"x")
                got = s.recv(10)
                if got == b"":
                    refused += 1  # RST seen as EOF on some kernels
            except ConnectionResetError:
                refused += 1
            except socket.timeout:
                pass
            s.close()
        live = ctl_stats(eng)
        c = live["counters"]
        log("table full: %d/%d extra connections reset; tx_rst_table_full %d, "
            "flow_count %d" % (refused, extra, c["tx_rst_table_full"],
                               live.get("flow_count")))
        if refused != extra or c["tx_rst_table_full"] < extra:
            raise TestFailure("extra connections: %d reset of %d, "
                              "tx_rst_table_full = %d"
                              % (refused, extra, c["tx_rst_table_full"]))
        if live.get("flow_count") != cap:
            raise TestFailure("flow_count = %s, expected %d"
                              % (live.get("flow_count"), cap))
        # the existing flows are unaffected: data is ACKed, our FIN answered
        close_hold(first, "existing flow on a full table")
        time.sleep(0.5)
        second = open_hold(cap)
        live = ctl_stats(eng)
        if live.get("flow_count") != cap:
            raise TestFailure("after closing the first %d: flow_count = %s"
                              % (cap, live.get("flow_count")))
        log("table recovered: %d new hold connections after the first %d closed"
            % (cap, cap))
        close_hold(second, "second generation")
        time.sleep(0.5)
        stats = eng.stop()
    finally:
        eng.cleanup()
    c = stats["counters"]
    bad = []
    if c["flow_created"] != 2 * cap:
        bad.append("flow_created = %d, expected %d" % (c["flow_created"], 2 * cap))
    if c["close_normal"] != 2 * cap:
        bad.append("close_normal = %d, expected %d" % (c["close_normal"], 2 * cap))
    if bad:
        raise TestFailure("; ".join(bad))
    print("FLOOD-RESULT " + json.dumps({
        "case": "table-full", "capacity": cap, "extra": extra,
        "tx_rst_table_full": c["tx_rst_table_full"]}), flush=True)
    check_end(stats)


# -- d6: one flow table for both families -----------------------------------

def refused(host, n):
    """Open n connections to hold on a full table: how many were reset."""
    count = 0
    for i in range(n):
        try:
            s = socket.create_connection((host, 9), timeout=IO_TIMEOUT)
        except ConnectionResetError:
            count += 1
            continue
        except OSError as e:
            raise TestFailure("extra connection %d to %s: connect: %s"
                              % (i, host, e))
        s.settimeout(IO_TIMEOUT)
        try:
            s.sendall(b"x")
            if s.recv(10) == b"":
                count += 1
        except ConnectionResetError:
            count += 1
        except socket.timeout:
            pass
        s.close()
    return count


def wait_flow_count(eng, n, timeout=3.0):
    """flow_count once it is n (the last handshake's ACK can reach synackd
    after connect() has returned), or what it is at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        fc = ctl_stats(eng).get("flow_count")
        if fc == n or time.monotonic() > deadline:
            return fc
        time.sleep(0.05)


def case_table_full_mixed(args):
    """IPv4 and IPv6 flows share one capacity (docs: a flow costs the same
    entry either family): half of it IPv4, half IPv6 fills it, and an
    extra connection of either family is reset; closing the IPv4 half
    makes room for as many IPv6 flows, and the other way round."""
    cap, extra = 256, 16
    eng = start(args, "tablefull6", ["--flows", str(cap)], ipv6=True)
    try:
        v4 = open_hold(cap // 2)
        v6 = open_hold(cap // 2, ENGINE_ADDR6)
        fc = wait_flow_count(eng, cap)
        if fc != cap:
            raise TestFailure("flow_count = %s with %d IPv4 and %d IPv6 hold "
                              "connections" % (fc, cap // 2, cap // 2))
        r4, r6 = refused(ENGINE_ADDR, extra), refused(ENGINE_ADDR6, extra)
        c = ctl_stats(eng)["counters"]
        log("mixed table full: %d/%d extra IPv4 and %d/%d extra IPv6 "
            "connections reset; tx_rst_table_full %d"
            % (r4, extra, r6, extra, c["tx_rst_table_full"]))
        if r4 != extra or r6 != extra or c["tx_rst_table_full"] < 2 * extra:
            raise TestFailure("on a full table: %d of %d IPv4 and %d of %d "
                              "IPv6 extra connections reset, "
                              "tx_rst_table_full = %d"
                              % (r4, extra, r6, extra,
                                 c["tx_rst_table_full"]))
        # the IPv4 half goes: as many IPv6 flows fit in its place
        close_hold(v4, "IPv4 flow on a full mixed table")
        time.sleep(2.0)                  # their TIME_WAIT (1 s) ends
        v6b = open_hold(cap // 2, ENGINE_ADDR6)
        fc = wait_flow_count(eng, cap)
        if fc != cap:
            raise TestFailure("after the IPv4 half closed, %d IPv6 flows "
                              "more: flow_count = %s, expected %d"
                              % (cap // 2, fc, cap))
        if refused(ENGINE_ADDR6, extra) != extra:
            raise TestFailure("a table full of IPv6 flows let an extra IPv6 "
                              "connection in")
        log("mixed table full: %d IPv6 flows fit where the IPv4 ones were"
            % (cap // 2))
        # and all of it back for IPv4
        close_hold(v6 + v6b, "IPv6 flow on a full table")
        time.sleep(2.0)
        v4b = open_hold(cap)
        fc = wait_flow_count(eng, cap)
        if fc != cap:
            raise TestFailure("after every IPv6 flow closed, %d IPv4 flows: "
                              "flow_count = %s" % (cap, fc))
        close_hold(v4b, "IPv4 flow on a table the IPv6 flows left")
        time.sleep(2.0)
        stats = eng.stop()
    finally:
        eng.cleanup()
    c = stats["counters"]
    want = cap // 2 + cap // 2 + cap // 2 + cap
    if c["flow_created"] != want or c["close_normal"] != want:
        raise TestFailure("flow_created = %d, close_normal = %d, expected %d"
                          % (c["flow_created"], c["close_normal"], want))
    print("FLOOD-RESULT " + json.dumps({
        "case": "table-full-mixed", "capacity": cap,
        "tx_rst_table_full": c["tx_rst_table_full"]}), flush=True)
    check_end(stats)


# -- f: port down / up mid-run ---------------------------------------------

def case_link_flap(args):
    eng = start(args, "flap")
    try:
        warmup(5)
        cl = Client()
        cl.start()
        time.sleep(2.0)
        before = cl.ok
        sktap.run(["ip", "link", "set", sktap.IFACE, "down"])
        t_down = time.monotonic()
        time.sleep(2.0)
        sktap.run(["ip", "link", "set", sktap.IFACE, "up"])
        t_up = time.monotonic()
        during = cl.ok
        time.sleep(4.0)
        cl.finish()
        if not eng.alive():
            raise TestFailure("synackd died during the link flap")
        after_up = len([t for t in cl.ok_times if t > t_up])
        fail_during = len([t for t, _ in cl.failed if t_down <= t <= t_up + 3.5])
        log("link flap: %d connections before, %d more by 'up', %d after 'up'; "
            "%d failures during the outage" % (before, during - before,
                                               after_up, fail_during))
        for t, e in cl.failed[:5]:
            log("  failure at %+.1f s from down: %s" % (t - t_down, e))
        if after_up == 0:
            raise TestFailure("no connection succeeded after the link came up")
        # still healthy: a fresh batch with no failure
        warmup(20)
        time.sleep(2.0)
        stats = eng.stop()
    finally:
        eng.cleanup()
    late = [e for t, e in cl.failed if t > t_up + 3.5]
    if late:
        raise TestFailure("%d failures more than 3.5 s after 'up': %s"
                          % (len(late), late[0]))
    c = stats["counters"]
    log("tx_full (responses the port refused) %d" % c.get("tx_full", 0))
    print("FLOOD-RESULT " + json.dumps({
        "case": "link-flap", "before": before, "after_up": after_up,
        "failures_during_outage": fail_during,
        "tx_full": c.get("tx_full", 0)}), flush=True)
    check_end(stats)


CASES = {
    "syn": lambda a: case_flood(a, "syn"),
    "ack": lambda a: case_flood(a, "ack"),
    "syn6": lambda a: case_flood(a, "syn6"),
    "ack6": lambda a: case_flood(a, "ack6"),
    "rst-guess": case_rst_guess,
    "table-full": case_table_full,
    "table-full-mixed": case_table_full_mixed,
    "link-flap": case_link_flap,
}


def main():
    global SYNACKCTL
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES))
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    ap.add_argument("--budget", type=int, default=580)
    # the injector child
    ap.add_argument("--inject", choices=("syn", "ack", "syn6", "ack6",
                                         "rst-guess"))
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--mac", default="")
    ap.add_argument("--pps", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--targets", default="")
    args = ap.parse_args()
    if args.inject:
        inject_main(args)
        return
    if not args.case:
        ap.error("--case is required")
    if not args.synackd:
        ap.error("no synackd: pass --synackd or set SYNACKD")
    args.synackd = os.path.abspath(args.synackd)
    SYNACKCTL = os.environ.get("SYNACKCTL") or os.path.join(
        os.path.dirname(args.synackd), "synackctl")
    t0 = time.monotonic()

    def body():
        CASES[args.case](args)
        log("%s: %.1f s" % (args.case, time.monotonic() - t0))
    sktap.main_wrapper(body, args.budget)


if __name__ == "__main__":
    main()
