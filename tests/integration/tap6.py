#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Integration tests over IPv6: synackd on net_tap against the Linux kernel.

    tap6.py --case NAME [--synackd PATH]

synackd runs dual stack (--addr 198.18.0.2/24 --addr 2001:db8::2/64) in its
own network namespace (sktap.Engine(ipv6=True)); the kernel's side of the
tap has 198.18.0.1/24 and 2001:db8::1/64 (nodad, no RA, no router
solicitations) and NO static neighbour entry: the kernel must resolve
2001:db8::2 by a Neighbor Solicitation that synackd answers with a
Neighbor Advertisement. Each case drives synackd with real kernel sockets
(and ping -6, curl -6, java), checks that the kernel learnt synackd's MAC
by ND, stops synackd and compares its final counters with what the case
did; the mixed case counts every frame on the tap (tcpdump) and compares
the counters by family with the capture; dad6 has the kernel probe
2001:db8::2 for itself and synackd defend it. Exit 0 = pass, 1 = fail, 77 =
skipped (not root). Python 3 standard library only.
"""

import argparse
import os
import re
import shutil
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, ENGINE_ADDR6, TestFailure, log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TIME_WAIT = ["--time-wait", "1s"]
DRAIN_S = 2.5
IO_TIMEOUT = 5.0
# What the kernel sends on its own on an IPv6 link that synackd does not
# answer: MLD reports for its groups (to ff02::16), counted as
# rx_nd_other, never as a drop.
NOISE_DROPS = ()


def engine(args, tag, capture=None):
    return sktap.Engine(args.synackd, options=TIME_WAIT, tag=tag, ipv6=True,
                        capture=capture)


def neigh6():
    return sktap.run(["ip", "-6", "neigh", "show", ENGINE_ADDR6, "dev",
                      sktap.IFACE]).stdout.strip()


def no_neigh_entry():
    """Before any traffic: the kernel has no neighbour entry for synackd."""
    n = neigh6()
    if n:
        raise TestFailure("a neighbour entry for %s exists before any "
                          "traffic: %r" % (ENGINE_ADDR6, n))


def check_nd_learnt(eng):
    """The kernel learnt synackd's MAC for 2001:db8::2 by ND."""
    n = neigh6()
    log("ip -6 neigh: %s" % n)
    m = re.search(r"lladdr ([0-9a-f:]{17})", n)
    if not m or any(s in n for s in ("FAILED", "INCOMPLETE", "PERMANENT",
                                      "NOARP")):
        raise TestFailure("the kernel did not learn %s by Neighbor Discovery:"
                          " %r" % (ENGINE_ADDR6, n))
    if eng.mac and m.group(1) != eng.mac:
        raise TestFailure("ND gave %s for %s, the engine's MAC is %s"
                          % (m.group(1), ENGINE_ADDR6, eng.mac))


def nd_expect(c):
    """Every NS synackd took was answered by one NA, and there was one."""
    return {"tx_nd_na": c.get("rx_nd_ns", -1)}


def noise_note(c):
    noise = {k: c.get(k, 0) for k in NOISE_DROPS + ("rx_nd_other",)
             if c.get(k, 0)}
    if noise:
        log("note: the kernel's own IPv6 traffic (MLD): %s" % " ".join(
            "%s=%d" % kv for kv in sorted(noise.items())))


def only_ipv6(c, port):
    """A case that used IPv6 alone: every TCP segment was IPv6, every frame
    synackd sent was IPv6, nothing went over IPv4 but, on af_xdp, the one
    ARP request sktap sends before the stop (Engine._flush_af_xdp)."""
    arp = 1 if port == "af_xdp" else 0
    return {"rx_tcp6": c.get("rx_tcp", -1),
            "tx_ipv6": c.get("tx_packets", -1) - arp,
            "rx_arp_request": arp, "tx_arp_reply": arp, "rx_icmp_echo": 0}


def expect_flows(n, **extra):
    e = {"cookie_ok": n, "flow_created": n, "close_normal": n,
         "rx_fin": n, "tx_fin": n}
    e.update(extra)
    return e


