#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""net_pcap golden test over IPv6 (issue 13).

synackd (dual stack: 198.18.0.2/24 and 2001:db8::2/64) reads IPv6 SYNs
from rx_pcap and writes its answers to tx_pcap; this script builds the
input itself and checks every answer with its own parser (nothing from
synack's code) and with tshark (checksums over the IPv6 pseudo header,
fields).

Phase 1: 500 distinct IPv6 SYNs to port 8080 from random addresses in
2001:db8::/64 and fd00::/8 (option sets: none, MSS, MSS+TS, all, WS+SACK
without TS; some ECN-setup), 8 to the closed port 9999, one Neighbor
Solicitation for 2001:db8::2 and one ICMPv6 echo request. Per SYN one
SYN-ACK: MACs, addresses and ports swapped, hop limit 64, ack = ISN + 1,
MSS 1440 (1460 less IPv6's 20 more header bytes), TSecr = TSval iff
timestamps were offered, WS and SACK-permitted iff offered with
timestamps, ECE only for an ECN-setup SYN with timestamps; RST|ACK with
seq 0 and ack = ISN + 1 for the closed port; the NA and the echo reply;
ISNs distinct. Counters by family, no drop, no flow.
Phase 2: the handshake-completing ACKs to a second synackd with the same
cookie secret: every IPv6 cookie accepted (cookie_ok = flow_created = 500).
Phase 3: the same ACKs with ack + 1: every cookie refused, one RST each.

Environment: SYNACKD (meson sets it); SK_PCAP_KEEP = a directory to copy
the files to. Exit 0 pass, 1 fail, 77 skipped (not root). Python 3 stdlib.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ENGINE_MAC = bytes.fromhex("027063617000")   # net_pcap's port MAC
PEER_MAC = bytes.fromhex("020000000006")
ENGINE6 = socket.inet_pton(socket.AF_INET6, "2001:db8::2")
PEER6 = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
PORT, CLOSED_PORT = 8080, 9999
MSS6 = 1440
SECRET = "000102030405060708090a0b0c0d0e0f"
N_OPEN, N_CLOSED = 500, 8
FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = (1, 2, 4, 8, 16, 32, 64, 128)
M32 = 0xFFFFFFFF
SKIP = 77

failed = []


def check(name, ok, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", name,
                       (" (%s)" if ok else ": %s") % detail if detail else ""),
          flush=True)
    if not ok:
        failed.append(name)
    return ok


def tally(name, total, bad):
    if not bad:
        return check(name, True, "%d/%d" % (total, total))
    return check(name, False, "%d of %d, e.g. %s" % (len(bad), total,
                                                     "; ".join(bad[:3])))


# ---------------------------------------------------------------- frames

def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4_csum(src, dst, proto, l4):
    """The checksum over the IPv6 pseudo header (RFC 8200 8.1): 0 when
    @p l4 already carries a right one."""
    return csum(src + dst + struct.pack("!IxxxB", len(l4), proto) + l4)


def frame6(src, dst, proto, l4, cksum_at, hlim=64, dmac=ENGINE_MAC,
           smac=PEER_MAC):
    l4 = l4[:cksum_at] + b"\0\0" + l4[cksum_at + 2:]
    l4 = (l4[:cksum_at] + struct.pack("!H", l4_csum(src, dst, proto, l4)) +
          l4[cksum_at + 2:])
    ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, hlim) + src + dst
    return dmac + smac + b"\x86\xdd" + ip + l4


