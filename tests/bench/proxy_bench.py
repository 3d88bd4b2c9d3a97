#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SYN proxy against the kernel: a benchmark driver for usertools/bench
series 9 (docs/benchmarks.md "Series 9"), not a test (registered nowhere in
meson test).

Six network namespaces, one set of kernel clients (C) and one nginx
backend (B), and these ways between them:

  direct   C 198.18.0.1 -> B 198.18.0.3 through a Linux bridge in R
  proxy    C -> synackd 198.18.0.2 (net_tap on the same bridge in R,
           `--listen 8080:proxy --backend 198.18.0.3:8080`, full NAT) -> B
  proxy-afp  the same synackd on net_af_packet: a veth in the same bridge
           (its bridge end with TX checksums off, docs/ports.md)
  proxy-2arm  C 10.5.0.1 -> synackd 10.5.0.254 with two arms in P
           (`--port` a veth to C, `--proxy-port` a veth to B, both on
           net_af_packet, no bridge: the routers' topology) -> B 10.6.0.3;
           the veths' C and B ends with TX checksums and segmentation off
  proxy-xdp  the same with both arms on net_af_xdp (skipped, and said so,
           where the kernel refuses AF_XDP sockets)
  proxy-old  the proxy on net_tap with a second synackd (--synackd-old),
           for a before / after in one run
  router   C 10.1.0.1 -> K (a plain kernel router) -> B 10.2.0.3
  synproxy C 10.3.0.1 -> S (a kernel router with netfilter's SYNPROXY on
           its FORWARD chain, the rules of iptables-extensions(8))
           -> B 10.4.0.3 (skipped, and said so, without iptables or the
           SYNPROXY target)

The clients (ab, curl) and nginx (one process) are pinned to one CPU; the
middle of every path to the other: synackd's worker lcore, and with RPS
(rps_cpus) the kernel's bridge, router and SYNPROXY work on the veths that
enter R, K and S. synackd runs only during its own runs (started and
stopped around each: its polling lcore would otherwise take the CPU the
kernel's forwarding uses in the other runs); every start gets source ports
no earlier start used (a port the backend holds in TIME_WAIT from the last
one costs a connection a second: docs/benchmarks.md), the neighbour
entries of its address are flushed (a new MAC each start) and the run waits
for its ARP exchange with the backend. --nice N puts synackd in a session,
so an autogroup, of its own with that nice value.

Measures, the variants interleaved round by round (their order rotated):
  cps   ab -t T -n N -c C (HTTP/1.0, a new connection per request, a
        612-byte page; N requests or T seconds, whichever ends first),
        with net.ipv4.tcp_timestamps 1 then 0 in every namespace; per run:
        requests/s, failed, longest request (a stall shows there), the
        backend's TcpPassiveOpens / TcpExtTSEcrRejected / ... deltas, the
        client's retransmission timeouts, synackd's counters
  bulk  curl of a 256 MiB file (sendfile), one connection, Gbit/s from
        curl's time_total; the size checked; both sides' retransmissions

Prints one line per run, then one line
  proxy_bench: {...}
with every run and the medians and ratios; writes the same JSON to --json.
Exit 0 when it ran (whatever the rates), 77 without root, 1 when it could
not run. Everything it starts is stopped by PID, its namespaces deleted and
synackd's /var/run/dpdk/<prefix> removed on any exit.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PORT = 8080
TAG = "px%d" % os.getpid()
NS = {k: "%s%s" % (TAG, k) for k in "crksbp"}
PREFIX = "sk-bench-%d-px" % os.getpid()
# the path each variant takes: the address the client connects to
TARGET = {"direct": "198.18.0.3", "proxy": "198.18.0.2",
          "proxy-afp": "198.18.0.2", "proxy-old": "198.18.0.2",
          "proxy-2arm": "10.5.0.254", "proxy-xdp": "10.5.0.254",
          "router": "10.2.0.3", "synproxy": "10.4.0.3"}
# where each variant's middle runs, for its counters
MIDDLE = {"direct": "r", "proxy": "r", "proxy-afp": "r", "proxy-old": "r",
          "proxy-2arm": "p", "proxy-xdp": "p",
          "router": "k", "synproxy": "s"}
# the variants that run synackd: its port kind
PROXIES = {"proxy": "tap", "proxy-afp": "af_packet", "proxy-old": "tap",
           "proxy-2arm": "two_arm", "proxy-xdp": "two_arm_xdp"}
# af_packet's veth in R: synackd's end, the bridge's end
AFP_DEV, AFP_PEER = "sk1", "skp1"

SECRET = "5e" * 16
PROCS = []
NETNS = []


class Failure(Exception):
    pass


def log(msg):
    print("proxy_bench: " + msg, file=sys.stderr, flush=True)


def run(cmd, check=True, timeout=30, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       **kw)
    if check and p.returncode != 0:
        raise Failure("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                           p.stdout.strip()[-400:]))
    return p.stdout


def nsx(ns, *cmd, **kw):
    return run(["ip", "netns", "exec", NS[ns]] + list(cmd), **kw)


def ip(ns, *args):
    return run(["ip", "-n", NS[ns]] + list(args))


def sysctl(ns, *kv, check=True):
    return nsx(ns, "sysctl", "-q", "-w", *kv, check=check)


def start(cmd, logpath, session=False):
    f = open(logpath, "w")
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, start_new_session=session)
    f.close()
    PROCS.append(p)
    return p


def stop(p, sig=signal.SIGINT, wait=10):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    if p in PROCS:
        PROCS.remove(p)


def cleanup():
    for p in list(PROCS):
        try:
            stop(p, wait=3)
        except Exception:  # keep going: the namespaces must go too
            pass
    for ns in NETNS:
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)
    # synackd runs with --no-huge; in case a later change gives it pages
    hp = "/dev/hugepages"
    for f in os.listdir(hp) if os.path.isdir(hp) else ():
        if f.startswith(PREFIX):
            try:
                os.unlink(os.path.join(hp, f))
            except OSError:
                pass


def veth(a, an, b, bn):
    run(["ip", "-n", NS[a], "link", "add", an, "type", "veth", "peer",
         "name", bn, "netns", NS[b]])


def rps(ns, dev, cpu):
    """Receive packet steering: what enters DEV is processed on CPU."""
    nsx(ns, "sh", "-c", "echo %x > /sys/class/net/%s/queues/rx-0/rps_cpus"
        % (1 << cpu, dev))


def topology(mid_cpu):
    for k in "crksbp":
        run(["ip", "netns", "add", NS[k]])
        NETNS.append(NS[k])
        ip(k, "link", "set", "lo", "up")
    # the bridged segment: C, B and (later) synackd's tap in R's br0
    ip("r", "link", "add", "br0", "type", "bridge")
    veth("c", "c0", "r", "rc")
    veth("b", "b0", "r", "rb")
    for d in ("rc", "rb"):
        ip("r", "link", "set", d, "master", "br0", "up")
        rps("r", d, mid_cpu)
    ip("r", "link", "set", "br0", "up")
    ip("c", "addr", "add", "198.18.0.1/24", "dev", "c0")
    ip("b", "addr", "add", "198.18.0.3/24", "dev", "b0")
    # the two routers
    for r, cn, bn, cnet, bnet in (("k", "ck", "bk", "10.1.0", "10.2.0"),
                                  ("s", "cs", "bs", "10.3.0", "10.4.0")):
        veth("c", cn, r, "rc")
        veth("b", bn, r, "rb")
        ip("c", "addr", "add", cnet + ".1/24", "dev", cn)
        ip("b", "addr", "add", bnet + ".3/24", "dev", bn)
        ip(r, "addr", "add", cnet + ".254/24", "dev", "rc")
        ip(r, "addr", "add", bnet + ".254/24", "dev", "rb")
        for d in ("rc", "rb"):
            ip(r, "link", "set", d, "up")
            rps(r, d, mid_cpu)
        sysctl(r, "net.ipv4.ip_forward=1")
        ip("c", "link", "set", cn, "up")
        ip("b", "link", "set", bn, "up")
        ip("c", "route", "add", bnet + ".0/24", "via", cnet + ".254")
        ip("b", "route", "add", cnet + ".0/24", "via", bnet + ".254")
    ip("c", "link", "set", "c0", "up")
    ip("b", "link", "set", "b0", "up")
    # ab's connections: the client's whole port range, a deep backlog
    sysctl("c", "net.ipv4.ip_local_port_range=1024 65535")
    sysctl("b", "net.core.somaxconn=8192", "net.ipv4.tcp_max_syn_backlog=8192")


def afp_wire(mid_cpu):
    """proxy-afp's port: a veth in R, one end in the bridge, the other
    synackd's through AF_PACKET. The bridge's end computes the checksums
    and segments what it passes on (TX offloads off: an AF_PACKET socket
    takes the frames as they are, partial checksums and GSO included)."""
    ip("r", "link", "add", AFP_DEV, "type", "veth", "peer", "name", AFP_PEER)
    nsx("r", "ethtool", "-K", AFP_PEER, "tx", "off", "tso", "off", "gso",
        "off")
    sysctl("r", "net.ipv6.conf.%s.disable_ipv6=1" % AFP_DEV)
    ip("r", "link", "set", AFP_PEER, "master", "br0", "up")
    ip("r", "link", "set", AFP_DEV, "up")
    rps("r", AFP_PEER, mid_cpu)
    kernel_off("r", AFP_DEV)


def kernel_off(ns, dev):
    """The kernel's own stack no longer takes what DEV receives: AF_PACKET
    sees every frame before netfilter's ingress hook, which drops it
    there; otherwise each frame also goes up the namespace's IP stack
    (routed, then dropped in ip_error on a device without an address:
    about 5 % of the worker's CPU with perf; the rate moved within this
    machine's noise)."""
    if not shutil.which("nft"):
        log("nft not installed (nftables): the kernel's stack also takes "
            "what %s receives" % dev)
        return
    nsx(ns, "nft", "add table netdev sk_%s" % dev)
    nsx(ns, "nft", "add chain netdev sk_%s in { type filter hook ingress "
        "device %s priority 0; policy drop; }" % (dev, dev))


def two_arm_wires(mid_cpu):
    """proxy-2arm's ports: a veth from C to P and one from P to B, synackd
    on both ends in P through AF_PACKET, as the routers K and S sit
    between C and B. The C and B ends compute their checksums and segment
    what they send (TX offloads off: AF_PACKET takes frames as they
    are)."""
    for k, dev, peer, addr in (("c", "cp", "pc", "10.5.0.1/24"),
                               ("b", "bp", "pb", "10.6.0.3/24")):
        veth(k, dev, "p", peer)
        nsx(k, "ethtool", "-K", dev, "tx", "off", "tso", "off", "gso", "off")
        ip(k, "addr", "add", addr, "dev", dev)
        ip(k, "link", "set", dev, "up")
        sysctl("p", "net.ipv6.conf.%s.disable_ipv6=1" % peer)
        ip("p", "link", "set", peer, "up")
        rps("p", peer, mid_cpu)
        kernel_off("p", peer)


def synproxy_rules():
    """netfilter's SYNPROXY on S's FORWARD chain, as iptables-extensions(8)
    gives it (the SYN untracked, INVALID/UNTRACKED to SYNPROXY, the rest of
    INVALID dropped), window scale 7 as the backend's (Linux's default
    tcp_rmem), and conntrack's TIME_WAIT at 1 s: with the default 120 s a
    client port reused while its entry remains hangs (issue 14), and ab
    reuses ports within seconds here. Returns a note or raises Failure."""
    ipt = shutil.which("iptables")
    if not ipt:
        raise Failure("iptables not installed")
    rules = [
        ["-t", "raw", "-A", "PREROUTING", "-i", "rc", "-p", "tcp",
         "--dport", str(PORT), "--syn", "-j", "CT", "--notrack"],
        ["-A", "FORWARD", "-i", "rc", "-p", "tcp", "--dport", str(PORT),
         "-m", "conntrack", "--ctstate", "INVALID,UNTRACKED", "-j",
         "SYNPROXY", "--sack-perm", "--timestamp", "--wscale", "7",
         "--mss", "1460"],
        ["-A", "FORWARD", "-i", "rc", "-p", "tcp", "--dport", str(PORT),
         "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"],
    ]
    for r in rules:
        nsx("s", ipt, *r)
    sysctl("s", "net.netfilter.nf_conntrack_tcp_loose=0",
           "net.netfilter.nf_conntrack_tcp_timeout_time_wait=1")
    return run(["iptables", "--version"]).strip()


NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/nginx-error.log;
events { worker_connections 8192; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 0;
    client_body_temp_path %(d)s/t-body;
    proxy_temp_path %(d)s/t-proxy;
    fastcgi_temp_path %(d)s/t-fcgi;
    uwsgi_temp_path %(d)s/t-uwsgi;
    scgi_temp_path %(d)s/t-scgi;
    default_type application/octet-stream;
    server {
        listen %(port)d backlog=8192;
        root %(d)s/www;
    }
}
"""


def backend(tmp, cpu, bulk_bytes):
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    # nginx's own index.html is 612 bytes: the same size
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("synack proxy bench " * 32 + "\n" * 4)
    with open(os.path.join(www, "big"), "wb") as f:
        f.truncate(bulk_bytes)  # sparse: read from the page cache
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF % {"d": tmp, "port": PORT})
    p = start(["ip", "netns", "exec", NS["b"], "taskset", "-c", str(cpu),
               shutil.which("nginx") or "/usr/sbin/nginx", "-c", conf,
               "-p", tmp, "-e", os.path.join(tmp, "nginx-error.log")],
              os.path.join(tmp, "nginx.log"))
    for _ in range(50):
        if p.poll() is not None:
            with open(os.path.join(tmp, "nginx-error.log")) as f:
                raise Failure("nginx exited %d: %s" % (p.returncode, f.read()))
        out = nsx("b", "ss", "-Hltn", "sport", "= :%d" % PORT, check=False)
        if ":%d" % PORT in out:
            return p
        time.sleep(0.1)
    raise Failure("nginx did not listen on :%d" % PORT)


class Synackd:
    # shared by every instance: no two starts use the same source ports
    port_lo = 10000
    n = 0

    def __init__(self, exe, tmp, cli_cpu, mid_cpu, kind="tap"):
        self.exe, self.tmp, self.kind = exe, tmp, kind
        self.lcores = "0@%d,1@%d" % (cli_cpu, mid_cpu)
        self.p = None
        self.nice = 0
        self.reuse_ports = False
        self.stats = []

    def up(self, ports):
        """Start synackd with a source-port range of its own: PORTS ports
        none of the earlier runs used, from 10000 up (then again from
        10000). Each start counts its ports from the range's low end, and
        a port the backend still holds in TIME_WAIT costs a connection a
        second here (docs/benchmarks.md "Series 9")."""
        Synackd.n += 1
        self.n = Synackd.n
        # each start is a new MAC (net_tap's random one): the client's and
        # the backend's neighbour entries of the last one would send there
        # (synackd sends no gratuitous ARP; drop_l2_dst counts them)
        two = self.kind.startswith("two_arm")
        for k, a in (("c", "10.5.0.254"), ("b", "10.6.0.254")) if two else \
                (("c", "198.18.0.2"), ("b", "198.18.0.2")):
            run(["ip", "-n", NS[k], "neigh", "flush", "to", a], check=False)
        if Synackd.port_lo + ports > 65535 or self.reuse_ports:
            Synackd.port_lo = 10000
        self.ports = "%d-%d" % (Synackd.port_lo, Synackd.port_lo + ports - 1)
        Synackd.port_lo += ports
        # one secret for every start (but with --reuse-ports, which
        # shows what a random one does): the ISN toward the backend then
        # grows across restarts (docs/proxy.md), so that a range used
        # again (more starts than 55,000 ports hold) meets the backend's
        # TIME_WAITs as a deployment with a set secret would
        secret = [] if self.reuse_ports else ["--cookie-secret", SECRET]
        if two:
            ns = "p"
            pmd = "net_af_xdp" if self.kind == "two_arm_xdp" else \
                "net_af_packet"
            port = ["--vdev", pmd + "0,iface=pc",
                    "--vdev", pmd + "1,iface=pb", "--",
                    "--port", pmd + "0",
                    "--proxy-port", pmd + "1",
                    "--addr", "10.5.0.254/24", "--addr", "10.6.0.254/24",
                    "--backend", "10.6.0.3:%d" % PORT]
        else:
            ns = "r"
            port = ["--vdev", "net_tap0,iface=sk0" if self.kind == "tap"
                    else "net_af_packet0,iface=%s" % AFP_DEV, "--",
                    "--addr", "198.18.0.2/24",
                    "--backend", "198.18.0.3:%d" % PORT]
        self.log = os.path.join(self.tmp, "synackd-%d.log" % self.n)
        self.stats_path = os.path.join(self.tmp, "synackd-%d.json" % self.n)
        self.p = start(["ip", "netns", "exec", NS[ns], self.exe,
                        "--lcores", self.lcores, "--no-pci", "--no-huge",
                        "-m", "512", "--no-telemetry", "--file-prefix", PREFIX]
                       + port +
                       ["--listen", "%d:proxy" % PORT,
                        "--proxy-source-ports", self.ports,
                        "--stats-interval", "0",
                        "--stats-file", self.stats_path] + secret,
                       self.log,
                       session=self.nice != 0)
        if self.nice:
            # its own session is its own autogroup (sched_autogroup): a
            # nice value within ours would weigh nothing against the
            # other sessions' tasks on its CPU
            try:
                with open("/proc/%d/autogroup" % self.p.pid, "w") as f:
                    f.write(str(self.nice))
            except OSError as e:
                log("synackd's autogroup nice %d: %s" % (self.nice, e))
        for _ in range(300):
            if self.p.poll() is not None:
                raise Failure("synackd exited %d: %s" % (
                    self.p.returncode, open(self.log).read()[-2000:]))
            if "synackd: ready" in open(self.log).read():
                break
            time.sleep(0.1)
        else:
            raise Failure("synackd not ready in 30 s: %s" %
                          open(self.log).read()[-2000:])
        if self.kind == "tap":
            # net_tap gives the kernel's side of the tap synackd's own
            # MAC: on a bridge that is a local address (frames to it would
            # stay in R's kernel), so the kernel's side takes another one
            ip("r", "link", "set", "sk0", "address", "02:00:00:00:5c:00")
            ip("r", "link", "set", "sk0", "master", "br0", "up")
        # synackd answers ARP for its address itself; the first connection
        # must not pay for its ARP nor for the bridge's learning
        nsx("c", "ping", "-c", "1", "-W", "2", TARGET["proxy-2arm"] if two
            else "198.18.0.2", check=False)
        # and the backend's MAC must be known (synackd asks once a second
        # until then; a connection that comes before is reset, counted as
        # proxy_fail_unresolved): B has synackd's then, from its request
        for _ in range(40):
            if "lladdr" in ip("b", "neigh", "show", "10.6.0.254" if two
                              else "198.18.0.2"):
                break
            time.sleep(0.1)
        time.sleep(0.1)

    def down(self):
        # the port's drops in the kernel (the tap's side: TX is toward
        # synackd; af_packet's veth: RX is)
        if self.kind.startswith("two_arm"):
            self.tap = link_drops("p", "pc")
        else:
            self.tap = link_drops("r", "sk0" if self.kind == "tap" else
                                  AFP_DEV)
        stop(self.p, signal.SIGINT, wait=15)
        shutil.rmtree("/var/run/dpdk/" + PREFIX, ignore_errors=True)
        try:
            with open(self.stats_path) as f:
                c = json.load(f).get("counters", {})
        except (OSError, ValueError) as e:
            c = {"stats_file_error": str(e)}
        if self.p.returncode not in (0, None):
            c["exit_status"] = self.p.returncode
        self.stats.append(c)
        return c


def nstat(ns, *names):
    out = nsx(ns, "nstat", "-az", *names, check=False)
    v = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] in names:
            v[f[0]] = int(f[1])
    return {n: v.get(n, 0) for n in names}


B_COUNTERS = ("TcpPassiveOpens", "TcpExtTSEcrRejected",
              "TcpExtListenOverflows", "TcpExtListenDrops", "TcpEstabResets", "TcpRetransSegs")
C_COUNTERS = ("TcpActiveOpens", "TcpAttemptFails", "TcpRetransSegs",
              "TcpExtTCPTimeouts")


def parse_ab(out):
    def num(pat, cast=float):
        m = re.search(pat, out, re.M)
        return cast(m.group(1)) if m else None
    return {
        "rps": num(r"^Requests per second:\s+([\d.]+)"),
        "complete": num(r"^Complete requests:\s+(\d+)", int),
        "failed": num(r"^Failed requests:\s+(\d+)", int),
        "non2xx": num(r"^Non-2xx responses:\s+(\d+)", int) or 0,
        "seconds": num(r"^Time taken for tests:\s+([\d.]+)"),
        "longest_ms": num(r"100%\s+(\d+) \(longest request\)", int),
        "p99_ms": num(r"^\s+99%\s+(\d+)", int),
    }


def ab_run(cli_cpu, variant, n, conc, secs):
    url = "http://%s:%d/index.html" % (TARGET[variant], PORT)
    b0 = nstat("b", *B_COUNTERS)
    c0 = nstat("c", *C_COUNTERS)
    try:
        # -t first: it implies -n 50000, which -n then lowers
        out = nsx("c", "taskset", "-c", str(cli_cpu), "ab", "-q", "-r",
                  "-s", "10", "-t", str(secs), "-n", str(n), "-c", str(conc),
                  url, check=False, timeout=secs + 60)
    except subprocess.TimeoutExpired:
        out = "ab: timed out after %d s" % (secs + 60)
    r = parse_ab(out)
    b1 = nstat("b", *B_COUNTERS)
    c1 = nstat("c", *C_COUNTERS)
    r["backend"] = {k: b1[k] - b0[k] for k in B_COUNTERS}
    r["client"] = {k: c1[k] - c0[k] for k in C_COUNTERS}
    if r["rps"] is None:
        r["error"] = out.strip()[-300:]
        # ab gives up (no summary) when a connection stays silent for
        # -s seconds: what it had done is in its last line
        m = re.search(r"^Total of (\d+) requests completed", out, re.M)
        if m:
            r["complete"] = int(m.group(1))
            r["hung"] = True
    return r


def curl_run(cli_cpu, variant, size):
    url = "http://%s:%d/big" % (TARGET[variant], PORT)
    b0 = nstat("b", "TcpRetransSegs")
    c0 = nstat("c", "TcpRetransSegs")
    try:
        out = nsx("c", "taskset", "-c", str(cli_cpu), "curl", "-s", "-o",
                  "/dev/null", "-m", "40", "-w",
                  "%{http_code} %{size_download} %{time_total}", url,
                  check=False, timeout=60)
    except subprocess.TimeoutExpired:
        out = "timeout"
    f = out.split()
    r = {"backend_retrans": nstat("b", "TcpRetransSegs")["TcpRetransSegs"] -
         b0["TcpRetransSegs"],
         "client_retrans": nstat("c", "TcpRetransSegs")["TcpRetransSegs"] -
         c0["TcpRetransSegs"]}
    if len(f) == 3 and f[0] == "200" and int(f[1]) == size:
        secs = float(f[2])
        r.update(seconds=secs, gbit_s=round(size * 8 / secs / 1e9, 3))
    else:
        r["error"] = out.strip()[-300:]
    return r


def link_drops(ns, dev):
    """The kernel's drops on DEV (RX and TX), from ip -s link."""
    out = run(["ip", "-n", NS[ns], "-s", "-j", "link", "show", dev],
              check=False)
    try:
        st = json.loads(out)[0]["stats64"]
        return {"rx_dropped": st["rx"]["dropped"],
                "tx_dropped": st["tx"]["dropped"]}
    except (ValueError, KeyError, IndexError):
        return {}


def proxy_ratios(m, variants):
    """For each proxy variant P run, "P_vs": P's median over each other
    variant's (proxy-afp -> proxy_afp_vs; proxy_vs["proxy-old"] is the
    before / after of --synackd-old)."""
    out = {}
    for p in PROXIES:
        if p in variants:
            out[p.replace("-", "_") + "_vs"] = {
                v: ratio(m.get(p), m[v]) for v in variants if v != p}
    return out


def med(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def rotated(xs, n):
    n %= len(xs)
    return xs[n:] + xs[:n]


def ratio(a, b):
    return round(a / b, 3) if a and b else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synackd",
                    default=os.path.join(ROOT, "build/app/synackd"))
    ap.add_argument("--synackd-old", help="another build's synackd: adds "
                    "the variant proxy-old (net_tap), run interleaved "
                    "with the others")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=5000,
                    help="connections per ab run at most")
    ap.add_argument("--seconds", type=int, default=6,
                    help="an ab run's time limit (ab -t)")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--bulk-mib", type=int, default=256)
    ap.add_argument("--bulk-rounds", type=int, default=3)
    ap.add_argument("--variants",
                    default="direct,proxy,proxy-afp,proxy-2arm,proxy-xdp,"
                    "router,synproxy")
    ap.add_argument("--timestamps", default="1,0")
    ap.add_argument("--nice", type=int, default=0,
                    help="synackd in a session of its own with this "
                    "autogroup nice value (-10: its polling lcore keeps "
                    "most of its CPU on a machine others load)")
    ap.add_argument("--reuse-ports", action="store_true",
                    help="every synackd start from the same source port "
                    "(the backend's TIME_WAITs of the last start meet it: "
                    "to reproduce docs/benchmarks.md's defect 2)")
    ap.add_argument("--json")
    ap.add_argument("--keep", help="copy the logs (synackd, nginx) here")
    ap.add_argument("--capture", help="tcpdump the backend's side of the "
                    "bridged segment (B's b0) into this pcap (for a bug "
                    "report; keep --requests small)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        log("needs root (namespaces): skipped")
        return 77
    for t in ("ab", "nginx", "curl", "nstat", "taskset", "ethtool"):
        if not shutil.which(t) and not os.access("/usr/sbin/" + t, os.X_OK):
            raise Failure("%s not installed (usertools/common.sh installs "
                          "it)" % t)
    if not os.access(a.synackd, os.X_OK):
        raise Failure("%s not found (build first)" % a.synackd)
    cpus = sorted(os.sched_getaffinity(0))
    cli_cpu, mid_cpu = cpus[0], cpus[-1]
    variants = a.variants.split(",")
    if a.synackd_old and "proxy-old" not in variants:
        variants.append("proxy-old")
    for v in variants:
        if v not in TARGET:
            raise Failure("unknown variant %s (of %s)" % (
                v, ",".join(sorted(TARGET))))
    if "proxy-old" in variants and not (
            a.synackd_old and os.access(a.synackd_old, os.X_OK)):
        raise Failure("proxy-old needs --synackd-old (an executable)")
    res = {"cpus": {"clients_and_backend": cli_cpu, "middle": mid_cpu},
           "loadavg_start": open("/proc/loadavg").read().split()[:3],
           "requests": a.requests, "concurrency": a.concurrency,
           "rounds": a.rounds, "bulk_bytes": a.bulk_mib << 20,
           "cps": {}, "bulk": {}, "notes": []}
    tmp = tempfile.mkdtemp(prefix="sk-pxbench-")
    os.chmod(tmp, 0o755)
    try:
        topology(mid_cpu)
        if "proxy-afp" in variants:
            afp_wire(mid_cpu)
        if "proxy-xdp" in variants:
            try:
                socket.socket(44, socket.SOCK_RAW).close()  # AF_XDP
            except OSError as e:
                variants.remove("proxy-xdp")
                res["notes"].append("proxy-xdp skipped: socket(AF_XDP): "
                                    "%s" % e)
                log("proxy-xdp: skipped: socket(AF_XDP): %s" % e)
        if "proxy-2arm" in variants or "proxy-xdp" in variants:
            two_arm_wires(mid_cpu)
        if "synproxy" in variants:
            try:
                res["synproxy_rules"] = synproxy_rules()
            except Failure as e:
                variants.remove("synproxy")
                res["notes"].append("synproxy skipped: %s" % e)
                log("the kernel's SYNPROXY: skipped: %s" % e)
        backend(tmp, cli_cpu, a.bulk_mib << 20)
        if a.capture:
            start(["ip", "netns", "exec", NS["b"], "tcpdump", "-s", "128",
                   "-U", "-ni", "b0", "-w", a.capture, "tcp"],
                  os.path.join(tmp, "tcpdump.log"))
            time.sleep(1)
        sks = {}
        for v in variants:
            if v in PROXIES:
                sks[v] = Synackd(a.synackd_old if v == "proxy-old" else
                                 a.synackd, tmp, cli_cpu, mid_cpu, PROXIES[v])
                sks[v].nice = a.nice
                sks[v].reuse_ports = a.reuse_ports
        for ts in a.timestamps.split(",") if a.rounds > 0 else ():
            for k in "cksb":
                sysctl(k, "net.ipv4.tcp_timestamps=" + ts)
            key = "ts" + ts
            runs = {v: [] for v in variants}
            for rnd in range(a.rounds):
                for v in rotated(variants, rnd):
                    if v in sks:
                        sks[v].up(a.requests + 500)
                    r = ab_run(cli_cpu, v, a.requests, a.concurrency,
                               a.seconds)
                    if v in sks:
                        r["synackd"] = {
                            k: x for k, x in sks[v].down().items()
                            if x and (k.startswith("proxy_") or
                                      k.startswith("drop") or
                                      k in ("exit_status",
                                            "stats_file_error"))}
                        r["tap_sk0"] = sks[v].tap
                    r["load"] = open("/proc/loadavg").read().split()[0]
                    runs[v].append(r)
                    print("proxy_bench: cps ts=%s round %d %-8s %s" % (
                        ts, rnd + 1, v, json.dumps(r)), flush=True)
            m = {v: med([r["rps"] for r in runs[v]]) for v in variants}
            res["cps"][key] = {
                "runs": runs, "median_rps": m,
                # failed or not 2xx; a run ab gave up (a connection
                # silent for 10 s) counts what it had not done, one that
                # printed nothing at all N
                "failed": {v: sum((r["failed"] or 0) + r["non2xx"]
                                  if r["rps"] is not None else
                                  a.requests - (r["complete"] or 0)
                                  for r in runs[v]) for v in variants},
                "runs_given_up": {v: sum(r["rps"] is None for r in runs[v])
                                  for v in variants},
                "complete": {v: sum(r["complete"] or 0 for r in runs[v])
                             for v in variants},
                "tsecr_rejected": {
                    v: sum(r["backend"]["TcpExtTSEcrRejected"]
                           for r in runs[v]) for v in variants},
                "client_rto": {v: sum(r["client"]["TcpExtTCPTimeouts"]
                                      for r in runs[v]) for v in variants},
                "proxy_syn_retx": {p: sum(
                    r.get("synackd", {}).get("proxy_syn_retx", 0)
                    for r in runs[p]) for p in sks},
                "longest_ms": {v: max(((r["longest_ms"] or 0)
                                       for r in runs[v]), default=None)
                               for v in variants},
            }
            res["cps"][key].update(proxy_ratios(m, variants))
        for k in "cksb":
            sysctl(k, "net.ipv4.tcp_timestamps=1")
        runs = {v: [] for v in variants}
        if a.bulk_rounds > 0 and "direct" in variants:
            # once unrecorded: the first read of the file fills the page
            # cache (the first round's first run was 5-10x slower)
            curl_run(cli_cpu, "direct", a.bulk_mib << 20)
        for rnd in range(a.bulk_rounds):
            for v in rotated(variants, rnd):
                if v in sks:
                    sks[v].up(100)
                r = curl_run(cli_cpu, v, a.bulk_mib << 20)
                if v in sks:
                    c = sks[v].down()
                    r["synackd"] = {k: c.get(k) for k in (
                        "proxy_bytes_b2c", "proxy_bytes_c2b", "proxy_fwd_b2c",
                        "proxy_fwd_c2b", "proxy_established", "proxy_closed",
                        "drop_old_ack", "proxy_syn_retx")}
                    r["tap_sk0"] = sks[v].tap
                runs[v].append(r)
                print("proxy_bench: bulk round %d %-8s %s" % (
                    rnd + 1, v, json.dumps(r)), flush=True)
        m = {v: med([r.get("gbit_s") for r in runs[v]]) for v in variants}
        res["bulk"] = {"runs": runs, "median_gbit_s": m}
        res["bulk"].update(proxy_ratios(m, variants))
        res["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        summ = {"cps": {k: {"median_rps": v["median_rps"],
                            **{r: x for r, x in v.items()
                               if r.endswith("_vs")},
                            "failed": v["failed"],
                            "complete": v["complete"],
                            "runs_given_up": v["runs_given_up"],
                            "longest_ms": v["longest_ms"],
                            "tsecr_rejected": v["tsecr_rejected"],
                            "client_rto": v["client_rto"]}
                        for k, v in res["cps"].items()},
                "bulk": {r: x for r, x in res["bulk"].items()
                         if r != "runs"},
                "load": [res["loadavg_start"], res["loadavg_end"]]}
        print("proxy_bench: " + json.dumps(summ), flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=1)
                f.write("\n")
        return 0
    finally:
        cleanup()
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in os.listdir(tmp):
                if f.endswith(".log") or f.endswith(".json"):
                    shutil.copy(os.path.join(tmp, f), a.keep)
        shutil.rmtree(tmp, ignore_errors=True)


def on_signal(sig, frame):
    raise Failure("signal %d" % sig)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sys.exit(main())
    except Failure as e:
        log("could not run: %s" % e)
        sys.exit(1)
