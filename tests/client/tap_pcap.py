# SPDX-License-Identifier: BSD-3-Clause
"""One client connection on the wire, segment by segment, for each --close.

For each close mode (client, server, rst) synackd runs as client in its own
network namespace (sktap.Engine) and opens exactly one connection
(--connections 1) to a server on the kernel's side of the tap
(198.18.0.1:8080) that reads "Hello Server\\n" and answers "Hello Client\\n":

  client  the server then reads until end of stream (our FIN) and closes
  server  the server closes right after its answer
  rst     the server then reads until our RST ends the connection

tcpdump captures on the kernel's side of the tap (kept, persistent, after
synackd exits) from before the kernel has an address; this script reads
the pcap file itself (struct, no other module) and checks the exact
segment sequence of the opening and closing handshakes: flags, sequence
and acknowledgment numbers relative to our ISS and the kernel's IRS,
payloads, our SYN's options (MSS 1460, SACK-permitted, timestamps with
TSecr 0, NOP, window scale 0, in that order), our window, our timestamps
(TSval never going back, TSecr echoing the right TSval of the kernel's),
our checksums, no RST except the one asked for, no retransmission of
ours, nothing after the last segment. Each direction must match its
expected sequence exactly, and the merged order must respect causality
(nothing acknowledges bytes that were not yet on the wire). Two things
the kernel legitimately does one way or another are allowed, each
explained where it is: (1) in close mode client its ACK of our FIN alone
before its FIN, or with it; (2) on a busy machine its retransmissions
(tail loss probe) while synackd's worker is stalled, and our duplicate
ACK of each. The sequence seen is always printed.

Needs root; exits 77 without it.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, KERNEL_ADDR, TestFailure, log  # noqa: E402

PORT = 8080
REQUEST = b"Hello Server\n"
RESPONSE = b"Hello Client\n"
MSS = 1460          # synackd's default advertised MSS (--mss)
RCV_WND = 65535     # synackd's receive window, window scale 0
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
M32 = 0xFFFFFFFF


# ------------------------------------------------------------ pcap parsing

def read_pcap(path):
    """Frames of a classic pcap file (tcpdump -w), Ethernet link type."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise TestFailure("%s: %d bytes, no pcap header" % (path, len(data)))
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif struct.unpack(">I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
        e = ">"
    else:
        raise TestFailure("%s: not a pcap file (magic %08x)" % (path, magic))
    if struct.unpack(e + "I", data[20:24])[0] & 0xFFFF != 1:
        raise TestFailure("%s: link type is not Ethernet" % path)
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack_from(e + "IIII", data, off)
        off += 16
        if caplen != wirelen or off + caplen > len(data):
            raise TestFailure("%s: truncated record %d" % (path, len(frames)))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ip_str(b):
    return "%d.%d.%d.%d" % tuple(b)


class Seg:
    """A TCP segment of the connection, as captured."""

    def __init__(self, frame, i):
        self.i = i
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        self.src, self.dst = ip_str(ip[12:16]), ip_str(ip[16:20])
        tcp = ip[ihl:total]
        (self.sport, self.dport, self.seq, self.ack, doff, self.flags,
         self.win, _, _) = struct.unpack("!HHIIBBHHH", tcp[:20])
        hlen = (doff >> 4) * 4
        self.payload = tcp[hlen:]
        self.opts = parse_opts(tcp[20:hlen])
        self.ts = None
        for kind, val in self.opts:
            if kind == 8 and len(val) == 8:
                self.ts = struct.unpack("!II", val)
        # checksums, meaningful for what synackd sent (the kernel's own
        # segments are captured before its checksum offload fills them)
        phdr = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp))
        self.ip_ok = csum(ip[:ihl]) == 0xFFFF
        self.tcp_ok = csum(phdr + tcp) == 0xFFFF
        self.frm = None  # "C" (synackd) or "S" (kernel), set by the caller

    def seglen(self):
        return (len(self.payload) + bool(self.flags & SYN) +
                bool(self.flags & FIN))


