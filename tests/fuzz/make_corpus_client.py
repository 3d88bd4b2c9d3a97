#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed inputs for fuzz_client (the record format is in fuzz_client.c):
whole client connections, IPv4 and IPv6, answered the way a server does,
and the ways a server fails one (RST, a wrong SYN-ACK, a wrong response,
silence), so that mutation starts from every state of the client role.

    make_corpus_client.py DIR
"""

import os
import struct
import sys

SYN = 0x02
RST = 0x04
PSH = 0x08
ACK = 0x10
FIN = 0x01


def timers(steps):
    """advance the clock by steps * 10 ms (steps < 64) and run timers"""
    return bytes([(steps << 2) | 0])


def synack(conn, isn, opts=0x7f, extra=0, ack_delta=0):
    """op 3: the SYN-ACK for connection conn; opts: bit 0 MSS, 1 SACK,
    2 timestamps, 3 window scale (shift in the high bits)"""
    return bytes([3, extra, conn]) + struct.pack(">I", isn) + \
        bytes([ack_delta & 0xff, opts])


def seg(conn, flags, data=b"", ts=True):
    """op 2: a segment of the server on connection conn, in sequence"""
    return bytes([2, flags, conn, 0, 0, 0, len(data), 1 if ts else 0, 1]) + data


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    hello = b"Hello Client\n"
    seeds = {
        # the whole exchange: SYN-ACK, response, the server's FIN
        "clean": timers(1) + synack(0, 1000) + seg(0, PSH | ACK, hello) +
        seg(0, FIN | ACK) + timers(40),
        # two connections interleaved, no timestamps
        "two": timers(1) + synack(0, 1, opts=0x01) + synack(1, 2, opts=0x01) +
        seg(1, PSH | ACK, hello, ts=False) + seg(0, PSH | ACK, hello, ts=False) +
        timers(50),
        # refused by RST, then a SYN-ACK with a wrong ack
        "rst": timers(1) + seg(0, RST | ACK) + synack(1, 5, ack_delta=3) +
        timers(63),
        # the wrong response, then the server closes first
        "bad_response": timers(1) + synack(0, 9) +
        seg(0, PSH | ACK, b"Hello World!\n") + seg(0, FIN | ACK),
        # the response in two pieces, the second with the FIN
        "split": timers(1) + synack(0, 77) + seg(0, PSH | ACK, hello[:5]) +
        seg(0, PSH | ACK | FIN, hello[5:]) + timers(30),
        # no answer at all: SYN retransmissions and the timeout
        "silence": timers(1) + timers(20) + timers(63) + timers(63),
    }
    for name, body in seeds.items():
        for fam in (0, 1):
            with open(os.path.join(out, "%s%d" % (name, 4 + 2 * fam)),
                      "wb") as f:
                f.write(bytes([fam]) + body)


if __name__ == "__main__":
    main()
