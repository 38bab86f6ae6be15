#!/usr/bin/env python3
"""A real Prometheus scrapes a live `gatebench run --metrics-addr` against gatebench-mock every
second; then every query of every panel of every dashboard runs through Prometheus's HTTP API
with the run's testid and targets, and each must return data. The exposition itself is checked
while the run goes (labels, the outcome counters' sum against started minus in flight).

Usage: test_live_scrape.py SOURCE_ROOT GATEBENCH GATEBENCH_MOCK"""
import json
import os
import re
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common_run import gatebench_run, run_help  # noqa: E402
from promlib import (SKIP, free_port, need_binary, processes, query_range,  # noqa: E402
                     run_dashboard_queries, start_prometheus, wait_until)

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$')


def parse_exposition(text):
    """{(name, labels-tuple): value} of a Prometheus text exposition; raises on bad lines."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"bad exposition line: {line!r}")
        labels = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2)))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def main():
    root, gatebench, mock = sys.argv[1:4]
    need_binary("prometheus")
    help_text = run_help(gatebench)
    if "--metrics-addr" not in help_text:
        print("SKIP: this gatebench run has no --metrics-addr option yet (the live endpoint is "
              "built, see src/export/run_observer.hpp; the run command does not call it)")
        return SKIP
    with_target = "--target-pid" in help_text
    failures = []
    with tempfile.TemporaryDirectory(prefix="gb-observe-") as work, processes() as procs:
        mport = free_port()
        base = start_prometheus(procs, work, scrape_port=mport)
        t0 = time.time()
        report, run, mock_pid = gatebench_run(
            procs, gatebench, mock, work, extra=["--metrics-addr", f"127.0.0.1:{mport}"],
            name="observe-live")
        url = f"http://127.0.0.1:{mport}/metrics"

        def scrape():
            with urllib.request.urlopen(url, timeout=2) as r:
                body = r.read().decode()
                return body if "gatebench_requests_started_total{" in body else None
        body = wait_until("the live endpoint to serve requests", scrape, timeout_s=20)
        series = parse_exposition(body)
        names = {n for n, _ in series}
        for (name, labels) in series:
            keys = [k for k, _ in labels]
            if keys[:4] != ["testid", "target", "scenario", "phase"]:
                failures.append(f"{name}{labels}: labels must start testid, target, scenario, "
                                "phase")
                break
        for needed in ["gatebench_requests_total", "gatebench_requests_in_flight",
                       "gatebench_output_tokens_total", "gatebench_ttft_seconds_bucket",
                       "gatebench_e2e_seconds_sum", "gatebench_harness_resident_memory_bytes"]:
            if needed not in names:
                failures.append(f"the live exposition has no {needed}")
        if with_target and "gatebench_target_cpu_cores" not in names:
            failures.append("run with --target-pid but no gatebench_target_* series")
        out, _ = run.communicate(timeout=90)
        if run.returncode != 0:
            raise SystemExit(f"FAIL: gatebench run exited {run.returncode}:\n{out}")
        rep = json.load(open(report))
        testid = rep["run_id"]
        if f'testid="{testid}"' not in body:
            failures.append(f"the live series are not labelled with the run id {testid}")
        time.sleep(2.5)  # the last scrapes land
        end = time.time()
        # Counters scraped live never exceed the report's final ledger and reach most of it.
        for target, t in rep["targets"].items():
            want = t["phases"]["main"]["ledger"]["outcomes"]["ok"]
            res, err = query_range(base, f'max(gatebench_requests_total{{testid="{testid}", '
                                         f'target="{target}", phase="main", outcome="ok"}})',
                                   t0, end)
            got = float(res[0]["values"][-1][1]) if res else None
            if got is None or got > want or got < 0.5 * want:
                failures.append(f"{target}: last scraped ok count {got}, report {want}")
            else:
                print(f"ok: {target} scraped ok {got:.0f} of the report's {want}")

        def skip(dash, title):
            t = title.lower()
            if "gatebench_tpot_seconds_bucket" not in names and (
                    "tpot" in t or "time per output token" in t):
                return ("the engine publishes no tpot per interval yet "
                        "(metrics::interval_accum has no tpot histogram)")
            if not with_target and ("target" in t or "gateway cpu" in t or "gateway memory" in t):
                return "gatebench run has no --target-pid option yet"
            return None
        values = {"testid": testid, "target": ".*", "testid_a": testid, "testid_b": testid,
                  "direct": "direct", "gateway": "gateway", "__rate_interval": "4s",
                  "__range": f"{int(end - t0) + 1}s"}
        failures += run_dashboard_queries(base, root, values, t0, end, skip)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
