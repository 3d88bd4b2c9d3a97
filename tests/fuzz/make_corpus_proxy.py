#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_proxy (record format: see fuzz_proxy.c)
into a folder: proxied connections over IPv4 and IPv6, with and without
PROXY protocol, the backend answering, refusing, staying silent, closing
first or last, data held while connecting, RSTs from either side."""
import os
import sys

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def cseg(flags, client=0, v6=False, data=b"", ts=True, closed=False):
    b1 = (4 if closed else 0) | client
    return bytes([2, flags, b1, 0, 4 if v6 else 0, 0, len(data),
                  1 if ts else 0, 1]) + data


def complete(data=b"", flags=0):
    return bytes([3, flags, len(data)]) + data


def bseg(flags, conn=0, data=b"", ts=True, dseq=0, dack=0):
    return bytes([4, flags, conn, dseq & 0xff, 0, dack & 0xff, len(data),
                  1 if ts else 0, 1]) + data


def wait(units):
    return bytes([(units & 31) << 3 | 0])


def conn(v6=False, client=0, early=b"", ts=True):
    return cseg(SYN, client, v6, ts=ts) + complete(early)


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for pp2 in (0, 1):
        for v6 in (False, True):
            tag = "%s%s" % ("6" if v6 else "4", "pp2" if pp2 else "")
            base = bytes([pp2]) + conn(v6)
            # the backend opens, both talk, the backend closes first
            seeds["splice" + tag] = (base + bseg(SYN | ACK, 0) +
                cseg(ACK | PSH, 0, v6, b"GET /\n") +
                bseg(ACK | PSH, 0, b"Hello Client\n") +
                cseg(ACK, 0, v6) + bseg(ACK | FIN, 0) +
                cseg(ACK | FIN, 0, v6) + bseg(ACK, 0) + wait(30))
            # the client's request held while the backend connects
            seeds["held" + tag] = (bytes([pp2]) + conn(v6, early=b"hi\n") +
                cseg(ACK | PSH, 0, v6, b"more\n") +
                bseg(SYN | ACK, 0) + bseg(ACK, 0) + wait(30))
            # refused, silent, reset by the client mid-transfer
            seeds["refused" + tag] = base + bseg(RST | ACK, 0) + wait(4)
            seeds["silent" + tag] = base + wait(20) + wait(20)
            seeds["client_rst" + tag] = (base + bseg(SYN | ACK, 0) +
                bseg(ACK | PSH, 0, b"x" * 40) + cseg(RST | ACK, 0, v6))
            # the client closes first, reuses its port after
            seeds["reuse" + tag] = (base + bseg(SYN | ACK, 0) +
                cseg(ACK | FIN, 0, v6) + bseg(ACK | FIN, 0) +
                cseg(ACK, 0, v6) + conn(v6) + bseg(SYN | ACK, 1))
    # four clients at once: the flow table (8) and the ports (4) run out
    many = bytes([0])
    for c in range(4):
        many += conn(c & 1 == 1, client=c)
    seeds["full"] = many + bseg(SYN | ACK, 0) + bseg(SYN | ACK, 1) + wait(60)
    # no timestamps: the backend answers with them anyway, or without
    seeds["nots"] = (bytes([0]) + conn(ts=False) + bseg(SYN | ACK, 0,
                     ts=False) + cseg(ACK | PSH, 0, data=b"a", ts=False))
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