def finish(eng, expect, at_least=None):
    check_nd_learnt(eng)
    stats = eng.stop()
    c = stats["counters"]
    noise_note(c)
    e = dict(expect(c) if callable(expect) else expect)
    e.update(nd_expect(c))
    e.update(only_ipv6(c, stats.port))
    al = {"rx_nd_ns": 1, "rx_ipv6": 1}
    al.update(at_least or {})
    sktap.check_stats(stats, expect=e, at_least=al, allow_nonzero=NOISE_DROPS)
    return c


# -- ping -6 ---------------------------------------------------------------

def case_ping6(args):
    if shutil.which("ping") is None:
        raise TestFailure("ping not found (iputils-ping)")
    with engine(args, "ping6") as eng:
        no_neigh_entry()
        p = sktap.run(["ping", "-6", "-n", "-c", "3", "-W", "1", ENGINE_ADDR6],
                      timeout=30, check=False)
        log(p.stdout.strip())
        if p.returncode != 0:
            raise TestFailure("ping -6 -c 3 %s: exit %d: %s"
                              % (ENGINE_ADDR6, p.returncode, p.stdout + p.stderr))
        got = re.search(r"(\d+) received", p.stdout)
        if not got or int(got.group(1)) != 3:
            raise TestFailure("ping -6: 3 replies expected: %r" % p.stdout)
        # 1400 bytes of data: a 1448-byte datagram, one frame, answered
        p = sktap.run(["ping", "-6", "-n", "-c", "1", "-W", "1", "-s", "1400",
                       ENGINE_ADDR6], timeout=30, check=False)
        if p.returncode != 0:
            raise TestFailure("ping -6 -s 1400: exit %d: %s"
                              % (p.returncode, p.stdout + p.stderr))
        # 2000 bytes: the kernel sends two fragments, which synackd drops
        # and counts (it reassembles nothing)
        p = sktap.run(["ping", "-6", "-n", "-c", "1", "-W", "1", "-s", "2000",
                       ENGINE_ADDR6], timeout=30, check=False)
        if p.returncode == 0:
            raise TestFailure("ping -6 -s 2000 (fragmented) was answered: %s"
                              % p.stdout)
        log("ping -6 -s 1400 answered, ping -6 -s 2000 (2 fragments) not")
        finish(eng, {"rx_icmp6_echo": 4, "tx_icmp6_reply": 4,
                     "tx_icmp_reply": 0, "rx_tcp": 0, "flow_created": 0,
                     "drop_ip6_frag": 2})


# -- hello ------------------------------------------------------------------

# Bound source ports, below the ephemeral range: Linux picks ephemeral
# ports from a counter shared by every network namespace (table_perturb,
# docs/multicore.md), which other tests connecting to 2001:db8::2:8080 at
# the same time move back onto ports whose flows synackd still holds in
# TIME_WAIT (flow_tw_reuse instead of close_normal).
PORT_BASE = {"hello6": 20000, "mixed": 22000}


def hello6(args, n, concurrency, together):
    with engine(args, "hello6") as eng:
        no_neigh_entry()
        lat = []
        ok, errors, secs = hello_client.run_hello(
            ENGINE_ADDR6, 8080, n, concurrency, IO_TIMEOUT, together=together,
            latencies=lat, src_ports=list(range(PORT_BASE["hello6"],
                                                PORT_BASE["hello6"] + n)))
        log("hello over IPv6: %d/%d ok in %.2f s (%.0f/s), %d at a time"
            % (ok, n, secs, ok / secs if secs else 0, concurrency))
        for i, err in errors[:20]:
            log("  connection %d: %s" % (i, err))
        if errors:
            raise TestFailure("%d of %d hello connections over IPv6 failed"
                              % (len(errors), n))
        slow = len([x for x in lat if x > 0.2])
        time.sleep(DRAIN_S)
        try:
            finish(eng, expect_flows(
                n, rx_payload_bytes=n * len(hello_client.REQUEST)),
                at_least={"tx_synack": n, "tx_data": n})
        except TestFailure as e:
            if not slow:
                raise
            # as tap_cases.case_multicore says: a worker kept from running
            # for the kernel's minimum RTO sees retransmissions (tx_oow_ack)
            # and, the kernel having closed, its RSTs (close_rst)
            raise TestFailure("%s\n  note: %d connections took over 200 ms "
                              "(load average %s): the kernel retransmitted; "
                              "was synackd's CPU taken by other processes?"
                              % (e, slow, " ".join("%.1f" % x for x in
                                                   os.getloadavg())))


