#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""net_pcap golden test for synackd.

Phase 1: SYNs in (rx_pcap), SYN-ACKs out (tx_pcap); every response is
checked by this script's own parser (independent of synack's code) and by
tshark's checksum validation.
Phase 2: the handshake-completing ACKs (and a FIN on half the flows) go to a
second synackd with the same cookie secret: every cookie must be accepted.
Negative controls: the same ACKs with ack + 1, then with seq + 1: every
cookie must be rejected, with one RST each.

--workers N (N > 1, the golden-2workers test): every run has N worker
lcores on the one RX queue of net_pcap, so synackd dispatches in software
(SPSC rings); each worker transmits on its own TX queue, one tx_pcap file
each, merged by timestamp for the checks above. On top: every frame left on
the queue of the worker that owns its flow (symmetric Toeplitz computed
here), each worker sent its share, tx_handoff > 0, rx_handoff ==
tx_handoff, drop_handoff == 0, and the SYN phase run again with one worker
gives the same responses (ISNs too when both runs lie in one 64 s cookie
unit; otherwise both are run once more, and if that straddles a boundary
too, everything but the ISN and TSval is compared).

Environment: SYNACKD = path of the synackd executable (meson sets it);
SK_PCAP_KEEP = a directory to copy the pcap/stats/log files to.
Exit status: 0 all checks passed, 1 a check failed, 77 skipped (not root).
"""

import argparse
import collections
import ipaddress
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen.py")

ENGINE_MAC = bytes.fromhex("027063617000")
ENGINE_IP = bytes([198, 18, 0, 2])
PORT = 8080
CLOSED_PORT = 9999
MSS = 1460  # the engine's default advertised MSS
SECRET = "000102030405060708090a0b0c0d0e0f"
SRC_NETS = "198.18.0.0/24,203.0.113.0/24,10.0.0.0/8"
# --ipv6: on-link (the engine's /64), another documentation prefix, ULAs
ENGINE_IP6 = ipaddress.IPv6Address("2001:db8::2").packed
SRC_NETS6 = "2001:db8::/64,2001:db8:5::/48,fd00::/8"

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = (1, 2, 4, 8, 16, 32, 64, 128)
OPT_LEN = {2: 4, 3: 3, 4: 2, 8: 10}  # MSS, WS, SACK-permitted, TS
M32 = 0xFFFFFFFF


# ------------------------------------------------------------ reporting

class Report:
    def __init__(self):
        self.failed = []
        self.passed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s%s" % (name, " (%s)" % detail if detail else ""))
        else:
            self.failed.append(name)
            print("FAIL %s%s" % (name, ": %s" % detail if detail else ""))
        sys.stdout.flush()
        return ok

    def info(self, msg):
        print("     %s" % msg)
        sys.stdout.flush()

    def tally(self, name, total, bad):
        """bad: list of example strings for the items that failed."""
        if not bad:
            return self.check(name, True, "%d/%d" % (total, total))
        ex = "; ".join(bad[:3])
        return self.check(name, False, "%d of %d failed, e.g. %s"
                          % (len(bad), total, ex))


R = Report()


# ------------------------------------------------------------ parsing
# Our own parser: nothing here comes from synack or from gen.py.

def ip_str(b):
    if len(b) == 16:
        return "[%s]" % ipaddress.IPv6Address(bytes(b)).compressed
    return "%d.%d.%d.%d" % tuple(b)


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def cksum_ok(data):
    """True when the Internet checksum over data (checksum field included)
    verifies, i.e. the one's complement sum is 0xffff."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def read_pcap(path):
    """Frames of a classic pcap file.  Raises ValueError on bad framing."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: %d bytes, no pcap header" % (path, len(data)))
    magic_le = struct.unpack("<I", data[:4])[0]
    magic_be = struct.unpack(">I", data[:4])[0]
    if magic_le in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic_be in (0xA1B2C3D4, 0xA1B23C4D):
        e = ">"
    else:
        raise ValueError("%s: bad pcap magic %08x" % (path, magic_le))
    if struct.unpack(e + "I", data[20:24])[0] & 0xFFFF != 1:
        raise ValueError("%s: link type is not Ethernet" % path)
    frames, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: truncated record header at %d" % (path, off))
        _, _, caplen, wirelen = struct.unpack_from(e + "IIII", data, off)
        off += 16
        if caplen != wirelen:
            raise ValueError("%s: record %d truncated (caplen %d, len %d)"
                             % (path, len(frames), caplen, wirelen))
        if off + caplen > len(data):
            raise ValueError("%s: record %d past end of file"
                             % (path, len(frames)))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


class Seg:
    """A parsed Ethernet/IPv4/TCP or Ethernet/IPv6/TCP frame; .errors lists
    what is malformed."""

    def __init__(self, frame):
        self.errors = []
        self.frame = frame
        self.opts = {}
        self.tcp_ok = False
        self.v6 = False
        err = self.errors.append
        if len(frame) < 14 + 20 + 20:
            err("frame too short (%d bytes)" % len(frame))
            return
        self.dmac, self.smac = frame[0:6], frame[6:12]
        if frame[12:14] == b"\x86\xdd":
            self.v6 = True
            tcp = self._ip6(frame[14:], err)
            if tcp is not None:
                self._tcp(tcp, err)
            return
        if frame[12:14] != b"\x08\x00":
            err("EtherType %s is neither IPv4 nor IPv6" % frame[12:14].hex())
            return
        ip = frame[14:]
        ver, ihl = ip[0] >> 4, (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        self.total = total
        frag = struct.unpack("!H", ip[6:8])[0]
        self.ttl, proto = ip[8], ip[9]
        self.sip, self.dip = ip[12:16], ip[16:20]
        self.df = bool(frag & 0x4000)
        if ver != 4:
            err("IP version %d" % ver)
        if ihl < 20 or ihl > total:
            err("IHL %d with total length %d" % (ihl, total))
            return
        if total > len(ip):
            err("IP total length %d > %d bytes after Ethernet"
                % (total, len(ip)))
            return
        if len(frame) > 60 and total != len(ip):
            err("IP total length %d but %d bytes after Ethernet "
                "(trailing bytes in a frame over 60 bytes)" % (total, len(ip)))
        if not cksum_ok(ip[:ihl]):
            err("bad IPv4 header checksum")
        if self.ttl == 0:
            err("TTL 0")
        if not self.df:
            err("DF not set")
        if frag & 0x3FFF:
            err("fragment (MF or offset set)")
        if frag & 0x8000:
            err("reserved IP flag set")
        if proto != 6:
            err("IP protocol %d is not TCP" % proto)
            return
        self._tcp(ip[ihl:total], err)

    def _ip6(self, ip, err):
        """The IPv6 header and the Hop-by-Hop, Routing and Destination
        Options headers after it (their next header values in .ext);
        returns the TCP bytes, or None."""
        if len(ip) < 40 + 20:
            err("IPv6 packet too short (%d bytes)" % len(ip))
            return None
        vtc, plen, nh, self.ttl = struct.unpack("!IHBB", ip[:8])
        self.sip, self.dip = ip[8:24], ip[24:40]
        self.tclass, self.flow = vtc >> 20 & 0xFF, vtc & 0xFFFFF
        self.total, self.df, self.ext = plen, None, []
        if vtc >> 28 != 6:
            err("IP version %d in an IPv6 frame" % (vtc >> 28))
        if 40 + plen != len(ip):
            err("IPv6 payload length %d but %d bytes after the header"
                % (plen, len(ip) - 40))
            if 40 + plen > len(ip):
                return None
        if self.ttl == 0:
            err("hop limit 0")
        off = 40
        while nh in (0, 43, 60) and len(self.ext) < 8:
            if off + 8 > 40 + plen:
                err("truncated IPv6 extension header %d" % nh)
                return None
            self.ext.append(nh)
            nh, off = ip[off], off + (ip[off + 1] + 1) * 8
        if nh != 6:
            err("IPv6 next header %d is not TCP" % nh)
            return None
        self.l4_nh = nh
        return ip[off:40 + plen]

    def _tcp(self, tcp, err):
        if len(tcp) < 20:
            err("truncated TCP header")
            return
        (self.sport, self.dport, self.seq, self.ack, doff, self.flags,
         self.win, _, self.urp) = struct.unpack("!HHIIBBHHH", tcp[:20])
        if doff & 0x0F:
            err("reserved TCP bits set")
        doff = (doff >> 4) * 4
        if doff < 20 or doff > len(tcp):
            err("TCP data offset %d for %d bytes" % (doff, len(tcp)))
            return
        pseudo = self.sip + self.dip + (
            struct.pack("!IxxxB", len(tcp), 6) if self.v6 else
            struct.pack("!BBH", 0, 6, len(tcp)))
        if not cksum_ok(pseudo + tcp):
            err("bad TCP checksum")
        self.payload = tcp[doff:]
        o, ob = 0, tcp[20:doff]
        self.layout = []  # option kinds in wire order (NOPs, EOL too)
        while o < len(ob):
            self.layout.append(ob[o])
            k = ob[o]
            if k == 0:
                if any(ob[o:]):
                    err("non-zero bytes after EOL")
                break
            if k == 1:
                o += 1
                continue
            if o + 1 >= len(ob) or ob[o + 1] < 2 or o + ob[o + 1] > len(ob):
                err("malformed TCP option %d at %d" % (k, o))
                break
            ln = ob[o + 1]
            if k in OPT_LEN and ln != OPT_LEN[k]:
                err("TCP option %d with length %d" % (k, ln))
            if k in self.opts:
                err("TCP option %d twice" % k)
            self.opts[k] = ob[o + 2:o + ln]
            o += ln
        self.tcp_ok = True

    # accessors for options (None when absent)
    @property
    def mss(self):
        v = self.opts.get(2)
        return struct.unpack("!H", v)[0] if v and len(v) == 2 else None

    @property
    def ws(self):
        v = self.opts.get(3)
        return v[0] if v and len(v) == 1 else None

    @property
    def sackok(self):
        return 4 in self.opts

    @property
    def ts(self):
        v = self.opts.get(8)
        return struct.unpack("!II", v) if v and len(v) == 8 else None

    def tuple(self):
        return (self.sip, self.sport, self.dip, self.dport)

    def rtuple(self):
        return (self.dip, self.dport, self.sip, self.sport)

    def name(self):
        return "%s:%d" % (ip_str(self.sip), self.sport)

    def flag_str(self):
        return "".join(c for c, b in zip("FSRPAUEC", range(8))
                       if self.flags >> b & 1) or "-"


def parse_all(path, what):
    try:
        segs = [Seg(f) for f in read_pcap(path)]
    except (OSError, ValueError) as e:
        R.check("%s: pcap readable" % what, False, str(e))
        return None
    bad = ["#%d: %s" % (i, "; ".join(s.errors))
           for i, s in enumerate(segs) if s.errors]
    if any(s.v6 for s in segs):
        R.tally("%s: every frame is well-formed Ethernet/IPv6/TCP with a "
                "valid TCP checksum (IPv6 pseudo header), hop limit > 0, "
                "payload length right" % what, len(segs),
                bad + ["#%d: not IPv6" % i for i, s in enumerate(segs)
                       if not s.v6])
        return [s for s in segs if s.tcp_ok]
    R.tally("%s: every frame is well-formed Ethernet/IPv4/TCP with valid "
            "IP and TCP checksums, DF set, TTL > 0, lengths right" % what,
            len(segs), bad)
    return [s for s in segs if s.tcp_ok]


def tshark_count(path, dfilter):
    """Frames of @path that tshark's display filter matches (None and a
    failed check when tshark fails)."""
    try:
        r = subprocess.run([shutil.which("tshark"), "-n", "-r", path,
                            "-o", "tcp.check_checksum:TRUE", "-Y", dfilter],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        r = None
    if r is None or r.returncode != 0:
        R.check("tshark -Y '%s' runs" % dfilter, False,
                "timed out" if r is None else r.stderr[-300:])
        return None
    return len([l for l in r.stdout.splitlines() if l.strip()])


def tshark_check(path, what, nframes):
    """tshark's checksum validation: none bad, all good. IPv6 (the first
    frame's EtherType says): no IP header checksum, the TCP one over the
    IPv6 pseudo header."""
    tshark = shutil.which("tshark")
    if not tshark:
        R.info("%s: tshark not found, skipping its checksum check "
               "(the Python check above still ran)" % what)
        return
    try:
        frames = read_pcap(path)
    except (OSError, ValueError):
        frames = []
    v6 = bool(frames) and frames[0][12:14] == b"\x86\xdd"
    base = [tshark, "-n", "-r", path, "-o", "ip.check_checksum:TRUE",
            "-o", "tcp.check_checksum:TRUE"]
    if v6:
        want_bad = 'tcp.checksum.status == "Bad" || !ipv6'
        want_good = 'ipv6 && tcp.checksum.status == "Good"'
    else:
        want_bad = 'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad"'
        want_good = ('ip.checksum.status == "Good" && '
                     'tcp.checksum.status == "Good"')
    try:
        bad = subprocess.run(base + ["-Y", want_bad],
                             capture_output=True, text=True, timeout=120)
        good = subprocess.run(base + ["-Y", want_good],
                              capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        R.check("%s: tshark checksum check" % what, False, "tshark timed out")
        return
    lines = [l for l in bad.stdout.splitlines() if l.strip()]
    ngood = len([l for l in good.stdout.splitlines() if l.strip()])
    if bad.returncode != 0 or good.returncode != 0:
        R.check("%s: tshark checksum check" % what, False,
                "tshark exit %d: %s" % (bad.returncode or good.returncode,
                                        (bad.stderr or good.stderr)[-300:]))
        return
    R.check("%s: tshark finds no bad %s checksum" % (
        what, "TCP (and no frame not IPv6)" if v6 else "IP/TCP"), not lines,
            "%d bad, e.g. %s" % (len(lines), lines[:2]) if lines
            else "%d frames" % nframes)
    R.check("%s: tshark verifies %s good on every frame" % (
        what, "the TCP checksum (IPv6 pseudo header)" if v6 else
        "both checksums"), ngood == nframes, "%d of %d" % (ngood, nframes))


# ------------------------------------------------------------ engine runs

def lcores_arg(workers):
    """EAL lcores for the main lcore and @workers worker lcores. One worker:
    '-l 0-1' as before. Several: the main lcore (telemetry only) shares the
    first CPU with worker 1 when there are not workers + 1 CPUs
    ('0@A,1@A,2@B' on a 2-CPU machine), as tests/integration/sktap.py does."""
    if workers == 1:
        return ["-l", "0-1"]
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > workers:
        m = ["%d@%d" % (i, cpus[i]) for i in range(workers + 1)]
    else:
        m = ["0@%d" % cpus[0]] + ["%d@%d" % (i, cpus[(i - 1) % len(cpus)])
                                  for i in range(1, workers + 1)]
    return ["--lcores", ",".join(m)]


def merge_pcaps(paths, out):
    """Write the records of several pcap files to one, ordered by their
    timestamps (stable: a file's own order is kept). Returns the number of
    records each input had."""
    recs, counts, head = [], [], None
    for k, path in enumerate(paths):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < 24:
            raise ValueError("%s: %d bytes, no pcap header" % (path, len(data)))
        e = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4,
                                                        0xA1B23C4D) else ">"
        if head is None:
            head = data[:24]
        elif head != data[:24]:
            raise ValueError("%s: pcap header differs from %s" % (path, paths[0]))
        off, n = 24, 0
        while off + 16 <= len(data):
            sec, frac, caplen, _ = struct.unpack_from(e + "IIII", data, off)
            recs.append(((sec, frac), k, n, data[off:off + 16 + caplen]))
            off += 16 + caplen
            n += 1
        counts.append(n)
    recs.sort(key=lambda r: r[:3])
    with open(out, "wb") as f:
        f.write(head)
        for r in recs:
            f.write(r[3])
    return counts


class Engine:
    def __init__(self, synackd, workdir, keep, workers=1,
                 addrs=("198.18.0.2/24",)):
        self.synackd = synackd
        self.addrs = addrs
        self.workdir = workdir
        self.keep = keep
        self.workers = workers
        self.n = 0
        # wall-clock seconds just before synackd started and just after it
        # exited, for the last run (the cookie time unit is now_s / 64)
        self.wall = (0.0, 0.0)
        self.tx_counts = []
        self.stats = {}   # tag -> stats of that run
        self.wall_of = {}  # tag -> self.wall of that run
        self.outs = {}    # tag -> the per-worker tx_pcap files

    def run(self, tag, in_pcap, workers=None):
        """Run synackd on in_pcap; returns (out_pcap, stats dict or None).
        With several workers each has its own TX queue (one tx_pcap each);
        their files are merged into out_pcap."""
        workers = workers or self.workers
        self.n += 1
        prefix = "sk-pcap-%d-%d" % (os.getpid(), self.n)
        out = os.path.join(self.workdir, tag + "-out.pcap")
        stats_path = os.path.join(self.workdir, tag + "-stats.json")
        log_path = os.path.join(self.workdir, tag + "-synackd.log")
        outs = [out] if workers == 1 else [
            os.path.join(self.workdir, "%s-out%d.pcap" % (tag, i))
            for i in range(workers)]
        cmd = [self.synackd] + lcores_arg(workers) + [
               "--no-huge", "-m", "512", "--no-pci",
               "--file-prefix", prefix,
               "--vdev", "net_pcap0,rx_pcap=%s,%s" % (in_pcap, ",".join(
                   "tx_pcap=" + o for o in outs)),
               "--", "--mbufs", "16383"] + [
               x for ad in self.addrs for x in ("--addr", ad)] + [
               "--listen", "%d:hello" % PORT, "--cookie-secret", SECRET,
               "--stats-file", stats_path]
        print("# %s: %s" % (tag, " ".join(cmd)))
        sys.stdout.flush()
        out, stats = self._run(tag, cmd, out, outs, stats_path, log_path,
                               prefix, workers)
        self.stats[tag] = stats
        self.outs[tag] = outs
        self.wall_of[tag] = self.wall
        if workers > 1:
            if all(os.path.exists(o) for o in outs):
                try:
                    self.tx_counts = merge_pcaps(outs, out)
                    R.info("%s: merged %s into %s (%s frames)" % (
                        tag, ", ".join(os.path.basename(o) for o in outs),
                        os.path.basename(out),
                        " + ".join(str(c) for c in self.tx_counts)))
                except (OSError, ValueError) as e:
                    R.check("%s: per-worker tx_pcap files merge" % tag, False,
                            str(e))
            else:
                R.check("%s: every worker's tx_pcap file exists" % tag, False,
                        ", ".join(o for o in outs if not os.path.exists(o)))
        return out, stats

    def _run(self, tag, cmd, out, outs, stats_path, log_path, prefix, workers):
        proc = None
        stats = None
        t0 = time.monotonic()
        log = open(log_path, "wb")
        wall0 = time.time()
        self.wall = (wall0, wall0)
        try:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
            # 1. wait for the ready line (bounded)
            deadline = time.monotonic() + 30
            ready = False
            while time.monotonic() < deadline:
                with open(log_path, "rb") as f:
                    if any(l.startswith(b"synackd: ready")
                           for l in f.read().splitlines()):
                        ready = True
                        break
                if proc.poll() is not None:
                    break
                time.sleep(0.05)
            if not R.check("%s: synackd starts and prints 'synackd: ready'"
                           % tag, ready, self._why(proc, log_path)):
                return out, None
            if workers > 1:
                want = "%d workers (software dispatch)" % workers
                with open(log_path, "rb") as f:
                    line = next((l for l in f.read().decode(
                        errors="replace").splitlines()
                        if l.startswith("synackd: ready")), "")
                R.check("%s: ready line says '%s'" % (tag, want), want in line,
                        line)
            # 2. let it work: at least 2 s, then until the output stops
            #    growing for 1 s; never more than 20 s in all.
            t_ready = time.monotonic()
            last, stable_since = -1, time.monotonic()
            while time.monotonic() - t_ready < 20:
                size = sum(os.path.getsize(o) if os.path.exists(o) else -1
                           for o in outs)
                now = time.monotonic()
                if size != last:
                    last, stable_since = size, now
                elif now - t_ready >= 2 and now - stable_since >= 1:
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
            R.check("%s: synackd still running before SIGTERM" % tag,
                    proc.poll() is None, self._why(proc, log_path))
            # 3. SIGTERM, then a bounded wait for a clean exit
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                rc = None
            self.wall = (wall0, time.time())
            R.check("%s: synackd exits 0 on SIGTERM" % tag, rc == 0,
                    "exit status %s%s" % (rc if rc is not None else
                                          "none after 15 s",
                                          self._tail(log_path)))
            try:
                with open(stats_path) as f:
                    stats = json.load(f)
                ok = isinstance(stats, dict) and \
                    isinstance(stats.get("counters"), dict)
                R.check("%s: stats file is JSON with counters" % tag, ok,
                        "" if ok else "no 'counters' object")
                if not ok:
                    stats = None
            except (OSError, ValueError) as e:
                R.check("%s: stats file is JSON with counters" % tag, False,
                        str(e))
            R.info("%s: synackd ran %.1f s" % (tag, time.monotonic() - t0))
            return out, stats
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            log.close()
            shutil.rmtree(os.path.join("/var/run/dpdk", prefix),
                          ignore_errors=True)

    @staticmethod
    def _tail(path, n=600):
        try:
            with open(path, "rb") as f:
                t = f.read()[-n:].decode(errors="replace").strip()
            return "; log: " + t.replace("\n", " | ") if t else ""
        except OSError:
            return ""

    def _why(self, proc, log_path):
        if proc is None or proc.poll() is None:
            return ""
        return "exited with %s%s" % (proc.returncode, self._tail(log_path))


def gen_module():
    """gen.py as a module, for the frames the golden test makes itself."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import gen as G
    return G


def v6_input(path, seed, fam):
    """Add to the IPv6 SYNs in @path, at random places, SYNs the engine
    must take (a Hop-by-Hop header before TCP, and Hop-by-Hop then
    Destination Options, padding options only) and frames it must drop
    under a named counter: a bad TCP checksum, a first fragment, an
    experimental next header (253, RFC 3692), a Destination Options header
    with an option of unknown type whose high bits say discard (RFC 8200
    4.2). Fills fam.drops and fam.dropped; returns the SYNs added that
    must be answered."""
    G = gen_module()
    rnd = __import__("random").Random(seed)
    padn = b"\x01\x04\0\0\0\0"          # PadN, 4 bytes: 6 in all
    unknown = b"\x9e\x04\0\0\0\0"       # type 0x9e: 10xxxxxx, discard
    first_frag = struct.pack("!HI", 0x0001, 0x2a)  # offset 0, M=1, id
    kinds = ([("hbh", [(G.NH_HOPOPTS, padn)], None)] * 4 +
             [("hbh+dst", [(G.NH_HOPOPTS, padn), (G.NH_DSTOPTS, padn)],
               None)] * 2 +
             [("cksum", [], "drop_tcp_cksum")] * 4 +
             [("frag", [(G.NH_FRAGMENT, first_frag)], "drop_ip6_frag")] * 4 +
             [("exp", [(253, padn)], "drop_ip6_exthdr")] * 2 +
             [("unknown-opt", [(G.NH_DSTOPTS, unknown)], "drop_ip6_exthdr")]
             * 2)
    frames = list(read_pcap(path))
    added = 0
    for i, (kind, ext, counter) in enumerate(kinds):
        sip = ipaddress.IPv6Address("2001:db8::ffff:0:%x" % (i + 1)).packed
        sport = 40000 + i
        opts = G.OPTION_SETS["all"](1440, 7, rnd.getrandbits(32))
        f = G.tcp_frame(bytes([2, 0, 0, 0, 0xee, i]), ENGINE_MAC, sip,
                        ENGINE_IP6, sport, PORT, rnd.getrandbits(32), 0, SYN,
                        64800, opts, ttl=64, flow=rnd.getrandbits(20),
                        ext=ext, bad_cksum=counter == "drop_tcp_cksum")
        frames.insert(rnd.randrange(len(frames) + 1), f)
        if counter:
            fam.drops[counter] = fam.drops.get(counter, 0) + 1
            fam.dropped.add((sip, sport, ENGINE_IP6, PORT))
        else:
            added += 1
    w = G.Writer(path)
    for f in frames:
        w.write(f)
    w.close()
    R.info("%s: added %d SYNs with extension headers (answered) and %s "
           "(dropped)" % (os.path.basename(path), added, ", ".join(
               "%d for %s" % (v, k) for k, v in sorted(fam.drops.items()))))
    return added


def gen(*args):
    cmd = [sys.executable, GEN] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    sys.stdout.write("# " + r.stderr)
    if r.returncode != 0:
        raise RuntimeError("gen.py failed (%d): %s" % (r.returncode, r.stderr))


def counters_equal(tag, stats, want):
    """Check counters equal the wanted values, one line each."""
    if stats is None:
        R.check("%s: counters" % tag, False, "no stats")
        return
    c = stats["counters"]
    for k, v in want.items():
        R.check("%s: counter %s == %d" % (tag, k, v), c.get(k) == v,
                "is %s" % c.get(k) if c.get(k) != v else "")


def no_drops(tag, stats, expected=()):
    """No drop_* counter but those in @expected (checked by the caller) is
    non-zero."""
    if stats is None:
        return
    drops = {k: v for k, v in stats["counters"].items()
             if k.startswith("drop_") and v and k not in expected}
    R.check("%s: no %sdrop_* counter is non-zero" % (
        tag, "other " if expected else ""), not drops,
            ", ".join("%s=%s" % kv for kv in sorted(drops.items())))


def show_counters(tag, stats):
    if stats is None:
        return
    nz = ["%s=%s" % kv for kv in stats["counters"].items() if kv[1]]
    R.info("%s: counters: %s" % (tag, " ".join(nz)))
    R.info("%s: flows: %s, flow_count %s"
           % (tag, json.dumps(stats.get("flows")), stats.get("flow_count")))


# ------------------------------------------------------------ phase 1

def bit_skew(what, vals):
    """Bits of 32-bit values that are set, or flip between successive
    values, outside 40-60% of the time (1000 random values: ~6 sigma)."""
    n, skew = len(vals), []
    for bit in range(32):
        ones = sum(v >> bit & 1 for v in vals)
        flips = sum((a ^ b) >> bit & 1 for a, b in zip(vals, vals[1:]))
        if not 0.40 <= ones / n <= 0.60:
            skew.append("%s bit %d set in %.0f%%" % (what, bit, 100.0 * ones / n))
        if not 0.40 <= flips / (n - 1) <= 0.60:
            skew.append("%s bit %d flips in %.0f%%"
                        % (what, bit, 100.0 * flips / (n - 1)))
    return skew


class Family:
    """What differs between the IPv4 golden run and the IPv6 one
    (--ipv6): file and check names, the MSS, and the frames the IPv6 input
    has that must be dropped under a named counter."""

    def __init__(self, v6=False):
        self.v6 = v6
        self.prefix = "v6-" if v6 else ""
        # the engine advertises its IPv4 MSS less the 20 bytes the IPv6
        # header has more
        self.mss = MSS - 20 if v6 else MSS
        self.drops = {}       # drop_* counter -> frames the input has for it
        self.dropped = set()  # their tuples: none may be answered


FAM4 = Family()


def phase1(eng, syn_pcap, n_open, n_closed, fam=FAM4):
    tag = fam.prefix + "phase1"
    mss = fam.mss
    frames = [Seg(f) for f in read_pcap(syn_pcap)]
    syns = [s for s in frames if s.tcp_ok and not s.errors
            and s.tuple() not in fam.dropped]
    assert len(frames) - len(syns) == sum(fam.drops.values()), \
        "gen.py made bad SYNs"
    by_tuple = {s.tuple(): s for s in syns}
    assert len(by_tuple) == len(syns), "gen.py made duplicate tuples"

    out, stats = eng.run(tag, syn_pcap)
    show_counters(tag, stats)
    want = {"rx_packets": len(frames), "rx_syn": n_open, "tx_synack": n_open,
            "tx_rst_closed_port": n_closed, "tx_rst": n_closed,
            "cookie_ok": 0, "flow_created": 0}
    if fam.v6:
        want.update({"rx_ipv6": len(frames), "rx_tcp6": len(syns),
                     "tx_ipv6": len(syns)})
        want.update(fam.drops)
    counters_equal(tag, stats, want)
    no_drops(tag, stats, fam.drops)
    if stats is not None:
        R.check("%s: a SYN creates no state (flow_count == 0)" % tag,
                stats.get("flow_count") == 0,
                "flow_count %s" % stats.get("flow_count"))

    segs = parse_all(out, tag) if os.path.exists(out) else None
    if segs is None:
        R.check("%s: output pcap exists" % tag, False, out)
        return None
    tshark_check(out, tag, len(segs))
    if fam.v6:
        ip6_header_checks(tag, out, segs)
        R.check("%s: no answer to a frame that must be dropped (%s)" % (
            tag, ", ".join("%s %d" % kv for kv in sorted(fam.drops.items()))),
            not [s for s in segs if s.rtuple() in fam.dropped])

    resp = {}
    stray = []
    for s in segs:
        syn = by_tuple.get(s.rtuple())
        if syn is None:
            stray.append("%s %s:%d > %s:%d" % (s.flag_str(), ip_str(s.sip),
                                                s.sport, ip_str(s.dip),
                                                s.dport))
        else:
            resp.setdefault(s.rtuple(), []).append(s)
    R.check("%s: every output frame answers one of our SYNs" % tag,
            not stray, "%d stray, e.g. %s" % (len(stray), stray[:3])
            if stray else "")

    opened = [s for s in syns if s.dport == PORT]
    closed = [s for s in syns if s.dport != PORT]
    checks = {k: [] for k in (
        "one", "mac", "ip", "flags", "ack", "mss", "ts", "ws", "sack",
        "nodata", "win", "rst_flags", "rst_seq", "rst_ack", "rst_nodata")}
    isns, cisns, ecn_setup, ecn_ece = [], [], 0, 0

    for syn in syns:
        rs = resp.get(syn.tuple(), [])
        if len(rs) != 1:
            checks["one"].append("%s got %d" % (syn.name(), len(rs)))
            if not rs:
                continue
        r = rs[0]
        n = syn.name()
        if r.dmac != syn.smac or r.smac != syn.dmac:
            checks["mac"].append("%s: %s > %s" % (n, mac_str(r.smac),
                                                  mac_str(r.dmac)))
        if r.sip != syn.dip or r.dip != syn.sip or r.sport != syn.dport \
                or r.dport != syn.sport:
            checks["ip"].append(n)  # cannot happen: matched by tuple
        if syn.dport != PORT:
            if r.flags != RST | ACK:
                checks["rst_flags"].append("%s: %s" % (n, r.flag_str()))
            if r.seq != 0:
                checks["rst_seq"].append("%s: seq %d" % (n, r.seq))
            if r.ack != (syn.seq + 1) & M32:
                checks["rst_ack"].append("%s: ack %d, want %d"
                                         % (n, r.ack, (syn.seq + 1) & M32))
            if r.payload:
                checks["rst_nodata"].append("%s: %d bytes" % (n, len(r.payload)))
            continue
        # ECN (RFC 3168) is optional, but a cookie engine can only remember
        # it through TSval: ECE only for an ECN-setup SYN with timestamps.
        syn_ecn = syn.flags & (ECE | CWR) == ECE | CWR
        ecn_setup += syn_ecn
        ecn_ece += bool(r.flags & ECE)
        want = SYN | ACK | (ECE if syn_ecn and syn.ts and r.flags & ECE
                            else 0)
        if r.flags != want:
            checks["flags"].append("%s: %s (SYN %s)" % (n, r.flag_str(),
                                                       syn.flag_str()))
        if r.ack != (syn.seq + 1) & M32:
            checks["ack"].append("%s: ack %d, want %d"
                                 % (n, r.ack, (syn.seq + 1) & M32))
        if r.mss != mss:
            checks["mss"].append("%s: MSS %s" % (n, r.mss))
        if syn.ts:
            if not r.ts or r.ts[1] != syn.ts[0]:
                checks["ts"].append("%s: TS %s, client TSval %d"
                                    % (n, r.ts, syn.ts[0]))
        elif r.ts or 8 in r.opts:
            checks["ts"].append("%s: TS %s but none offered" % (n, r.ts))
        want_ws = syn.ws is not None and syn.ts is not None
        if (3 in r.opts) != want_ws or (r.ws is not None and r.ws > 14):
            checks["ws"].append("%s: WS %s, client WS %s TS %s"
                                % (n, r.ws, syn.ws, bool(syn.ts)))
        want_sack = syn.sackok and syn.ts is not None
        if r.sackok != want_sack:
            checks["sack"].append("%s: SACK-perm %s, client SACK %s TS %s"
                                  % (n, r.sackok, syn.sackok, bool(syn.ts)))
        if r.payload:
            checks["nodata"].append("%s: %d bytes" % (n, len(r.payload)))
        if r.win == 0:
            checks["win"].append(n)
        isns.append(r.seq)
        cisns.append(syn.seq)

    no, nc = len(opened), len(closed)
    R.tally("%s: exactly one response per SYN" % tag, len(syns), checks["one"])
    R.tally("%s: MACs swapped (dst = client MAC, src = port MAC)" % tag,
            len(syns), checks["mac"])
    R.tally("%s: SYN-ACK flags are SYN|ACK (ECE only for an ECN-setup SYN "
            "with timestamps)" % tag, no, checks["flags"])
    R.tally("%s: SYN-ACK ack == client ISN + 1" % tag, no, checks["ack"])
    R.tally("%s: SYN-ACK carries MSS %d" % (tag, mss), no, checks["mss"])
    R.tally("%s: timestamps echoed (TSecr == client TSval) iff offered" % tag,
            no, checks["ts"])
    R.tally("%s: window scale iff client offered it with timestamps" % tag,
            no, checks["ws"])
    R.tally("%s: SACK-permitted iff client offered it with timestamps" % tag,
            no, checks["sack"])
    R.tally("%s: SYN-ACK has no payload" % tag, no, checks["nodata"])
    R.tally("%s: SYN-ACK window is non-zero" % tag, no, checks["win"])
    R.tally("%s: closed port: RST|ACK" % tag, nc, checks["rst_flags"])
    R.tally("%s: closed port: RST seq == 0" % tag, nc, checks["rst_seq"])
    R.tally("%s: closed port: RST ack == SYN seq + 1" % tag, nc,
            checks["rst_ack"])
    R.tally("%s: closed port: RST has no payload" % tag, nc,
            checks["rst_nodata"])
    R.info("%s: %d of %d ECN-setup SYNs got ECE in the SYN-ACK (not required)"
           % (tag, ecn_ece, ecn_setup))

    # ISNs: distinct, not sequential, and every bit looks random (RFC 6528:
    # no field of the cookie sits in clear).
    if len(isns) >= 100:
        R.check("%s: SYN-ACK ISNs all distinct" % tag,
                len(set(isns)) == len(isns),
                "%d distinct of %d" % (len(set(isns)), len(isns)))
        # Two random 32-bit ISNs fall within 65536 of each other with
        # probability 2^-15: about 3 % of 1,000-SYN runs have one such
        # pair, and a counter would make nearly every pair close. At most
        # 2 close pairs: a random cookie fails this once in ~10^5 runs.
        near = [(a, b) for a, b in zip(isns, isns[1:])
                if min((b - a) & M32, (a - b) & M32) < 65536]
        R.check("%s: ISNs not sequential (at most 2 successive pairs "
                "within 65536)" % tag, len(near) <= 2,
                "%d close pairs, e.g. %s" % (len(near), near[:3])
                if near else "")
        skew = bit_skew("ISN", isns)
        R.check("%s: every ISN bit is set, and flips between successive "
                "ISNs, in 40-60%% of SYN-ACKs (no field in clear)" % tag,
                not skew, "; ".join(skew[:6]))
        skew = bit_skew("ISN - client ISN",
                        [(i - c) & M32 for i, c in zip(isns, cisns)])
        skew += bit_skew("ISN ^ client ISN",
                         [i ^ c for i, c in zip(isns, cisns)])
        R.check("%s: ISN - client ISN and ISN ^ client ISN look random too"
                % tag, not skew, "; ".join(skew[:6]))
    return out


def ip6_header_checks(tag, out, segs):
    """The engine's IPv6 header: version 6 and the payload length (Seg),
    no extension header, next header TCP, hop limit 64; by tshark too."""
    R.tally("%s: IPv6 header: no extension header, next header 6, hop "
            "limit 64" % tag, len(segs),
            ["%s: ext %s, hop limit %d" % (s.name(), s.ext, s.ttl)
             for s in segs if s.ext or s.ttl != 64])
    if shutil.which("tshark"):
        n = tshark_count(out, "ipv6.version == 6 && ipv6.nxt == 6 && "
                         "ipv6.hlim == 64 && ipv6.plen == frame.len - 54")
        if n is not None:
            R.check("%s: tshark: version 6, next header 6, hop limit 64, "
                    "payload length = frame - 54 on every frame" % tag,
                    n == len(segs), "%d of %d" % (n, len(segs)))


# ------------------------------------------------------------ phase 2

def phase2(eng, work, syn_pcap, synack_pcap, n_open, seed, fam=FAM4):
    tag = fam.prefix + "phase2"
    ack_pcap = os.path.join(work, fam.prefix + "acks.pcap")
    # Each FIN right after its flow's ACK: often in the same rx burst, so
    # the FIN must find the flow the ACK just created.
    gen("ack", "-i", synack_pcap, "-o", ack_pcap, "--syn-pcap", syn_pcap,
        "--fin", "half", "--fin-order", "interleaved", "--seed", seed)
    sent = [Seg(f) for f in read_pcap(ack_pcap)]
    acks = [s for s in sent if s.flags == ACK]
    fins = [s for s in sent if s.flags == FIN | ACK]
    R.check("%s: gen.py made one ACK per SYN-ACK and FINs on half" % tag,
            len(acks) == n_open and len(fins) == n_open // 2,
            "%d ACKs, %d FINs" % (len(acks), len(fins)))
    ts_flows = {s.tuple() for s in acks if s.ts}

    out, stats = eng.run(tag, ack_pcap)
    show_counters(tag, stats)
    counters_equal(tag, stats, {
        "rx_packets": len(sent), "cookie_ok": n_open,
        "flow_created": n_open, "tx_rst": 0, "cookie_bad_mac": 0,
        "cookie_too_old": 0})
    no_drops(tag, stats)
    if stats is not None:
        est = (stats.get("flows") or {}).get("ESTABLISHED")
        R.check("%s: flows without a FIN stay ESTABLISHED (%d)"
                % (tag, len(acks) - len(fins)),
                est == len(acks) - len(fins), "ESTABLISHED = %s" % est)

    segs = parse_all(out, tag) if os.path.exists(out) else None
    if segs is None:
        R.check("%s: output pcap exists" % tag, False, out)
        return
    tshark_check(out, tag, len(segs))
    rst = [s for s in segs if s.flags & RST]
    R.check("%s: no RST on the wire" % tag, not rst,
            "%d RSTs, e.g. %s" % (len(rst), [s.name() for s in rst[:3]])
            if rst else "")
    # Every FIN must be acknowledged: a segment back on that flow with
    # ACK and ack == client ISN + 2, seq == our ISS + 1 (cookie ISN + 1).
    # The client sent no line, so hello answers nothing and closes: every
    # segment is a bare (FIN|)ACK at ISS + 1, retransmissions identical.
    fin_by = {s.tuple(): s for s in fins}
    ack_by = {s.tuple(): s for s in acks}
    ack_only = set(ack_by) - set(fin_by)
    got = {}
    bad_seq, bad_data, bad_fin, bad_ts, quiet, stray = [], [], [], [], [], []
    fin_pos = {}
    nf = 0
    for s in segs:
        f = fin_by.get(s.rtuple())
        if f is None:
            (quiet if s.rtuple() in ack_only else stray).append(s)
            continue
        nf += 1
        a = ack_by[s.rtuple()]
        if s.seq != f.ack:
            bad_seq.append("%s: seq %d, want %d" % (f.name(), s.seq, f.ack))
        # hello answers at end of stream, as the seeds' server's
        # readLine() returns there: the reply, then our FIN
        if s.payload and s.payload != b"Hello Client\n":
            bad_data.append("%s to %s seq %d: %d bytes %r" % (
                s.flag_str(), f.name(), s.seq, len(s.payload),
                bytes(s.payload[:16])))
        if s.flags & FIN:
            pos = (s.seq + len(s.payload)) & M32
            fin_pos.setdefault(s.rtuple(), set()).add((pos, s.payload))
        if s.rtuple() in ts_flows:
            # RFC 7323: TS on every segment, TSecr = TS.Recent (the
            # client's latest in-order TSval), our clock never backwards
            # from the SYN-ACK's TSval (= the TSecr the client echoed).
            if s.ts is None:
                bad_ts.append("%s: no TS" % f.name())
            elif s.ts[1] not in (a.ts[0], f.ts[0]) or \
                    (s.ts[0] - a.ts[1]) & M32 >= 1 << 31:
                bad_ts.append("%s: TS %s; client TSvals %d/%d, SYN-ACK "
                              "TSval %d" % (f.name(), s.ts, a.ts[0],
                                            f.ts[0], a.ts[1]))
        elif s.ts is not None or 8 in s.opts:
            bad_ts.append("%s: TS %s not negotiated" % (f.name(), s.ts))
        if s.flags & ACK and s.ack == (f.seq + 1) & M32:
            got[s.rtuple()] = True
    for t, pos in fin_pos.items():
        if len(pos) > 1:
            bad_fin.append("%s:%d: %s" % (
                ip_str(t[0]), t[1], ", ".join(sorted(
                    "FIN at %d (segment seq %d + %d data bytes)"
                    % (p_, (p_ - len(d)) & M32, len(d)) for p_, d in pos))))
    R.tally("%s: every FIN is acknowledged (ack == client ISN + 2)" % tag,
            len(fins), ["%s" % f.name() for f in fins if f.tuple() not in got])
    R.tally("%s: segments on FIN'd flows have seq == cookie ISN + 1" % tag,
            nf, bad_seq)
    R.tally("%s: on FIN'd flows nothing but hello's reply" % tag,
            nf, bad_data)
    R.tally("%s: our FIN keeps one sequence number and the same data in "
            "every (re)transmission" % tag, len(fin_pos), bad_fin)
    R.tally("%s: timestamps on every segment iff negotiated, TSecr = "
            "TS.Recent, TSval not backwards" % tag, nf, bad_ts)
    R.check("%s: every output frame belongs to one of our flows" % tag,
            not stray, "%d stray, e.g. %s" % (len(stray), ["%s %s" % (
                s.flag_str(), s.name()) for s in stray[:3]]) if stray else "")
    R.check("%s: nothing sent on flows that only completed the handshake "
            "(hello waits for a line)" % tag, not quiet,
            "%d segments, e.g. %s" % (len(quiet), ["%s %s" % (
                s.flag_str(), s.name()) for s in quiet[:3]]) if quiet else "")
    R.info("%s: %d segments out: %s" % (tag, len(segs), ", ".join(
        "%s %d" % kv for kv in sorted(collections.Counter(
            s.flag_str() for s in segs).items()))))


def negative(eng, work, syn_pcap, synack_pcap, n_open, seed, which,
             fam=FAM4):
    tag = "%snegative-%s+1" % (fam.prefix, which)
    path = os.path.join(work, "%sacks-%s.pcap" % (fam.prefix, which))
    gen("ack", "-i", synack_pcap, "-o", path, "--syn-pcap", syn_pcap,
        "--%s-delta" % which, 1, "--seed", seed)
    sent = [Seg(f) for f in read_pcap(path)]
    out, stats = eng.run(tag, path)
    show_counters(tag, stats)
    counters_equal(tag, stats, {
        "rx_packets": len(sent), "cookie_bad_mac": n_open, "cookie_ok": 0,
        "flow_created": 0, "tx_rst_bad_cookie": n_open})
    if stats is not None:
        R.check("%s: no flow exists (flow_count == 0)" % tag,
                stats.get("flow_count") == 0,
                "flow_count %s" % stats.get("flow_count"))
    segs = parse_all(out, tag) if os.path.exists(out) else None
    if segs is None:
        R.check("%s: output pcap exists" % tag, False, out)
        return
    tshark_check(out, tag, len(segs))
    # RFC 9293 3.10.7.1: an ACK to no connection gets <SEQ=SEG.ACK><CTL=RST>.
    by = {s.tuple(): s for s in sent}
    resp = {}
    stray = 0
    for s in segs:
        if s.rtuple() in by:
            resp.setdefault(s.rtuple(), []).append(s)
        else:
            stray += 1
    bad_n, bad_flags, bad_seq, bad_mac = [], [], [], []
    for a in sent:
        rs = resp.get(a.tuple(), [])
        if len(rs) != 1:
            bad_n.append("%s got %d" % (a.name(), len(rs)))
            if not rs:
                continue
        r = rs[0]
        if r.flags != RST:
            bad_flags.append("%s: %s" % (a.name(), r.flag_str()))
        if r.seq != a.ack:
            bad_seq.append("%s: seq %d, want %d" % (a.name(), r.seq, a.ack))
        if r.dmac != a.smac or r.smac != a.dmac:
            bad_mac.append(a.name())
    R.check("%s: no stray output frames" % tag, not stray,
            "%d" % stray if stray else "")
    R.tally("%s: exactly one RST per ACK" % tag, len(sent), bad_n)
    R.tally("%s: RST flags are RST only (the ACK had ACK set)" % tag,
            len(sent), bad_flags)
    R.tally("%s: RST seq == the ACK's ack number" % tag, len(sent), bad_seq)
    R.tally("%s: RST MACs swapped" % tag, len(sent), bad_mac)


# ------------------------------------------------------------ gen.py self-test

def gen_selftest(work):
    """Check gen.py on its own (no engine, no root): reproducible, valid
    frames, the option mix, and ACKs that match SYN-ACKs made here."""
    G = gen_module()
    tag = "gen"
    a, b, c = (os.path.join(work, x) for x in ("a.pcap", "b.pcap", "c.pcap"))
    common = ["-n", 2000, "--closed-count", 10, "--src-net", SRC_NETS]
    gen("syn", "-o", a, "--seed", 7, *common)
    gen("syn", "-o", b, "--seed", 7, *common)
    gen("syn", "-o", c, "--seed", 8, *common)
    with open(a, "rb") as fa, open(b, "rb") as fb, open(c, "rb") as fc:
        da, db, dc = fa.read(), fb.read(), fc.read()
    R.check("%s: same seed, same bytes; other seed, other bytes" % tag,
            da == db and da != dc)
    syns = parse_all(a, tag + " syn")
    if syns is None:
        return
    tshark_check(a, tag + " syn", len(syns))
    tuples = {s.tuple() for s in syns}
    R.check("%s: 2010 SYNs with distinct tuples" % tag,
            len(syns) == 2010 and len(tuples) == 2010,
            "%d SYNs, %d tuples" % (len(syns), len(tuples)))
    R.tally("%s: SYNs go to the port MAC, %s, port %d or %d" % (
        tag, ip_str(ENGINE_IP), PORT, CLOSED_PORT), len(syns),
        [s.name() for s in syns if s.dmac != ENGINE_MAC or s.dip != ENGINE_IP
         or s.dport not in (PORT, CLOSED_PORT) or s.flags & ~(ECE | CWR) != SYN
         or s.smac[0] & 1 or s.ack != 0 or s.payload]
        + [s.name() for s in syns[:2000] if s.dport != PORT]
        + [s.name() for s in syns[2000:] if s.dport != CLOSED_PORT])
    combos = {(s.mss is not None, s.ts is not None, s.ws is not None,
               s.sackok) for s in syns}
    R.check("%s: option mix has none, MSS only, MSS+TS, all, and WS/SACK "
            "without TS" % tag,
            {(False, False, False, False), (True, False, False, False),
             (True, True, False, False), (True, True, True, True),
             (True, False, True, True)} <= combos, str(sorted(combos)))
    necn = sum(s.flags & (ECE | CWR) == ECE | CWR for s in syns)
    R.check("%s: some SYNs (not all) carry ECE|CWR" % tag,
            0.1 * len(syns) < necn < 0.3 * len(syns), "%d" % necn)

    # SYN-ACKs as an engine would send them, then the ACKs for them.
    rnd = __import__("random").Random(1)
    sa = os.path.join(work, "synack.pcap")
    w = G.Writer(sa)
    isn = {}
    for s in syns:
        if s.dport != PORT:
            w.write(G.tcp_frame(s.dmac, s.smac, s.dip, s.sip, s.dport,
                                s.sport, 0, s.seq + 1, RST | ACK, 0))
            continue
        o = G.opt_mss(MSS)
        if s.ts:
            o += G.NOP + G.NOP + G.opt_ts(rnd.getrandbits(32), s.ts[0])
            if s.sackok:
                o += G.NOP + G.NOP + G.SACKOK
            if s.ws is not None:
                o += G.NOP + G.opt_ws(9)
        o += b"\0" * (-len(o) % 4)
        isn[s.tuple()] = rnd.getrandbits(32)
        w.write(G.tcp_frame(s.dmac, s.smac, s.dip, s.sip, s.dport, s.sport,
                            isn[s.tuple()], s.seq + 1, SYN | ACK, 65535, o))
    w.close()
    sas = {s.rtuple(): s for s in parse_all(sa, tag + " synack") or []}
    by = {s.tuple(): s for s in syns}
    for delta in ((0, 0), (1, 0), (0, 1)):
        ak = os.path.join(work, "ack.pcap")
        gen("ack", "-i", sa, "-o", ak, "--syn-pcap", a, "--fin", "half",
            "--seq-delta", delta[0], "--ack-delta", delta[1], "--seed", 3)
        t = "%s ack seq%+d ack%+d" % (tag, delta[0], delta[1])
        segs = parse_all(ak, t)
        if segs is None:
            continue
        tshark_check(ak, t, len(segs))
        acks = [s for s in segs if s.flags == ACK]
        fins = [s for s in segs if s.flags == FIN | ACK]
        R.check("%s: 2000 ACKs then 1000 FIN|ACKs" % t,
                len(acks) == 2000 and len(fins) == 1000
                and segs[:2000] == acks,
                "%d ACKs, %d FINs" % (len(acks), len(fins)))
        bad = []
        for s in segs:
            syn, sak = by.get(s.tuple()), sas.get(s.tuple())
            if syn is None or sak is None:
                bad.append("%s: no SYN" % s.name())
                continue
            if s.seq != (syn.seq + 1 + delta[0]) & M32 or \
                    s.ack != (isn[s.tuple()] + 1 + delta[1]) & M32:
                bad.append("%s: seq/ack" % s.name())
            if s.dmac != sak.smac or s.smac != sak.dmac:
                bad.append("%s: MACs" % s.name())
            if (s.ts is None) != (sak.ts is None) or (
                    s.ts and (s.ts[1] != sak.ts[0]
                              or not 0 < (s.ts[0] - syn.ts[0]) & M32 < 100)):
                bad.append("%s: TS %s for SYN-ACK TS %s" % (s.name(), s.ts,
                                                            sak.ts))
        R.tally("%s: seq = client ISN + 1, ack = SYN-ACK seq + 1, TS echo "
                "(deltas applied)" % t, len(segs), bad)

    big = os.path.join(work, "big.pcap")
    t0 = time.monotonic()
    gen("syn", "-o", big, "-n", 65536, "--seed", 1)
    R.info("%s: 65536 SYNs generated in %.1f s" % (tag, time.monotonic() - t0))
    R.check("%s: 65536-SYN file has 65536 frames" % tag,
            len(read_pcap(big)) == 65536)
    gen_selftest6(work)


def gen_selftest6(work):
    """gen.py syn --ipv6: reproducible, valid IPv6 frames (tshark too),
    sources in the ranges asked, the option and ECN mix of IPv4, and the
    ack sub-command over IPv6."""
    tag = "gen ipv6"
    a, b = (os.path.join(work, x) for x in ("v6a.pcap", "v6b.pcap"))
    common = ["--ipv6", "-n", 2000, "--closed-count", 10, "--seed", 7]
    gen("syn", "-o", a, *common)
    gen("syn", "-o", b, *common)
    with open(a, "rb") as fa, open(b, "rb") as fb:
        R.check("%s: same seed, same bytes" % tag, fa.read() == fb.read())
    syns = parse_all(a, tag + " syn")
    if syns is None:
        return
    tshark_check(a, tag + " syn", len(syns))
    net = ipaddress.IPv6Network("2001:db8::/64")
    R.tally("%s: 2010 distinct SYNs from 2001:db8::/64 (not the engine, not "
            "the Subnet-Router anycast address) to [2001:db8::2]:%d or %d, "
            "no extension header" % (tag, PORT, CLOSED_PORT), len(syns),
            [s.name() for s in syns
             if ipaddress.IPv6Address(bytes(s.sip)) not in net
             or s.sip in (ENGINE_IP6, net.network_address.packed)
             or s.dip != ENGINE_IP6 or s.dmac != ENGINE_MAC or s.ext
             or s.dport not in (PORT, CLOSED_PORT)
             or s.flags & ~(ECE | CWR) != SYN]
            + ["%d tuples" % len({s.tuple() for s in syns})
               for _ in (1,) if len({s.tuple() for s in syns}) != 2010])
    combos = {(s.mss is not None, s.ts is not None, s.ws is not None,
               s.sackok) for s in syns}
    necn = sum(s.flags & (ECE | CWR) == ECE | CWR for s in syns)
    R.check("%s: the IPv4 option mix (none, MSS only, MSS+TS, all, WS/SACK "
            "without TS), some ECE|CWR, random flow labels" % tag,
            {(False, False, False, False), (True, False, False, False),
             (True, True, False, False), (True, True, True, True),
             (True, False, True, True)} <= combos
            and 0.1 * len(syns) < necn < 0.3 * len(syns)
            and len({s.flow for s in syns}) > len(syns) * 0.9,
            "%d combos, %d ECN, %d flow labels" % (
                len(combos), necn, len({s.flow for s in syns})))
    # ACKs for SYN-ACKs made here (no options: the ack logic is the
    # IPv4 one, checked above; here the IPv6 framing)
    G = gen_module()
    sa, ak = (os.path.join(work, x) for x in ("v6sa.pcap", "v6ack.pcap"))
    w = G.Writer(sa)
    for i, s in enumerate(syns[:100]):
        w.write(G.tcp_frame(s.dmac, s.smac, s.dip, s.sip, s.dport, s.sport,
                            i * 7919, s.seq + 1, SYN | ACK, 65535))
    w.close()
    gen("ack", "-i", sa, "-o", ak, "--syn-pcap", a, "--seed", 3)
    acks = parse_all(ak, tag + " ack")
    if acks is None:
        return
    tshark_check(ak, tag + " ack", len(acks))
    by = {s.tuple(): s for s in syns}
    R.tally("%s: 100 ACKs, seq = client ISN + 1, ack = SYN-ACK seq + 1" % tag,
            100, ["%s" % s.name() for s in acks
                  if s.tuple() not in by or s.flags != ACK
                  or s.seq != (by[s.tuple()].seq + 1) & M32]
            + ["%d ACKs" % len(acks) for _ in (1,) if len(acks) != 100]
            + [s.name() for i, s in enumerate(acks)
               if s.ack != (i * 7919 + 1) & M32])


# ------------------------------------------------------------ several workers
# Software dispatch on net_pcap (one RX queue): the worker with the queue
# hashes every TCP frame with the symmetric Toeplitz key and hands other
# workers' frames over rings; each worker answers on its own TX queue, i.e.
# its own tx_pcap file. The checks below use their own Toeplitz code.

RSS_KEY = bytes([0x6d, 0x5a] * 20)    # the symmetric key (Woo and Park)
RETA_SIZE = 128                       # redirection table: entry i -> i % n


def toeplitz(key, data):
    """Toeplitz hash of @data (bytes) with @key (at least len(data) + 4
    bytes), as NICs compute RSS."""
    k = int.from_bytes(key, "big")
    kbits = len(key) * 8
    h = 0
    for i in range(len(data) * 8):
        if data[i // 8] >> (7 - i % 8) & 1:
            h ^= (k >> (kbits - 32 - i)) & M32
    return h


def toeplitz_selftest():
    """The Microsoft RSS verification suite's first IPv4/TCP example."""
    key = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcb"
                        "ae7b30b477cb2da38030f20c6a42b73bbeac01fa")
    data = bytes([66, 9, 149, 187, 161, 142, 100, 80]) + \
        struct.pack("!HH", 2794, 1766)
    return toeplitz(key, data) == 0x51CCC178


def owner(seg, workers):
    """The worker owning a flow, from either direction of it."""
    h = toeplitz(RSS_KEY, seg.sip + seg.dip + struct.pack("!HH", seg.sport,
                                                         seg.dport))
    return (h % RETA_SIZE) % workers


def dispatch_checks(eng, tag, workers, want_handoff=True):
    """Each worker answered exactly its own flows on its own TX queue, the
    flows crossed workers through the rings, and no frame was lost there."""
    stats = eng.stats.get(tag)
    outs = eng.outs.get(tag, [])
    if stats is not None:
        c = stats["counters"]
        if want_handoff:
            R.check("%s: tx_handoff > 0 (flows crossed workers)" % tag,
                    c.get("tx_handoff", 0) > 0,
                    "tx_handoff %s" % c.get("tx_handoff"))
        R.check("%s: drop_handoff == 0 and rx_handoff == tx_handoff" % tag,
                c.get("drop_handoff") == 0 and
                c.get("rx_handoff") == c.get("tx_handoff"),
                "tx_handoff %s, rx_handoff %s, drop_handoff %s" % (
                    c.get("tx_handoff"), c.get("rx_handoff"),
                    c.get("drop_handoff")))
    if not toeplitz_selftest():
        R.check("%s: Python Toeplitz passes the Microsoft RSS example" % tag,
                False)
        return
    per, wrong = [], []
    for w, path in enumerate(outs):
        try:
            segs = [Seg(f) for f in read_pcap(path)]
        except (OSError, ValueError) as e:
            R.check("%s: worker %d's tx_pcap readable" % (tag, w), False, str(e))
            return
        segs = [x for x in segs if x.tcp_ok]
        per.append(len(segs))
        wrong += ["%s:%d on queue %d, owner %d" % (
            ip_str(x.dip), x.dport, w, owner(x, workers))
            for x in segs if owner(x, workers) != w]
    total = sum(per)
    R.tally("%s: every frame leaves on the TX queue of the worker owning its "
            "flow (Toeplitz, symmetric key, (hash %% %d) %% %d)"
            % (tag, RETA_SIZE, workers), total, wrong)
    # an even share +- 40 % of it (30-70 % with 2 workers)
    lo, hi = 0.6 / workers, 1.4 / workers
    R.check("%s: every worker sent %.0f-%.0f %% of the frames"
            % (tag, 100 * lo, 100 * hi),
            total > 0 and all(lo <= n / total <= hi for n in per),
            " / ".join("worker %d: %d" % kv for kv in enumerate(per)))


def resp_key(s, with_isn):
    """What must be identical between a 1-worker and an N-worker answer to
    the same SYN: everything but the TSval's clock bits (the SYN-ACK's TSval
    is the engine's millisecond clock, plus a per-flow offset, with the
    client's options in its low 6 bits) and, when the runs were not in the
    same 64 s cookie unit, the ISN."""
    opts = []
    for k in sorted(s.opts):
        v = s.opts[k]
        if k == 8 and s.ts:
            v = (s.ts[0] & 63, s.ts[1])
        opts.append((k, v))
    return (s.smac, s.dmac, s.ttl, s.df, s.flags, s.seq if with_isn else None,
            s.ack, s.win, s.urp, tuple(opts), tuple(s.layout), bytes(s.payload))


def same_cookie_unit(*walls):
    """True when every run lay in one 64 s cookie unit and one key epoch
    (rotate = 3600 s, the default)."""
    units = {int(t // 64) for w in walls for t in w}
    epochs = {int(t // 3600) for w in walls for t in w}
    return len(units) == 1 and len(epochs) == 1


def compare_runs(tag, out1, outn, with_isn, workers):
    try:
        a = [x for x in (Seg(f) for f in read_pcap(out1)) if x.tcp_ok]
        b = [x for x in (Seg(f) for f in read_pcap(outn)) if x.tcp_ok]
    except (OSError, ValueError) as e:
        R.check("%s: both outputs readable" % tag, False, str(e))
        return
    ma, mb = {}, {}
    for m, segs in ((ma, a), (mb, b)):
        for x in segs:
            m.setdefault(x.rtuple(), []).append(resp_key(x, with_isn))
    only1 = sorted(set(ma) - set(mb))
    onlyn = sorted(set(mb) - set(ma))
    R.check("%s: the same set of flows answered (%d tuples)" % (tag, len(ma)),
            not only1 and not onlyn and len(a) == len(b),
            "%d frames vs %d; %d tuples only with 1 worker, %d only with %d"
            % (len(a), len(b), len(only1), len(onlyn), workers))
    diff = []
    for t in sorted(set(ma) & set(mb)):
        if sorted(ma[t]) != sorted(mb[t]):
            x, y = ma[t][0], mb[t][0]
            names = ("smac", "dmac", "ttl", "df", "flags", "seq", "ack", "win",
                     "urp", "options", "option layout", "payload")
            fields = [n for n, u, v in zip(names, x, y) if u != v]
            diff.append("%s:%d: %s" % (ip_str(t[0]), t[1],
                                       ", ".join(fields) or "count"))
    R.tally("%s: identical responses with 1 and %d workers (flags, ack, "
            "window, options, TSecr and TSval option bits%s)"
            % (tag, workers, ", ISN" if with_isn else ""),
            len(set(ma) & set(mb)), diff)


def compare_workers(eng, syn_pcap, outn, walln, workers):
    """The same SYNs through one worker: the same answers."""
    out1, _ = eng.run("phase1-1worker", syn_pcap, workers=1)
    wall1 = eng.wall
    same = same_cookie_unit(walln, wall1)
    if not same:
        R.info("the %d-worker and 1-worker runs straddle a 64 s cookie unit "
               "boundary: running both again once" % workers)
        left = 64 - time.time() % 64
        if left < 20:
            time.sleep(left + 0.5)
        outn, _ = eng.run("phase1-rerun-%dworkers" % workers, syn_pcap)
        walln = eng.wall
        dispatch_checks(eng, "phase1-rerun-%dworkers" % workers, workers)
        out1, _ = eng.run("phase1-rerun-1worker", syn_pcap, workers=1)
        wall1 = eng.wall
        same = same_cookie_unit(walln, wall1)
        if not same:
            R.info("the reruns straddle a boundary too: comparing everything "
                   "but the ISN and the TSval")
    else:
        R.info("both runs in cookie unit %d: ISNs must be identical"
               % int(walln[0] // 64))
    compare_runs("compare-1-vs-%d-workers" % workers, out1, outn, same,
                 workers)


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"),
                    help="synackd executable (default: $SYNACKD)")
    ap.add_argument("-n", "--count", type=int, default=1000)
    ap.add_argument("--closed", type=int, default=8,
                    help="SYNs to the closed port %d" % CLOSED_PORT)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--keep", default=os.environ.get("SK_PCAP_KEEP"),
                    help="copy the work files to this directory")
    ap.add_argument("--gen-only", action="store_true",
                    help="only check gen.py (no synackd, no root)")
    ap.add_argument("--ipv6", action="store_true",
                    help="the same phases over IPv6 (the golden6 test): "
                    "synackd with an IPv4 and an IPv6 address, IPv6 SYNs "
                    "with hostile frames among them")
    ap.add_argument("--workers", type=int, default=1,
                    help="worker lcores (software dispatch on net_pcap when "
                    "more than 1; then the SYN phase is compared with a "
                    "1-worker run)")
    a = ap.parse_args()

    if a.gen_only:
        t0 = time.monotonic()
        work = tempfile.mkdtemp(prefix="sk-pcap-gen-")
        try:
            gen_selftest(work)
        except Exception as e:
            import traceback
            traceback.print_exc()
            R.check("gen self-test ran to the end", False,
                    "%s: %s" % (type(e).__name__, e))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return finish(time.monotonic() - t0)

    if not a.synackd:
        print("FAIL no synackd: set SYNACKD or pass --synackd")
        return 1
    if not os.access(a.synackd, os.X_OK):
        print("FAIL synackd not executable: %s" % a.synackd)
        return 1
    if os.geteuid() != 0:
        print("SKIP the net_pcap golden test needs root (DPDK EAL)")
        return 77

    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="sk-pcap-")
    fam = Family(a.ipv6)
    try:
        eng = Engine(a.synackd, work, a.keep, a.workers,
                     ("198.18.0.2/24", "2001:db8::2/64") if a.ipv6 else
                     ("198.18.0.2/24",))
        syn_pcap = os.path.join(work, fam.prefix + "syns.pcap")
        gen("syn", "-o", syn_pcap, "-n", a.count, "--closed-count", a.closed,
            "--closed-port", CLOSED_PORT, "--dport", PORT, "--seed", a.seed,
            *(("--ipv6", "--src-net", SRC_NETS6) if a.ipv6 else
              ("--src-net", SRC_NETS)))
        n_open = a.count
        if a.ipv6:
            n_open += v6_input(syn_pcap, a.seed, fam)
        synack = phase1(eng, syn_pcap, n_open, a.closed, fam)
        if a.workers > 1:
            dispatch_checks(eng, fam.prefix + "phase1", a.workers)
            if synack and os.path.exists(synack):
                compare_workers(eng, syn_pcap, synack,
                                eng.wall_of[fam.prefix + "phase1"], a.workers)
        if synack and os.path.exists(synack):
            phase2(eng, work, syn_pcap, synack, n_open, a.seed + 1, fam)
            if a.workers > 1:
                dispatch_checks(eng, fam.prefix + "phase2", a.workers)
            negative(eng, work, syn_pcap, synack, n_open, a.seed + 2, "ack",
                     fam)
            negative(eng, work, syn_pcap, synack, n_open, a.seed + 3, "seq",
                     fam)
            if a.workers > 1:
                dispatch_checks(eng, fam.prefix + "negative-ack+1", a.workers)
                dispatch_checks(eng, fam.prefix + "negative-seq+1", a.workers)
        else:
            R.check("phase 2 and negative controls run", False,
                    "no SYN-ACK output from phase 1")
    except Exception as e:  # report, never hang or leave files behind
        import traceback
        traceback.print_exc()
        R.check("test ran to the end", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in os.listdir(work):
                shutil.copy(os.path.join(work, f), a.keep)
            print("# work files copied to %s" % a.keep)
        shutil.rmtree(work, ignore_errors=True)

    return finish(time.monotonic() - t0)


def finish(dt):
    if R.failed:
        print("golden: %d checks passed, %d FAILED in %.1f s:"
              % (R.passed, len(R.failed), dt))
        for f in R.failed:
            print("  FAILED: %s" % f)
        return 1
    print("golden: all %d checks passed in %.1f s" % (R.passed, dt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
