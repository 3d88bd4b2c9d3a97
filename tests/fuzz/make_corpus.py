#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_engine (record format: see fuzz_engine.c)
into a folder: whole handshakes on every responder, both close orders,
RST/SYN cases, malformed raw frames, and raw frames whose checksums the
harness makes right (ICMP echo, SYNs with options, VLAN, IP options)."""
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
