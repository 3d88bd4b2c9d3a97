# SPDX-License-Identifier: BSD-3-Clause
"""Run synackd on a net_tap port inside a private network namespace.

The namespace gets its own name (pid-based), IPv6 off, lo up; synackd is
started inside it (`ip netns exec`), so its tap `sk0` appears there; the
kernel side of the tap gets 198.18.0.1/24 (RFC 2544 benchmarking range) and
the engine answers as 198.18.0.2.

Engine(port="af_packet") or port="af_xdp" (or SK_PORT=af_packet|af_xdp in
the environment) puts a veth pair in the namespace instead: the kernel
keeps `sk0` (same name, same address), synackd takes its peer `sk1` with
net_af_packet or net_af_xdp. The kernel's side gets `ethtool -K sk0 tx off`
first: a veth hands its TCP segments over with the checksum still to be
computed, which synackd drops (docs/ports.md). The calling thread then joins the
namespace with setns(2), so sockets and child processes (curl, java, ping)
of the test talk to the engine through the tap, and nothing leaves the
namespace. Everything is undone on exit: try/finally, atexit and signals.

Python 3 standard library only.
"""

import argparse
import atexit
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
ENGINE_ADDR = "198.18.0.2"
KERNEL_ADDR = "198.18.0.1"
PREFIX_LEN = 24
# Engine(ipv6=True): the same link also carries IPv6 (RFC 3849
# documentation prefix), the kernel resolving the engine by Neighbor
# Discovery, with no static neighbour entry.
ENGINE_ADDR6 = "2001:db8::2"
KERNEL_ADDR6 = "2001:db8::1"
PREFIX_LEN6 = 64
IFACE = "sk0"
# The engine's end of the veth pair (ports other than the tap).
VETH_PEER = "sk1"
# What synackd can run on in these tests: the EAL --vdev for each, given
# the interface it takes, whether the tap persists and the number of
# worker lcores. docs/ports.md has the same commands. net_tap opens as
# many queues as synackd configures; net_af_packet needs qpairs= (one
# PACKET socket per queue pair, the kernel's fanout spreads the frames);
# net_af_xdp on a veth has one queue (the PMD takes its queue count from
# the combined channels, which a veth has none of).
PORTS = {
    "tap": lambda iface, persist, workers: "net_tap0,iface=%s%s" % (
        iface, ",persist" if persist else ""),
    "af_packet": lambda iface, persist, workers: "net_af_packet0,iface=%s%s" % (
        iface, ",qpairs=%d" % workers if workers > 1 else ""),
    "af_xdp": lambda iface, persist, workers: "net_af_xdp0,iface=%s" % iface,
}
AF_XDP = 44  # socket.AF_XDP is not in Python 3.11


def require_port(port):
    """Exit 77 (skip), saying why, where the kernel cannot give the port at
    all; anything else that goes wrong with it is a failure."""
    if port != "af_xdp":
        return
    try:
        socket.socket(AF_XDP, socket.SOCK_RAW, 0).close()
    except OSError as e:
        if e.errno in (errno.EAFNOSUPPORT, errno.EPROTONOSUPPORT):
            log("SKIP: net_af_xdp cannot work on this kernel: socket(AF_XDP): "
                "%s (a kernel built without CONFIG_XDP_SOCKETS)" % e.strerror)
            sys.exit(SKIP)
        raise TestFailure("socket(AF_XDP): %s" % e.strerror) from e


# How synackd keeps a flow on one worker on each, with several workers
# (docs/multicore.md): the end of its ready line.
DISPATCH = {"tap": "device flow steering", "af_packet": "software dispatch",
            "af_xdp": "software dispatch"}
DEFAULT_LISTEN = ("8080:hello", "80:http", "7:echo", "9:hold")
# Free 2 MB hugepages below which synackd runs with --no-huge -m 512
# (usertools/common.sh uses the same value).
HUGE_MIN_FREE = 64
CLONE_NEWNET = 0x40000000