def tcp(sport, dport, seq, ack, flags, opts=b"", win=65535):
    opts += b"\0" * (-len(opts) % 4)
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                       (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts


OPTSETS = {
    "none": lambda ts: b"",
    "mss": lambda ts: struct.pack("!BBH", 2, 4, 1440),
    "mss-ts": lambda ts: struct.pack("!BBH", 2, 4, 1440) +
    struct.pack("!BBBBII", 1, 1, 8, 10, ts, 0),
    "all": lambda ts: struct.pack("!BBH", 2, 4, 1440) + b"\x04\x02" +
    struct.pack("!BBII", 8, 10, ts, 0) + b"\x01\x03\x03\x07",
    "ws-sack": lambda ts: struct.pack("!BBH", 2, 4, 1220) +
    b"\x01\x03\x03\x05\x01\x01\x04\x02",
}


class Syn:
    def __init__(self, src, sport, dport, isn, optset, ts, ecn):
        self.src, self.sport, self.dport, self.isn = src, sport, dport, isn
        self.optset, self.tsval, self.ecn = optset, ts, ecn
        self.ts = optset in ("mss-ts", "all")
        self.ws = optset in ("all", "ws-sack")
        self.sack = optset in ("all", "ws-sack")
        flags = SYN | (ECE | CWR if ecn else 0)
        self.frame = frame6(src, ENGINE6, 6, tcp(
            sport, dport, isn, 0, flags, OPTSETS[optset](ts)), 16)


def make_syns(seed):
    rnd = random.Random(seed)
    syns, seen = [], set()
    names = sorted(OPTSETS)
    while len(syns) < N_OPEN + N_CLOSED:
        if rnd.random() < 0.5:
            src = bytes.fromhex("20010db8000000000000") + rnd.getrandbits(
                48).to_bytes(6, "big")
        else:
            src = b"\xfd" + rnd.getrandbits(120).to_bytes(15, "big")
        if src in (ENGINE6, PEER6):
            continue
        sport = rnd.randrange(1024, 65536)
        if (src, sport) in seen:
            continue
        seen.add((src, sport))
        closed = len(syns) >= N_OPEN
        syns.append(Syn(src, sport, CLOSED_PORT if closed else PORT,
                        rnd.getrandbits(32), names[len(syns) % len(names)],
                        rnd.getrandbits(32) or 1, rnd.random() < 0.2))
    return syns


def ns_frame():
    snm = bytes.fromhex("ff0200000000000000000001ff") + ENGINE6[13:]
    msg = (bytes([135, 0, 0, 0, 0, 0, 0, 0]) + ENGINE6 + b"\x01\x01" +
           PEER_MAC)
    return frame6(PEER6, snm, 58, msg, 2, hlim=255,
                  dmac=b"\x33\x33" + snm[12:])


ECHO_DATA = bytes(range(56))


def echo_frame():
    return frame6(PEER6, ENGINE6, 58, bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1])
                  + ECHO_DATA, 2)


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            fr = fr + b"\0" * max(0, 60 - len(fr))
            f.write(struct.pack("<IIII", 1700000000 + i // 1000,
                                (i % 1000) * 1000, len(fr), len(fr)) + fr)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: %d bytes, no pcap header" % (path, len(data)))
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


class Resp:
    """An answer parsed here: Ethernet, IPv6 (no extension header), then
    TCP or ICMPv6; errors lists what is wrong with it."""

    def __init__(self, f):
        self.errors, self.kind = [], None
        self.f = f
        if len(f) < 54 or f[12:14] != b"\x86\xdd":
            self.errors.append("not Ethernet/IPv6 (%d bytes)" % len(f))
            return
        ip = f[14:54]
        self.dmac, self.smac = f[:6], f[6:12]
        self.ver_tc_fl = struct.unpack("!I", ip[:4])[0]
        plen, self.nh, self.hlim = struct.unpack("!HBB", ip[4:8])
        self.src, self.dst = ip[8:24], ip[24:40]
        if self.ver_tc_fl >> 28 != 6:
            self.errors.append("version %d" % (self.ver_tc_fl >> 28))
        if 54 + plen != len(f):
            self.errors.append("payload length %d in a %d-byte frame"
                               % (plen, len(f)))
            return
        if self.hlim == 0:
            self.errors.append("hop limit 0")
        l4 = f[54:]
        if l4_csum(self.src, self.dst, self.nh, l4) != 0:
            self.errors.append("bad checksum over the IPv6 pseudo header")
        if self.nh == 58:
            self.kind = "icmp6"
            self.type = l4[0]
            self.l4 = l4
            return
        if self.nh != 6 or len(l4) < 20:
            self.errors.append("next header %d" % self.nh)
            return
        self.kind = "tcp"
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.win, _, _) = struct.unpack("!HHIIBBHHH", l4[:20])
        thl = (off >> 4) * 4
        self.mss = self.ws = self.tsval = self.tsecr = None
        self.sack = False
        o, i = l4[20:thl], 0
        while i < len(o) and o[i] != 0:
            if o[i] == 1:
                i += 1
                continue
            if i + 1 >= len(o) or o[i + 1] < 2:
                self.errors.append("malformed options")
                break
            k, n = o[i], o[i + 1]
            if k == 2 and n == 4:
                self.mss = struct.unpack("!H", o[i + 2:i + 4])[0]
            elif k == 3 and n == 3:
                self.ws = o[i + 2]
            elif k == 4 and n == 2:
                self.sack = True
            elif k == 8 and n == 10:
                self.tsval, self.tsecr = struct.unpack("!II", o[i + 2:i + 10])
            i += n
        self.plen = len(l4) - thl