def parse_opts(b):
    out, i = [], 0
    while i < len(b):
        kind = b[i]
        if kind == 0:
            out.append((0, b""))
            break
        if kind == 1:
            out.append((1, b""))
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2 or i + b[i + 1] > len(b):
            out.append((kind, None))  # malformed
            break
        out.append((kind, b[i + 2:i + b[i + 1]]))
        i += b[i + 1]
    return out


def flag_str(f):
    return "|".join(n for b, n in ((SYN, "SYN"), (RST, "RST"), (FIN, "FIN"),
                                   (PSH, "PSH"), (ACK, "ACK")) if f & b) or "-"


def segments(path):
    """The connection's TCP segments, in capture order, each marked C (sent
    by synackd) or S (sent by the kernel); other frames (ARP) are left out."""
    segs = []
    for i, fr in enumerate(read_pcap(path)):
        if len(fr) < 54 or fr[12:14] != b"\x08\x00" or fr[23] != 6:
            continue
        s = Seg(fr, i)
        if (s.src, s.sport, s.dst, s.dport) == (ENGINE_ADDR, s.sport,
                                                 KERNEL_ADDR, PORT):
            s.frm = "C"
        elif (s.src, s.sport) == (KERNEL_ADDR, PORT) and s.dst == ENGINE_ADDR:
            s.frm = "S"
        else:
            continue
        segs.append(s)
    return segs


def describe(segs, iss, irs):
    """The sequence as a reader wants it: relative numbers from our ISS
    (C) and the kernel's IRS (S)."""
    out = []
    for s in segs:
        mine, theirs = (iss, irs) if s.frm == "C" else (irs, iss)
        rseq = (s.seq - mine) & M32 if mine is not None else s.seq
        rack = ((s.ack - theirs) & M32 if theirs is not None else s.ack) \
            if s.flags & ACK else "-"
        out.append("  #%-3d %s %s %-11s seq=%s ack=%s len=%d win=%d%s%s" % (
            s.i, s.frm, "->" if s.frm == "C" else "<-", flag_str(s.flags),
            rseq, rack, len(s.payload), s.win,
            " ts=%d/%d" % s.ts if s.ts else "",
            " %r" % s.payload if s.payload else ""))
    return "\n".join(out)


# ------------------------------------------------------------ expectations
# A step: (flags, seq, ack, payload), seq relative to the sender's initial
# sequence number, ack relative to the other side's (None: no ACK bit, ack
# field not checked), and "optional" for the one allowance it needs.

def expected(mode):
    """Expected (C steps, S steps) of a close mode, after the kernel's
    retransmissions (allowance 2, drop_kernel_retransmissions) are set
    aside."""
    n, m = len(REQUEST), len(RESPONSE)
    syn = (SYN, 0, None, b"")
    # the handshake's ACK carries the request
    req = (ACK | PSH, 1, 1, REQUEST)
    synack = (SYN | ACK, 0, 1, b"")
    # The kernel ACKs the request at once, before its server thread
    # answers: a new connection is in quick-ACK mode for its first data
    # segments (tcp_incr_quickack()), and the ACK is sent while the
    # segment is processed, before any reader can run.
    ack_req = (ACK, 1, 1 + n, b"")
    # one write of 13 bytes: one segment, PSH on it
    answer = (ACK | PSH, 1, 1 + n, RESPONSE)
    if mode == "client":
        # we FIN as soon as the answer is complete; the server reads our
        # FIN (end of stream), then closes.
        c = [syn, req, (FIN | ACK, 1 + n, 1 + m, b""),
             (ACK, 2 + n, 2 + m, b"")]
        # Allowance 1: our FIN puts the kernel's socket in CLOSE_WAIT and
        # in "ping-pong" mode (inet_csk_enter_pingpong_mode() in
        # tcp_fin()), so it delays its ACK (40 ms at least) in the hope of
        # sending it with the server's FIN, which it does when the server
        # thread runs in time; on a busy machine the delayed ACK may fire
        # first: a pure ACK of our FIN, then the FIN.
        s = [synack, ack_req, answer, (ACK, 1 + m, 2 + n, b"", "optional"),
             (FIN | ACK, 1 + m, 2 + n, b"")]
        return c, s
    if mode == "server":
        # the server writes (sent at once: nothing is in flight) and
        # closes: its FIN is a segment of its own. We ACK the answer, then
        # FIN when its FIN comes; it ACKs our FIN.
        return ([syn, req, (ACK, 1 + n, 1 + m, b""),
                 (FIN | ACK, 1 + n, 2 + m, b"")],
                [synack, ack_req, answer, (FIN | ACK, 1 + m, 1 + n, b""),
                 (ACK, 2 + m, 2 + n, b"")])
    # rst: RST|ACK right after the answer; the kernel sends nothing more
    # (a RST is never answered).
    return ([syn, req, (RST | ACK, 1 + n, 1 + m, b"")],
            [synack, ack_req, answer])


