#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed corpus for fuzz_ctl: for each synackctl command the harness runs,
the telemetry replies that command asks for, in order, taken from the
replies recorded from a real synackd (tests/ctl/replies.json). One file
per seed: a byte choosing the command, then the replies separated by NUL.

    make_corpus_ctl.py DIR
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def wire(cmd, value):
    """A telemetry reply as DPDK sends it: {"<command>": value}."""
    return json.dumps({cmd: value}, separators=(",", ":")).encode()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(HERE, "..", "ctl", "replies.json")) as f:
        r = json.load(f)
    flows_page = {"flow_count": 2, "shown": 2, "more": 0, "flows": {
        "0": {"lcore": 1, "remote": "198.18.0.1:40000", "local": "198.18.0.2:9",
              "state": "ESTABLISHED", "app": "hold", "age_ms": 1500},
        "1": {"lcore": 1, "remote": "198.18.0.1:40001", "local": "198.18.0.2:9",
              "state": "TIME_WAIT", "app": "hold", "age_ms": 61000}}}
    # fuzz_ctl.c: (which & 0x0f) % 12 picks the command; 0x10 --json,
    # 0x20 --all, 0x40 --verbose
    seeds = {
        "stats": (0x00, ["/synack/stats"]),
        "stats-verbose": (0x40, ["/synack/stats", "/synack/stats/help"]),
        "lcores": (0x01, ["/synack/lcores"]),
        "ports-all": (0x22, ["/synack/ports"]),
        "flows": (0x03, ["/synack/flows"]),
        "cookies": (0x05, ["/synack/cookies"]),
        "config": (0x06, ["/synack/config"]),
        "version": (0x07, ["/synack/version"]),
        "client": (0x08, ["/synack/client"]),
        "raw": (0x09, ["/synack/stats"]),
        "proxy": (0x0a, ["/synack/proxy"]),
        "prometheus": (0x0b, ["/synack/version", "/synack/lcores", "/synack/stats/help",
                              "/synack/flows", "/synack/ports", "/synack/cookies",
                              "/synack/client", "/synack/proxy"]),
    }
    for name, (which, cmds) in seeds.items():
        data = bytes([which]) + b"\0".join(wire(c, r[c]) for c in cmds)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    with open(os.path.join(out, "flows-list"), "wb") as f:
        f.write(bytes([0x04]) + wire("/synack/flows/list", flows_page))
    # an engine that has no such command: null, then its command list
    with open(os.path.join(out, "client-null"), "wb") as f:
        f.write(bytes([0x08]) + wire("/synack/client", None) + b"\0" +
                wire("/", ["/", "/synack/stats", "/synack/version"]) + b"\0" +
                wire("/synack/version", r["/synack/version"]))
    print("make_corpus_ctl: %d seeds in %s" % (len(seeds) + 2, out))


if __name__ == "__main__":
    main()