# ---------------------------------------------------------------- synackd

def run_synackd(synackd, work, tag, in_pcap):
    """synackd on net_pcap until its output stops growing; returns
    (answers, stats)."""
    out = os.path.join(work, tag + "-out.pcap")
    stats_path = os.path.join(work, tag + "-stats.json")
    log_path = os.path.join(work, tag + "-synackd.log")
    prefix = "sk-pcap6-%d-%s" % (os.getpid(), tag)
    cmd = [synackd, "-l", "0-1", "--no-huge", "-m", "512", "--no-pci",
           "--file-prefix", prefix, "--vdev",
           "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (in_pcap, out), "--",
           "--mbufs", "16383", "--addr", "198.18.0.2/24",
           "--addr", "2001:db8::2/64", "--listen", "%d:hello" % PORT,
           "--cookie-secret", SECRET, "--stats-file", stats_path]
    print("# %s: %s" % (tag, " ".join(cmd)), flush=True)
    stats = None
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            deadline, ready = time.monotonic() + 30, False
            while time.monotonic() < deadline and proc.poll() is None:
                with open(log_path, "rb") as f:
                    if b"synackd: ready" in f.read():
                        ready = True
                        break
                time.sleep(0.05)
            if not check("%s: synackd starts" % tag, ready,
                         "" if ready else tail(log_path)):
                return [], None
            t0, last, stable = time.monotonic(), -1, time.monotonic()
            while time.monotonic() - t0 < 20 and proc.poll() is None:
                size = os.path.getsize(out) if os.path.exists(out) else -1
                now = time.monotonic()
                if size != last:
                    last, stable = size, now
                elif now - t0 >= 2 and now - stable >= 1:
                    break
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(60)
            except subprocess.TimeoutExpired:
                rc = None
            # (60 s: on a machine loaded by other work the EAL's cleanup
            # after the final counters once took more than 15 s)
            check("%s: synackd exits 0 on SIGTERM" % tag, rc == 0,
                  "" if rc == 0 else "%s%s" % (
                      "still running 60 s after SIGTERM" if rc is None
                      else "exit %d" % rc, tail(log_path)))
            with open(stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError) as e:
            check("%s: stats file" % tag, False, str(e))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)
    try:
        return [Resp(f) for f in read_pcap(out)], stats
    except (OSError, ValueError) as e:
        check("%s: tx_pcap readable" % tag, False, str(e))
        return [], stats


def tail(path, n=400):
    try:
        with open(path, "rb") as f:
            t = f.read()[-n:].decode(errors="replace").strip()
        return "; log: " + t.replace("\n", " | ") if t else ""
    except OSError:
        return ""


