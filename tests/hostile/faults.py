#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Faults injected into a running synackd (issue 15; docs/robustness.md,
"Faults and soak").

    faults.py --case kill-restart|mbuf-small|tx-full [--synackd PATH]

kill-restart: synackd on net_tap in a namespace (tests/integration/sktap.py)
    with a kernel client looping, 16 connections held open and a SYN flood
    running, is killed with SIGKILL; what it left behind is listed (the
    runtime folder /var/run/dpdk/PREFIX, hugepage files of the prefix, the
    tap); it is started again on the same --file-prefix, namespace and tap
    name, twice: with --huge-unlink (how the tests and docs run it) and
    with its hugepage files kept (plain hugepages, the EAL's default). The
    restart must succeed, kernel clients connect again at once, the held
    connections of the killed instance are reset by the new one (their
    segments carry cookies of an unknown secret: tx_rst_bad_cookie), and the
    new instance exits cleanly with its mbufs back.
mbuf-small: the smallest pool synackd accepts (--mbufs 1023, 64 RX and TX
    descriptors) under a SYN flood, 256 held connections and the client
    loop: no crash, the live gauge (/synack/ports mbufs_in_use) stays within
    the pool, drop_mbuf and rx_nombuf are read and reported, service
    recovers (new connections at once, held ones close normally), mbufs in
    use back to their start at exit. The pool cannot run dry from traffic
    alone here (the engine answers in place and keeps no mbuf; net_tap's
    TX is synchronous): the exhaustion itself is test_mbuf.c, in-process.
tx-full: synackd on net_pcap, receiving on one veth (SYNs sent by the
    test on its peer) and sending on another, which is up, down, then up
    again for three rounds of 2,000 SYNs: while it is down the port refuses
    every response (pcap_sendpacket fails, the PMD takes none of the
    burst); each is counted as tx_full and freed. Per round, read once
    synackd is idle: engine tx_packets = port opackets + tx_full exactly,
    tx_full = every response in the down round and (nearly) none in the
    others; mbufs in use
    back to their start.

Exit 0 = pass, 1 = fail, 77 = not root. Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import flood  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, TestFailure, log  # noqa: E402

SYNACKCTL = None


def ctl(prefix, what):
    p = sktap.run([SYNACKCTL, "--json", "--prefix", prefix, what],
                  timeout=10, check=False)
    if p.returncode != 0:
        raise TestFailure("synackctl %s: exit %d: %s"
                          % (what, p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def port_stats(prefix):
    """(mbufs_in_use, mbufs_pool, port 0's stats dict) from /synack/ports."""
    j = ctl(prefix, "ports")
    port = j.get("0") or j.get("ports_detail", {}).get("0") or {}
    if not port:
        for v in j.values():
            if isinstance(v, dict) and "stats" in v:
                port = v
                break
    return j.get("mbufs_in_use"), j.get("mbufs_pool"), port.get("stats", {})


def hugefiles(prefix):
    return sorted(glob.glob("/dev/hugepages/%smap_*" % prefix))


def flood_bg(eng, n=10 ** 7, pps=20000, seed=3):
    """A SYN flood from a child process, until killed."""
    return subprocess.Popen(
        [sys.executable, flood.__file__, "--inject", "syn", "--n", str(n),
         "--mac", eng.mac, "--seed", str(seed), "--pps", str(pps)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_proc(p):
    if p is not None and p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


# -- kill-restart -----------------------------------------------------------

def restart(eng):
    """Start synackd again in eng's namespace, prefix and tap name."""
    eng.leave()
    eng.lines = []
    eng.ready_line = None
    eng._ready.clear()
    cmd = eng.command()
    log("+ " + " ".join(cmd))
    t0 = time.monotonic()
    eng.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                errors="replace")
    eng._reader = threading.Thread(target=eng._read, daemon=True)
    eng._reader.start()
    eng._ready.wait(eng.ready_timeout)
    if eng.ready_line is None:
        raise TestFailure("synackd did not start again after SIGKILL "
                          "(%s); its output:\n%s"
                          % ("running" if eng.proc.poll() is None else
                             "exit %d" % eng.proc.returncode, eng.output()))
    secs = time.monotonic() - t0
    log(eng.ready_line)
    words = eng.ready_line.split()
    eng.mac = words[words.index("mac") + 1].rstrip(",").lower()
    sktap.run(["ip", "-n", eng.ns, "addr", "add", "%s/%d" % (
        sktap.KERNEL_ADDR, sktap.PREFIX_LEN), "dev", sktap.IFACE])
    sktap.run(["ip", "-n", eng.ns, "link", "set", sktap.IFACE, "up"])
    eng.enter()
    return secs


def kill_round(args, mode):
    """One SIGKILL and restart; mode: 'unlink' (--huge-unlink) or 'keep'
    (hugepage files kept: plain hugepages)."""
    eng = sktap.Engine(args.synackd, tag="kill" + mode,
                       options=["--time-wait", "1s"])
    if mode == "keep":
        base = eng.command

        def command():
            return [w for w in base() if w != "--huge-unlink"]
        eng.command = command
    res = {"mode": mode}
    fl = None
    try:
        eng.start()
        uses_huge = "--no-huge" not in eng.command()
        if mode == "keep" and not uses_huge:
            log("note: no free hugepages: the 'keep' round runs as "
                "--no-huge (nothing to keep)")
        held = flood.open_hold(16)
        flood.warmup(20)
        cl = flood.Client()
        cl.start()
        fl = flood_bg(eng)
        time.sleep(2.0)
        pid = eng.proc.pid
        with open("/proc/%d/comm" % pid) as f:
            comm = f.read().strip()
        if comm != "synackd":
            raise TestFailure("pid %d is %r, not synackd" % (pid, comm))
        before_kill = cl.ok
        os.kill(pid, signal.SIGKILL)
        rc = eng.proc.wait(10)
        # at once: the next DPDK primary started on this machine, whatever
        # its prefix, removes every unlocked hugepage file (EAL
        # clear_hugedir, pattern *map_*)
        huge = hugefiles(eng.prefix)
        t_kill = time.monotonic()
        stop_proc(fl)
        fl = None
        cl.finish()
        if rc != -signal.SIGKILL:
            raise TestFailure("synackd exit %s after SIGKILL" % rc)
        # what the killed instance left behind
        rundir = "/var/run/dpdk/" + eng.prefix
        left = sorted(os.listdir(rundir)) if os.path.isdir(rundir) else []
        p = sktap.run(["ip", "-n", eng.ns, "link", "show", sktap.IFACE],
                      check=False)
        tap_left = p.returncode == 0
        log("%s: SIGKILL after %d client connections; left behind: %s in "
            "%s, %d hugepage file(s) of the prefix, tap %s"
            % (mode, before_kill, ", ".join(left) or "nothing", rundir,
               len(huge), "still there" if tap_left else "gone"))
        res.update({"left_rundir": left, "left_hugefiles": len(huge),
                    "tap_left": tap_left, "client_before_kill": before_kill})
        if tap_left:
            raise TestFailure("the tap outlived the killed synackd")
        if mode == "unlink" and huge:
            raise TestFailure("--huge-unlink, yet %d hugepage files left: %s"
                              % (len(huge), huge[:3]))
        if mode == "keep" and uses_huge and not huge:
            raise TestFailure("no hugepage file seen at the kill without "
                              "--huge-unlink: the check sees nothing")
        # the restart, same prefix, namespace and tap name
        secs = restart(eng)
        res["restart_s"] = round(secs, 2)
        res["down_s"] = round(time.monotonic() - t_kill, 2)
        if mode == "keep" and uses_huge:
            # no orphan: every hugepage file of the prefix is mapped by
            # the new instance
            after = set(hugefiles(eng.prefix))
            with open("/proc/%d/maps" % eng.proc.pid) as f:
                mapped = {l.split()[-1] for l in f if "/dev/hugepages/" in l}
            orphans = sorted(after - mapped)
            log("keep: %d hugepage files at the kill, %d after the restart, "
                "%d of them not mapped by the new synackd"
                % (len(huge), len(after), len(orphans)))
            res["hugefiles_after_restart"] = len(after)
            if orphans:
                raise TestFailure("hugepage files of the killed synackd "
                                  "left after the restart: %s" % orphans[:3])
        ok = flood.warmup(20)
        cl2 = flood.Client()
        cl2.start()
        fl = flood_bg(eng, seed=4)
        time.sleep(2.0)
        stop_proc(fl)
        fl = None
        cl2.finish()
        # the connections held by the killed instance: reset by the new
        # one (their ACKs carry a cookie it cannot know)
        reset = 0
        for s in held:
            try:
                s.sendall(b"after the restart\n")
                got = s.recv(100)
                if got == b"":
                    reset += 1
            except (ConnectionResetError, BrokenPipeError):
                reset += 1
            except socket.timeout:
                pass
            s.close()
        live = flood.ctl_stats(eng)
        time.sleep(1.5)
        stats = eng.stop()
    finally:
        stop_proc(fl)
        eng.cleanup()
        for f in hugefiles(eng.prefix):
            os.unlink(f)
    c = stats["counters"]
    log("%s: restart ready in %.2f s (%.2f s after the kill); %d warm-up "
        "connections, %d by the client loop under a SYN flood, %d failed; "
        "%d of 16 held connections reset (tx_rst_bad_cookie %d)"
        % (mode, res["restart_s"], res["down_s"], ok, cl2.ok,
           len(cl2.failed), reset, c["tx_rst_bad_cookie"]))
    res.update({"client_after": cl2.ok, "client_failed": len(cl2.failed),
                "held_reset": reset})
    bad = []
    if cl2.ok == 0 or cl2.failed:
        bad.append("after the restart: %d connections, %d failed"
                   % (cl2.ok, len(cl2.failed)))
    if reset != 16:
        bad.append("%d of 16 connections of the killed instance reset"
                   % reset)
    if live["counters"]["tx_rst_bad_cookie"] < 16:
        bad.append("tx_rst_bad_cookie = %d, expected >= 16"
                   % live["counters"]["tx_rst_bad_cookie"])
    if bad:
        raise TestFailure("; ".join(bad))
    flood.check_end(stats)
    return res


def case_kill_restart(args):
    out = [kill_round(args, "unlink")]
    if sktap.eal_mem_args()[1] is None:
        out.append(kill_round(args, "keep"))
    else:
        log("note: the 'keep' round needs free hugepages: skipped")
    print("FAULT-RESULT " + json.dumps({"case": "kill-restart",
                                        "rounds": out}), flush=True)


# -- mbuf-small -------------------------------------------------------------

def case_mbuf_small(args):
    n = flood.flood_n()
    eng = flood.start(args, "mbufsmall", ["--mbufs", "1023", "--rx-desc",
                                          "64", "--tx-desc", "64"])
    peak = [0]
    stop_ev = threading.Event()

    def sample():
        while not stop_ev.is_set():
            try:
                u, _, _ = port_stats(eng.prefix)
                peak[0] = max(peak[0], u or 0)
            except TestFailure:
                pass
            stop_ev.wait(0.2)
    try:
        use0, pool, ps0 = port_stats(eng.prefix)
        log("mbufs: %s in use of a pool of %s at start" % (use0, pool))
        flood.warmup(20)
        held = flood.open_hold(256)
        smp = threading.Thread(target=sample, daemon=True)
        smp.start()
        cl = flood.Client()
        t0 = time.monotonic()
        cl.start()
        res = flood.inject("syn", n, eng, seed=11)
        time.sleep(0.5)
        cl.finish()
        stop_ev.set()
        smp.join(5)
        secs = time.monotonic() - t0
        use1, _, ps1 = port_stats(eng.prefix)
        live = flood.ctl_stats(eng)
        flood.legit_report(cl, secs)
        # recovery: held flows take data and close, new ones connect
        flood.close_hold(held, "held connection after the flood")
        rec = flood.warmup(50)
        time.sleep(1.5)
        stats = eng.stop()
    finally:
        stop_ev.set()
        eng.cleanup()
    c = stats["counters"]
    log("SYN flood: %d frames in %.1f s; mbufs in use: %s at start, peak "
        "%d during the flood, %s after, pool %s; drop_mbuf %d, rx_nombuf %s,"
        " imissed %s" % (res["sent"], res["seconds"], use0, peak[0], use1,
                         pool, c["drop_mbuf"], ps1.get("rx_nombuf"),
                         ps1.get("imissed")))
    print("FAULT-RESULT " + json.dumps({
        "case": "mbuf-small", "pool": pool, "in_use_start": use0,
        "peak": peak[0], "sent": res["sent"], "legit_ok": cl.ok,
        "legit_failed": len(cl.failed), "recovered": rec,
        "drop_mbuf": c["drop_mbuf"], "rx_nombuf": ps1.get("rx_nombuf"),
        "flow_created": c["flow_created"]}), flush=True)
    bad = []
    if pool != 1023:
        bad.append("pool of %s, expected 1023" % pool)
    if peak[0] == 0 or peak[0] > pool:
        bad.append("peak mbufs in use %d (pool %s)" % (peak[0], pool))
    if cl.ok == 0 or cl.failed:
        bad.append("legitimate client: %d ok, %d failed"
                   % (cl.ok, len(cl.failed)))
    legit = 20 + 256 + cl.ok + rec
    if c["flow_created"] != legit:
        bad.append("flow_created = %d, the kernel made %d connections"
                   % (c["flow_created"], legit))
    if c["close_normal"] < 256:
        bad.append("close_normal = %d, the 256 held flows did not all "
                   "close normally" % c["close_normal"])
    if ps1.get("rx_nombuf") is None:
        bad.append("no rx_nombuf in /synack/ports")
    if bad:
        raise TestFailure("; ".join(bad))
    flood.check_end(stats)


# -- tx-full ----------------------------------------------------------------

def case_tx_full(args):
    """net_pcap reading one veth (r0, fed by the test on its peer r1) and
    sending on another (t0), taken down and up between three rounds of
    SYNs: each round's counters are read once synackd is idle, so they
    must add up exactly."""
    ns = "sk-txfull-%d" % os.getpid()
    prefix = ns
    tmp = tempfile.mkdtemp(prefix="sk-txfull-")
    statf = os.path.join(tmp, "stats.json")
    proc = None
    ns_made = False
    orig = None
    per = 2000
    rounds = []
    try:
        sktap.run(["ip", "netns", "add", ns])
        ns_made = True
        for a, b in (("r0", "r1"), ("t0", "t1")):
            sktap.run(["ip", "-n", ns, "link", "add", a, "type", "veth",
                       "peer", "name", b])
        sktap.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                   "net.ipv6.conf.all.disable_ipv6=1",
                   "net.ipv6.conf.default.disable_ipv6=1"])
        for d in ("lo", "r0", "r1", "t0", "t1"):
            sktap.run(["ip", "-n", ns, "link", "set", d, "up"])
        cmd = ["ip", "netns", "exec", ns, args.synackd,
               "--lcores", sktap.lcores_arg(), "--file-prefix", prefix,
               "--no-huge", "-m", "512", "--no-pci", "--vdev",
               "net_pcap0,rx_iface_in=r0,tx_iface=t0", "--",
               "--addr", "198.18.0.2/24", "--listen", "8080:hold",
               "--mbufs", "8191", "--stats-file", statf]
        log("+ " + " ".join(cmd))
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        lines = []
        ready = threading.Event()

        def rd():
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                if line.startswith("synackd: ready"):
                    ready.set()
            ready.set()
        threading.Thread(target=rd, daemon=True).start()
        if not ready.wait(60) or proc.poll() is not None:
            raise TestFailure("synackd did not start:\n" + "\n".join(lines))
        rl = [l for l in lines if l.startswith("synackd: ready")][0].split()
        mac = bytes.fromhex(rl[rl.index("mac") + 1].rstrip(",").replace(
            ":", ""))
        orig = os.open("/proc/self/ns/net", os.O_RDONLY)
        sktap.join_netns(ns)
        sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                           socket.htons(flood.ETH_P_ALL))
        sk.bind(("r1", 0))
        daddr = flood.ip2int("198.18.0.2")

        def burst(seed):
            for f in flood.gen_frames("syn", per, mac, None, seed):
                sk.send(f)
                time.sleep(0.0001)

        def idle():
            """Counters once rx_syn has stopped moving for 0.5 s."""
            last, still = -1, 0
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and still < 5:
                c = ctl(prefix, "stats")["counters"]
                still = still + 1 if c["rx_syn"] == last else 0
                last = c["rx_syn"]
                time.sleep(0.1)
            _, _, ps = port_stats(prefix)
            return ctl(prefix, "stats")["counters"], ps
        for i, (name, link) in enumerate((("up", "up"), ("t0 down", "down"),
                                          ("t0 up again", "up"))):
            sktap.run(["ip", "-n", ns, "link", "set", "t0", link])
            # the qdisc is (de)activated by linkwatch, up to 1 s later
            time.sleep(1.5)
            burst(20 + i)
            c, ps = idle()
            rounds.append((name, c, ps))
        sk.close()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(20)
        proc = None
        if rc != 0:
            raise TestFailure("synackd exit %d after SIGTERM" % rc)
        with open(statf) as f:
            stats = json.load(f)
    finally:
        if orig is not None:
            sktap._setns(orig)
            os.close(orig)
        stop_proc(proc)
        if ns_made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True,
                           timeout=30)
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + prefix, tmp])
    bad = []
    prev_c, prev_p = {"tx_packets": 0, "tx_full": 0, "rx_syn": 0}, {}
    for name, c, p in rounds:
        d_syn = c["rx_syn"] - prev_c["rx_syn"]
        d_tx = c["tx_packets"] - prev_c["tx_packets"]
        d_full = c.get("tx_full", 0) - prev_c.get("tx_full", 0)
        d_out = p.get("opackets", 0) - prev_p.get("opackets", 0)
        log("%-12s %d SYNs sent, %d received (imissed total %s): "
            "tx_packets +%d, port opackets +%d, tx_full +%d, oerrors %s"
            % (name, per, d_syn, p.get("imissed"), d_tx, d_out, d_full,
               p.get("oerrors")))
        # frames lost in the capture (libpcap's ring) before synackd sees
        # them are the port's imissed: SYNs sent = received + imissed
        # (within 1 %); every SYN received is answered
        d_miss = p.get("imissed", 0) - prev_p.get("imissed", 0)
        if (d_syn + d_miss < per * 0.99 or d_syn < per // 2 or
                d_tx != d_syn or d_out + d_full != d_tx):
            bad.append("%s: %d SYNs received, %d responses, %d sent + %d "
                       "refused" % (name, d_syn, d_tx, d_out, d_full))
        # down: the port takes nothing; up: nearly all (a send can fail
        # now and then on a loaded machine: counted the same way)
        if (d_full != d_tx) if name == "t0 down" else (d_full > d_tx // 100):
            bad.append("%s: tx_full +%d of %d" % (name, d_full, d_tx))
        prev_c, prev_p = c, p
    c = stats["counters"]
    mb = stats["mbufs"]
    log("final: rx_syn %d, tx_synack %d, tx_full %d; mbufs in use %d at "
        "start, %d at the end (pool %d)" % (
            c["rx_syn"], c["tx_synack"], c["tx_full"], mb["in_use_start"],
            mb["in_use_end"], mb["pool"]))
    if c["tx_synack"] != c["rx_syn"]:
        bad.append("rx_syn %d, tx_synack %d" % (c["rx_syn"], c["tx_synack"]))
    if mb["in_use_end"] != mb["in_use_start"]:
        bad.append("mbufs in use %d at start, %d at the end"
                   % (mb["in_use_start"], mb["in_use_end"]))
    print("FAULT-RESULT " + json.dumps({
        "case": "tx-full", "per_round": per, "tx_full": c["tx_full"],
        "tx_packets": c["tx_packets"], "mbufs_start": mb["in_use_start"],
        "mbufs_end": mb["in_use_end"]}), flush=True)
    if bad:
        raise TestFailure("; ".join(bad))


CASES = {
    "kill-restart": case_kill_restart,
    "mbuf-small": case_mbuf_small,
    "tx-full": case_tx_full,
}


def main():
    global SYNACKCTL
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES), required=True)
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    ap.add_argument("--budget", type=int, default=280)
    args = ap.parse_args()
    if not args.synackd:
        ap.error("no synackd: pass --synackd or set SYNACKD")
    args.synackd = os.path.abspath(args.synackd)
    SYNACKCTL = os.environ.get("SYNACKCTL") or os.path.join(
        os.path.dirname(args.synackd), "synackctl")
    flood.SYNACKCTL = SYNACKCTL
    t0 = time.monotonic()

    def body():
        CASES[args.case](args)
        log("%s: %.1f s" % (args.case, time.monotonic() - t0))
    sktap.main_wrapper(body, args.budget)


if __name__ == "__main__":
    main()
