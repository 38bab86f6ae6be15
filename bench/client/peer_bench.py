#!/usr/bin/env python3
"""gatebench versus wrk against nginx serving a small static JSON body (docs/performance.md,
"Load engine: gatebench versus wrk").

nginx runs one worker pinned to one core; each client runs one thread pinned to the other core,
with the same connection count, in interleaved rounds (wrk, wrk-post, gatebench, wrk, ...).
For each run: requests/s and the client's CPU time (user + system, from wait4) per request.
"wrk" sends wrk's default bare GET; "wrk-post" sends what gatebench sends (a POST to
/v1/chat/completions with the same headers and a chat body of the same size and shape, set
through a wrk Lua script that only fills in wrk.method/body/headers, so wrk still sends one
pre-built request over and over).

  python3 bench/client/peer_bench.py [--gatebench build/gatebench] [--rounds 3] [--seconds 5]
      [--connections 64] [--client-cpu 0] [--server-cpu 1]

--gatebench may be given more than once (e.g. an old and a new build): each binary then runs in
every round too, and the ratios are given for each. With three rounds or more, the median of the
per-round CPU ratios comes with a 95% bootstrap interval (rounds resampled with replacement), so
that "equal within the noise" is a stated range rather than a feeling.
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "integration", "engine"))
from engine_lib import Nginx  # noqa: E402

BODY = ('{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m",'
        '"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},'
        '"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,'
        '"total_tokens":10}}')


# What gatebench sends with its defaults (64 synthetic words; see the mock's --request-log).
POST_BODY = json.dumps({
    "model": "gatebench-mock",
    "messages": [{"role": "user", "content": " ".join(
        ("answer which face an to morning able one autumn system point health eye improve "
         "party important mountain or analyze war people child able briefly lot point analyze "
         "moment life describe would quiet new are fact great teacher power window blue area "
         "girl has message new answer no often can high on same force never red table week hour "
         "education simple door").split()[:64])}],
    "stream": False, "max_tokens": 128}, separators=(",", ":"))


def run_measured(cmd):
    """Runs cmd; returns (stdout, (user, system) CPU seconds, wall seconds, max rss KiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    out = p.stdout.read()
    err = p.stderr.read()
    p.stdout.close()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (cmd[0], p.returncode, err[-2000:]))
    return out, (ru.ru_utime, ru.ru_stime), wall, ru.ru_maxrss


def wrk(url, a, script=None):
    extra = ["-s", script] if script else []
    out, cpu, _, _ = run_measured(["taskset", "-c", str(a.client_cpu), "wrk", "-t1",
                                   "-c%d" % a.connections, "-d%ds" % a.seconds] + extra + [url])
    n = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    return rps, cpu, n


def gatebench(url, a, exe):
    with tempfile.TemporaryDirectory() as d:
        rep = os.path.join(d, "r.json")
        _, cpu, _, _ = run_measured(["taskset", "-c", str(a.client_cpu), exe, "run",
                                     "--url", url, "--no-stream", "-t", "1",
                                     "-c", str(a.connections), "-d", "%ds" % a.seconds,
                                     "--quiet", "-o", rep])
        with open(rep) as f:
            r = json.load(f)
    main = r["targets"]["default"]["phases"]["main"]
    n = main["ledger"]["started"]
    ok = main["ledger"]["outcomes"]["ok"]
    if ok != n:
        raise RuntimeError("gatebench had failures: %s" % main["ledger"])
    rps = main["throughput"]["requests_per_s"]
    return rps, cpu, n


def median_interval(xs, resamples=10000, seed=1):
    """A 95% percentile-bootstrap interval of the median of xs (None for fewer than three)."""
    if len(xs) < 3:
        return None
    g = random.Random(seed)
    meds = sorted(statistics.median(g.choices(xs, k=len(xs))) for _ in range(resamples))
    return meds[int(0.025 * resamples)], meds[int(0.975 * resamples) - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gatebench", action="append", default=[])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--server-cpu", type=int, default=1)
    a = ap.parse_args()
    if not a.gatebench:
        a.gatebench = ["build/gatebench"]
    # One label per binary: "gatebench", or its path when several are compared.
    labels = ["gatebench"] if len(a.gatebench) == 1 else list(a.gatebench)
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lua.write('wrk.method = "POST"\nwrk.path = "/v1/chat/completions"\n'
              'wrk.headers["Content-Type"] = "application/json"\n'
              'wrk.headers["Accept"] = "application/json, text/event-stream"\n'
              'wrk.headers["User-Agent"] = "gatebench"\n'
              'wrk.headers["x-request-id"] = "gb-1234567"\n'
              'wrk.body = %s\n' % json.dumps(POST_BODY))
    lua.close()
    with Nginx(BODY) as n:
        subprocess.run(["taskset", "-a", "-p", "-c", str(a.server_cpu), str(n.proc.pid)],
                       check=True, stdout=subprocess.DEVNULL)
        # nginx's worker is a child of the master: pin it too.
        for pid in subprocess.run(["pgrep", "-P", str(n.proc.pid)], capture_output=True,
                                  text=True).stdout.split():
            subprocess.run(["taskset", "-p", "-c", str(a.server_cpu), pid], check=True,
                           stdout=subprocess.DEVNULL)
        clients = [("wrk", lambda: wrk(n.url, a)), ("wrk-post", lambda: wrk(n.url, a, lua.name))]
        clients += [(label, lambda exe=exe: gatebench(n.url, a, exe))
                    for label, exe in zip(labels, a.gatebench)]
        res = {name: [] for name, _ in clients}
        for i in range(a.rounds):
            for name, fn in clients:
                rps, (user, system), cnt = fn()
                us = (user + system) / cnt * 1e6
                res[name].append((rps, us, user / cnt * 1e6, system / cnt * 1e6))
                print("round %d %-9s %9.0f req/s %7.2f CPU-us/req (user %.2f + system %.2f; "
                      "%d requests)" % (i + 1, name, rps, us, user / cnt * 1e6,
                                        system / cnt * 1e6, cnt), flush=True)
    os.unlink(lua.name)
    med = {k: (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
           for k, v in res.items()}
    for k in res:
        print("median %-9s %9.0f req/s %7.2f CPU-us/req (user %.2f, system %.2f; system range "
              "%.2f-%.2f)" % ((k,) + med[k] + (statistics.median(x[2] for x in res[k]),
                                              statistics.median(x[3] for x in res[k]),
                                              min(x[3] for x in res[k]),
                                              max(x[3] for x in res[k]))))
    for label in labels:
        for peer in ("wrk", "wrk-post"):
            per_round = [g[1] / w[1] for g, w in zip(res[label], res[peer])]
            ci = median_interval(per_round)
            print("ratio %s/%s: requests/s %.2f, CPU-us per request %.2f (median of the "
                  "per-round ratios %.2f%s)" %
                  (label, peer, med[label][0] / med[peer][0], med[label][1] / med[peer][1],
                   statistics.median(per_round),
                   ", 95%% interval %.2f-%.2f" % ci if ci else ""))


if __name__ == "__main__":
    main()