def counters(tag, stats, want, flows_left=0):
    if stats is None:
        return check("%s: counters" % tag, False, "no stats")
    c = stats.get("counters", {})
    bad = ["%s = %s, expected %d" % (k, c.get(k), v) for k, v in want.items()
           if c.get(k) != v]
    bad += ["%s = %d" % (k, v) for k, v in c.items()
            if k.startswith("drop_") and v]
    if stats.get("flow_count") != flows_left:
        bad.append("flow_count = %s, expected %d" % (stats.get("flow_count"),
                                                     flows_left))
    print("     %s: %s" % (tag, " ".join("%s=%d" % kv for kv in c.items()
                                          if kv[1])), flush=True)
    return check("%s: counters equal what was sent (no drop)" % tag, not bad,
                 "; ".join(bad))


def tshark_check(path, tag, n_tcp, n_icmp6):
    tshark = shutil.which("tshark")
    if tshark is None:
        return check("%s: tshark present (usertools/setup installs it)" % tag,
                     False)
    base = [tshark, "-n", "-r", path, "-o", "tcp.check_checksum:TRUE"]
    good = subprocess.run(base + ["-Y", 'ipv6 && tcp.checksum.status == '
                                  '"Good" && ipv6.src == 2001:db8::2'],
                          capture_output=True, text=True, timeout=120)
    icmp = subprocess.run(base + ["-Y", 'icmpv6.checksum.status == "Good" '
                                  '&& ipv6.hlim > 0'],
                          capture_output=True, text=True, timeout=120)
    fields = subprocess.run(base + ["-Y", "tcp.flags.syn == 1", "-T",
                                    "fields", "-e", "ipv6.dst", "-e",
                                    "tcp.dstport", "-e", "tcp.ack_raw", "-e",
                                    "tcp.options.mss_val"],
                            capture_output=True, text=True, timeout=120)
    ng = len([l for l in good.stdout.splitlines() if l.strip()])
    ni = len([l for l in icmp.stdout.splitlines() if l.strip()])
    check("%s: tshark: every TCP answer from 2001:db8::2 with a good checksum"
          % tag, good.returncode == 0 and ng == n_tcp,
          "%d of %d%s" % (ng, n_tcp, "" if ng == n_tcp else
                          " " + good.stderr.strip()[-200:]))
    if n_icmp6:
        check("%s: tshark: NA and echo reply with good ICMPv6 checksums"
              % tag, icmp.returncode == 0 and ni == n_icmp6,
              "%d of %d" % (ni, n_icmp6))
    return fields.stdout


# ---------------------------------------------------------------- phases