def match(steps, segs, mine, theirs):
    """Match one direction's segments against its steps; a list of
    mismatches (empty when they match)."""
    bad, k = [], 0
    for st in steps:
        flags, seq, ack, payload = st[:4]
        optional = len(st) > 4
        s = segs[k] if k < len(segs) else None
        ok = (s is not None and s.flags == flags and
              s.seq == (mine + seq) & M32 and s.payload == payload and
              (ack is None or s.ack == (theirs + ack) & M32))
        if ok:
            k += 1
        elif not optional:
            want = "%s seq=%d ack=%s len=%d" % (flag_str(flags), seq,
                                                 "-" if ack is None else ack,
                                                 len(payload))
            if s is None:
                bad.append("missing: %s" % want)
            else:
                bad.append("#%d: expected %s" % (s.i, want))
            return bad
    for s in segs[k:]:
        bad.append("#%d: unexpected segment (%s, seq %d)" % (
            s.i, flag_str(s.flags), (s.seq - mine) & M32))
    return bad


def tsecr_ok(before, ack, irs):
    """TSecr values our segment may carry (RFC 7323 4.3): the TSval of the
    first kernel segment that brought what our ACK acknowledges (synackd
    has read that one), or of any kernel segment captured after it and
    before ours (synackd may have read it too: at the capture point the
    two directions interleave)."""
    ks = [s for s in before if s.frm == "S"]
    rack = (ack - irs) & M32
    ends = [((k.seq + k.seglen() - irs) & M32) if k.seglen() else None
            for k in ks]
    hi = max([e for e in ends if e is not None and e <= rack], default=None)
    first = ends.index(hi) if hi is not None else 0
    return {k.ts[0] for k in ks[first:] if k.ts}


def drop_kernel_retransmissions(segs):
    """Allowance 2: on a busy machine synackd's worker can stall for tens
    of milliseconds; the kernel then retransmits (its tail loss probe
    fires after about two round trips, a few ms here). A kernel segment
    that occupies sequence space (data, SYN or FIN) and repeats an
    earlier one (same seq, flags and payload) is set aside, with one pure
    ACK of ours sent after it that acknowledges everything the kernel
    had sent and takes no new sequence number: RFC 9293 3.10.7.4 answers
    a duplicate (out of window) segment with an ACK. Our own segments
    are never set aside otherwise. Returns (kept, set aside)."""
    kept, aside, seen, owed = [], [], set(), 0
    c_end = s_end = None
    for s in segs:
        end = (s.seq + s.seglen()) & M32
        if s.frm == "S":
            key = (s.seq, s.flags, s.payload)
            if s.seglen() and key in seen:
                aside.append(s)
                owed += 1
                continue
            seen.add(key)
            s_end = end
        elif (owed and s.flags == ACK and not s.payload and
              s.seq == c_end and s.ack == s_end):
            aside.append(s)
            owed -= 1
            continue
        else:
            c_end = end
        kept.append(s)
    return kept, aside


