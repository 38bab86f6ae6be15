#!/usr/bin/env python3
"""A finished run, exported with `gatebench export openmetrics`, backfilled with
`promtool tsdb create-blocks-from openmetrics`, loaded by a real Prometheus and queried: the
counters match the report's ledger, the e2e histogram's median lands in the bucket holding the
report's exact p50, and every dashboard query returns data.

Usage: test_backfill.py SOURCE_ROOT GATEBENCH GATEBENCH_MOCK"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common_run import gatebench_run  # noqa: E402
from promlib import (need_binary, processes, query_range, run_dashboard_queries,  # noqa: E402
                     start_prometheus)

BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
          2.5, 5, 10, 20, 30, 60, 120]


def main():
    root, gatebench, mock = sys.argv[1:4]
    need_binary("prometheus")
    promtool = need_binary("promtool")
    failures = []
    with tempfile.TemporaryDirectory(prefix="gb-observe-") as work, processes() as procs:
        report, run, _ = gatebench_run(procs, gatebench, mock, work)
        out, _ = run.communicate(timeout=60)
        if run.returncode != 0:
            raise SystemExit(f"FAIL: gatebench run exited {run.returncode}:\n{out}")
        rep = json.load(open(report))
        testid = rep["run_id"]
        om = os.path.join(work, "run.om")
        r = subprocess.run([gatebench, "export", "openmetrics", report, "-o", om],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: export exited {r.returncode}: {r.stderr}")
        text = open(om).read()
        has_tpot = "# TYPE gatebench_tpot_seconds histogram" in text
        if not text.endswith("# EOF\n"):
            failures.append("export does not end with '# EOF'")
        data = os.path.join(work, "tsdb")
        r = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", om, data],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise SystemExit(f"FAIL: promtool rejected the export:\n{r.stdout}\n{r.stderr}")
        base = start_prometheus(procs, work, data_dir=data)
        start = rep["start"]["unix_ns"] / 1e9 - 5
        end = start + 5 + rep["duration_ns"] / 1e9 + 10

        def last_value(expr):
            res, err = query_range(base, expr, start, end)
            if err or not res:
                return None
            return float(res[0]["values"][-1][1])

        for target, t in rep["targets"].items():
            for phase, ph in t["phases"].items():
                sel = f'testid="{testid}", target="{target}", phase="{phase}"'
                ledger = ph["ledger"]
                for name, expr, want in [
                    ("ok", f'gatebench_requests_total{{{sel}, outcome="ok"}}',
                     ledger["outcomes"]["ok"]),
                    ("started", f"gatebench_requests_started_total{{{sel}}}", ledger["started"]),
                    ("e2e count", f"gatebench_e2e_seconds_count{{{sel}}}",
                     ph["metrics"]["e2e"]["count"])]:
                    got = last_value(expr)
                    if got != want:
                        failures.append(f"{target}/{phase} {name}: Prometheus has {got}, the "
                                        f"report {want}")
                    else:
                        print(f"ok: {target}/{phase} {name} = {want}")
                # The backfilled histogram's median lies in the bucket of the exact p50.
                p50 = ph["metrics"]["e2e"]["p50"] / 1e9
                lo = max([b for b in BOUNDS if b < p50], default=0)
                hi = min([b for b in BOUNDS if b >= p50], default=float("inf"))
                q = f"histogram_quantile(0.5, sum by (le) (gatebench_e2e_seconds_bucket{{{sel}}}))"
                got = last_value(q)
                if got is None or not lo <= got <= hi:
                    failures.append(f"{target}/{phase} e2e median from buckets {got} outside "
                                    f"the bucket ({lo}, {hi}] of the report's p50 {p50}")
                else:
                    print(f"ok: {target}/{phase} e2e median {got:.4f}s within ({lo}, {hi}]")

        res = rep.get("resources") or {}
        have = {who: bool(res.get(who)) for who in ("harness", "target")}

        def skip(dash, title):
            t = title.lower()
            if not have["target"] and ("target" in t or "gateway cpu" in t or
                                        "gateway memory" in t):
                return "the report has no target resources (run without --target-pid)"
            if not have["harness"] and "harness" in t:
                return "the report has no harness resources"
            if not has_tpot and ("tpot" in t or "time per output token" in t):
                return ("the run's time series has no tpot histograms (interval_point has no "
                        "tpot_hist yet)")
            if "client-bound" in t:
                return "stored reports keep client_bound as a run flag, not a series"
            return None
        targets = sorted(rep["targets"])
        values = {"testid": testid, "target": ".*", "testid_a": testid, "testid_b": testid,
                  "direct": "direct", "gateway": "gateway",
                  "__rate_interval": "4s", "__range": f"{int(end - start)}s"}
        if targets != ["direct", "gateway"]:
            failures.append(f"expected targets direct and gateway, the report has {targets}")
        failures += run_dashboard_queries(base, root, values, start, end, skip)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