def phase1(synackd, work, syns):
    tag = "syn6"
    inp = os.path.join(work, "syn6.pcap")
    write_pcap(inp, [ns_frame()] + [s.frame for s in syns] + [echo_frame()])
    resp, stats = run_synackd(synackd, work, tag, inp)
    tally("%s: every answer is well-formed Ethernet/IPv6 with a right "
          "checksum" % tag, len(resp),
          ["#%d: %s" % (i, "; ".join(r.errors)) for i, r in enumerate(resp)
           if r.errors])
    check("%s: one answer per frame in" % tag,
          len(resp) == len(syns) + 2, "%d answers to %d frames"
          % (len(resp), len(syns) + 2))
    by_key = {}
    for r in resp:
        if r.kind == "tcp":
            by_key.setdefault((r.dst, r.dport), []).append(r)
    bad_syn, bad_rst, isns, synacks = [], [], [], {}
    for s in syns:
        rs = by_key.get((s.src, s.sport), [])
        name = "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, s.src), s.sport)
        if len(rs) != 1:
            (bad_rst if s.dport == CLOSED_PORT else bad_syn).append(
                "%s: %d answers" % (name, len(rs)))
            continue
        r = rs[0]
        why = []
        if r.dmac != PEER_MAC or r.smac != ENGINE_MAC:
            why.append("MACs %s -> %s" % (r.smac.hex(), r.dmac.hex()))
        if r.src != ENGINE6 or r.sport != s.dport:
            why.append("from [%s]:%d" % (socket.inet_ntop(
                socket.AF_INET6, r.src), r.sport))
        if r.hlim != 64 or r.ver_tc_fl != 0x60000000:
            why.append("hop limit %d, first word %08x" % (r.hlim,
                                                          r.ver_tc_fl))
        if r.ack != (s.isn + 1) & M32:
            why.append("ack %d for ISN %d" % (r.ack, s.isn))
        if r.plen:
            why.append("%d payload bytes" % r.plen)
        if s.dport == CLOSED_PORT:
            if r.flags != RST | ACK or r.seq != 0:
                why.append("flags %#x seq %d" % (r.flags, r.seq))
            if why:
                bad_rst.append(name + ": " + ", ".join(why))
            continue
        want = SYN | ACK | (ECE if s.ecn and s.ts else 0)
        if r.flags != want:
            why.append("flags %#x, expected %#x" % (r.flags, want))
        if r.mss != MSS6:
            why.append("MSS %s, expected %d" % (r.mss, MSS6))
        if s.ts != (r.tsval is not None) or (s.ts and r.tsecr != s.tsval):
            why.append("TS %s/%s for %s" % (r.tsval, r.tsecr, s.optset))
        if (r.ws is not None) != (s.ws and s.ts) or \
                r.sack != (s.sack and s.ts):
            why.append("WS %s SACK %s for %s" % (r.ws, r.sack, s.optset))
        if why:
            bad_syn.append(name + ": " + ", ".join(why))
        isns.append(r.seq)
        synacks[(s.src, s.sport)] = r
    tally("%s: one right SYN-ACK per SYN to 8080 (addresses, ports, ack, "
          "MSS %d, TS/WS/SACK/ECE as offered)" % (tag, MSS6), N_OPEN, bad_syn)
    tally("%s: one RST|ACK (seq 0, ack ISN + 1) per SYN to closed port %d"
          % (tag, CLOSED_PORT), N_CLOSED, bad_rst)
    check("%s: SYN-ACK ISNs distinct" % tag, len(set(isns)) == len(isns),
          "%d distinct of %d" % (len(set(isns)), len(isns)))
    # the NA and the echo reply, byte for byte where the RFCs fix them
    icmp = [r for r in resp if r.kind == "icmp6"]
    na = [r for r in icmp if r.type == 136]
    want_na = (bytes([136, 0]) + b"\0\0" + bytes([0x60, 0, 0, 0]) + ENGINE6 +
               b"\x02\x01" + ENGINE_MAC)
    check("%s: one NA for the NS: to the solicitor, from 2001:db8::2, hop "
          "limit 255, S|O, our MAC" % tag, len(na) == 1 and
          na[0].dst == PEER6 and na[0].src == ENGINE6 and
          na[0].dmac == PEER_MAC and na[0].hlim == 255 and
          na[0].l4[:2] + b"\0\0" + na[0].l4[4:] == want_na,
          "%d NA" % len(na) if len(na) != 1 else na[0].l4.hex())
    rep = [r for r in icmp if r.type == 129]
    check("%s: one echo reply, the request's identifier, sequence and data"
          % tag, len(rep) == 1 and rep[0].dst == PEER6 and
          rep[0].src == ENGINE6 and
          rep[0].l4[4:] == bytes([0x12, 0x34, 0, 1]) + ECHO_DATA,
          "%d replies" % len(rep))
    out = os.path.join(work, tag + "-out.pcap")
    fields = tshark_check(out, tag, N_OPEN + N_CLOSED, 2)
    if fields is not None:
        rows = [l.split("\t") for l in fields.splitlines() if l.strip()]
        want = {(socket.inet_ntop(socket.AF_INET6, s.src), str(s.sport),
                 str((s.isn + 1) & M32), str(MSS6)) for s in syns
                if s.dport == PORT}
        got = {tuple(r) for r in rows}
        check("%s: tshark reads the same destination, port, ack and MSS in "
              "every SYN-ACK" % tag, got == want,
              "%d rows, %d expected, %d differ" % (len(got), len(want),
                                                   len(got ^ want)))
    counters(tag, stats, {
        "rx_ipv6": len(syns) + 2, "rx_tcp6": len(syns), "rx_tcp": len(syns),
        "rx_syn": N_OPEN, "tx_synack": N_OPEN, "cookie_sent": N_OPEN,
        "tx_rst_closed_port": N_CLOSED, "rx_nd_ns": 1, "tx_nd_na": 1,
        "rx_icmp6_echo": 1, "tx_icmp6_reply": 1,
        "tx_ipv6": len(syns) + 2, "tx_packets": len(syns) + 2,
        "flow_created": 0, "rx_arp_request": 0})
    return synacks