def case_hello6_seq(args):
    hello6(args, 1000, 1, False)


def case_hello6_concurrent(args):
    hello6(args, 200, 200, True)


# -- curl -6 on http --------------------------------------------------------

def case_http6_curl(args):
    if shutil.which("curl") is None:
        raise TestFailure("curl not found (run usertools/setup)")
    n = 20
    url = "http://[%s]:80/" % ENGINE_ADDR6
    with engine(args, "http6") as eng:
        no_neigh_entry()
        for i in range(n):
            p = sktap.run(["curl", "-6", "-sS", "--max-time", "5", "-i", url],
                          timeout=15, check=False)
            if p.returncode != 0:
                raise TestFailure("curl -6 %s request %d: exit %d: %s"
                                  % (url, i, p.returncode, p.stderr.strip()))
            head, sep, body = p.stdout.replace("\r\n", "\n").partition("\n\n")
            status = head.split("\n", 1)[0]
            if not re.match(r"HTTP/1\.[01] 200\b", status):
                raise TestFailure("curl -6 request %d: status line %r, "
                                  "expected HTTP/1.1 200" % (i, status))
            if not sep or not body:
                raise TestFailure("curl -6 request %d: no body; got %r"
                                  % (i, p.stdout))
            if i == 0:
                log("http over IPv6: %s, %d body bytes" % (status, len(body)))
        log("http over IPv6: %d curl -6 requests answered 200" % n)
        time.sleep(DRAIN_S)
        finish(eng, {"cookie_ok": n, "flow_created": n, "close_normal": n},
               at_least={"tx_data": n})


# -- closed port ------------------------------------------------------------

def case_closed6(args):
    n = 10
    with engine(args, "closed6") as eng:
        no_neigh_entry()
        for i in range(n):
            try:
                s = socket.create_connection((ENGINE_ADDR6, 9999),
                                             timeout=IO_TIMEOUT)
                s.close()
                raise TestFailure("IPv6 connection %d to closed port 9999 was "
                                  "accepted" % i)
            except ConnectionRefusedError:
                pass
            except socket.timeout:
                raise TestFailure("IPv6 connection %d to closed port 9999 timed"
                                  " out (no RST)" % i)
            except OSError as e:
                raise TestFailure("IPv6 connection %d to closed port 9999: %s, "
                                  "expected ConnectionRefusedError" % (i, e))
        log("closed port over IPv6: %d connections refused by RST" % n)
        finish(eng, {"tx_rst_closed_port": n, "tx_rst": n, "cookie_ok": 0,
                     "flow_created": 0, "tx_synack": 0, "rx_tcp": n},
               )


