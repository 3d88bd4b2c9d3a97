#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_engine (record format: see fuzz_engine.c)
into a folder: whole handshakes on every responder, both close orders,
RST/SYN cases, malformed raw frames, and raw frames whose checksums the
harness makes right (ICMP echo, SYNs with options, VLAN, IP options), and
IPv6 frames (issue 13) with their checksums computed here: SYN, ACK,
Neighbor Solicitation, ICMPv6 echo, RA and MLD, extension-header chains
(at the bound, past it, loop-like), fragments, bad payload lengths and a
jumbogram."""
import os
import struct
import sys

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
PORTS = {8080: 0, 80: 1, 7: 2, 9: 3, 9999: 4}


def seg(flags, port=8080, client=0, dseq=0, dack=0, data=b"", ts=True):
    b1 = PORTS[port] << 2 | client
    return bytes([2, flags, b1, dseq & 0xff, 0, dack & 0xff, len(data),
                  1 if ts else 0, 1]) + data


def complete(data=b""):
    return bytes([3, 0, len(data)]) + data


def wait(units):
    return bytes([(units & 63) << 2])


def raw(frame, fix=False):
    """A raw frame record; with fix, the harness makes its IPv4 and TCP or
    ICMP checksums right first."""
    return bytes([5 if fix else 1]) + struct.pack("<H", len(frame)) + frame


ENGINE_MAC = bytes.fromhex("020000000001")
PEER_MAC = bytes.fromhex("020000000002")


def eth(payload, ethertype=0x0800):
    return ENGINE_MAC + PEER_MAC + struct.pack("!H", ethertype) + payload


def ipv4(proto=6, ihl=5, total=None, frag=0x4000, ttl=64, body=b""):
    total = total if total is not None else ihl * 4 + len(body)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0, frag, ttl,
                      proto, 0, bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    hdr += b"\x01" * (ihl * 4 - 20)
    return hdr + body


def tcp(sport=40000, dport=8080, seq=1000, ack=0, flags=SYN, opts=b"",
        data=b""):
    opts += b"\0" * (-len(opts) % 4)
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                       (5 + len(opts) // 4) << 4, flags, 65535, 0, 0) + \
        opts + data


ENGINE6 = bytes.fromhex("20010db8000000000000000000000002")
PEER6 = bytes.fromhex("20010db8000000000000000000000001")
ALLNODES6 = bytes.fromhex("ff020000000000000000000000000001")
MLD6 = bytes.fromhex("ff020000000000000000000000000016")
HBH, ROUTING, FRAG, DSTOPTS, ICMP6 = 0, 43, 44, 60, 58


def csum(data):
    data += b"\0" * (len(data) & 1)
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def with_csum6(src, dst, proto, l4, at):
    """@p l4 with its checksum (at byte @p at) over the IPv6 pseudo header."""
    ph = src + dst + struct.pack("!IxxxB", len(l4), proto)
    l4 = l4[:at] + b"\0\0" + l4[at + 2:]
    return l4[:at] + struct.pack("!H", csum(ph + l4)) + l4[at + 2:]


def ipv6(nh, body, src=PEER6, dst=ENGINE6, hlim=64, plen=None):
    plen = len(body) if plen is None else plen
    return struct.pack("!IHBB", 6 << 28, plen, nh, hlim) + src + dst + body


def eth6(payload, dst_mac=ENGINE_MAC):
    return dst_mac + PEER_MAC + b"\x86\xdd" + payload


def tcp6(ext=b"", ext_nh=None, src=PEER6, dst=ENGINE6, plen=None, **kw):
    """An IPv6 TCP segment (tcp()'s arguments) behind raw extension
    headers @p ext (the first named by @p ext_nh), checksum right."""
    seg = with_csum6(src, dst, 6, tcp(**kw), 16)
    return eth6(ipv6(ext_nh if ext else 6, ext + seg, src, dst, plen=plen))


def icmp6(msg, dst=ENGINE6, hlim=64, dst_mac=ENGINE_MAC, ext=b""):
    msg = with_csum6(PEER6, dst, ICMP6, msg, 2)
    return eth6(ipv6(HBH if ext else ICMP6, ext + msg, dst=dst, hlim=hlim),
                dst_mac)


def opts_hdr(nh, units=0):
    """A hop-by-hop or destination options header of (units + 1) * 8
    bytes, PadN."""
    n = (units + 1) * 8
    return bytes([nh, units, 1, n - 4]) + b"\0" * (n - 4)


def chain(n, last=6):
    return b"".join(opts_hdr(DSTOPTS if i + 1 < n else last)
                    for i in range(n))


SNM6 = bytes.fromhex("ff0200000000000000000001ff000002")
SNM6_MAC = bytes.fromhex("3333ff000002")
NS = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + ENGINE6 + b"\x01\x01" + PEER_MAC
ECHO6 = bytes.fromhex("800000001234000761626364656667686970")

MSS = b"\x02\x04\x05\xb4"
WS = b"\x01\x03\x03\x07"
SACKOK = b"\x04\x02"
TS = b"\x08\x0a\x00\x00\x03\xe8\x00\x00\x00\x00"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    hello = (seg(SYN) + complete() + seg(PSH | ACK, data=b"Hello Server\n")
             + seg(ACK) + seg(FIN | ACK) + wait(40))
    seeds = {
        "hello": hello,
        "hello-data-on-ack": seg(SYN) + complete(b"Hello Server\n") + wait(60),
        "http": seg(SYN, 80) + complete() +
        seg(PSH | ACK, 80, data=b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") + wait(60),
        "echo": seg(SYN, 7) + complete() + seg(PSH | ACK, 7, data=b"ping") +
        seg(FIN | ACK, 7) + seg(ACK, 7),
        "hold-peer-closes": seg(SYN, 9) + complete() + seg(FIN | ACK, 9) +
        seg(ACK, 9),
        "fin-lost": seg(SYN, 9) + complete() + seg(FIN | ACK, 9) + wait(20) +
        wait(40),
        "rst-exact": seg(SYN, 9) + complete() + seg(RST, 9),
        "rst-inexact": seg(SYN, 9) + complete() + seg(RST, 9, dseq=5),
        "syn-on-flow": seg(SYN, 9) + complete() + seg(SYN, 9, dseq=3),
        "closed-port": seg(SYN, 9999) + seg(ACK, 9999),
        "table-full": b"".join(seg(SYN, 9, c) + complete() for c in range(4)),
        "tw-reuse": hello + seg(SYN, dseq=100),
        "raw-truncated": raw(eth(b"")[:10]),
        "raw-ihl4": raw(eth(ipv4(ihl=4, body=b"\0" * 20))),
        "raw-ip-options": raw(eth(ipv4(ihl=6, body=b"\0" * 20))),
        "raw-frag": raw(eth(ipv4(frag=0x2000, body=b"\0" * 20))),
        "raw-long-total": raw(eth(ipv4(total=400, body=b"\0" * 20))),
        "raw-arp": raw(eth(bytes.fromhex("0001080006040001") + PEER_MAC +
                           bytes([198, 18, 0, 1]) + b"\0" * 6 +
                           bytes([198, 18, 0, 2]), 0x0806)),
        "raw-vlan": raw(ENGINE_MAC + PEER_MAC + b"\x81\x00\x00\x64\x08\x00" +
                        ipv4(body=b"\0" * 20)),
        # with right checksums (op 5): past the parser's checks
        "fixed-icmp-echo": raw(eth(ipv4(proto=1, body=bytes.fromhex(
            "08000000123400016162636465666768"))), True),
        "fixed-syn-options": raw(eth(ipv4(body=tcp(
            opts=MSS + WS + SACKOK + TS))), True),
        "fixed-syn-ip-options": raw(eth(ipv4(ihl=8, body=tcp(opts=MSS))),
                                    True),
        "fixed-syn-vlan": raw(ENGINE_MAC + PEER_MAC +
                              b"\x81\x00\x00\x64\x08\x00" +
                              ipv4(body=tcp(opts=MSS + SACKOK)), True),
        "fixed-syn-data": raw(eth(ipv4(body=tcp(opts=TS,
                                                data=b"Hello Server\n"))),
                              True),
        "fixed-ack-forged": raw(eth(ipv4(body=tcp(seq=1001, ack=12345,
                                                  flags=ACK))), True),
        "fixed-rst": raw(eth(ipv4(body=tcp(flags=RST))), True),
        "fixed-closed-port": raw(eth(ipv4(body=tcp(dport=9999))), True),
        # IPv6: checksums computed here (raw, op 1)
        "raw6-syn": raw(tcp6(opts=b"\x02\x04\x05\xa0" + SACKOK + TS + WS)),
        "raw6-syn-plain": raw(tcp6()),
        "raw6-syn-vlan": raw(ENGINE_MAC + PEER_MAC + b"\x81\x00\x00\x64" +
                             tcp6(opts=MSS)[12:]),
        "raw6-syn-data": raw(tcp6(opts=TS, data=b"Hello Server\n")),
        "raw6-ack-forged": raw(tcp6(seq=1001, ack=12345, flags=ACK)),
        "raw6-rst": raw(tcp6(flags=RST)),
        "raw6-closed-port": raw(tcp6(dport=9999)),
        "raw6-http-syn": raw(tcp6(dport=80, opts=MSS)),
        "raw6-syn-bad-cksum": raw(tcp6()[:-3] + b"\xff" + tcp6()[-2:]),
        "raw6-ns": raw(icmp6(NS, dst=SNM6, hlim=255, dst_mac=SNM6_MAC)),
        "raw6-ns-unicast": raw(icmp6(NS[:24], hlim=255)),
        "raw6-ns-hlim64": raw(icmp6(NS, dst=SNM6, dst_mac=SNM6_MAC)),
        "raw6-ns-opt-len0": raw(icmp6(NS[:25] + b"\0" + NS[26:], dst=SNM6,
                                      hlim=255, dst_mac=SNM6_MAC)),
        "raw6-echo": raw(icmp6(ECHO6)),
        "raw6-ra": raw(icmp6(bytes([134, 0, 0, 0, 64, 0, 7, 8]) + b"\0" * 8,
                             dst=ALLNODES6, hlim=255,
                             dst_mac=bytes.fromhex("333300000001"))),
        "raw6-mld-report": raw(icmp6(
            bytes([143, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0]) + SNM6, dst=MLD6,
            hlim=1, dst_mac=bytes.fromhex("333300000016"),
            ext=bytes([ICMP6, 0, 5, 2, 0, 0, 1, 0]))),
        "raw6-ext-hbh-dst": raw(tcp6(ext=opts_hdr(DSTOPTS) + opts_hdr(6, 1),
                                     ext_nh=HBH)),
        "raw6-ext-routing": raw(tcp6(ext=bytes([6, 0, 4, 0, 0, 0, 0, 0]),
                                     ext_nh=ROUTING)),
        "raw6-ext-chain-8": raw(tcp6(ext=chain(8), ext_nh=HBH)),
        "raw6-ext-chain-9": raw(tcp6(ext=chain(9), ext_nh=HBH)),
        "raw6-ext-loop": raw(eth6(ipv6(DSTOPTS, chain(150, DSTOPTS)))),
        "raw6-ext-huge": raw(tcp6(ext=bytes([6, 255, 1, 4, 0, 0, 0, 0]),
                                  ext_nh=HBH)),
        "raw6-frag": raw(tcp6(ext=bytes([6, 0, 0, 1, 0, 0, 0, 42]),
                              ext_nh=FRAG)),
        "raw6-plen-long": raw(tcp6(plen=400)),
        "raw6-plen-short": raw(tcp6(plen=12)),
        "raw6-plen-zero": raw(tcp6(plen=0)),
        "raw6-jumbo": raw(tcp6(ext=bytes([6, 0, 0xc2, 4, 0, 0, 0, 28]),
                               ext_nh=HBH, plen=0)),
        "raw6-hlim0": raw(eth6(ipv6(ICMP6, with_csum6(PEER6, ENGINE6, ICMP6,
                                                      ECHO6, 2), hlim=0))),
        "raw6-then-segments": raw(tcp6(opts=MSS + WS + SACKOK + TS)) +
        raw(icmp6(NS, dst=SNM6, hlim=255, dst_mac=SNM6_MAC)) +
        seg(SYN) + complete(b"Hello Server\n") + wait(60),
        "fixed-then-segments": raw(eth(ipv4(body=tcp(
            sport=40000, opts=MSS + WS + SACKOK + TS))), True) +
        seg(SYN) + complete(b"Hello Server\n") + wait(60),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main()