def acks(syns, synacks, ack_delta=0):
    frames = []
    for s in syns:
        r = synacks.get((s.src, s.sport))
        if r is None:
            continue
        opts = b""
        if r.tsval is not None:
            opts = struct.pack("!BBBBII", 1, 1, 8, 10, (s.tsval + 1) & M32,
                               r.tsval)
        frames.append(frame6(s.src, ENGINE6, 6, tcp(
            s.sport, s.dport, (s.isn + 1) & M32,
            (r.seq + 1 + ack_delta) & M32, ACK, opts, win=512), 16))
    return frames


def phase2(synackd, work, syns, synacks):
    tag = "ack6"
    inp = os.path.join(work, "ack6.pcap")
    write_pcap(inp, acks(syns, synacks))
    resp, stats = run_synackd(synackd, work, tag, inp)
    check("%s: no answer to a right handshake ACK (hello waits for its "
          "line)" % tag, not resp, "%d frames" % len(resp))
    counters(tag, stats, {"cookie_ok": N_OPEN, "flow_created": N_OPEN,
                          "cookie_bad_mac": 0, "tx_rst": 0,
                          "rx_tcp6": N_OPEN}, flows_left=N_OPEN)


def phase3(synackd, work, syns, synacks):
    tag = "bad6"
    inp = os.path.join(work, "bad6.pcap")
    write_pcap(inp, acks(syns, synacks, ack_delta=1))
    resp, stats = run_synackd(synackd, work, tag, inp)
    bad = [r for r in resp if r.kind != "tcp" or r.flags != RST or r.errors]
    check("%s: one RST per forged ACK" % tag,
          len(resp) == N_OPEN and not bad,
          "%d frames, %d not a RST" % (len(resp), len(bad)))
    # RFC 9293 3.10.7.1: <SEQ=SEG.ACK><CTL=RST>, to the sender
    want = {(s.src, s.sport, (r.seq + 2) & M32) for s in syns
            for r in [synacks.get((s.src, s.sport))] if r is not None}
    got = {(r.dst, r.dport, r.seq) for r in resp if r.kind == "tcp"}
    check("%s: each RST to the forged ACK's sender, seq = its ack" % tag,
          got == want, "%d of %d differ" % (len(got ^ want), len(want)))
    counters(tag, stats, {"cookie_ok": 0, "flow_created": 0,
                          "cookie_bad_mac": N_OPEN,
                          "tx_rst_bad_cookie": N_OPEN})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args()
    if not a.synackd:
        ap.error("no synackd: pass --synackd or set SYNACKD")
    if os.geteuid() != 0:
        print("SKIP: net_pcap with --no-huge needs root")
        return SKIP
    work = tempfile.mkdtemp(prefix="sk-pcap6-")
    try:
        syns = make_syns(a.seed)
        synacks = phase1(os.path.abspath(a.synackd), work, syns)
        if len(synacks) == N_OPEN:
            phase2(a.synackd, work, syns, synacks)
            phase3(a.synackd, work, syns, synacks)
        else:
            check("phase 1 gave every SYN-ACK the next phases need", False,
                  "%d of %d" % (len(synacks), N_OPEN))
    finally:
        keep = os.environ.get("SK_PCAP_KEEP")
        if keep:
            shutil.copytree(work, keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    print("%s: %d check(s) failed%s" % ("FAIL" if failed else "PASS",
                                        len(failed), ": " + "; ".join(failed)
                                        if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