# -- echo: payloads across segment boundaries ------------------------------

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def case_echo6(args):
    """The echo responder over IPv6: sizes around the IPv6 MSS (1440 on a
    1500-byte link, 20 bytes less than IPv4's), several writes on one
    connection; every byte back in order."""
    sizes = [1, 13, 1220, 1439, 1440, 1441, 1460, 2880, 2881, 4000]
    total = conns = 0
    eng = engine(args, "echo6", capture="echo6.pcap")
    eng.capture_snaplen = 1600  # a longer frame shows as cut: a failure too
    with eng:
        no_neigh_entry()
        for size in sizes:
            payload = bytes((i * 7 + size) & 0xff for i in range(size))
            with socket.create_connection((ENGINE_ADDR6, 7),
                                          timeout=IO_TIMEOUT) as s:
                s.settimeout(IO_TIMEOUT)
                mss = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
                s.sendall(payload)
                got = recv_exact(s, size)
                if got != payload:
                    raise TestFailure("echo over IPv6, %d bytes: got %d back%s"
                                      % (size, len(got), "" if len(got) != size
                                         else ", different"))
                s.shutdown(socket.SHUT_WR)
                if s.recv(4096) != b"":
                    raise TestFailure("echo over IPv6, %d bytes: extra bytes"
                                      % size)
            if conns == 0:
                log("echo over IPv6: the kernel's MSS toward synackd: %d" % mss)
                if mss > 1440:
                    raise TestFailure("the kernel uses MSS %d toward "
                                      "synackd over IPv6: synackd's SYN-ACK "
                                      "offered more than 1440" % mss)
            total += size
            conns += 1
        with socket.create_connection((ENGINE_ADDR6, 7),
                                      timeout=IO_TIMEOUT) as s:
            s.settimeout(IO_TIMEOUT)
            for k in range(1, 6):
                chunk = os.urandom(900 * k)
                s.sendall(chunk)
                if recv_exact(s, len(chunk)) != chunk:
                    raise TestFailure("echo over IPv6: write %d (%d bytes) "
                                      "not echoed identically" % (k, len(chunk)))
                total += len(chunk)
            s.shutdown(socket.SHUT_WR)
            if s.recv(4096) != b"":
                raise TestFailure("echo over IPv6: extra bytes at the end")
            conns += 1
        log("echo over IPv6: %d connections, %d bytes echoed identically"
            % (conns, total))
        time.sleep(DRAIN_S)
        frames = read_pcap(eng.stop_capture())
        # every segment synackd sent fits the link and the kernel's MSS
        e6 = socket.inet_pton(socket.AF_INET6, ENGINE_ADDR6)
        big, most = [], 0
        for f in frames:
            if len(f) < 74 or f[12:14] != b"\x86\xdd" or f[22:38] != e6 \
                    or f[20] != 6:
                continue
            data = struct.unpack("!H", f[18:20])[0] - (f[66] >> 4) * 4
            opts = (f[66] >> 4) * 4 - 20
            most = max(most, data)
            # RFC 9293 3.7.1: data and options within the peer's MSS (the
            # kernel's SYN offered 1440 on this 1500-byte link)
            if len(f) > 1514 or data + opts > 1440:
                big.append("%d-byte frame, %d data + %d option bytes"
                           % (len(f), data, opts))
        log("echo over IPv6: largest segment from synackd: %d data bytes"
            % most)
        if big:
            raise TestFailure("synackd sent %d segments past the 1500-byte "
                              "link or the kernel's MSS 1440: %s"
                              % (len(big), "; ".join(big[:3])))
        finish(eng, expect_flows(conns, rx_payload_bytes=total),
               at_least={"tx_data": conns})


# -- hold: the client closes first ------------------------------------------

def case_hold6(args):
    """hold over IPv6: data ACKed, nothing said; our FIN first, synackd's
    FIN after it (LAST_ACK), EOF on each."""
    n, total = 5, 0
    with engine(args, "hold6") as eng:
        no_neigh_entry()
        for i in range(n):
            data = b"synack hold6 %d\n" % i * (i + 1)
            with socket.create_connection((ENGINE_ADDR6, 9),
                                          timeout=IO_TIMEOUT) as s:
                s.settimeout(IO_TIMEOUT)
                s.sendall(data)
                total += len(data)
                s.settimeout(0.3)
                try:
                    got = s.recv(4096)
                    raise TestFailure("hold over IPv6: connection %d: got %r "
                                      "before the client closed" % (i, got))
                except socket.timeout:
                    pass
                s.settimeout(IO_TIMEOUT)
                s.shutdown(socket.SHUT_WR)
                try:
                    got = s.recv(4096)
                except socket.timeout:
                    raise TestFailure("hold over IPv6: connection %d: no FIN "
                                      "from synackd within %.0f s of ours"
                                      % (i, IO_TIMEOUT))
                if got != b"":
                    raise TestFailure("hold over IPv6: connection %d: got %r "
                                      "after our FIN" % (i, got))
        log("hold over IPv6: %d connections closed by the client, EOF on each"
            % n)
        time.sleep(0.5)
        finish(eng, expect_flows(n, rx_payload_bytes=total, tx_data=0))


# -- Duplicate Address Detection: synackd defends its address ------------

