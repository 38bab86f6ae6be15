#!/usr/bin/env python3
"""User-space instructions per request of `gatebench run --no-stream` against nginx, counted by
valgrind's callgrind (repeatable even on a loaded machine; docs/performance.md, "Load engine:
gatebench versus wrk").

  python3 bench/client/callgrind_per_request.py GATEBENCH [GATEBENCH ...] [--seconds 3]
      [--connections 64] [--keep DIR]

Prints, for each binary, the total instructions, the requests completed and their ratio. The
total includes start-up and report writing (a fixed cost spread over the requests).
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
        out = os.path.join(keep or d, "callgrind.%s.out" % os.path.basename(os.path.dirname(gb)))
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                            gb, "run", "--url", url, "--no-stream", "-t", "1",
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
    a = ap.parse_args()
    with Nginx(BODY) as n:
        for gb in a.gatebench:
            ir, cnt, out = measure(gb, n.url, a, a.keep)
            print("%s: %d instructions, %d requests, %.0f instructions/request%s" %
                  (gb, ir, cnt, ir / max(cnt, 1), (" (" + out + ")") if a.keep else ""),
                  flush=True)


if __name__ == "__main__":
    main()