def check(mode, segs):
    """Every check of one connection's capture; a list of failures."""
    bad = []
    cs = [s for s in segs if s.frm == "C"]
    ss = [s for s in segs if s.frm == "S"]
    if not cs or cs[0].flags != SYN:
        return ["the capture does not start with our SYN"], None, None
    iss = cs[0].seq
    synacks = [s for s in ss if s.flags & SYN]
    if not synacks:
        return ["no SYN-ACK from the kernel"], iss, None
    irs = synacks[0].seq
    ports = {s.sport for s in cs}
    if len(ports) != 1:
        bad.append("more than one connection: source ports %s" % sorted(ports))
    kept, aside = drop_kernel_retransmissions(segs)
    if aside:
        log("note: %d kernel retransmission(s) and our ACKs of them set "
            "aside: %s" % (len(aside), " ".join("#%d" % x.i for x in aside)))
    if len(aside) > 6:
        bad.append("%d kernel retransmissions and duplicate ACKs" % len(aside))
    kcs = [x for x in kept if x.frm == "C"]
    kss = [x for x in kept if x.frm == "S"]
    c_steps, s_steps = expected(mode)
    bad += ["ours: " + b for b in match(c_steps, kcs, iss, irs)]
    bad += ["kernel's: " + b for b in match(s_steps, kss, irs, iss)]

    # our SYN: MSS, SACK-permitted, timestamps (TSecr 0), NOP, WS 0
    o = cs[0].opts
    kinds = [k for k, _ in o]
    if kinds != [2, 4, 8, 1, 3]:
        bad.append("our SYN's options are %s, expected MSS, SACK-permitted, "
                   "TS, NOP, WS" % o)
    else:
        if struct.unpack("!H", o[0][1])[0] != MSS:
            bad.append("our SYN's MSS is %d" % struct.unpack("!H", o[0][1])[0])
        if cs[0].ts[1] != 0:
            bad.append("our SYN's TSecr is %d, expected 0" % cs[0].ts[1])
        if o[4][1] != b"\0":
            bad.append("our SYN's window scale is %r, expected 0" % o[4][1])
    # the kernel takes timestamps (net.ipv4.tcp_timestamps, on by
    # default), so every later segment of ours carries them (RFC 7323
    # 3.2; a RST need not)
    if synacks[0].ts is None:
        bad.append("the kernel's SYN-ACK has no timestamps "
                   "(net.ipv4.tcp_timestamps off?): this test expects them")
    prev_val = prev_ecr = None
    for i, s in enumerate(segs):
        if s.frm == "S":
            continue
        if s.win != RCV_WND:
            bad.append("#%d: our window is %d, expected %d" % (s.i, s.win,
                                                                RCV_WND))
        if not (s.ip_ok and s.tcp_ok):
            bad.append("#%d: bad %s checksum" % (
                s.i, "IP" if not s.ip_ok else "TCP"))
        if s.flags & RST:
            if s.opts:
                bad.append("#%d: options on our RST: %s" % (s.i, s.opts))
            continue
        if s.ts is None:
            bad.append("#%d: no timestamp option on our segment" % s.i)
            continue
        if prev_val is not None and ((s.ts[0] - prev_val) & M32) >= 1 << 31:
            bad.append("#%d: our TSval %d went back from %d" % (
                s.i, s.ts[0], prev_val))
        prev_val = s.ts[0]
        if s.flags & SYN:
            continue
        ok = tsecr_ok(segs[:i], s.ack, irs)
        if s.ts[1] not in ok:
            bad.append("#%d: our TSecr %d, expected one of %s" % (
                s.i, s.ts[1], sorted(ok)))
        if prev_ecr is not None and ((s.ts[1] - prev_ecr) & M32) >= 1 << 31:
            bad.append("#%d: our TSecr %d went back from %d" % (
                s.i, s.ts[1], prev_ecr))
        prev_ecr = s.ts[1]
    # causality in capture order: nothing acknowledges what was not yet
    # on the wire from the other side
    sent = {"C": None, "S": None}  # highest seq + len seen, per sender
    for s in segs:
        other = "S" if s.frm == "C" else "C"
        if s.flags & ACK:
            hi = sent[other]
            if hi is None or ((hi - s.ack) & M32) >= 1 << 31:
                bad.append("#%d: acknowledges %s before it was sent" % (
                    s.i, (s.ack - (iss if other == "C" else irs)) & M32))
        end = (s.seq + s.seglen()) & M32
        if sent[s.frm] is None or ((end - sent[s.frm]) & M32) < 1 << 31:
            sent[s.frm] = end
    rsts = [s for s in segs if s.flags & RST]
    if mode != "rst" and rsts:
        bad.append("RST on the wire in close mode %s" % mode)
    return bad, iss, irs