def case_dad6(args):
    """The kernel probes 2001:db8::2 for itself (DAD, RFC 4862 5.4): an NS
    from :: to the solicited-node group, which synackd answers with an NA
    to all nodes; the kernel must find the address taken (dadfailed)."""
    with engine(args, "dad6") as eng:
        sktap.run(["sysctl", "-qw", "net.ipv6.conf.%s.accept_dad=1"
                   % sktap.IFACE, "net.ipv6.conf.%s.dad_transmits=1"
                   % sktap.IFACE])
        sktap.run(["ip", "-6", "addr", "add", "%s/128" % ENGINE_ADDR6, "dev",
                   sktap.IFACE])
        deadline, state = time.monotonic() + 10, ""
        while time.monotonic() < deadline:
            state = sktap.run(["ip", "-6", "addr", "show", "dev", sktap.IFACE,
                               "to", "%s/128" % ENGINE_ADDR6]).stdout
            if "dadfailed" in state or "tentative" not in state:
                break
            time.sleep(0.2)
        log("ip -6 addr: %s" % " ".join(state.split()))
        if "dadfailed" not in state:
            raise TestFailure("the kernel's duplicate address detection of %s "
                              "did not fail: synackd did not defend its "
                              "address: %r" % (ENGINE_ADDR6, state))
        sktap.run(["ip", "-6", "addr", "del", "%s/128" % ENGINE_ADDR6, "dev",
                   sktap.IFACE])
        stats = eng.stop()
        c = stats["counters"]
        noise_note(c)
        arp = 1 if stats.port == "af_xdp" else 0   # _flush_af_xdp
        sktap.check_stats(stats, expect={"rx_nd_ns": 1, "tx_nd_na": 1,
                                         "rx_tcp": 0, "flow_created": 0,
                                         "tx_ipv6": 1, "tx_packets": 1 + arp,
                                         "tx_arp_reply": arp})


# -- the seeds' Java client over IPv6 --------------------------------------

