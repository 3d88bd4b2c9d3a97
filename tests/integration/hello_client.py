#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Open real kernel TCP connections to a `hello` responder.

Each connection sends "Hello Server\\n", reads until the server closes, checks
that it got exactly "Hello Client\\n", and closes. Used by usertools/demo and
by the integration tests (tests/integration/sktap_cases.py). Python 3
standard library only.
"""

import argparse
import socket
import sys
import threading
import time

REQUEST = b"Hello Server\n"
REPLY = b"Hello Client\n"


def hello_once(host, port, timeout=5.0, barrier=None, src_port=None):
    """One connection; returns None when the reply is right, else a text.
    src_port: bind the client to this local port (else the kernel picks)."""
    try:
        with socket.create_connection((host, port), timeout=timeout,
                                      source_address=None if src_port is None
                                      else ("", src_port)) as s:
            s.settimeout(timeout)
            if barrier is not None:
                barrier.wait(timeout=30)
            s.sendall(REQUEST)
            got = b""
            while len(got) <= len(REPLY):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            if got != REPLY:
                return "reply %r, expected %r" % (got, REPLY)
    except (OSError, threading.BrokenBarrierError) as e:
        return "%s: %s" % (type(e).__name__, e)
    return None


def run_hello(host, port, count, concurrency=1, timeout=5.0, together=False,
              src_ports=None, latencies=None):
    """Run @count connections, @concurrency at a time.

    With together=True every worker connects first and waits until all
    @concurrency connections are established before any sends (then count
    must equal concurrency). src_ports: connection i binds to src_ports[i].
    latencies: a list that gets each connection's duration in seconds.
    Returns (ok, errors, seconds)."""
    errors = []
    lock = threading.Lock()
    next_i = [0]
    barrier = threading.Barrier(concurrency) if together else None

    def worker():
        while True:
            with lock:
                if next_i[0] >= count:
                    return
                i = next_i[0]
                next_i[0] += 1
            t = time.monotonic()
            err = hello_once(host, port, timeout, barrier,
                             None if src_ports is None else src_ports[i])
            if latencies is not None:
                latencies.append(time.monotonic() - t)
            if err is not None:
                with lock:
                    errors.append((i, err))

    t0 = time.monotonic()
    if concurrency <= 1:
        worker()
    else:
        threads = [threading.Thread(target=worker, daemon=True)
                   for _ in range(concurrency)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + max(60.0, count * timeout)
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in threads):
            with lock:
                errors.append((-1, "client threads still running at the deadline"))
    elapsed = time.monotonic() - t0
    return count - len([e for e in errors if e[0] >= 0]), errors, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="198.18.0.2")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds for each socket operation")
    a = ap.parse_args()
    ok, errors, elapsed = run_hello(a.host, a.port, a.count, a.concurrency,
                                    a.timeout)
    for i, err in errors[:10]:
        print("connection %d: %s" % (i, err), file=sys.stderr)
    if len(errors) > 10:
        print("... and %d more failures" % (len(errors) - 10), file=sys.stderr)
    failed = a.count - ok
    rate = ok / elapsed if elapsed > 0 else 0.0
    print("connections: %d ok, %d failed, %.2f s, %.0f connections/s "
          "(%d at a time)" % (ok, failed, elapsed, rate, max(1, a.concurrency)))
    return 0 if failed == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
