#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""synackd's command line before the EAL (docs/operations.md).

    synackd_cli.py --synackd PATH --source ROOT

--help, -h, --version, -V (before or after "--"), --check and every error
in synackd's own options are answered without starting the EAL: the exit
code and the output are checked, and nothing may appear under
/var/run/dpdk/PREFIX or /dev/hugepages for the --file-prefix given. A
wrong EAL option gets a hint about options, not about hugepages. Needs no
root and no device. Exit 0 = pass, 1 = fail.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

failed = []


def check(cond, what):
    print("%s - %s" % ("ok" if cond else "not ok", what), flush=True)
    if not cond:
        failed.append(what)


def run(args, timeout=30):
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def traces(prefix):
    """What an EAL start with this --file-prefix would leave behind."""
    return (glob.glob("/var/run/dpdk/%s*" % prefix) +
            glob.glob(os.path.expanduser("~/.local/share/dpdk/%s*" % prefix)) +
            glob.glob("/run/user/*/dpdk/%s*" % prefix) +
            glob.glob("/dev/hugepages/%s*" % prefix))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--synackd", default=os.environ.get("SYNACKD"))
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    sd = a.synackd
    prefix = "sk-cli-%d" % os.getpid()
    eal = [sd, "--file-prefix", prefix, "--no-pci", "--vdev", "net_tap0,iface=skcli0"]
    tap_ini = os.path.join(a.source, "config", "tap.ini")
    tmp = tempfile.mkdtemp(prefix="sk-cli-")
    try:
        for args in (eal + ["--help"], eal + ["-h"], [sd, "--", "--help"],
                     eal + ["--", "-h"]):
            rc, out, err = run(args)
            check(rc == 0 and out.startswith("Usage:") and "--listen PORT:APP" in out
                  and not err, "%s: exit 0, synackd's options" % " ".join(args[1:]))
        rc, out, _ = run([sd, "--help"])
        check("synackd [EAL options] -- [options]" in out and "--check" in out,
              "--help says where EAL options go and lists --check")
        codes = re.findall(r"^  (\d)  ", out.split("Exit codes:")[-1], re.M)
        check(codes == ["0", "1", "2"], "--help lists exit codes 0, 1, 2: %s" % codes)
        for args in (eal + ["-V"], eal + ["--version"], [sd, "--", "-V"]):
            rc, out, err = run(args)
            check(rc == 0 and re.fullmatch(r"synackd \S+\n", out) is not None,
                  "%s: exit 0, 'synackd VERSION'" % " ".join(args[1:]))

        rc, out, err = run(eal + ["--help-man"])
        check(rc == 0 and out.startswith(".SS") and "\\-\\-listen" in out
              and not err, "--help-man: exit 0, groff, before the EAL")

        rc, out, err = run([sd, "--check", "-f", tap_ini])
        check(rc == 0 and out.startswith("synackd: check: configuration valid: "
                                          "addresses 198.18.0.2/24, listening 8080:hello"),
              "--check -f config/tap.ini: exit 0, summary (%d, %r)" % (rc, out[:80]))
        check("\n[engine]\n" in out and "secret = (random)" in out,
              "--check prints the effective configuration")
        rc, out, err = run(eal + ["--", "--check", "-f", tap_ini, "--time-wait", "2s"])
        check(rc == 0 and "time_wait = 2s" in out,
              "--check after '--' with an option over the file")

        bad = os.path.join(tmp, "bad.ini")
        with open(bad, "w") as f:
            f.write("[engine]\naddresses = 198.18.0.2/24\nlisten = 80:gopher\n")
        rc, out, err = run([sd, "--check", "-f", bad])
        check(rc == 1 and out == "" and err.count("\n") == 1 and
              "unknown responder 'gopher'" in err,
              "--check of a bad file: exit 1, one error line (%d, %r)" % (rc, err))
        rc, out, err = run(eal + ["--", "-f", bad])
        check(rc == 1 and "unknown responder 'gopher'" in err,
              "a start with a bad file: exit 1 before the EAL (%d, %r)" % (rc, err))
        rc, out, err = run(eal + ["--", "--bogus"])
        check(rc == 1 and "unknown option '--bogus'" in err,
              "an unknown synackd option: exit 1 (%d, %r)" % (rc, err))
        rc, out, err = run(eal + ["-f", tap_ini])
        check(rc == 1 and "put it after \"--\"" in err,
              "-f before '--': exit 1, says where it goes (%d, %r)" % (rc, err))
        check(traces(prefix) == [],
              "no EAL trace for the prefix: %s" % traces(prefix))

        # a wrong EAL option: the EAL does start (and fails); no hugepage hint
        rc, out, err = run([sd, "--file-prefix", prefix, "--no-huge", "--bogus-eal",
                            "--", "--addr", "198.18.0.2/24", "--listen", "80:http"])
        ours = [l for l in (out + err).splitlines()
                if "EAL initialisation failed" in l]
        check(rc == 2 and len(ours) == 1 and "a wrong EAL option" in ours[0]
              and "hugepage" not in ours[0],
              "a wrong EAL option: exit 2, an options hint, no hugepage hint "
              "(%d, %r)" % (rc, ours))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for t in traces(prefix):
            shutil.rmtree(t, ignore_errors=True)
    print("1..done, %d failed" % len(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
