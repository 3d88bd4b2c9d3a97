#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGHUP reloads synackd's configuration file (docs/operations.md#reload).

    tap_reload.py [--synackd PATH]

synackd runs on net_tap in its own namespace (sktap.py) with -f FILE. The
case checks with real kernel connections:
  1. port 80 answers `hello`, port 81 is closed (RST);
  2. FILE switches 80 to `http`, adds 81:echo, changes time_wait and
     flow_capacity; SIGHUP: one "reload: applied" line naming the changes,
     one "needs a restart: flow_capacity" line; 80 answers HTTP, 81 echoes,
     8080 (unchanged) still says hello;
  3. FILE is broken; SIGHUP: one error line, synackd keeps running with the
     configuration of step 2;
  4. SIGTERM: exit 0 and final counters that match every connection made.
Exit 0 = pass, 1 = fail, 77 = skipped (not root). Python 3 standard library.
"""

import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hello_client  # noqa: E402
import sktap  # noqa: E402
from sktap import ENGINE_ADDR, TestFailure, log  # noqa: E402

IO_TIMEOUT = 5.0
DRAIN_S = 2.5

CONF1 = """[engine]
listen = 8080:hello, 80:hello
[timeouts]
time_wait = 1s
"""

CONF2 = """[engine]
listen = 8080:hello, 80:http, 81:echo
flow_capacity = 4096
[timeouts]
time_wait = 900ms
"""

CONF_BROKEN = """[engine]
listen = 8080:hello, 80:gopher
"""


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def hello(port):
    err = hello_client.hello_once(ENGINE_ADDR, port, IO_TIMEOUT)
    if err is not None:
        raise TestFailure("hello on port %d: %s" % (port, err))


def http(port):
    with socket.create_connection((ENGINE_ADDR, port), timeout=IO_TIMEOUT) as s:
        s.settimeout(IO_TIMEOUT)
        s.sendall(b"GET / HTTP/1.1\r\nHost: synack\r\n\r\n")
        got = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    if not got.startswith(b"HTTP/1.1 200"):
        raise TestFailure("http on port %d: got %r, expected HTTP/1.1 200"
                          % (port, got[:80]))


def echo(port, payload=b"reloaded\n"):
    with socket.create_connection((ENGINE_ADDR, port), timeout=IO_TIMEOUT) as s:
        s.settimeout(IO_TIMEOUT)
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        if got != payload:
            raise TestFailure("echo on port %d: got %r, expected %r"
                              % (port, got, payload))
        s.shutdown(socket.SHUT_WR)
        if s.recv(4096) != b"":
            raise TestFailure("echo on port %d: no EOF after ours" % port)


def refused(port):
    try:
        s = socket.create_connection((ENGINE_ADDR, port), timeout=IO_TIMEOUT)
        s.close()
    except ConnectionRefusedError:
        return
    except OSError as e:
        raise TestFailure("port %d: %s, expected a refused connection" % (port, e))
    raise TestFailure("port %d accepted a connection, expected RST" % port)


def hup_and_wait(eng, needle, timeout=10.0):
    """SIGHUP, then wait for a new output line containing needle."""
    start = len(eng.lines)
    eng.proc.send_signal(signal.SIGHUP)
    deadline = time.time() + timeout
    while time.time() < deadline:
        new = eng.lines[start:]
        hit = [l for l in new if needle in l]
        if hit:
            return new
        if not eng.alive():
            raise TestFailure("synackd exited (status %s) after SIGHUP"
                              % eng.proc.returncode)
        time.sleep(0.05)
    raise TestFailure("no %r line within %.0f s of SIGHUP; new output:\n%s"
                      % (needle, timeout, "\n".join(eng.lines[start:])))


def run_case(args):
    conns = {"hello": 0, "http": 0, "echo": 0, "refused": 0}
    eng = sktap.Engine(args.synackd, listen=(), tag="reload")
    conf = os.path.join(eng.tmp, "synack.ini")
    write(conf, CONF1)
    eng.options = ["-f", conf]
    with eng:
        # 1. as started
        hello(80)
        hello(8080)
        refused(81)
        conns["hello"] += 2
        conns["refused"] += 1
        log("reload: before: 80 hello, 8080 hello, 81 closed")

        # 2. a new file
        write(conf, CONF2)
        new = hup_and_wait(eng, "reload: applied")
        applied = [l for l in new if "reload: applied" in l]
        fixed = [l for l in new if "needs a restart" in l]
        log("\n".join(fixed + applied))
        if len(applied) != 1:
            raise TestFailure("expected one 'reload: applied' line, got %r" % applied)
        for want in ("80:hello->http", "+81:echo", "time_wait 1s -> 900ms"):
            if want not in applied[0]:
                raise TestFailure("'reload: applied' line lacks %r: %s"
                                  % (want, applied[0]))
        if len(fixed) != 1 or "flow_capacity" not in fixed[0]:
            raise TestFailure("expected one 'needs a restart: ... flow_capacity' "
                              "line, got %r" % fixed)
        http(80)
        echo(81)
        hello(8080)
        conns["http"] += 1
        conns["echo"] += 1
        conns["hello"] += 1
        log("reload: after: 80 http, 81 echo, 8080 hello")

        # 3. a broken file: one error line, nothing changes
        write(conf, CONF_BROKEN)
        new = hup_and_wait(eng, "kept the running configuration")
        err = [l for l in new if "kept the running configuration" in l]
        log(err[0])
        if "gopher" not in err[0]:
            raise TestFailure("the error line does not name the bad value: %s"
                              % err[0])
        if any("reload: applied" in l for l in new):
            raise TestFailure("a broken file was applied:\n" + "\n".join(new))
        time.sleep(0.2)
        if not eng.alive():
            raise TestFailure("synackd exited after a broken reload")
        http(80)
        echo(81)
        conns["http"] += 1
        conns["echo"] += 1
        log("reload: broken file refused, 80 still http, 81 still echo")

        # 4. stop: every connection in the counters
        time.sleep(DRAIN_S)
        stats = eng.stop()
        n = conns["hello"] + conns["http"] + conns["echo"]
        sktap.check_stats(stats, expect={
            "cookie_ok": n, "flow_created": n, "close_normal": n,
            "rx_fin": n, "tx_fin": n,
            "tx_rst_closed_port": conns["refused"], "tx_rst": conns["refused"]})
        if "synackd: stopping, final counters:" not in eng.output():
            raise TestFailure("no final counters after SIGTERM")


def main():
    sktap.synackd_main(__doc__, run_case, budget_s=120)


if __name__ == "__main__":
    main()
