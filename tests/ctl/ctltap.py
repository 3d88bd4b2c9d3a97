# SPDX-License-Identifier: BSD-3-Clause
"""synackd on net_tap for the synackctl tests: tests/integration/sktap.py's
Engine (used as it is), plus what these tests need on top of it:

- synackctl and dpdk-telemetry.py pointed at the engine's --file-prefix;
- an engine whose hugepage files stay linked (no --huge-unlink), so that a
  DPDK secondary process (dpdk-dumpcap) can attach to it for live capture,
  and removal of those files afterwards (they hold hugepages until deleted).

Python 3 standard library only.
"""

import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import sktap  # noqa: E402
from sktap import TestFailure, log  # noqa: E402,F401

TELEMETRY_PY = "/usr/bin/dpdk-telemetry.py"


def hugetlbfs_mounts():
    out = []
    try:
        with open("/proc/mounts") as f:
            for line in f:
                w = line.split()
                if len(w) > 2 and w[2] == "hugetlbfs":
                    out.append(w[1])
    except OSError:
        pass
    return out


class CtlEngine(sktap.Engine):
    """sktap.Engine with synackctl helpers. keep_hugepage_files=True starts
    synackd without --huge-unlink (when it runs on hugepages at all)."""

    def __init__(self, synackd, synackctl, keep_hugepage_files=False, **kw):
        super().__init__(synackd, **kw)
        self.synackctl = synackctl
        self.keep_hugepage_files = keep_hugepage_files
        self.no_huge = None

    def command(self):
        cmd = super().command()
        self.no_huge = "--no-huge" in cmd
        if self.keep_hugepage_files:
            cmd = [c for c in cmd if c != "--huge-unlink"]
        return cmd

    def ctl(self, *args, timeout=15, check=True):
        """Run synackctl -p PREFIX ARGS; a bounded wait, output captured."""
        cmd = [self.synackctl, "-p", self.prefix] + list(args)
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("timed out after %ss: %s" % (timeout, " ".join(cmd))) from e
        p.seconds = time.monotonic() - t0
        if check and (p.returncode != 0 or p.stderr):
            raise TestFailure("%s: exit %d, stderr %r" % (" ".join(cmd), p.returncode,
                                                           p.stderr.strip()))
        return p

    def ctl_json(self, *args):
        p = self.ctl("--json", *args)
        try:
            return json.loads(p.stdout)
        except ValueError as e:
            raise TestFailure("synackctl --json %s: not JSON: %s: %r"
                              % (" ".join(args), e, p.stdout[:200])) from e

    def telemetry_py(self, commands, timeout=15):
        """DPDK's own client: commands on stdin, one JSON reply a line."""
        if not os.access(TELEMETRY_PY, os.X_OK):
            raise TestFailure("%s not found (Debian package dpdk)" % TELEMETRY_PY)
        try:
            p = subprocess.run([TELEMETRY_PY, "-f", self.prefix],
                               input="\n".join(commands) + "\n", capture_output=True,
                               text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise TestFailure("dpdk-telemetry.py timed out after %ss" % timeout) from e
        replies = {}
        for line in p.stdout.splitlines():
            try:
                replies.update(json.loads(line))
            except ValueError:
                raise TestFailure("dpdk-telemetry.py printed %r (exit %d, stderr %r)"
                                  % (line, p.returncode, p.stderr.strip()))
        missing = [c for c in commands if c.split(",")[0] not in replies]
        if missing:
            raise TestFailure("dpdk-telemetry.py gave no reply to %s; output %r"
                              % (missing, p.stdout[:300]))
        return replies

    def hugepage_files(self):
        files = []
        for m in hugetlbfs_mounts():
            files += glob.glob(os.path.join(m, self.prefix + "map_*"))
        return files

    def cleanup(self):
        super().cleanup()
        # Our engine (and any secondary attached to it) has exited: files
        # named after our unique prefix are ours and would pin hugepages.
        for f in self.hugepage_files():
            try:
                os.unlink(f)
            except OSError as e:
                log("warning: could not remove %s: %s" % (f, e))
