"""Sweeps against gatebench-mock with a known capacity (issue #5, "Stages and sweeps").

The system under test has a known capacity: the mock answers every request after a fixed
service time T (--ttft 50ms, no inter-token delay, non-streaming) and the harness may have at
most K = 4 requests in flight (load.max_in_flight, one worker). That is a server with K service
slots: it completes at most K / T = 80 requests per second. Below that, constant arrivals never
queue (e2e ~ T); above it, arrivals queue, their response time (measured from the intended send)
grows without bound and the achieved rate stays at ~80/s.

Checked: a list sweep names the highest listed rate under the capacity as the knee (within one
step of it); a search sweep finds a knee within one search step (10%) of it; the report holds
every point (and validates against docs/report-schema.json); the console prints the curve and
names the knee; the schedule file has one line per request with its intended time and the
x-request-id the mock received.

Runs the real binaries on 127.0.0.1 (ephemeral ports), bounded to well under a minute.
"""

import collections
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import gbtest  # noqa: E402
from gbtest import GATEBENCH, MOCK  # noqa: E402,F401

SOURCE_ROOT = os.environ.get(
    "GATEBENCH_SOURCE_ROOT",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

SERVICE_MS = 50
SLOTS = 4
CAPACITY = SLOTS * 1000.0 / SERVICE_MS  # 80 requests per second
SEARCH_STEP = 1.10  # docs/scenarios.md: bisection stops within 10%


def Mock(request_log=None):
    """gatebench-mock with one thread and the fixed service time, 4 tokens."""
    return gbtest.Mock("--threads", "1", "--ttft", "%dms" % SERVICE_MS, "--itl", "0",
                       "--output-tokens", "4", request_log=request_log)


def scenario_text(url, sweep, report, schedule=None):
    out = """name: sweep-test
seed: 7
target:
  url: %s
  api: openai-chat
workload:
  stream: false
  max_tokens: 4
  input_tokens: 8
load:
  mode: open
  arrival: constant
  threads: 1
  max_in_flight: %d
  warmup: 500ms
sweep:
%s
slos:
  e2e: 150ms
output:
  report: %s
""" % (url, SLOTS, sweep, report)
    if schedule:
        out += "  schedule: %s\n" % schedule
    return out


def run_sweep(tmp, url, sweep, schedule=None):
    report = os.path.join(tmp, "report.json")
    path = os.path.join(tmp, "sweep.yaml")
    with open(path, "w") as f:
        f.write(scenario_text(url, sweep, report, schedule))
    p = subprocess.run([GATEBENCH, "run", path], capture_output=True, text=True, timeout=120)
    with open(report) as f:
        doc = json.load(f)
    return p, doc


def knee_of(doc):
    knees = [p for p in doc["sweep"] if p.get("knee")]
    return knees


class SweepTest(unittest.TestCase):
    def check_report(self, doc, levels):
        """Every measured level is a point with its phase stored; at most one knee."""
        pts = doc["sweep"]
        self.assertEqual(sorted(p["rate"] for p in pts), sorted(levels))
        phases = doc["targets"]["default"]["phases"]
        for p in pts:
            self.assertIn(p["phase"], phases, "point %s has no stats" % p["phase"])
        self.assertLessEqual(len(knee_of(doc)), 1)
        try:
            import jsonschema
        except ImportError:
            return
        with open(os.path.join(SOURCE_ROOT, "docs", "report-schema.json")) as f:
            jsonschema.validate(doc, json.load(f))

    def test_list_knee_within_one_step(self):
        rates = [20, 40, 60, 70, 90, 110]
        with tempfile.TemporaryDirectory(prefix="gb-sweep-") as tmp, Mock() as mock:
            sweep = "  rates: [%s]\n  point_duration: 2s" % ", ".join(map(str, rates))
            p, doc = run_sweep(tmp, mock.url, sweep)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.check_report(doc, rates)
            knees = knee_of(doc)
            self.assertEqual(len(knees), 1, p.stdout)
            knee = knees[0]["rate"]
            # Within one step: the knee is the highest listed rate under the capacity.
            expected = max(r for r in rates if r < CAPACITY)
            self.assertEqual(knee, expected, p.stdout)
            above = [x for x in doc["sweep"] if x["rate"] > CAPACITY]
            self.assertTrue(above and all(not x["note"].startswith("ok") for x in above), p.stdout)
            # The console prints the curve (one row per point) and names the knee.
            rows = [l for l in p.stdout.splitlines() if re.match(r"^\d+(\.\d+)?\s+\d", l)]
            self.assertEqual(len(rows), len(rates), p.stdout)
            self.assertRegex(p.stdout, r"Knee: rate=%g\b" % knee)
            self.assertIn("<- knee", p.stdout)

    def test_search_knee_within_one_step(self):
        with tempfile.TemporaryDirectory(prefix="gb-sweep-") as tmp, Mock() as mock:
            sweep = "  search: {min: 10, max: 640}\n  point_duration: 2s"
            p, doc = run_sweep(tmp, mock.url, sweep)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            levels = [x["rate"] for x in doc["sweep"]]
            self.check_report(doc, levels)
            self.assertLessEqual(len(levels), 12, "the search should converge in a few points")
            knees = knee_of(doc)
            self.assertEqual(len(knees), 1, p.stdout)
            knee = knees[0]["rate"]
            self.assertGreaterEqual(knee, CAPACITY / SEARCH_STEP, p.stdout)
            self.assertLessEqual(knee, CAPACITY * SEARCH_STEP, p.stdout)
            # Bracketed: a failing point within one step above the knee.
            bad = [x["rate"] for x in doc["sweep"]
                   if not x["note"].startswith("ok") and x["rate"] > knee]
            self.assertTrue(bad, p.stdout)
            self.assertLessEqual(min(bad), knee * SEARCH_STEP + 1e-9, p.stdout)

    def test_single_run_flags_rejected(self):
        # Flags that belong to one plain run are refused before any load (exit 104, naming the
        # flag), not silently ignored.
        with tempfile.TemporaryDirectory(prefix="gb-sweep-") as tmp:
            log = os.path.join(tmp, "mock.jsonl")
            report = os.path.join(tmp, "report.json")
            path = os.path.join(tmp, "sweep.yaml")
            with Mock(request_log=log) as mock:
                with open(path, "w") as f:
                    f.write(scenario_text(mock.url, "  rates: [20]\n  point_duration: 1s", report))
                cases = [["--baseline", path],
                         ["--save-baseline", "b1"], ["--junit", os.path.join(tmp, "j.xml")],
                         ["--markdown", os.path.join(tmp, "m.md")],
                         ["--metrics-addr", "127.0.0.1:0"], ["--target-pid", str(os.getpid())],
                         ["--target-cmd", "true"]]
                for flags in cases:
                    p = subprocess.run([GATEBENCH, "run", path, *flags], capture_output=True,
                                       text=True, timeout=30)
                    self.assertEqual(p.returncode, 104, (flags, p.stdout, p.stderr))
                    self.assertIn(flags[0] + " does not apply to a sweep", p.stderr)
                self.assertFalse(os.path.exists(report))
            with open(log) as f:
                self.assertEqual([l for l in f if l.strip()], [], "no request may be sent")

    def test_schedule_file_joins_mock_log(self):
        with tempfile.TemporaryDirectory(prefix="gb-sweep-") as tmp:
            log = os.path.join(tmp, "mock.jsonl")
            sched = os.path.join(tmp, "schedule.csv")
            with Mock(request_log=log) as mock:
                sweep = "  rates: [20, 40]\n  point_duration: 1s"
                p, doc = run_sweep(tmp, mock.url, sweep, schedule=sched)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(sched, newline="") as f:
                rows = list(csv.DictReader(f))
            # One line per request: as many as the report's ledgers started (warm-up included
            # in the schedule, so compare with the mock's log, which saw every request).
            # Ids are unique across the whole sweep (they continue from point to point), so a
            # gateway log line joins with exactly one request of one point.
            ids = collections.Counter(r["request_id"] for r in rows)
            self.assertEqual(max(ids.values()), 1, "a request id repeats within the sweep")
            with open(log) as f:
                seen = collections.Counter(
                    json.loads(l)["headers"].get("x-request-id") for l in f if l.strip())
            self.assertEqual(collections.Counter(r["request_id"] for r in rows), seen)
            phases = doc["targets"]["default"]["phases"]
            started = sum(phases[pt["phase"]]["counts"]["started"] for pt in doc["sweep"])
            main_rows = [r for r in rows if r["phase"] == "main"]
            self.assertEqual(len(main_rows), started)
            self.assertEqual({r["point"] for r in rows}, {"rate=20", "rate=40"})
            for r in rows:
                self.assertEqual(r["outcome"], "ok", r)
                self.assertGreater(int(r["intended_unix_ns"]), 1_600_000_000 * 10**9)
                self.assertGreaterEqual(int(r["sent_offset_ns"]), int(r["intended_offset_ns"]))
            # Constant arrivals: the main phase's intended times of a point are 1/rate apart.
            for point, rate in (("rate=20", 20), ("rate=40", 40)):
                t = sorted(int(r["intended_offset_ns"]) for r in main_rows if r["point"] == point)
                gaps = [b - a for a, b in zip(t, t[1:])]
                self.assertTrue(gaps)
                self.assertAlmostEqual(sum(gaps) / len(gaps), 1e9 / rate, delta=1e9 / rate * 0.01)


if __name__ == "__main__":
    unittest.main(argv=sys.argv)
