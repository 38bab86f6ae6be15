#!/usr/bin/env python3
"""User-space instructions per request of `gatebench run --no-stream` against nginx, counted by
valgrind's callgrind (repeatable even on a loaded machine; docs/performance.md, "Load engine:
gatebench versus wrk").

  python3 bench/client/callgrind_per_request.py GATEBENCH [GATEBENCH ...] [--seconds 3]
      [--connections 64] [--keep DIR]

Prints, for each binary, the instructions counted, the requests completed and their ratio. By
default only the request path is counted: the epoll loop, the reads, and everything that runs
when a read completes (reactive_socket_recv_op::do_complete: parsing, recording, building and
writing the next request), whether the read waited for readiness or finished at once (which
happens more often when the machine is loaded, so counting only what runs from readiness would
miss a share of requests that depends on the load). Start-up, report writing and the
once-a-second work (interval snapshots, progress, sampling) are left out: they do not grow with
the request count, and under valgrind (a few thousand requests per second instead of a hundred
thousand) they would weigh twenty times more per request than in a real run. --whole counts
everything.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "integration", "engine"))
from engine_lib import Nginx  # noqa: E402
from peer_bench import BODY  # noqa: E402


def measure(gb, url, a, keep):
    with tempfile.TemporaryDirectory() as d:
        rep = os.path.join(d, "r.json")
        out = os.path.join(keep or d, "callgrind.%s.out" % gb.strip("/").replace("/", "_"))
        # Three functions that never call each other (a toggle inside another would switch
        # counting off): waiting for readiness, the read itself, and the read's completion,
        # which resumes the request's coroutines (parsing, recording, the next request). The
        # completion runs there whether the read waited for epoll or finished at once.
        toggle = [] if a.whole else [
            "--toggle-collect=boost::asio::detail::epoll_reactor::run*",
            "--toggle-collect=boost::asio::detail::epoll_reactor::descriptor_state::perform_io*",
            "--toggle-collect=boost::asio::detail::reactive_socket_recv_op<*>::do_complete*"]
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] +
                           toggle + [gb, "run", "--url", url, "--no-stream", "-t", "1",
                            "-c", str(a.connections), "-d", "%ds" % a.seconds, "--quiet",
                            "-o", rep], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr[-2000:])
        m = re.search(r"Collected : (\d+)", p.stderr)
        ir = int(m.group(1))
        with open(rep) as f:
            r = json.load(f)
    n = r["targets"]["default"]["phases"]["main"]["ledger"]["started"]
    return ir, n, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gatebench", nargs="+")
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--keep", default=None, help="keep the callgrind files in this directory")
    ap.add_argument("--whole", action="store_true", help="count the whole process")
    a = ap.parse_args()
    with Nginx(BODY) as n:
        for gb in a.gatebench:
            ir, cnt, out = measure(gb, n.url, a, a.keep)
            print("%s: %d instructions, %d requests, %.0f instructions/request%s" %
                  (gb, ir, cnt, ir / max(cnt, 1), (" (" + out + ")") if a.keep else ""),
                  flush=True)


if __name__ == "__main__":
    main()