class TestFailure(Exception):
    """The engine or the test traffic did not do what was expected."""


class MemifRace(TestFailure):
    """A synackd crashed (SIGSEGV) as its memif peer went away: DPDK 22.11's
    net_memif unmaps the shared regions from its control thread while the
    data path may be inside rx_burst (rte_eth_memif.c checks its CONNECTED
    flag, then reads the ring, with nothing between them and
    memif_disconnect()). Not synack's code: run_memif_test() runs the test
    again once."""


def run_memif_test(main):
    """Exit with main()'s status; after a MemifRace run it once more, and
    fail on a second. Any other TestFailure (or a subprocess timeout)
    fails at once."""
    for attempt in (1, 2):
        try:
            sys.exit(main())
        except MemifRace as e:
            print("note: %s: the DPDK 22.11 net_memif disconnect race (see "
                  "MemifRace in sktap.py)%s" % (
                      e, ", running again" if attempt == 1 else ""))
            if attempt == 2:
                print("FAIL: %s, twice" % e)
                sys.exit(1)
        except (TestFailure, subprocess.TimeoutExpired) as e:
            print("FAIL: %s" % e)
            sys.exit(1)


def log(msg):
    print(msg, flush=True)


def require_root():
    if os.geteuid() != 0:
        log("SKIP: integration tests need root (network namespace, tap)")
        sys.exit(SKIP)
    for tool in ("ip",):
        if shutil.which(tool) is None:
            raise TestFailure("%s not found (run usertools/setup)" % tool)
    if not os.path.exists("/dev/net/tun"):
        raise TestFailure("/dev/net/tun is missing: net_tap cannot work here")


def run(cmd, timeout=30, check=True, **kw):
    """subprocess.run with a timeout and captured text output."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        raise TestFailure("timed out after %ss: %s" % (timeout, " ".join(cmd))) from e
    if check and p.returncode != 0:
        raise TestFailure("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                               (p.stderr or p.stdout).strip()))
    return p


def _meminfo(key):
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def eal_mem_args():
    """--huge-unlink where enough 2 MB hugepages are free, else the fallback."""
    if os.environ.get("SK_NO_HUGE") == "1":
        return ["--no-huge", "-m", "512"], "SK_NO_HUGE=1"
    try:
        with open("/proc/sys/vm/nr_hugepages") as f:
            nr = int(f.read().strip() or 0)
    except (OSError, ValueError):
        nr = 0
    free = _meminfo("HugePages_Free")
    mounted = False
    try:
        with open("/proc/mounts") as f:
            mounted = any(l.split()[2] == "hugetlbfs" for l in f if len(l.split()) > 2)
    except OSError:
        pass
    if nr == 0 or free < HUGE_MIN_FREE or not mounted:
        why = ("no hugepages reserved" if nr == 0 else
               "hugetlbfs not mounted" if not mounted else
               "only %d free hugepages" % free)
        return ["--no-huge", "-m", "512"], why
    return ["--huge-unlink"], None


def lcores_arg():
    """Lcores 0 and 1 on the first two CPUs this process may use."""
    cpus = sorted(os.sched_getaffinity(0))
    a = cpus[0]
    b = cpus[1] if len(cpus) > 1 else cpus[0]
    return "0@%d,1@%d" % (a, b)


def lcores_workers_arg(workers=2):
    """The main lcore 0 and worker lcores 1..workers. With at least
    workers + 1 CPUs each gets its own; otherwise (a 2-CPU machine) the main
    lcore, which only serves telemetry, shares the first CPU with worker 1
    and the workers take the CPUs in turn: '0@A,1@A,2@B'."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > workers:
        return ",".join("%d@%d" % (i, cpus[i]) for i in range(workers + 1))
    return ",".join(["0@%d" % cpus[0]] + ["%d@%d" % (i, cpus[(i - 1) % len(cpus)])
                                          for i in range(1, workers + 1)])


