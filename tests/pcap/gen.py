#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Generate pcap files of TCP handshake segments for synack (stdlib only).

Two sub-commands:

  gen.py syn -o SYN.pcap [-n N] [--seed S] [--ipv6] ...
      N distinct SYNs (distinct source address/port pairs) to the engine,
      with random client addresses, ports, ISNs and a mix of TCP option
      sets, some with ECN setup flags (ECE|CWR).  Same seed, same bytes.
      --ipv6: Ethernet/IPv6/TCP from 2001:db8::/64 to 2001:db8::2 (random
      flow labels), the same option and ECN mix.

  gen.py ack -i SYNACK.pcap -o ACK.pcap [--syn-pcap SYN.pcap] [--fin F] ...
      From the engine's SYN-ACK output, the ACKs that complete each
      handshake (seq = client ISN + 1, ack = SYN-ACK seq + 1, timestamps
      echoed when the SYN-ACK carried them), optionally followed by a FIN
      on some or all flows.  --seq-delta / --ack-delta skew the numbers for
      negative tests.

Files are classic libpcap (magic a1b2c3d4, microseconds), LINKTYPE_ETHERNET,
little-endian; frames are padded to the 60-byte Ethernet minimum like on a
wire (--no-pad to keep them exact).  IPv4 and TCP checksums are correct
(over the IPv6 pseudo header for IPv6, RFC 8200 8.1).
"""

import argparse
import ipaddress
import random
import struct
import sys

ENGINE_MAC = "02:70:63:61:70:00"  # net_pcap's port MAC
ENGINE_IP = "198.18.0.2"
ENGINE_IP6 = "2001:db8::2"
CLIENT_NET6 = "2001:db8::/64"

LINKTYPE_ETHERNET = 1
PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
TS_BASE = 1_700_000_000  # pcap record timestamps start here (fixed: reproducible)

TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK, TH_URG, TH_ECE, TH_CWR = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)

_hdr = struct.Struct("!6s6sH")          # Ethernet
_ip = struct.Struct("!BBHHHBBH4s4s")    # IPv4, no options
_tcp = struct.Struct("!HHIIBBHHH")      # TCP, no options
_pseudo = struct.Struct("!4s4sBBH")
_ip6 = struct.Struct("!IHBB16s16s")     # IPv6 fixed header
_pseudo6 = struct.Struct("!16s16sI3xB")

# IPv6 next header values of the extension headers ip6_ext() builds
NH_HOPOPTS, NH_ROUTING, NH_FRAGMENT, NH_DSTOPTS = 0, 43, 44, 60
_rec = struct.Struct("<IIII")


# ---------------------------------------------------------------- checksums

def csum(data: bytes) -> int:
    """Internet checksum (RFC 1071) of data.

    The one's complement sum of 16-bit big-endian words equals the integer
    value of the bytes modulo 0xffff (2^16 == 1 mod 0xffff), except that a
    non-zero sum is 0xffff rather than 0.  One bignum op: fast in CPython.
    """
    if len(data) & 1:
        data += b"\0"
    n = int.from_bytes(data, "big")
    s = n % 0xFFFF
    if s == 0 and n:
        s = 0xFFFF
    return ~s & 0xFFFF


# ---------------------------------------------------------------- building

def mac_bytes(mac: str) -> bytes:
    b = bytes(int(x, 16) for x in mac.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC address: %r" % mac)
    return b


def ip6_ext(chain):
    """IPv6 extension headers before TCP: chain is [(next header value,
    body)], body the bytes after the next-header and length bytes (a
    Fragment header's 6 bytes; otherwise padded here to a multiple of 8
    bytes in all).  Returns (the first next header value, the bytes)."""
    out = b""
    for i, (_, body) in enumerate(chain):
        nxt = chain[i + 1][0] if i + 1 < len(chain) else 6
        body = body + b"\0" * (-(2 + len(body)) % 8)
        out += bytes([nxt, (2 + len(body)) // 8 - 1]) + body
    return (chain[0][0] if chain else 6), out


def tcp_frame(smac, dmac, sip, dip, sport, dport, seq, ack, flags, window,
              opts=b"", payload=b"", ttl=64, ip_id=0, df=True, pad=True,
              flow=0, ext=(), bad_cksum=False):
    """One Ethernet/IPv4/TCP frame with valid checksums, or Ethernet/IPv6/
    TCP when the addresses are 16 bytes (ttl is then the hop limit, flow
    the flow label, ext the extension headers as ip6_ext() takes them).
    Addresses are bytes (6 for MACs, 4 or 16 for IPs); opts must be a
    multiple of 4 bytes.  bad_cksum: a wrong TCP checksum."""
    if len(opts) % 4:
        raise ValueError("TCP options must be padded to 4 bytes")
    doff = (20 + len(opts)) // 4
    tcp_len = 20 + len(opts) + len(payload)
    th = _tcp.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                   doff << 4, flags, window, 0, 0) + opts + payload
    v6 = len(sip) == 16
    ck = csum((_pseudo6.pack(sip, dip, tcp_len, 6) if v6 else
               _pseudo.pack(sip, dip, 0, 6, tcp_len)) + th)
    if bad_cksum:
        ck ^= 0x0101  # ck is never 0xffff (csum()), so this stays wrong
    th = th[:16] + struct.pack("!H", ck) + th[18:]
    if v6:
        nh, eh = ip6_ext(list(ext))
        iph = _ip6.pack(6 << 28 | (flow & 0xFFFFF), len(eh) + tcp_len, nh,
                        ttl, sip, dip) + eh
        return _hdr.pack(dmac, smac, 0x86DD) + iph + th
    total = 20 + tcp_len
    iph = _ip.pack(0x45, 0, total, ip_id, 0x4000 if df else 0, ttl, 6, 0,
                   sip, dip)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    frame = _hdr.pack(dmac, smac, 0x0800) + iph + th
    if pad and len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def opt_mss(v):
    return struct.pack("!BBH", 2, 4, v)


def opt_ws(v):
    return struct.pack("!BBB", 3, 3, v)


def opt_ts(val, ecr):
    return struct.pack("!BBII", 8, 10, val, ecr)


NOP, EOL, SACKOK = b"\x01", b"\x00", b"\x04\x02"


def _pad4(b):
    return b + EOL * (-len(b) % 4)


# Option sets a SYN may carry, as real stacks lay them out.  Each builder
# takes (mss, wscale, tsval) and returns the padded option bytes.
OPTION_SETS = {
    # no options at all (old or minimal stacks, many scanners)
    "none": lambda m, w, t: b"",
    # MSS only
    "mss": lambda m, w, t: opt_mss(m),
    # MSS + timestamps
    "mss-ts": lambda m, w, t: opt_mss(m) + NOP + NOP + opt_ts(t, 0),
    # everything, Linux order: MSS, SACK-permitted, TS, NOP, WS
    "all": lambda m, w, t: opt_mss(m) + SACKOK + opt_ts(t, 0) + NOP + opt_ws(w),
    # everything, macOS/BSD order, ending in EOL padding
    "mac": lambda m, w, t: _pad4(opt_mss(m) + NOP + opt_ws(w) + NOP + NOP
                                 + opt_ts(t, 0) + SACKOK + EOL),
    # Windows: window scale and SACK but no timestamps
    "win": lambda m, w, t: opt_mss(m) + NOP + opt_ws(w) + NOP + NOP + SACKOK,
    # timestamps + window scale, no SACK (Linux with tcp_sack=0)
    "ts-ws": lambda m, w, t: opt_mss(m) + NOP + NOP + opt_ts(t, 0) + NOP + opt_ws(w),
    # timestamps + SACK, no window scale (Linux with tcp_window_scaling=0)
    "ts-sack": lambda m, w, t: opt_mss(m) + SACKOK + opt_ts(t, 0),
    # MSS + window scale, no timestamps or SACK
    "mss-ws": lambda m, w, t: opt_mss(m) + NOP + opt_ws(w),
}
DEFAULT_MIX = "none,mss,mss-ts,all,mac,win,ts-ws,ts-sack,mss-ws"

CLIENT_MSS = (1460, 1460, 1460, 1460, 1448, 1440, 1400, 1380, 1360, 1300,
              1220, 1200, 536, 8960)
CLIENT_WIN = (64240, 65535, 29200, 65535, 64240, 14600, 8192, 1024)
CLIENT_WS = (7, 7, 7, 8, 8, 2, 6, 9, 10, 0, 14, 1)


class Writer:
    """Classic pcap writer (microsecond records)."""

    def __init__(self, path, snaplen=65535):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0,
                                 snaplen, LINKTYPE_ETHERNET))
        self.n = 0

    def write(self, frame):
        us = self.n  # one microsecond apart, fixed base: reproducible
        self.f.write(_rec.pack(TS_BASE + us // 1_000_000, us % 1_000_000,
                               len(frame), len(frame)))
        self.f.write(frame)
        self.n += 1

    def close(self):
        self.f.close()


# ---------------------------------------------------------------- reading

def read_pcap(path):
    """Yield the frames of a classic pcap file (either byte order, usec or
    nsec records).  Raises ValueError on anything else."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % path)
    for end in "<>":
        magic = struct.unpack(end + "I", data[:4])[0]
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise ValueError("%s: not a classic pcap file (pcapng?)" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError("%s: link type %d, not Ethernet" % (path, linktype))
    rec = struct.Struct(end + "IIII")
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: truncated record header" % path)
        _, _, caplen, wirelen = rec.unpack_from(data, off)
        off += 16
        if off + caplen > len(data):
            raise ValueError("%s: truncated record" % path)
        yield data[off:off + caplen], wirelen
        off += caplen


def parse_tcp(frame):
    """Minimal parse of an Ethernet/IPv4/TCP or Ethernet/IPv6/TCP frame
    (Hop-by-Hop, Routing and Destination Options headers skipped) for the
    ack sub-command.  Returns a dict, or None for anything else."""
    if len(frame) >= 14 + 40 and frame[12:14] == b"\x86\xdd":
        if frame[14] >> 4 != 6:
            return None
        sip, dip = frame[22:38], frame[38:54]
        nh, t = frame[20], 54
        while nh in (NH_HOPOPTS, NH_ROUTING, NH_DSTOPTS) and t + 8 <= len(frame):
            nh, t = frame[t], t + (frame[t + 1] + 1) * 8
        if nh != 6:
            return None
    elif len(frame) >= 14 + 20 and frame[12:14] == b"\x08\x00":
        ihl = (frame[14] & 0x0F) * 4
        if frame[14] >> 4 != 4 or ihl < 20 or frame[23] != 6:
            return None
        sip, dip = frame[26:30], frame[30:34]
        t = 14 + ihl
    else:
        return None
    if len(frame) < t + 20:
        return None
    sport, dport, seq, ack, doff, flags, win, _, _ = _tcp.unpack_from(frame, t)
    doff = (doff >> 4) * 4
    p = dict(dmac=frame[0:6], smac=frame[6:12], sip=sip,
             dip=dip, sport=sport, dport=dport, seq=seq, ack=ack,
             flags=flags, win=win, opts={})
    o, end = t + 20, min(t + doff, len(frame))
    while o < end:
        kind = frame[o]
        if kind == 0:
            break
        if kind == 1:
            o += 1
            continue
        if o + 1 >= end or frame[o + 1] < 2 or o + frame[o + 1] > end:
            break
        ln = frame[o + 1]
        p["opts"][kind] = frame[o + 2:o + ln]
        o += ln
    return p


# ---------------------------------------------------------------- syn

def parse_ranges(spec, version=4):
    nets = []
    for s in spec.split(","):
        s = s.strip()
        if s:
            n = ipaddress.ip_network(s, strict=False)
            if n.version != version:
                raise ValueError("--src-net %s is not IPv%d%s" % (
                    s, version, "" if version == 6 else " (--ipv6?)"))
            nets.append(n)
    if not nets:
        raise ValueError("empty --src-net")
    return nets


def parse_port_range(s):
    lo, _, hi = s.partition("-")
    lo, hi = int(lo), int(hi or lo)
    if not 1 <= lo <= hi <= 65535:
        raise ValueError("bad port range %r" % s)
    return lo, hi


def cmd_syn(a):
    rng = random.Random(a.seed)
    ver = 6 if a.ipv6 else 4
    alen = 16 if a.ipv6 else 4
    nets = parse_ranges(a.src_net or (CLIENT_NET6 if a.ipv6 else
                                      "10.0.0.0/8"), ver)
    dst_if = ipaddress.ip_interface(a.dst or (
        ENGINE_IP6 + "/64" if a.ipv6 else ENGINE_IP + "/24"))
    if dst_if.version != ver:
        raise ValueError("--dst %s is not IPv%d" % (a.dst, ver))
    dip = dst_if.ip.packed
    # Never use as a client: the engine's address, its subnet's network and
    # broadcast addresses, and each range's own network/broadcast address
    # (IPv6: the Subnet-Router anycast address, RFC 4291 2.6.1; no
    # broadcast).
    excluded = {int(dst_if.ip), int(dst_if.network.network_address),
                int(dst_if.network.broadcast_address)}
    if a.ipv6:
        excluded = {int(dst_if.ip), int(dst_if.network.network_address)}
    for n in nets:
        if a.ipv6 and n.prefixlen < 127:
            excluded.add(int(n.network_address))
        elif not a.ipv6 and n.prefixlen < 31:
            excluded |= {int(n.network_address), int(n.broadcast_address)}
    dmac = mac_bytes(a.dst_mac)
    dports = [int(x) for x in str(a.dport).split(",")]
    sp_lo, sp_hi = parse_port_range(a.sport_range)
    mix = [m.strip() for m in a.opts.split(",") if m.strip()]
    for m in mix:
        if m not in OPTION_SETS:
            raise ValueError("unknown option set %r (known: %s)"
                             % (m, ", ".join(OPTION_SETS)))
    usable = sum(n.num_addresses for n in nets) - sum(
        1 for x in excluded for n in nets
        if ipaddress.ip_address(x if ver == 6 else
                                ipaddress.IPv4Address(x)) in n)
    capacity = max(usable, 0) * (sp_hi - sp_lo + 1)
    total = a.count + a.closed_count
    if total > capacity // 2:
        raise ValueError("address/port space too small for %d distinct SYNs"
                         % total)

    w = Writer(a.output)
    seen = set()
    stats = dict.fromkeys(mix, 0)
    ecn = 0
    for i in range(total):
        while True:
            n = nets[rng.randrange(len(nets))] if len(nets) > 1 else nets[0]
            ip = int(n.network_address) + rng.randrange(n.num_addresses)
            sport = rng.randint(sp_lo, sp_hi)
            if ip not in excluded and (ip, sport) not in seen:
                seen.add((ip, sport))
                break
        sip = ip.to_bytes(alen, "big")
        # a locally administered unicast MAC per client
        smac = bytes([(rng.getrandbits(8) & 0xFC) | 0x02]) + \
            rng.getrandbits(40).to_bytes(5, "big")
        dport = a.closed_port if i >= a.count else dports[i % len(dports)]
        kind = mix[rng.randrange(len(mix))]
        stats[kind] += 1
        opts = OPTION_SETS[kind](CLIENT_MSS[rng.randrange(len(CLIENT_MSS))],
                                 CLIENT_WS[rng.randrange(len(CLIENT_WS))],
                                 rng.getrandbits(32))
        flags = TH_SYN
        if rng.random() < a.ecn:
            flags |= TH_ECE | TH_CWR
            ecn += 1
        frame = tcp_frame(smac, dmac, sip, dip, sport, dport,
                          rng.getrandbits(32), 0, flags,
                          CLIENT_WIN[rng.randrange(len(CLIENT_WIN))], opts,
                          ttl=rng.choice((64, 64, 128, 255, 63, 52)),
                          ip_id=rng.getrandbits(16), pad=not a.no_pad,
                          flow=rng.getrandbits(20) if a.ipv6 else 0)
        w.write(frame)
    w.close()
    if not a.quiet:
        print("gen.py: wrote %d %sSYNs (%d to port %s, %d to closed port %d, "
              "%d with ECE|CWR; option sets: %s) to %s"
              % (total, "IPv6 " if a.ipv6 else "", a.count, a.dport, a.closed_count, a.closed_port, ecn,
                 ", ".join("%s %d" % kv for kv in stats.items()), a.output),
              file=sys.stderr)


# ---------------------------------------------------------------- ack

def cmd_ack(a):
    rng = random.Random(a.seed)
    syns = {}
    if a.syn_pcap:
        for frame, _ in read_pcap(a.syn_pcap):
            p = parse_tcp(frame)
            if p and p["flags"] & (TH_SYN | TH_ACK) == TH_SYN:
                ts = p["opts"].get(8)
                syns[(p["sip"], p["sport"], p["dip"], p["dport"])] = (
                    p["seq"], struct.unpack("!I", ts[:4])[0]
                    if ts and len(ts) == 8 else None)

    flows = []
    skipped = 0
    for frame, _ in read_pcap(a.input):
        p = parse_tcp(frame)
        if not p or p["flags"] & (TH_SYN | TH_ACK | TH_RST) != TH_SYN | TH_ACK:
            skipped += 1
            continue
        key = (p["dip"], p["dport"], p["sip"], p["sport"])  # client's view
        if a.syn_pcap:
            if key not in syns:
                skipped += 1
                continue
            cisn, cts = syns[key]
        else:
            cisn, cts = (p["ack"] - 1) & 0xFFFFFFFF, None
        ts = p["opts"].get(8)
        synack_ts = struct.unpack("!II", ts) if ts and len(ts) == 8 else None
        if synack_ts:
            # the client's clock moved on a little since its SYN
            base = cts if cts is not None else synack_ts[1]
            tsval = (base + 1 + rng.randrange(50)) & 0xFFFFFFFF
        flows.append(dict(
            smac=p["dmac"], dmac=p["smac"], sip=p["dip"], dip=p["sip"],
            sport=p["dport"], dport=p["sport"],
            seq=(cisn + 1 + a.seq_delta) & 0xFFFFFFFF,
            ack=(p["seq"] + 1 + a.ack_delta) & 0xFFFFFFFF,
            ts=(tsval, synack_ts[0]) if synack_ts else None,
            win=502 if 3 in p["opts"] else 64240))

    if a.fin in ("none", "all", "half"):
        frac = {"none": 0.0, "all": 1.0, "half": 0.5}[a.fin]
    else:
        frac = float(a.fin)
        if not 0.0 <= frac <= 1.0:
            raise ValueError("--fin must be none, half, all or 0..1")
    nfin = round(frac * len(flows))
    fin_set = set(rng.sample(range(len(flows)), nfin))

    def seg(f, flags, tsinc):
        opts = b""
        if f["ts"]:
            opts = NOP + NOP + opt_ts((f["ts"][0] + tsinc) & 0xFFFFFFFF,
                                      f["ts"][1])
        return tcp_frame(f["smac"], f["dmac"], f["sip"], f["dip"], f["sport"],
                         f["dport"], f["seq"], f["ack"], flags, f["win"], opts,
                         ip_id=rng.getrandbits(16), pad=not a.no_pad)

    w = Writer(a.output)
    for i, f in enumerate(flows):
        w.write(seg(f, TH_ACK, 0))
        if a.fin_order == "interleaved" and i in fin_set:
            w.write(seg(f, TH_FIN | TH_ACK, 1))
    if a.fin_order == "after":
        for i, f in enumerate(flows):
            if i in fin_set:
                w.write(seg(f, TH_FIN | TH_ACK, 1))
    w.close()
    if not a.quiet:
        print("gen.py: wrote %d ACKs and %d FINs (seq%+d, ack%+d) to %s; "
              "%d input frames were not SYN-ACKs%s"
              % (len(flows), nfin, a.seq_delta, a.ack_delta, a.output,
                 skipped, " for a SYN in --syn-pcap" if a.syn_pcap else ""),
              file=sys.stderr)
    return len(flows)


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Generate pcap files of TCP handshake segments for synack.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("syn", help="distinct SYNs to the engine")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("-n", "--count", type=int, default=1000,
                   help="SYNs to the listening port(s) (default 1000)")
    s.add_argument("--seed", type=int, default=None,
                   help="random seed: same seed and options, same file")
    s.add_argument("--ipv6", action="store_true",
                   help="IPv6 SYNs (default addresses %s to %s/64)"
                   % (CLIENT_NET6, ENGINE_IP6))
    s.add_argument("--src-net", default=None,
                   help="client address range(s), comma-separated CIDRs "
                        "(default 10.0.0.0/8, with --ipv6 %s)" % CLIENT_NET6)
    s.add_argument("--sport-range", default="1024-65535",
                   help="client source ports (default 1024-65535)")
    s.add_argument("--dst", default=None,
                   help="engine address/prefix (default %s/24, with --ipv6 "
                        "%s/64)" % (ENGINE_IP, ENGINE_IP6))
    s.add_argument("--dst-mac", default=ENGINE_MAC,
                   help="engine port MAC (default %s, net_pcap)" % ENGINE_MAC)
    s.add_argument("--dport", default="8080",
                   help="listening port(s), comma-separated (default 8080)")
    s.add_argument("--closed-port", type=int, default=9999)
    s.add_argument("--closed-count", type=int, default=0,
                   help="extra SYNs to --closed-port, at the end (default 0)")
    s.add_argument("--opts", default=DEFAULT_MIX,
                   help="option sets to draw from (default %s)" % DEFAULT_MIX)
    s.add_argument("--ecn", type=float, default=0.2,
                   help="fraction of SYNs with ECE|CWR (default 0.2)")
    s.add_argument("--no-pad", action="store_true",
                   help="do not pad frames to 60 bytes")
    s.add_argument("-q", "--quiet", action="store_true")

    k = sub.add_parser("ack", help="handshake ACKs (and FINs) for SYN-ACKs")
    k.add_argument("-i", "--input", required=True,
                   help="the engine's output pcap (SYN-ACKs; other frames "
                        "are skipped)")
    k.add_argument("-o", "--output", required=True)
    k.add_argument("--syn-pcap",
                   help="the SYNs that were sent: take the client ISN and "
                        "TSval from there instead of trusting the SYN-ACK")
    k.add_argument("--fin", default="none",
                   help="none, half, all or a fraction: flows that also get "
                        "a FIN|ACK (default none)")
    k.add_argument("--fin-order", choices=("after", "interleaved"),
                   default="after",
                   help="FINs after all ACKs (default) or each right after "
                        "its flow's ACK")
    k.add_argument("--seq-delta", type=int, default=0,
                   help="add to every sequence number (negative tests)")
    k.add_argument("--ack-delta", type=int, default=0,
                   help="add to every acknowledgment number (negative tests)")
    k.add_argument("--seed", type=int, default=None)
    k.add_argument("--no-pad", action="store_true")
    k.add_argument("-q", "--quiet", action="store_true")

    a = ap.parse_args(argv)
    try:
        if a.cmd == "syn":
            if a.count < 0 or a.closed_count < 0:
                raise ValueError("counts must be >= 0")
            cmd_syn(a)
        else:
            cmd_ack(a)
    except (ValueError, OSError) as e:
        print("gen.py: error: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
