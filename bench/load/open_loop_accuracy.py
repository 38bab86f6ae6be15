#!/usr/bin/env python3
"""Open-loop accuracy at high rates (docs/performance.md, "Open-loop accuracy at high rates").

Runs `gatebench run --no-stream -R RATE` against the zero-delay gatebench-mock, the mock pinned to
one core and gatebench to another (`taskset`), the rates interleaved over several rounds
(5k, 10k, 20k, 5k, 10k, 20k, ...), and prints per run: requests sent in the main phase, the
achieved send rate (started / main-phase duration) and its error against the target, the ok
rate, schedule lag p50/p99/p99.9/max (sent minus intended, from the report), gatebench's CPU
(user + system from wait4, whole process) per second of load and per request, the mock's CPU,
and the verdict against the issue's bar (achieved within 0.5% of the target, lag p99 < 1 ms).
Ends with the median per rate. Run it under the shared lock on a quiet machine:

  flock /tmp/gb-heavy.lock python3 bench/load/open_loop_accuracy.py \
      --gatebench build-load/src/app/gatebench --mock build-load/mock-upstream/gatebench-mock

Loopback only; everything started is killed on exit.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def cpu_of_pid(pid):
    """User + system CPU seconds of a live process (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Mock:
    def __init__(self, binary, cpu, threads):
        cmd = ["taskset", "-c", str(cpu), binary, "--listen", "127.0.0.1:0", "--threads",
               str(threads), "-q"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.close()
            raise RuntimeError("mock did not print its port: %r" % line)
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def cpu(self):
        return cpu_of_pid(self.proc.pid)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def one_run(args, mock, rate, workdir):
    report = os.path.join(workdir, "r%d.json" % rate)
    cmd = ["taskset", "-c", str(args.client_cpu), args.gatebench, "run", "-q", "--url", mock.url,
           "--no-stream", "-R", str(rate), "-d", args.seconds, "-t", str(args.threads),
           "--max-tokens", "16", "--input-tokens", str(args.input_tokens), "-o", report]
    if args.warmup:
        cmd += ["--warmup", args.warmup]
    mock_cpu0 = mock.cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(proc.pid, 0)
    mock_cpu = mock.cpu() - mock_cpu0
    stderr = proc.stderr.read()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("gatebench exited %d: %s" % (proc.returncode, stderr.strip()))
    with open(report) as f:
        rep = json.load(f)
    targets = list(rep["targets"].values())
    if len(targets) != 1 or "main" not in targets[0]["phases"]:
        raise RuntimeError("report has no single target with a main phase")
    main = targets[0]["phases"]["main"]
    dur_s = main["timing"]["duration_ns"] / 1e9
    started = main["counts"]["started"]
    lag = main["metrics"]["schedule_lag"]
    cpu = ru.ru_utime + ru.ru_stime
    achieved = started / dur_s
    return {
        "rate": rate,
        "started": started,
        "achieved": achieved,
        "err_pct": 100.0 * (achieved - rate) / rate,
        "ok_rps": main["counts"]["ok"] / dur_s,
        "failed": main["counts"]["failed"],
        "dropped": main["counts"]["dropped"],
        "lag_p50_us": lag["p50"] / 1e3,
        "lag_p99_us": lag["p99"] / 1e3,
        "lag_p999_us": lag["p99_9"] / 1e3,
        "lag_max_us": lag["max"] / 1e3,
        "cpu_s": cpu,
        "cpu_us_per_req": 1e6 * cpu / max(1, started),
        "mock_cpu_s": mock_cpu,
        "client_bound": rep.get("client_bound", False),
        "in_flight_max": main["concurrency"]["max"],
    }


HEADER = ("%8s %9s %10s %7s %9s %8s %8s %8s %8s %7s %7s %7s  %s" %
          ("rate/s", "sent", "achieved", "err%", "ok/s", "lag p50", "lag p99", "p99.9",
           "lag max", "cpu s", "us/req", "mock s", "verdict"))


def line(r):
    good = abs(r["err_pct"]) <= 0.5 and r["lag_p99_us"] < 1000 and r["failed"] == 0
    return ("%8d %9d %10.1f %+7.3f %9.1f %6.0fus %6.0fus %6.0fus %6.0fus %7.2f %7.2f %7.2f  %s%s" %
            (r["rate"], r["started"], r["achieved"], r["err_pct"], r["ok_rps"], r["lag_p50_us"],
             r["lag_p99_us"], r["lag_p999_us"], r["lag_max_us"], r["cpu_s"], r["cpu_us_per_req"],
             r["mock_cpu_s"], "PASS" if good else "FAIL",
             " (client-bound)" if r["client_bound"] else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gatebench", default="build/src/app/gatebench")
    ap.add_argument("--mock", default="build/mock-upstream/gatebench-mock")
    ap.add_argument("--rates", default="5000,10000,20000")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", default="5s", help="main phase per run")
    ap.add_argument("--warmup", default="1s", help="warm-up per run (not measured)")
    ap.add_argument("--threads", type=int, default=1, help="gatebench worker threads")
    ap.add_argument("--input-tokens", type=int, default=64)
    ap.add_argument("--mock-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--mock-threads", type=int, default=1)
    ap.add_argument("--json", help="also write every run's figures to this file")
    args = ap.parse_args()
    rates = [int(float(x)) for x in args.rates.split(",")]
    load1 = os.getloadavg()[0]
    print("open-loop accuracy: rates %s, %d round(s), %s each (+%s warm-up), gatebench on cpu "
          "%d (%d thread(s)), mock on cpu %d; load average before: %.2f" %
          (rates, args.rounds, args.seconds, args.warmup, args.client_cpu, args.threads,
           args.mock_cpu, load1))
    results = []
    with tempfile.TemporaryDirectory(prefix="gb-olb-") as workdir:
        mock = Mock(args.mock, args.mock_cpu, args.mock_threads)
        try:
            print(HEADER)
            for _ in range(args.rounds):
                for rate in rates:
                    r = one_run(args, mock, rate, workdir)
                    results.append(r)
                    print(line(r), flush=True)
        finally:
            mock.close()
    print("\nmedian per rate (load average after: %.2f):" % os.getloadavg()[0])
    print(HEADER)
    for rate in rates:
        rs = [r for r in results if r["rate"] == rate]
        med = {k: (statistics.median([r[k] for r in rs]) if isinstance(rs[0][k], (int, float))
                   and not isinstance(rs[0][k], bool) else any(r[k] for r in rs))
               for k in rs[0]}
        med["rate"] = rate
        med["started"] = int(med["started"])
        print(line(med))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
    main()