# ------------------------------------------------------------ the server

class OneServer:
    """Serves one connection on a listening socket made before the kernel
    has its address (so synackd cannot reach a closed port first)."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = None
        self.request = b""
        self.end = None      # how the connection ended on the server's side
        self.error = None
        self.thread = None

    def listen(self, eng):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", PORT))
        self.sock.listen(8)
        self.sock.settimeout(30)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            c, _ = self.sock.accept()
            c.settimeout(20)
            with c:
                while not self.request.endswith(b"\n"):
                    b = c.recv(100)
                    if not b:
                        break
                    self.request += b
                c.sendall(RESPONSE)
                if self.mode == "server":
                    self.end = "closed after the answer"
                    return
                try:
                    while True:
                        b = c.recv(100)
                        if not b:
                            self.end = "end of stream"
                            break
                        self.request += b
                except ConnectionResetError:
                    self.end = "reset"
        except Exception as e:  # reported by the test
            self.error = "%s: %s" % (type(e).__name__, e)
        finally:
            self.sock.close()


# ------------------------------------------------------------ one run

def run_mode(mode):
    srv = OneServer(mode)
    eng = sktap.Engine(os.environ.get("SYNACKD", "build/app/synackd/synackd"),
                       listen=(), tag="cpcap-" + mode, capture="client.pcap",
                       prepare=srv.listen, options=[
                           "--client", "%s:%d" % (KERNEL_ADDR, PORT),
                           "--connections", "1", "--cps", "10",
                           "--duration", "10s",
                           "--request", "Hello Server\\n",
                           "--expect", "Hello Client\\n",
                           "--close", mode, "--json"])
    try:
        eng.start()
        try:
            rc = eng.proc.wait(40)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("close %s: synackd did not end its run of one "
                              "connection within 40 s" % mode) from e
        if eng._reader is not None:
            eng._reader.join(5)
        srv.thread.join(10)
        path = eng.stop_capture()
        segs = segments(path)
        os.unlink(path)
        out = eng.output()
        summary = [l for l in eng.lines if l.startswith('{"client"')]
        bad = []
        if rc != 0:
            bad.append("synackd exited %d" % rc)
        if not summary:
            raise TestFailure("close %s: no JSON summary line:\n%s"
                              % (mode, out))
        s = json.loads(summary[-1])["client"]
        if (s["attempted"], s["established"], s["completed"], s["failed"]) \
                != (1, 1, 1, 0):
            bad.append("summary: attempted %d established %d completed %d "
                       "failed %d, expected 1 1 1 0" % (
                           s["attempted"], s["established"], s["completed"],
                           s["failed"]))
        with open(eng.stats_path) as f:
            stats = json.load(f)
        mb = stats["mbufs"]
        if mb["in_use_start"] != mb["in_use_end"]:
            bad.append("mbufs in use: %d at start, %d at end" % (
                mb["in_use_start"], mb["in_use_end"]))
        want_end = {"client": "end of stream",
                    "server": "closed after the answer",
                    "rst": "reset"}[mode]
        if srv.error or srv.request != REQUEST or srv.end != want_end:
            bad.append("kernel server: got %r, ended with %s (expected %s)%s"
                       % (srv.request, srv.end, want_end,
                          ", error " + srv.error if srv.error else ""))
        b2, iss, irs = check(mode, segs)
        bad += b2
        log("close %s: %d segments on the wire (C = synackd, S = kernel; "
            "seq/ack relative to each side's initial sequence number):\n%s"
            % (mode, len(segs), describe(segs, iss, irs)))
        if bad:
            raise TestFailure("close %s:\n  %s" % (mode, "\n  ".join(bad)))
        log("close %s: the sequence is as expected" % mode)
    finally:
        eng.cleanup()


def case():
    for mode in os.environ.get("SK_PCAP_MODES", "client server rst").split():
        run_mode(mode)


# ------------------------------------------------------------ self-test
# The checker against made-up conversations (no root, no synackd): the
# sequences seen on the wire pass, with each allowance; each defect fails.

def build(frm, flags, seq, ack, payload=b"", ts=None, syn_opts=None,
          bad_csum=False):
    src, dst = (ENGINE_ADDR, KERNEL_ADDR) if frm == "C" else (KERNEL_ADDR,
                                                              ENGINE_ADDR)
    sport, dport = (40000, PORT) if frm == "C" else (PORT, 40000)
    if syn_opts is not None:
        opts = syn_opts
    elif ts is not None:
        opts = b"\x01\x01\x08\x0a" + struct.pack("!II", *ts)
    else:
        opts = b""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & M32, ack & M32,
                      (20 + len(opts)) // 4 << 4, flags,
                      RCV_WND if frm == "C" else 512, 0, 0) + opts + payload
    sa = bytes(int(x) for x in src.split("."))
    da = bytes(int(x) for x in dst.split("."))
    c = 0xFFFF - csum(sa + da + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c ^ (1 if bad_csum else 0)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     6, 0, sa, da)
    ip = ip[:10] + struct.pack("!H", 0xFFFF - csum(ip)) + ip[12:]
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp


GOOD = {
    # (from, flags, seq, ack, payload) relative to ISS / IRS
    "client": [("C", SYN, 0, 0, b""), ("S", SYN | ACK, 0, 1, b""),
               ("C", ACK | PSH, 1, 1, REQUEST), ("S", ACK, 1, 14, b""),
               ("S", ACK | PSH, 1, 14, RESPONSE),
               ("C", FIN | ACK, 14, 14, b""),
               ("S", FIN | ACK, 14, 15, b""), ("C", ACK, 15, 15, b"")],
    "server": [("C", SYN, 0, 0, b""), ("S", SYN | ACK, 0, 1, b""),
               ("C", ACK | PSH, 1, 1, REQUEST), ("S", ACK, 1, 14, b""),
               ("S", ACK | PSH, 1, 14, RESPONSE), ("C", ACK, 14, 14, b""),
               ("S", FIN | ACK, 14, 14, b""), ("C", FIN | ACK, 14, 15, b""),
               ("S", ACK, 15, 15, b"")],
    "rst": [("C", SYN, 0, 0, b""), ("S", SYN | ACK, 0, 1, b""),
            ("C", ACK | PSH, 1, 1, REQUEST), ("S", ACK, 1, 14, b""),
            ("S", ACK | PSH, 1, 14, RESPONSE), ("C", RST | ACK, 14, 14, b"")],
}
SYN_OPTS = (b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + struct.pack("!II", 7000, 0) +
            b"\x01\x03\x03\x00")


def conversation(steps, iss=0xFFFFFFF0, irs=0x7FFFFFFA, mutate=None):
    """Frames of a made-up conversation (numbers chosen to wrap), with
    timestamps as synackd and the kernel set them; mutate(k, spec) may
    change a step's spec dict before its frame is built."""
    frames, last_s, our = [], None, 7000
    for k, (frm, flags, seq, ack, payload) in enumerate(steps):
        spec = {"frm": frm, "flags": flags, "payload": payload,
                "seq": (iss if frm == "C" else irs) + seq,
                "ack": ((irs if frm == "C" else iss) + ack
                        if flags & ACK else 0),
                "ts": None, "syn_opts": None, "bad_csum": False}
        if frm == "S":
            last_s = 100 + k
            spec["ts"] = (last_s, our)
        elif flags & SYN:
            spec["syn_opts"] = SYN_OPTS
        elif not flags & RST:
            our += 1
            spec["ts"] = (our, last_s)
        if mutate:
            mutate(k, spec)
        frames.append(build(spec["frm"], spec["flags"], spec["seq"],
                            spec["ack"], spec["payload"], spec["ts"],
                            spec["syn_opts"], spec["bad_csum"]))
    return frames