def case_java6(args):
    javac, java = shutil.which("javac"), shutil.which("java")
    if javac is None or java is None:
        log("SKIP: javac/java not found")
        sys.exit(sktap.SKIP)
    n = 5
    tmp = tempfile.mkdtemp(prefix="sk-java6-")
    try:
        shutil.copy(os.path.join(HERE, "TCPClient.java"), tmp)
        sktap.run([javac, "-d", tmp, os.path.join(tmp, "TCPClient.java")],
                  timeout=120)
        with engine(args, "java6") as eng:
            no_neigh_entry()
            for i in range(n):
                p = sktap.run([java, "-Djava.net.preferIPv6Addresses=true",
                               "-cp", tmp, "TCPClient", ENGINE_ADDR6],
                              timeout=60, check=False)
                if p.returncode != 0 or p.stdout != "Server: Hello Client\n" \
                        or p.stderr:
                    raise TestFailure("java TCPClient %s run %d: exit %d, "
                                      "stdout %r, stderr %r"
                                      % (ENGINE_ADDR6, i, p.returncode,
                                         p.stdout, p.stderr))
            log("java over IPv6: %d runs printed 'Server: Hello Client'" % n)
            time.sleep(DRAIN_S)
            finish(eng, expect_flows(n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- mixed IPv4 + IPv6, counted against a capture ---------------------------

def read_pcap(path):
    """The frames of a classic pcap file (tcpdump -w), Ethernet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise TestFailure("capture %s: %d bytes, no pcap header" % (path, len(data)))
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise TestFailure("capture %s: not a pcap file (magic %s)"
                          % (path, magic.hex()))
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        raise TestFailure("capture %s: link type is not Ethernet" % path)
    off, out = 24, []
    while off + 16 <= len(data):
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        if incl != orig:
            raise TestFailure("capture %s: a frame cut to %d of %d bytes"
                              % (path, incl, orig))
        off += 16 + incl
    return out


def classify(frames):
    """Count the capture's frames by direction and kind. The direction comes
    from the sender's address (the tap's two ends can share a MAC): ours
    (198.18.0.2, 2001:db8::2, or an ARP sender 198.18.0.2) is synackd's."""
    e4 = socket.inet_aton(ENGINE_ADDR)
    e6 = socket.inet_pton(socket.AF_INET6, ENGINE_ADDR6)
    n = {}

    def inc(k):
        n[k] = n.get(k, 0) + 1

    for f in frames:
        if len(f) < 14:
            inc("short")
            continue
        et, l3 = struct.unpack("!H", f[12:14])[0], 14
        if et == 0x8100:
            et, l3 = struct.unpack("!H", f[16:18])[0], 18
        if et == 0x0806:
            src = f[l3 + 14:l3 + 18]
        elif et == 0x0800:
            src = f[l3 + 12:l3 + 16]
        elif et == 0x86dd:
            src = f[l3 + 8:l3 + 24]
        else:
            src = b""
        side = "eng" if src in (e4, e6) else "kern"
        inc(side + "_frames")
        if et == 0x0806:
            inc(side + "_arp")
        elif et == 0x0800 and len(f) >= l3 + 20:
            proto = f[l3 + 9]
            inc(side + "_ipv4")
            if proto == 6:
                inc(side + "_tcp4")
            elif proto == 1:
                inc(side + "_icmp4")
        elif et == 0x86dd and len(f) >= l3 + 40:
            inc(side + "_ipv6")
            nh, p = f[l3 + 6], l3 + 40
            # hop-by-hop (MLD's router alert) then the upper layer
            if nh == 0 and len(f) >= p + 8:
                nh, p = f[p], p + (f[p + 1] + 1) * 8
            if nh == 6:
                inc(side + "_tcp6")
            elif nh == 58 and len(f) > p:
                t = f[p]
                if t == 135 and len(f) >= p + 24:
                    inc(side + ("_ns_ours" if f[p + 8:p + 24] == e6
                                else "_ns_other"))
                elif t == 136:
                    inc(side + "_na")
                elif t == 128:
                    inc(side + "_echo6")
                elif t == 129:
                    inc(side + "_echo6_reply")
                elif t in (130, 131, 132, 133, 134, 137, 143):
                    inc(side + "_nd_mld_other")
                else:
                    inc(side + "_icmp6_other")
            else:
                inc(side + "_ipv6_other")
        else:
            inc(side + "_other")
    return n


def case_mixed(args):
    """IPv4 and IPv6 hello connections interleaved, ping and ping -6, with
    every frame on the tap captured: synackd's counters by family must equal
    what the capture shows the kernel sent and synackd answered."""
    n4 = n6 = 100
    eng = engine(args, "mixed6", capture="mixed.pcap")
    eng.capture_snaplen = 256   # every frame here is smaller: none cut
    with eng:
        no_neigh_entry()
        errors = []
        for i in range(n4 + n6):
            host = ENGINE_ADDR6 if i % 2 else ENGINE_ADDR
            err = hello_client.hello_once(host, 8080, IO_TIMEOUT,
                                          src_port=PORT_BASE["mixed"] + i)
            if err is not None:
                errors.append("%s connection %d: %s" % (host, i // 2, err))
        for fam, host in (("-4", ENGINE_ADDR), ("-6", ENGINE_ADDR6)):
            p = sktap.run(["ping", fam, "-n", "-c", "3", "-i", "0.2", "-W", "1",
                           host], timeout=30, check=False)
            if p.returncode != 0:
                errors.append("ping %s %s: exit %d: %s" % (
                    fam, host, p.returncode, (p.stdout + p.stderr).strip()))
        for e in errors[:20]:
            log("  " + e)
        if errors:
            raise TestFailure("%d of %d hello connections or pings failed"
                              % (len(errors), n4 + n6 + 2))
        log("mixed: %d IPv4 and %d IPv6 hello connections, ping and ping -6"
            % (n4, n6))
        time.sleep(DRAIN_S)
        check_nd_learnt(eng)
        pcap = eng.stop_capture()
        stats = eng.stop()
        frames = read_pcap(pcap)
    k = classify(frames)
    log("capture: %d frames: %s" % (len(frames), " ".join(
        "%s=%d" % kv for kv in sorted(k.items()))))
    c = stats["counters"]
    noise_note(c)
    g = k.get
    # af_xdp: one more ARP request and reply after the capture
    # (Engine._flush_af_xdp)
    arp = 1 if eng.port == "af_xdp" else 0
    expect = {
        "flow_created": n4 + n6, "cookie_ok": n4 + n6,
        "close_normal": n4 + n6,
        "rx_payload_bytes": (n4 + n6) * len(hello_client.REQUEST),
        # what the kernel sent, by family
        "rx_tcp6": g("kern_tcp6", 0),
        "rx_tcp": g("kern_tcp4", 0) + g("kern_tcp6", 0),
        "rx_nd_ns": g("kern_ns_ours", 0),
        "rx_icmp6_echo": g("kern_echo6", 0),
        "rx_icmp_echo": g("kern_icmp4", 0),
        "rx_arp_request": g("kern_arp", 0) + arp,
        # what synackd sent
        "tx_ipv6": g("eng_ipv6", 0),
        "tx_packets": g("eng_frames", 0) + arp,
        "tx_nd_na": g("eng_na", 0),
        "tx_icmp6_reply": g("eng_echo6_reply", 0),
        "tx_arp_reply": g("eng_arp", 0) + arp,
    }
    bad = []
    # and the capture itself says what was asked
    for key, want in (("kern_echo6", 3), ("eng_echo6_reply", 3),
                      ("kern_icmp4", 3)):
        if g(key, 0) != want:
            bad.append("capture: %s = %d, expected %d" % (key, g(key, 0), want))
    if g("eng_na", 0) != g("kern_ns_ours", 0) or not g("kern_ns_ours", 0):
        bad.append("capture: %d NS for %s from the kernel, %d NA from synackd"
                   % (g("kern_ns_ours", 0), ENGINE_ADDR6, g("eng_na", 0)))
    for key in ("eng_ipv6_other", "eng_icmp6_other", "eng_nd_mld_other",
                "eng_ns_ours", "eng_ns_other", "eng_other"):
        if g(key, 0):
            bad.append("capture: synackd sent %d frames of kind %s"
                       % (g(key, 0), key[4:]))
    if g("kern_tcp6", 0) < 4 * n6 or g("kern_tcp4", 0) < 4 * n4:
        bad.append("capture: %d IPv4 and %d IPv6 TCP segments from the kernel"
                   " for %d + %d connections (at least 4 each)"
                   % (g("kern_tcp4", 0), g("kern_tcp6", 0), n4, n6))
    # rx_ipv6: every IPv6 frame that reached the IPv6 parser: those to
    # synackd's addresses exactly, and the kernel's MLD, counted as
    # rx_nd_other (some sent when the tap came up, before the capture
    # began)
    lo = g("kern_tcp6", 0) + g("kern_ns_ours", 0) + g("kern_echo6", 0)
    noise = c.get("rx_nd_other", 0)
    if c.get("rx_ipv6", -1) - noise != lo:
        bad.append("rx_ipv6 = %d, less rx_nd_other (%d): "
                   "%d, the kernel sent %d IPv6 frames to synackd's addresses"
                   % (c.get("rx_ipv6", -1), noise,
                      c.get("rx_ipv6", -1) - noise, lo))
    if g("kern_nd_mld_other", 0) > noise:
        bad.append("the capture has %d MLD/ND frames from the kernel, synackd"
                   " counted %d as rx_nd_other"
                   % (g("kern_nd_mld_other", 0), noise))
    if bad:
        raise TestFailure("; ".join(bad))
    sktap.check_stats(stats, expect=expect, allow_nonzero=NOISE_DROPS)


# -- two workers: every IPv6 flow on one worker ---------------------------

MC6_SEQ, MC6_CONC, MC6_CONC_N = 600, 50, 200
MC6_PORT_BASE = 30000  # below the ephemeral range (tap_cases.MC_PORT_BASE)


def case_multicore6(args):
    """2 worker lcores on a 2-queue tap (device flow steering) or, with
    SK_PORT=af_packet, a 2-queue-pair af_packet port (software dispatch):
    every frame of an IPv6 flow reaches the worker that made it, and both
    workers get a share."""
    import tap_cases  # noqa: E402 (its lcore_counters, synackctl's reader)
    workers, total = 2, MC6_SEQ + MC6_CONC_N
    eng = sktap.Engine(args.synackd, options=TIME_WAIT, tag="mc6", ipv6=True,
                       lcores=sktap.lcores_workers_arg(workers))
    with eng:
        mode = "%d workers (%s)" % (workers, sktap.DISPATCH[eng.port])
        if mode not in eng.ready_line:
            raise TestFailure("ready line does not say %r: %s"
                              % (mode, eng.ready_line))
        no_neigh_entry()
        errors, base = [], MC6_PORT_BASE
        for n, conc in ((MC6_SEQ, 1), (MC6_CONC_N, MC6_CONC)):
            ports = list(range(base, base + n))
            base += n
            ok, errs, secs = hello_client.run_hello(
                ENGINE_ADDR6, 8080, n, conc, IO_TIMEOUT, src_ports=ports)
            log("hello over IPv6: %d/%d ok in %.2f s, %d at a time"
                % (ok, n, secs, conc))
            errors += errs
        for i, err in errors[:20]:
            log("  connection %d: %s" % (i, err))
        if errors:
            raise TestFailure("%d of %d IPv6 hello connections failed"
                              % (len(errors), total))
        deadline = time.monotonic() + 15
        while True:
            time.sleep(0.5)
            per = tap_cases.lcore_counters(eng)
            live = sum(fc or 0 for _, _, fc in per.values())
            closed = sum(c.get("close_normal", 0) for c, _, _ in per.values())
            if (live == 0 and closed >= total) or time.monotonic() > deadline:
                break
        oow_max = int(total * sktap.REORDER_SLACK.get(eng.port, 0))
        bad, created = [], {}
        for lc, (c, fl, fc) in sorted(per.items()):
            log("lcore %s: %s" % (lc, " ".join(
                "%s=%d" % kv for kv in c.items() if kv[1])))
            fcr = created[lc] = c.get("flow_created", 0)
            for k in ("cookie_ok", "close_normal", "rx_fin", "tx_fin",
                      "tx_data"):
                if c.get(k, 0) != fcr:
                    bad.append("lcore %s: %s = %d, flow_created = %d"
                               % (lc, k, c.get(k, 0), fcr))
            for k in ("rx_wrong_worker", "tx_rst", "cookie_bad_mac",
                      "close_rst", "drop_handoff"):
                if c.get(k, 0):
                    bad.append("lcore %s: %s = %d" % (lc, k, c[k]))
            for k, v in c.items():
                if k.startswith("drop_") and v:
                    bad.append("lcore %s: %s = %d" % (lc, k, v))
            if c.get("rx_tcp6", 0) != c.get("rx_tcp", 0):
                bad.append("lcore %s: rx_tcp6 %d != rx_tcp %d"
                           % (lc, c.get("rx_tcp6", 0), c.get("rx_tcp", 0)))
            if fc:
                bad.append("lcore %s: %d flows still live: %s" % (lc, fc, fl))
        sums = {}
        for c, _, _ in per.values():
            for k, v in c.items():
                sums[k] = sums.get(k, 0) + v
        if len(per) != workers:
            bad.append("%d worker lcores, expected %d" % (len(per), workers))
        if sums.get("flow_created") != total:
            bad.append("flow_created over the workers = %s, expected %d"
                       % (sums.get("flow_created"), total))
        if sums.get("tx_oow_ack", 0) > oow_max:
            bad.append("tx_oow_ack = %d, at most %d" % (sums["tx_oow_ack"],
                                                       oow_max))
        if sums.get("rx_syn") == total:
            for lc, (c, _, _) in sorted(per.items()):
                if c.get("rx_syn", 0) != c.get("flow_created", 0):
                    bad.append("lcore %s: rx_syn %d != flow_created %d (an "
                               "IPv6 flow's SYN and ACK on different workers)"
                               % (lc, c.get("rx_syn", 0),
                                  c.get("flow_created", 0)))
        for lc, v in sorted(created.items()):
            if not 0.3 <= v / total <= 0.7:
                bad.append("lcore %s made %.1f %% of the IPv6 flows, expected "
                           "30-70 %%" % (lc, 100.0 * v / total))
        log("IPv6 flow_created per worker: %s" % ", ".join(
            "lcore %s: %d" % kv for kv in sorted(created.items())))
        if bad:
            raise TestFailure("per-lcore counters:\n  " + "\n  ".join(bad))
        finish(eng, expect_flows(
            total, rx_payload_bytes=total * len(hello_client.REQUEST),
            rx_wrong_worker=0, tx_oow_ack=sums.get("tx_oow_ack", 0)),
            at_least={"tx_synack": total, "tx_data": total})


CASES = {
    "ping6": case_ping6,
    "hello6-seq": case_hello6_seq,
    "hello6-concurrent": case_hello6_concurrent,
    "http6-curl": case_http6_curl,
    "closed6-port": case_closed6,
    "echo6": case_echo6,
    "hold6": case_hold6,
    "dad6": case_dad6,
    "java6-client": case_java6,
    "mixed": case_mixed,
    "multicore6": case_multicore6,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
