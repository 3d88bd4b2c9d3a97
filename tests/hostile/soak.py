#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The soak (issue 15; docs/robustness.md "Faults and soak"): usertools/bench
series 8, `--long` or `--only 8` only; not a meson test.

    soak.py --out DIR [--minutes M] [--sample S]

synackd with two workers on a 2-queue net_tap in a network namespace
(tests/integration/sktap.py), cookie keys rotating every 128 s
(--cookie-max-age 64s --cookie-rotate 128s), for SK_SOAK_MINUTES (default 30)
of mixed traffic:

  - kernel clients: a loop of `hello` connections (port 8080), one of
    HTTP GETs (port 80) and one of `hello` connections over IPv6 (the
    engine is dual stack), each checked, all the time;
  - the client role: a second synackd (--client, its own namespace and tap)
    opening 200 connections/s to a kernel server (tests/bench/kernel_cps -S),
    each response checked (--expect);
  - a cycle of attacks each minute: a SYN flood (10 s), forged ACKs (10 s),
    in-window RST guessing at 16 held connections (10 s), malformed frames
    (5 s, nine kinds, each with its own drop counter), at SK_SOAK_PPS
    (default 20,000/s; tests/hostile/flood.py's injector);
  - a link flap (sk0 down 2 s, up) at the start of the second minute and
    of every third one after; the kernel clients
    pause around it (a flap fails connections by design: flood.py's
    link-flap case tests that).

Every SK_SOAK_SAMPLE_S (default 60) it samples the RSS of both synackd
processes (VmRSS), mbufs in use (/synack/ports, synackctl --json ports), live
flows and counters into DIR/s8-soak.csv. At the end (traffic stopped, TIME_WAIT
over) it checks, and writes DIR/s8-soak.json:

  - memory flat: the server's RSS at the end within 4 MiB of the first sample
    after the first minute (warm-up: the flow table's pages are touched as it
    fills), and its least-squares slope over those samples below 256 KiB a
    minute; mbufs in use at the end = at the start (live gauge and the stats
    file's in_use_start / in_use_end), for both synackd;
  - zero legitimate handshakes failed: kernel clients outside the flaps, and
    the client role (attempted = completed, failed 0);
  - counters that add up, exactly, from the final counters (docs/robustness.md
    "Faults and soak" lists them): every frame the port received is counted by
    one worker or dropped at the hand-over; every frame a worker took is one
    of ARP request / ARP reply / ICMP echo / valid TCP / exactly one parse
    drop_*; every SYN-ACK is one cookie; every refused cookie one RST; every
    accepted cookie one flow or one table-full RST; every flow created ended
    under exactly one close_* cause or was taken over from TIME_WAIT by a new
    SYN (flow_tw_reuse); every frame handed over arrived.

Exit 0 when every check held, 1 when one did not or the run failed, 77 without
root.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import client_kernel  # noqa: E402
import flood  # noqa: E402
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, ENGINE_ADDR6, KERNEL_ADDR, TestFailure, log  # noqa: E402

IO_TIMEOUT = 3.0
PARSE_DROPS = ("drop_l2_short", "drop_l2_dst", "drop_ethertype", "drop_arp",
               "drop_ip_short", "drop_ip_version", "drop_ip_ihl",
               "drop_ip_len", "drop_ip_cksum", "drop_ip_frag", "drop_ip_ttl",
               "drop_ip_dst", "drop_ip_src", "drop_ip_proto", "drop_icmp",
               "drop_tcp_short", "drop_tcp_doff", "drop_tcp_cksum",
               "drop_tcp_flags", "drop_tcp_opts",
               "drop_ip6_short", "drop_ip6_len", "drop_ip6_exthdr",
               "drop_ip6_frag", "drop_ip6_hlim", "drop_ip6_dst",
               "drop_ip6_src", "drop_ip6_proto", "drop_icmp6")
# what a received frame may end as besides a parse drop
RX_KINDS = ("rx_arp_request", "rx_arp_reply", "rx_icmp_echo", "rx_tcp",
            "rx_nd_ns", "rx_nd_na", "rx_nd_other", "rx_icmp6_echo")
CLOSES = ("close_normal", "close_rst", "close_fin_timeout", "close_fin_wait2",
          "close_idle")


# -- malformed frames ---------------------------------------------------------

def malformed(kind, mac, rnd):
    """One frame of @p kind; each kind ends under one parse drop_*."""
    src = flood.FLOOD_NET | rnd.getrandbits(24)
    dst = flood.ip2int(ENGINE_ADDR)
    f = bytearray(flood.frame(mac, flood.FAKE_MAC, src, dst,
                              1024 + rnd.getrandbits(15), 8080,
                              rnd.getrandbits(32), 0, flood.SYN))

    def ip_csum():
        f[24:26] = b"\0\0"
        f[24:26] = struct.pack("!H", flood.csum_fold(flood.csum_add(
            0, bytes(f[14:34]))))
    if kind == "tcp_cksum":
        f[50] ^= 0x5a
    elif kind == "ip_cksum":
        f[24] ^= 0x5a
    elif kind == "tcp_flags":       # SYN+FIN, checksum made valid again
        f = bytearray(flood.frame(mac, flood.FAKE_MAC, src, dst, 2000, 8080,
                                  rnd.getrandbits(32), 0,
                                  flood.SYN | flood.FIN))
    elif kind == "ip_short":
        f = f[:14 + 12]
    elif kind == "ip_version":
        f[14] = 0x65
    elif kind == "ip_frag":
        f[20:22] = struct.pack("!H", 0x2000 | 185)
        ip_csum()
    elif kind == "ip_ttl":
        f[22] = 0
        ip_csum()
    elif kind == "ip_dst":
        f[30:34] = socket.inet_aton("198.18.0.99")
        ip_csum()
    elif kind == "ip_proto":
        f[23] = 17
        ip_csum()
    return bytes(f)


MALFORMED = ("tcp_cksum", "ip_cksum", "tcp_flags", "ip_short", "ip_version",
             "ip_frag", "ip_ttl", "ip_dst", "ip_proto")


def inject_malformed_main(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(flood.ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.bind((sktap.IFACE, 0))
    mac = bytes.fromhex(a.mac.replace(":", ""))
    rnd = random.Random(a.seed)
    sent = {k: 0 for k in MALFORMED}
    t0 = time.monotonic()
    for i in range(a.n):
        k = MALFORMED[i % len(MALFORMED)]
        for _ in range(1000):
            try:
                s.send(malformed(k, mac, rnd))
                sent[k] += 1
                break
            except OSError:
                time.sleep(0.0002)
        ahead = (i + 1) / a.pps - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    print(json.dumps({"sent": sum(sent.values()), "by_kind": sent,
                      "seconds": time.monotonic() - t0}), flush=True)


# -- legitimate traffic -------------------------------------------------------

class Legit(threading.Thread):
    """A loop of checked connections; pauses while `paused` is set."""

    def __init__(self, kind, paused):
        super().__init__(daemon=True)
        self.kind = kind
        self.paused = paused
        self.ok = 0
        self.failed = []
        self.stop_ev = threading.Event()
        self.idle = threading.Event()

    def once(self):
        if self.kind == "hello":
            return hello_client.hello_once(ENGINE_ADDR, 8080, IO_TIMEOUT)
        if self.kind == "hello6":
            return hello_client.hello_once(ENGINE_ADDR6, 8080, IO_TIMEOUT)
        try:
            c = http.client.HTTPConnection(ENGINE_ADDR, 80,
                                           timeout=IO_TIMEOUT)
            c.request("GET", "/")
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.status != 200 or not body:
                return "HTTP %d, %d bytes" % (r.status, len(body))
        except (OSError, http.client.HTTPException) as e:
            return "http: %r" % e
        return None

    def run(self):
        while not self.stop_ev.is_set():
            if self.paused.is_set():
                self.idle.set()
                time.sleep(0.05)
                continue
            self.idle.clear()
            err = self.once()
            if err is None:
                self.ok += 1
            else:
                self.failed.append((time.monotonic(), err))
                time.sleep(0.05)
        self.idle.set()

    def finish(self):
        self.stop_ev.set()
        self.join(IO_TIMEOUT * 4)


# -- sampling -----------------------------------------------------------------

def ctl(prefix, what):
    p = sktap.run([flood.SYNACKCTL, "--json", "--prefix", prefix, what],
                  timeout=10, check=False)
    if p.returncode != 0:
        raise TestFailure("synackctl %s: %s" % (what, p.stderr.strip()))
    return json.loads(p.stdout)


def port0(j):
    for v in j.values():
        if isinstance(v, dict) and "stats" in v:
            return v["stats"]
    return {}


class Sampler:
    COLS = ("t_s", "rss_kb", "client_rss_kb", "mbufs_in_use", "mbufs_pool",
            "client_mbufs_in_use", "flow_count", "rx_packets", "port_ipackets",
            "legit_ok", "legit_failed", "client_completed", "client_failed",
            "tx_full", "drops")

    def __init__(self, path, srv, cli):
        self.path = path
        self.srv = srv
        self.cli = cli
        self.rows = []
        self.t0 = time.monotonic()
        with open(path, "w") as f:
            f.write(",".join(self.COLS) + "\n")

    def sample(self, legit):
        st = ctl(self.srv.prefix, "stats")
        pj = ctl(self.srv.prefix, "ports")
        c = st["counters"]
        row = {"t_s": round(time.monotonic() - self.t0, 1),
               "rss_kb": flood.vmrss_kb(self.srv.proc.pid),
               "mbufs_in_use": pj.get("mbufs_in_use"),
               "mbufs_pool": pj.get("mbufs_pool"),
               "flow_count": st.get("flow_count"),
               "rx_packets": c["rx_packets"],
               "port_ipackets": port0(pj).get("ipackets"),
               "legit_ok": sum(l.ok for l in legit),
               "legit_failed": sum(len(l.failed) for l in legit),
               "tx_full": c.get("tx_full", 0),
               "drops": sum(v for k, v in c.items() if k.startswith("drop_"))}
        if self.cli.alive():
            cc = ctl(self.cli.prefix, "stats")["counters"]
            cp = ctl(self.cli.prefix, "ports")
            row.update({"client_rss_kb": flood.vmrss_kb(self.cli.proc.pid),
                        "client_mbufs_in_use": cp.get("mbufs_in_use"),
                        "client_completed": cc.get("client_completed"),
                        "client_failed": sum(v for k, v in cc.items()
                                             if k.startswith("client_fail_"))})
        self.rows.append(row)
        with open(self.path, "a") as f:
            f.write(",".join("" if row.get(k) is None else str(row[k])
                             for k in self.COLS) + "\n")
        log("soak [%6.0f s] RSS %s kB (client %s kB), mbufs %s/%s, flows %s, "
            "legit %s ok %s failed, client %s completed"
            % (row["t_s"], row["rss_kb"], row.get("client_rss_kb"),
               row["mbufs_in_use"], row["mbufs_pool"], row["flow_count"],
               row["legit_ok"], row["legit_failed"],
               row.get("client_completed")))
        return row


# -- checks -------------------------------------------------------------------

def slope_per_min(pts):
    """Least-squares slope of (t_s, kB) points, kB per minute."""
    if len(pts) < 2:
        return 0.0
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return 0.0
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx * 60.0


def accounting(c, port_ipackets, lcores):
    """The identities of the final counters: [(name, left, right)]."""
    rows = []
    rows.append(("port ipackets = rx_packets + drop_handoff",
                 port_ipackets, c["rx_packets"] + c["drop_handoff"]))
    rows.append(("rx_packets = %s + parse drops" % " + ".join(RX_KINDS),
                 c["rx_packets"],
                 sum(c.get(k, 0) for k in RX_KINDS) +
                 sum(c.get(k, 0) for k in PARSE_DROPS)))
    rows.append(("tx_synack = cookie_sent", c["tx_synack"], c["cookie_sent"]))
    rows.append(("tx_rst_bad_cookie = cookie_bad_mac + cookie_too_old",
                 c["tx_rst_bad_cookie"],
                 c["cookie_bad_mac"] + c["cookie_too_old"]))
    rows.append(("cookie_ok = flow_created + tx_rst_table_full",
                 c["cookie_ok"], c["flow_created"] + c["tx_rst_table_full"]))
    # a TIME_WAIT flow taken over by a new SYN ends there
    rows.append(("flow_created = sum of close_* + flow_tw_reuse (no flow "
                 "left)", c["flow_created"],
                 sum(c[k] for k in CLOSES) + c["flow_tw_reuse"]))
    rows.append(("tx_handoff = rx_handoff (summed over workers)",
                 c["tx_handoff"], c["rx_handoff"]))
    rows.append(("rx_wrong_worker = 0", c["rx_wrong_worker"], 0))
    for lc, lcn in sorted(lcores.items()):
        rows.append(("lcore %s: rx_packets = ARP + ICMP + TCP + ND + "
                     "ICMPv6 + parse drops" % lc, lcn["rx_packets"],
                     sum(lcn.get(k, 0) for k in RX_KINDS) +
                     sum(lcn.get(k, 0) for k in PARSE_DROPS)))
    return rows


def lcore_counters(prefix):
    j = ctl(prefix, "lcores")
    out = {}
    for k, v in j.items():
        if isinstance(v, dict):
            cn = v.get("counters", v)
            if "rx_packets" in cn:
                out[k] = cn
    return out


# -- the run ------------------------------------------------------------------

def run(args):
    minutes = args.minutes
    secs = minutes * 60.0
    pps = int(os.environ.get("SK_SOAK_PPS", "20000"))
    os.makedirs(args.out, exist_ok=True)
    csv = os.path.join(args.out, "s8-soak.csv")
    summary = {"minutes": minutes, "sample_s": args.sample, "pps": pps,
               "workers": 2, "cookie_rotate_s": 128, "cookie_max_age_s": 64}
    cli = client_kernel.KernelServerEngine(args.synackd, listen=(),
                                           tag="soakcli", options=[
        "--client", "%s:%d" % (KERNEL_ADDR, client_kernel.PORT),
        "--cps", "200", "--duration", "%ds" % int(secs),
        "--concurrency", "64", "--request", "x", "--expect", "y",
        "--close", "client", "--json"])
    cli.server_secs = secs + 180
    srv = sktap.Engine(args.synackd, tag="soak", ipv6=True,
                       lcores=sktap.lcores_workers_arg(2), options=[
                           "--time-wait", "2s", "--idle", "120s",
                           "--cookie-max-age", "64s",
                           "--cookie-rotate", "128s", "--flows", "65536"])
    legit = []
    paused = threading.Event()
    try:
        cli.start()
        cli.leave()             # the kernel clients live in srv's namespace
        srv.start()
        sktap.run(["tc", "qdisc", "replace", "dev", sktap.IFACE, "root",
                   "pfifo", "limit", "1000"])
        smp = Sampler(csv, srv, cli)
        first = smp.sample(legit)
        mb0 = first["mbufs_in_use"]
        cmb0 = first.get("client_mbufs_in_use")
        legit = [Legit("hello", paused), Legit("http", paused),
                 Legit("hello6", paused)]
        for l in legit:
            l.start()
        t_end = time.monotonic() + secs
        next_sample = time.monotonic() + args.sample
        cycle = 0
        flaps = []
        sent = {"syn": 0, "ack": 0, "rst": 0, "malformed": 0}
        drop0 = flood.tap_dropped()

        def until(t):
            nonlocal next_sample
            while time.monotonic() < t:
                if time.monotonic() >= next_sample:
                    smp.sample(legit)
                    next_sample += args.sample
                time.sleep(min(0.5, max(0.0, t - time.monotonic())))
        while time.monotonic() < t_end:
            c0 = time.monotonic()
            n10 = int(pps * 10)
            if cycle % 3 == 1 and time.monotonic() + 20 < t_end:
                paused.set()
                for l in legit:
                    l.idle.wait(IO_TIMEOUT * 3)
                t_down = time.monotonic()
                sktap.run(["ip", "link", "set", sktap.IFACE, "down"])
                time.sleep(2.0)
                sktap.run(["ip", "link", "set", sktap.IFACE, "up"])
                time.sleep(1.0)
                paused.clear()
                flaps.append(round(t_down - smp.t0, 1))
                log("soak: link flap at %.0f s" % (t_down - smp.t0))
            for kind in ("syn", "ack"):
                if time.monotonic() + 12 > t_end:
                    break
                res = flood.inject(kind, n10, srv, pps=pps,
                                   seed=100 * cycle + len(kind))
                sent[kind] += res["sent"]
                until(time.monotonic() + 2)
            if time.monotonic() + 15 < t_end:
                socks = []
                sniff = flood.SynSniffer()
                sniff.start()
                paused.set()
                socks = flood.open_hold(16)
                paused.clear()
                time.sleep(0.3)
                sniff.stop_ev.set()
                sniff.join(2)
                tg = [(s.getsockname()[1],
                       (sniff.isn[s.getsockname()[1]] + 1) & 0xffffffff)
                      for s in socks if s.getsockname()[1] in sniff.isn]
                if tg:
                    res = flood.inject("rst-guess", n10, srv, targets=tg,
                                       pps=pps, seed=7 + cycle)
                    sent["rst"] += res["sent"]
                flood.close_hold(socks, "held connection after RST guessing")
            if time.monotonic() + 7 < t_end:
                p = subprocess.run([sys.executable, os.path.abspath(__file__),
                                    "--inject-malformed", "--n",
                                    str(pps * 5), "--mac", srv.mac,
                                    "--pps", str(pps), "--seed",
                                    str(cycle)], capture_output=True,
                                   text=True, timeout=120)
                if p.returncode != 0:
                    raise TestFailure("malformed injector: %s" % p.stderr)
                sent["malformed"] += json.loads(
                    p.stdout.strip().splitlines()[-1])["sent"]
            until(min(t_end, c0 + 60))
            cycle += 1
        for l in legit:
            l.finish()
        # quiet: TIME_WAIT (2 s) and the wheel's slack, then the last sample
        time.sleep(5.0)
        last = smp.sample(legit)
        dropped = flood.tap_dropped() - drop0
        st = ctl(srv.prefix, "stats")
        lc = lcore_counters(srv.prefix)
        pj = ctl(srv.prefix, "ports")
        stats = srv.stop()
        rc = cli.proc.wait(120)
        cli._reader.join(5)
        cli.server.send_signal(signal.SIGTERM)
        cli.server.communicate(timeout=15)
        with open(cli.stats_path) as f:
            cstats = json.load(f)
        csum = [l for l in cli.lines if l.startswith('{"client"')]
    finally:
        for l in legit:
            l.finish()
        srv.cleanup()
        cli.cleanup()
    c = stats["counters"]
    bad = []
    # memory
    rows = smp.rows
    warm = [r for r in rows if r["t_s"] >= 60] or rows[-1:]
    pts = [(r["t_s"], r["rss_kb"]) for r in warm]
    slope = slope_per_min(pts)
    rss_delta = warm[-1]["rss_kb"] - warm[0]["rss_kb"]
    summary.update({
        "samples": len(rows), "rss_kb_first": rows[0]["rss_kb"],
        "rss_kb_after_warmup": warm[0]["rss_kb"],
        "rss_kb_end": rows[-1]["rss_kb"], "rss_kb_max": max(
            r["rss_kb"] for r in rows),
        "rss_delta_after_warmup_kb": rss_delta,
        "rss_slope_kb_per_min": round(slope, 1),
        "client_rss_kb_first": rows[0].get("client_rss_kb"),
        "client_rss_kb_last": [r.get("client_rss_kb") for r in rows
                               if r.get("client_rss_kb")][-1],
        "mbufs_in_use_start": mb0, "mbufs_in_use_end_live":
            last["mbufs_in_use"], "mbufs_pool": last["mbufs_pool"],
        "mbufs_max": max(r["mbufs_in_use"] or 0 for r in rows),
        "mbufs_stats_file": stats.get("mbufs"),
        "client_mbufs_stats_file": cstats.get("mbufs"),
        "sent": sent, "tap_dropped": dropped, "flaps_at_s": flaps,
        "legit_ok": sum(l.ok for l in legit),
        "legit_failed": sum(len(l.failed) for l in legit),
        "legit_by_kind": {l.kind: [l.ok, len(l.failed)] for l in legit},
        "rx_packets": c["rx_packets"], "flow_created": c["flow_created"],
        "cookie_ok": c["cookie_ok"],
    })
    if abs(rss_delta) > 4096:
        bad.append("server RSS moved by %d kB after the warm-up" % rss_delta)
    if slope > 256:
        bad.append("server RSS grows %.0f kB/min" % slope)
    if last["mbufs_in_use"] != mb0:
        bad.append("mbufs in use live: %s at start, %s at the end"
                   % (mb0, last["mbufs_in_use"]))
    for name, mb in (("server", stats.get("mbufs")),
                     ("client", cstats.get("mbufs"))):
        if not mb or mb["in_use_end"] != mb["in_use_start"]:
            bad.append("%s mbufs: %s" % (name, mb))
    # legitimate handshakes
    for l in legit:
        for t, e in l.failed[:5]:
            log("  %s failure at %.0f s: %s" % (l.kind, t - smp.t0, e))
    if summary["legit_failed"] or summary["legit_ok"] == 0:
        bad.append("kernel clients: %d ok, %d failed"
                   % (summary["legit_ok"], summary["legit_failed"]))
    if rc != 0 or not csum:
        bad.append("the client role's synackd exited %s without a summary"
                   % rc)
    else:
        cr = json.loads(csum[-1])["client"]
        summary["client_role"] = {k: cr.get(k) for k in (
            "attempted", "completed", "failed", "syn_retx")}
        if cr["failed"] or cr["completed"] != cr["attempted"] or \
                not cr["completed"]:
            bad.append("client role: %s" % summary["client_role"])
    # counters that add up (live, after the traffic stopped: the same as the
    # final ones but for the port's ipackets, only in telemetry)
    lcn = st["counters"]
    acc = accounting(lcn, port0(pj).get("ipackets"), lc)
    summary["accounting"] = [{"identity": n, "left": a, "right": b,
                              "holds": a == b} for n, a, b in acc]
    for n, a, b in acc:
        log("  %s %s: %s = %s" % ("ok " if a == b else "BAD", n, a, b))
        if a != b:
            bad.append("%s: %s != %s" % (n, a, b))
    for k in ("rx_packets", "flow_created", "tx_synack"):
        if lcn[k] != c[k]:
            bad.append("%s: %d live after the traffic, %d at exit"
                       % (k, lcn[k], c[k]))
    # the malformed frames: each under its own parse drop_*, none lost but
    # in the tun ring (the kernel's tap drops, shared with the floods)
    pd = sum(c[k] for k in PARSE_DROPS)
    summary["parse_drops"] = pd
    if not sent["malformed"] - dropped <= pd <= sent["malformed"]:
        bad.append("parse drops %d, malformed frames sent %d, tap drops %d"
                   % (pd, sent["malformed"], dropped))
    if stats.get("flow_count"):
        bad.append("flow_count %d at exit" % stats["flow_count"])
    summary["ok"] = not bad
    summary["failures"] = bad
    summary["counters"] = {k: v for k, v in c.items() if v}
    with open(os.path.join(args.out, "s8-soak.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    log("soak: %.0f min, %d samples; RSS %d -> %d kB (after warm-up %+d kB, "
        "slope %.1f kB/min); mbufs %s -> %s of %s; legit %d ok / %d failed; "
        "client role %s; flaps at %s s"
        % (minutes, len(rows), rows[0]["rss_kb"], rows[-1]["rss_kb"],
           rss_delta, slope, mb0, last["mbufs_in_use"], last["mbufs_pool"],
           summary["legit_ok"], summary["legit_failed"],
           summary.get("client_role"), flaps))
    if bad:
        raise TestFailure("; ".join(bad))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=".")
    ap.add_argument("--minutes", type=float,
                    default=float(os.environ.get("SK_SOAK_MINUTES", "30")))
    ap.add_argument("--sample", type=float,
                    default=float(os.environ.get("SK_SOAK_SAMPLE_S", "60")))
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD") or
                    os.path.join(ROOT, "build", "app", "synackd"))
    ap.add_argument("--inject-malformed", action="store_true")
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--mac", default="")
    ap.add_argument("--pps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.inject_malformed:
        inject_malformed_main(args)
        return
    args.synackd = os.path.abspath(args.synackd)
    flood.SYNACKCTL = os.environ.get("SYNACKCTL") or os.path.join(
        os.path.dirname(args.synackd), "synackctl")
    client_kernel.KERNEL_CPS = os.environ.get("KERNEL_CPS") or os.path.join(
        os.path.dirname(os.path.dirname(args.synackd)), "tests", "bench",
        "kernel_cps")
    sktap.main_wrapper(lambda: run(args), int(args.minutes * 60 + 300))


if __name__ == "__main__":
    main()