def self_test():
    def segs_of(frames):
        out = []
        for i, fr in enumerate(frames):
            sg = Seg(fr, i)
            sg.frm = "C" if sg.src == ENGINE_ADDR else "S"
            out.append(sg)
        return out

    def at(k, **kw):
        def m(j, spec):
            if j == k:
                spec.update(kw)
        return m

    g = GOOD
    passing = [(m, g[m]) for m in g] + [
        # allowance 1: the kernel's ACK of our FIN before its FIN
        ("client", g["client"][:6] + [("S", ACK, 14, 15, b"")] +
         g["client"][6:]),
        # allowance 2: the kernel retransmits its FIN, we ACK again
        ("server", g["server"][:7] + [("S", FIN | ACK, 14, 14, b"")] +
         g["server"][7:] + [("C", ACK, 15, 15, b"")]),
    ]
    failing = [
        ("client", "no final ACK", g["client"][:-1], None),
        ("client", "our SYN twice", g["client"][:1] + g["client"], None),
        ("client", "request with a wrong ack", g["client"],
         at(2, ack=0x7FFFFFFA + 2)),
        ("client", "a RST after the close", g["client"] +
         [("C", RST | ACK, 15, 15, b"")], None),
        ("server", "our FIN before the kernel's", g["server"][:5] +
         [("C", FIN | ACK, 14, 14, b"")] + g["server"][6:7] +
         [("C", ACK, 15, 15, b"")] + g["server"][8:], None),
        ("client", "TSval going back", g["client"], at(5, ts=(6000, 104))),
        ("client", "stale TSecr", g["client"], at(5, ts=(7003, 101))),
        ("rst", "bad TCP checksum", g["rst"], at(5, bad_csum=True)),
        ("client", "no window scale on the SYN", g["client"],
         at(0, syn_opts=SYN_OPTS[:16] + b"\x01\x01\x01\x01")),
        ("client", "an answer acknowledging an unsent request",
         g["client"][:2] + [g["client"][4], g["client"][2]] +
         g["client"][5:], None),
        ("client", "the kernel ACKs the request before it is sent",
         g["client"][:2] + [g["client"][3], g["client"][2]] +
         g["client"][4:], None),
        ("rst", "the kernel answers our RST", g["rst"] +
         [("S", RST, 14, 0, b"")], None),
        ("server", "a response byte too many", g["server"],
         at(4, payload=RESPONSE + b"!")),
    ]
    errors = 0
    for mode, steps in passing:
        bad, iss, irs = check(mode, segs_of(conversation(steps)))
        if bad:
            errors += 1
            log("self-test FAIL: a good %s conversation fails: %s" % (
                mode, bad))
    for mode, what, steps, mutate in failing:
        segs = segs_of(conversation(steps, mutate=mutate))
        bad, iss, irs = check(mode, segs)
        if not bad:
            errors += 1
            log("self-test FAIL: %s (close %s) passes:\n%s" % (
                what, mode, describe(segs, iss, irs)))
        else:
            log("ok: %s (close %s) caught: %s" % (what, mode, bad[0]))
    log("self-test: %d good conversations, %d defects, %d errors" % (
        len(passing), len(failing), errors))
    return 1 if errors else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sktap.main_wrapper(case, budget_s=150)