_libc = None


def _setns(fd):
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6",
                            use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def join_netns(ns):
    """Move the calling thread alone (setns is per thread) into the named
    network namespace."""
    fd = os.open("/var/run/netns/" + ns, os.O_RDONLY)
    try:
        _setns(fd)
    finally:
        os.close(fd)


_live = []
_all = []


def _cleanup_all():
    for eng in list(_live):
        eng.cleanup()


def _on_signal(sig, frame):
    # Unwind through the finally blocks, which clean up.
    raise SystemExit(128 + sig)


def install_handlers(budget_s):
    """Cleanup on exit and on SIGTERM/SIGINT/SIGHUP; a hard time budget."""
    atexit.register(_cleanup_all)
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _on_signal)

    def on_alarm(sig, frame):
        raise TestFailure("test ran past its %d s budget" % budget_s)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(budget_s)


class Engine:
    """synackd in a fresh network namespace, reached through its tap."""

    def __init__(self, synackd, listen=DEFAULT_LISTEN, options=(),
                 tag="t", ready_timeout=60.0, lcores=None, capture=None,
                 prepare=None, port=None, ipv6=False, extra_addrs=()):
        """capture: a pcap file name, written in the engine's temporary
        folder by tcpdump on the kernel's side of the tap, from before the
        kernel has an address (so before the first ARP reply and segment);
        stop_capture() returns its path. The tap is then persistent
        (net_tap's persist: it outlives synackd until the namespace goes),
        since libpcap ends a capture with "The interface disappeared"
        without reading what its ring still holds when the tap goes first.
        prepare: called with the engine once the namespace is joined,
        before the kernel's address is added (e.g. to listen on 0.0.0.0
        before synackd can reach the kernel).
        port: "tap" (the default), "af_packet" or "af_xdp" (a veth pair:
        the kernel keeps IFACE, synackd takes VETH_PEER); None reads
        SK_PORT from the environment.
        ipv6: dual stack: synackd also gets --addr ENGINE_ADDR6/64, the
        namespace keeps IPv6 (no DAD, no router solicitations, no RA) and
        the kernel's side gets KERNEL_ADDR6/64 (nodad) next to its IPv4
        address; no neighbour entry is added for either family.
        extra_addrs: more "ADDR/PREFIX" for the kernel's side, after its
        own (e.g. a server behind synackd's proxy on the same link). An
        IPv6 one is nodad and deprecated (preferred_lft 0): the kernel
        never picks it as a source address, so clients keep KERNEL_ADDR6
        (an IPv4 one is secondary, never a source either)."""
        self.synackd = synackd
        self.port = port or os.environ.get("SK_PORT") or "tap"
        if self.port not in PORTS:
            raise TestFailure("unknown port kind %r (SK_PORT): one of %s"
                              % (self.port, ", ".join(sorted(PORTS))))
        self.capture = capture
        # tcpdump -s: a small snapshot length gives its ring many more
        # slots (in --immediate-mode each slot is as large as it), for a
        # capture of a fast run of small frames
        self.capture_snaplen = None
        # tcpdump -B (KiB): a larger kernel buffer for a capture of a bulk
        # transfer, which the default 2 MiB cannot hold while tcpdump lags
        self.capture_buffer_kib = None
        self.ipv6 = ipv6
        self.prepare = prepare
        self.lcores = lcores
        self.extra_addrs = list(extra_addrs)
        self.listen = list(listen)
        self.options = list(options)
        self.ready_timeout = ready_timeout
        uniq = "%s-%d-%d" % (tag, os.getpid(), len(_live))
        self.ns = "sk-" + uniq
        self.prefix = "sk-" + uniq
        self.tmp = tempfile.mkdtemp(prefix="sk-int-")
        self.stats_path = os.path.join(self.tmp, "stats.json")
        self.proc = None
        self.lines = []
        self.ready_line = None
        self._ready = threading.Event()
        self._reader = None
        self._orig_ns = None
        self._in_ns = False
        self._ns_made = False
        self._tcpdump = None
        self.pcap = None
        self.mac = None
        self.dumped = False
        _live.append(self)
        _all.append(self)

    # -- start ---------------------------------------------------------
    def command(self):
        mem, why = eal_mem_args()
        if why:
            log("note: %s: synackd runs with --no-huge -m 512" % why)
        lcores = self.lcores or lcores_arg()
        # every lcore but the main one is a worker (docs/multicore.md)
        workers = max(1, len(lcores.split(",")) - 1)
        cmd = ["ip", "netns", "exec", self.ns, self.synackd,
               "--lcores", lcores, "--file-prefix",
               self.prefix] + mem + [
               "--no-pci", "--vdev", PORTS[self.port](
                   IFACE if self.port == "tap" else VETH_PEER,
                   bool(self.capture), workers),
               "--",
               "--addr", "%s/%d" % (ENGINE_ADDR, PREFIX_LEN)]
        if self.ipv6:
            cmd += ["--addr", "%s/%d" % (ENGINE_ADDR6, PREFIX_LEN6)]
        for l in self.listen:
            cmd += ["--listen", l]
        cmd += ["--stats-file", self.stats_path] + self.options
        return cmd

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if self.ready_line is None and line.startswith("synackd: ready"):
                self.ready_line = line
                self._ready.set()
        self._ready.set()

    def output(self):
        return "\n".join(self.lines)

    def start(self):
        if not os.access(self.synackd, os.X_OK):
            raise TestFailure("synackd not found at %s (build it first)" % self.synackd)
        require_port(self.port)
        run(["ip", "netns", "add", self.ns])
        self._ns_made = True
        # No IPv6 on the tap (set before it exists), so no stray frames.
        # With ipv6, IPv6 stays on but quiet and quick: no duplicate
        # address detection, no router solicitations, no RAs accepted,
        # addresses kept when the link goes down (a flap must not take
        # 2001:db8::1 away, as Linux does by default),
        # inherited by the tap from "default" when synackd creates it.
        if self.ipv6:
            run(["ip", "netns", "exec", self.ns, "sh", "-c",
                 "for k in all default; do d=/proc/sys/net/ipv6/conf/$k; "
                 "echo 0 > $d/disable_ipv6 && echo 0 > $d/accept_dad && "
                 "echo 0 > $d/accept_ra && echo 0 > $d/router_solicitations"
                 " && echo 1 > $d/keep_addr_on_down"
                 " || exit 1; done"])
        else:
            run(["ip", "netns", "exec", self.ns, "sh", "-c",
                 "for k in all default; do f=/proc/sys/net/ipv6/conf/$k/disable_ipv6; "
                 "[ ! -e $f ] || echo 1 > $f; done"])
        run(["ip", "-n", self.ns, "link", "set", "lo", "up"])
        if self.port != "tap":
            self._make_veth()
            if self.ipv6:
                # synackd's end is no interface of the kernel's: it must
                # not send MLD or router solicitations of its own
                run(["ip", "netns", "exec", self.ns, "sh", "-c",
                     "echo 1 > /proc/sys/net/ipv6/conf/%s/disable_ipv6"
                     % VETH_PEER])
        cmd = self.command()
        log("+ " + " ".join(cmd))
        env = None
        if self.port == "af_xdp":
            # a sanitizer build (build-san): libxdp's UMEM outlives the
            # port (lsan.supp); ignored by a build without LeakSanitizer
            env = dict(os.environ)
            env["LSAN_OPTIONS"] = ":".join(filter(None, (
                env.get("LSAN_OPTIONS"), "suppressions=" + os.path.join(
                    os.path.dirname(os.path.abspath(__file__)), "lsan.supp"))))
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=env,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     errors="replace")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._ready.wait(self.ready_timeout)
        if self.ready_line is None:
            rc = self.proc.poll()
            self.cleanup()
            self.dumped = True
            raise TestFailure("synackd did not print 'synackd: ready' within %.0f s "
                              "(%s); its output:\n%s" % (
                                  self.ready_timeout,
                                  "still running" if rc is None else "exit %d" % rc,
                                  self.output()))
        log(self.ready_line)
        words = self.ready_line.split()
        if "mac" in words and words.index("mac") + 1 < len(words):
            self.mac = words[words.index("mac") + 1].rstrip(",").lower()
        pcap_dir = os.environ.get("SK_TEST_PCAP")
        if self.capture:
            self._start_tcpdump(os.path.join(self.tmp, self.capture))
        elif pcap_dir and shutil.which("tcpdump"):
            os.makedirs(pcap_dir, exist_ok=True)
            self._start_tcpdump(os.path.join(pcap_dir, "%s.pcap" % self.ns))
        if self.prepare is not None:
            self.enter()
            self.prepare(self)
        run(["ip", "-n", self.ns, "addr", "add",
             "%s/%d" % (KERNEL_ADDR, PREFIX_LEN), "dev", IFACE])
        if self.ipv6:
            run(["ip", "-n", self.ns, "-6", "addr", "add",
                 "%s/%d" % (KERNEL_ADDR6, PREFIX_LEN6), "dev", IFACE,
                 "nodad"])
        for a in self.extra_addrs:
            run(["ip", "-n", self.ns, "addr", "add", a, "dev", IFACE] +
                (["nodad", "preferred_lft", "0"] if ":" in a else []))
        run(["ip", "-n", self.ns, "link", "set", IFACE, "up"])
        if not self._in_ns:
            self.enter()
        return self

    def _make_veth(self):
        """The veth pair: IFACE for the kernel, VETH_PEER for synackd,
        both up; the kernel's side computes its own TCP checksums (a
        veth's default leaves them partial: synackd would drop every
        segment) and so does not segment either (TSO goes with it)."""
        if shutil.which("ethtool") is None:
            raise TestFailure("ethtool not found (run usertools/setup)")
        run(["ip", "-n", self.ns, "link", "add", IFACE, "type", "veth",
             "peer", "name", VETH_PEER])
        run(["ip", "netns", "exec", self.ns, "ethtool", "-K", IFACE, "tx", "off"])
        # The kernel's share of the veth on one CPU, the first this test may
        # use (RPS on both ends' receive queue): a frame on a veth is
        # otherwise processed by the backlog of the CPU that sent it, so
        # two frames of one flow sent from two CPUs (a handshake's last ACK
        # from the softirq that took the SYN-ACK, the request from the
        # client's thread) can cross, and the frames synackd sends would be
        # processed on its worker's CPU, behind the polling worker.
        mask = "%x" % (1 << sorted(os.sched_getaffinity(0))[0])
        for dev in (IFACE, VETH_PEER):
            run(["ip", "netns", "exec", self.ns, "sh", "-c",
                 "echo %s > /sys/class/net/%s/queues/rx-0/rps_cpus" % (mask, dev)])
        # Both ends up now: synackd's end has a carrier (its ready line
        # says link up) and tcpdump can open IFACE; with no address on it
        # yet (and IPv6 off) the kernel sends nothing before start() adds
        # one, as with the tap.
        for dev in (VETH_PEER, IFACE):
            run(["ip", "-n", self.ns, "link", "set", dev, "up"])

    def _start_tcpdump(self, path):
        """tcpdump -w path on the tap, returning once it captures."""
        self.pcap = path
        self._tcpdump = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "tcpdump", "-n", "-U",
             "--immediate-mode"] +
            (["-s", str(self.capture_snaplen)] if self.capture_snaplen else []) +
            (["-B", str(self.capture_buffer_kib)] if self.capture_buffer_kib
             else []) +
            ["-i", IFACE, "-w", path], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            errors="replace")
        # it says "listening on IFACE" once its capture is active
        lines = self.capture_log = []
        t = self._tcpdump_reader = threading.Thread(target=lambda: [
            lines.append(l) for l in self._tcpdump.stderr], daemon=True)
        t.start()
        deadline = time.time() + 15
        while not any("listening on" in l for l in lines):
            if self._tcpdump.poll() is not None or time.time() > deadline:
                t.join(1)
                raise TestFailure("tcpdump did not start capturing on %s: %s"
                                  % (IFACE, "".join(lines).strip()))
            time.sleep(0.01)

    def stop_capture(self):
        """Stop tcpdump once its file has stopped growing (-U writes each
        frame as it reads it), check that it wrote every frame it
        received, and return the file's path."""
        p, self._tcpdump = self._tcpdump, None
        if p is None:
            return self.pcap
        size, stable, deadline = -1, 0, time.time() + 10
        while stable < 5 and p.poll() is None and time.time() < deadline:
            time.sleep(0.1)
            n = os.path.getsize(self.pcap) if os.path.exists(self.pcap) else 0
            stable = stable + 1 if n == size else 0
            size = n
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self._tcpdump_reader.join(5)
        text = "".join(self.capture_log)
        got = [int(w.split()[0]) for w in text.splitlines()
               if w.endswith("packets captured")]
        seen = [int(w.split()[0]) for w in text.splitlines()
                if w.endswith("packets received by filter")]
        if not got or not seen or got[0] != seen[0]:
            raise TestFailure("incomplete capture (tcpdump said: %s)"
                              % " / ".join(text.strip().splitlines()))
        return self.pcap

    def enter(self):
        """Move the calling thread (and so its later threads, sockets and
        children) into the namespace."""
        self._orig_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
        join_netns(self.ns)
        self._in_ns = True

    def leave(self):
        if self._in_ns:
            _setns(self._orig_ns)
            self._in_ns = False
        if self._orig_ns is not None:
            os.close(self._orig_ns)
            self._orig_ns = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- stop ----------------------------------------------------------
    def _flush_af_xdp(self):
        """One ARP request to the engine, its reply awaited (bounded).
        net_af_xdp takes back the mbufs of frames it sent from the AF_XDP
        completion ring only when it transmits again, and a veth completes
        a frame only once the kernel has processed it: without one more
        transmission at the end, any number of the last frames' mbufs can
        still be out when synackd counts them. After this reply, only the
        reply's own is (MBUF_SLACK)."""
        code = r"""
import socket, struct, sys, time
iface, ip, target = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((iface, 0))
mac = s.getsockname()[4]
req = (b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
       + mac + socket.inet_aton(ip) + b"\x00" * 6 + socket.inet_aton(target))
s.settimeout(0.5)
deadline = time.time() + 5
while time.time() < deadline:
    s.send(req)
    try:
        while True:
            f = s.recv(128)
            if f[20:22] == b"\x00\x02" and f[28:32] == socket.inet_aton(target):
                sys.exit(0)
    except socket.timeout:
        pass
sys.exit("no ARP reply from %s on %s" % (target, iface))
"""
        p = run(["ip", "netns", "exec", self.ns, sys.executable, "-c", code,
                 IFACE, KERNEL_ADDR, ENGINE_ADDR], timeout=15, check=False)
        if p.returncode != 0:
            raise TestFailure("af_xdp: no ARP reply before the stop: %s"
                              % (p.stderr or p.stdout).strip())

    def stop(self, timeout=20.0):
        """SIGTERM, wait, check exit 0 and return the stats JSON."""
        if not self.alive():
            rc = None if self.proc is None else self.proc.returncode
            raise TestFailure("synackd is no longer running (exit %s)" % rc)
        if self.port == "af_xdp":
            self._flush_af_xdp()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise TestFailure("synackd did not exit within %.0f s of SIGTERM"
                              % timeout)
        if self._reader is not None:
            self._reader.join(5)
        if rc != 0:
            raise TestFailure("synackd exited with status %d after SIGTERM" % rc)
        try:
            with open(self.stats_path) as f:
                stats = Stats(json.load(f))
        except (OSError, ValueError) as e:
            raise TestFailure("stats file %s: %s" % (self.stats_path, e)) from e
        stats.port = self.port
        return stats

    def final_counters_text(self):
        out, on = [], False
        for l in self.lines:
            if l.startswith("synackd: stopping"):
                on = True
                continue
            if on:
                out.append(l)
        return "\n".join(out)

    def cleanup(self):
        """Idempotent: stop everything this engine started, remove its names."""
        try:
            self.leave()
        except OSError as e:
            log("warning: could not leave namespace: %s" % e)
        for p, name in ((self._tcpdump, "tcpdump"), (self.proc, "synackd")):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    log("warning: %s (pid %d) ignored SIGTERM, killing" % (name, p.pid))
                    p.kill()
                    try:
                        p.wait(5)
                    except subprocess.TimeoutExpired:
                        pass
        self._tcpdump = None
        if self._ns_made:
            subprocess.run(["ip", "netns", "del", self.ns], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
            self._ns_made = False
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False


# -- counter checks -------------------------------------------------------

class Stats(dict):
    """The stats file's JSON, as it is (it compares equal to another
    reading of it), and the kind of port it came from (.port) for
    check_stats' mbuf accounting."""
    port = None


# mbufs a port may still hold at the end beyond those it held at the start,
# without a leak. net_af_xdp (DPDK 22.11, zero-copy UMEM on the mbuf pool)
# frees a transmitted mbuf only when it takes its address back from the
# AF_XDP completion ring, which af_xdp_tx_zc() reads before it sends; a
# veth completes a frame when the kernel has processed it. Engine.stop()
# therefore has the engine answer one last ARP request first
# (_flush_af_xdp): what stays out is that reply's mbuf, and 3 more for
# anything a timer sent after it.
MBUF_SLACK = {"af_xdp": 4}

# Share of connections whose frames a port may deliver out of order. A veth
# without an XDP program (net_af_packet's) hands each frame the kernel
# sends to the backlog of the CPU that sent it (netif_rx): the handshake's
# last ACK, sent from the softirq that took the SYN-ACK, and the request,
# written by the client's thread on the other CPU, can reach synackd in the
# other order while that CPU is busy (a polling worker on a 2-CPU machine).
# synackd makes the flow from the request's cookie and answers the late
# bare ACK, now behind RCV.NXT, with an ACK (tx_oow_ack), as the kernel
# would. Seen with 2 workers: 1 to 4 of 2000 connections in some runs.
# _make_veth now sends the veth's frames through one CPU's backlog (RPS),
# which keeps them in order; the bound stays for a kernel that does not.
# net_af_xdp's veth queues every frame on one ring (its XDP path), a tap
# writes it in the sender's context: neither reorders by itself. A
# multi-queue tap whose frames are dispatched in software (the client
# role, the proxy) can: a frame one worker read and handed to its owner
# may come after a later one the owner read from its own queue
# (proxy.py's two-arm-2w allows that case its own way).
REORDER_SLACK = {"af_packet": 0.01}

# Counters that must stay zero in a clean run against the Linux kernel.
CLEAN_ZERO = ("tx_rst", "close_rst", "close_fin_timeout", "close_fin_wait2",
              "close_idle", "cookie_bad_mac", "cookie_too_old", "tx_full")


def check_stats(stats, expect=None, at_least=None, zero=CLEAN_ZERO,
                allow_nonzero=(), mbufs=True):
    """Compare the engine's final counters with what the test did.

    expect: name -> exact value; at_least: name -> minimum; zero: names that
    must be 0; every drop_* must be 0 unless in allow_nonzero; no flow may
    remain; with mbufs (stats from synackd's --stats-file, which has them),
    the mbuf pool's in-use count at exit must equal the one at start.
    Prints every mismatch, then raises TestFailure."""
    c = stats.get("counters", {})
    flows = stats.get("flows", {})
    bad = []

    def get(name):
        if name not in c:
            bad.append("counter %s missing from the stats file" % name)
            return None
        return c[name]

    for name, want in (expect or {}).items():
        got = get(name)
        if got is not None and got != want:
            bad.append("%s = %d, expected %d" % (name, got, want))
    for name, want in (at_least or {}).items():
        got = get(name)
        if got is not None and got < want:
            bad.append("%s = %d, expected at least %d" % (name, got, want))
    for name in zero:
        if name in allow_nonzero or name in (expect or {}):
            continue
        got = get(name)
        if got:
            bad.append("%s = %d, expected 0" % (name, got))
    drops = sorted(n for n in c if n.startswith("drop_"))
    if not drops:
        bad.append("no drop_* counters in the stats file")
    for name in drops:
        if c[name] and name not in allow_nonzero and name not in (expect or {}):
            bad.append("%s = %d, expected 0 (a frame was dropped)" % (name, c[name]))
    for state, n in sorted(flows.items()):
        if n:
            bad.append("flows[%s] = %d, expected 0" % (state, n))
    if stats.get("flow_count", None) != 0:
        bad.append("flow_count = %s, expected 0" % stats.get("flow_count"))
    # mbuf accounting: what the pool lent out once the port was up (its
    # RX rings) must be all it lends out at the end
    mb = stats.get("mbufs")
    if not mbufs:
        pass
    elif mb is None:
        bad.append("no mbufs accounting in the stats file")
    elif not 0 <= mb["in_use_end"] - mb["in_use_start"] <= \
            MBUF_SLACK.get(getattr(stats, "port", None), 0):
        bad.append("mbufs in use: %d at start, %d at the end (leak; %d may "
                   "stay in a %s port's rings)"
                   % (mb["in_use_start"], mb["in_use_end"],
                      MBUF_SLACK.get(getattr(stats, "port", None), 0),
                      getattr(stats, "port", None) or "tap"))
    nz = " ".join("%s=%d" % (k, v) for k, v in c.items() if v)
    log("counters (non-zero): " + nz)
    if bad:
        raise TestFailure("engine counters differ from what the test did:\n  "
                          + "\n  ".join(bad))


def _dump_engines():
    """After a failure: each engine's output (its final counters included,
    cleanup() stops it with SIGTERM), to see what the engine saw."""
    for eng in _all:
        if eng.lines and not eng.dumped:
            eng.dumped = True
            tail = eng.lines[-80:]
            log("--- synackd output (%s), last %d lines ---" % (eng.ns, len(tail)))
            for l in tail:
                log("  " + l)
            if eng.pcap:
                log("--- capture: %s" % eng.pcap)


def main_wrapper(fn, budget_s=280):
    """Run fn() with handlers; exit 0 on success, 1 on failure, 77 on skip."""
    ok = False
    try:
        install_handlers(budget_s)
        require_root()
        fn()
        ok = True
    except TestFailure as e:
        log("FAIL: %s" % e)
    except Exception:  # anything unexpected is a failure with a traceback
        log("FAIL: unexpected error:\n" + traceback.format_exc())
    finally:
        signal.alarm(0)
        _cleanup_all()
    if not ok:
        _dump_engines()
        sys.exit(1)
    log("PASS")
    sys.exit(0)


def synackd_main(doc, run_case, budget_s):
    """The main() of a test that needs only --synackd (default $SYNACKD):
    parse it, refuse a run without one, run run_case(args) under
    main_wrapper()."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    args = ap.parse_args()
    if not args.synackd:
        ap.error("no synackd: pass --synackd or set SYNACKD")
    main_wrapper(lambda: run_case(args), budget_s=budget_s)
