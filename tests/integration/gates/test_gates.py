"""`gatebench run` gates and observability against gatebench-mock (issues #6 and #7).

Gates: thresholds print one line each with a check mark and the measured value and decide the
exit code (0 / 99); a malformed threshold is refused (104) before any request reaches the mock;
a saved baseline passes on a rerun and fails (99, naming the metric) against a mock twice as
slow; differing loads are refused (104) unless --force; an abort_on_fail threshold stops a long
run early (99, far fewer requests than planned); --junit and --markdown are written.
Observability: --target-cmd starts a mock, the report's resources block has its idle and peak
RSS and CPU-seconds per 1,000 requests, and the mock is gone afterwards; --metrics-addr serves
Prometheus text with testid/target/scenario/phase labels while the run is going.

Real binaries on 127.0.0.1 (ephemeral ports), each case bounded to a few seconds.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import gbtest  # noqa: E402
from gbtest import GATEBENCH, MOCK, free_port  # noqa: E402


def Mock(ttft="20ms"):
    """gatebench-mock with one thread, `ttft`, 1 ms between tokens, 4 tokens."""
    return gbtest.Mock("--threads", "1", "--ttft", ttft, "--itl", "1ms", "--output-tokens", "4")


def run(tmp, url, *extra, timeout=60):
    report = os.path.join(tmp, "report.json")
    args = [GATEBENCH, "run", "--url", url, "--api", "openai-chat", "--stream", "-t", "1",
            "--max-tokens", "4", "--input-tokens", "8", "-o", report] + list(extra)
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    doc = None
    if os.path.exists(report):
        with open(report) as f:
            doc = json.load(f)
        os.unlink(report)
    return p, doc


def started(doc, phase="main"):
    return sum(t["phases"][phase]["counts"]["started"] for t in doc["targets"].values()
               if phase in t["phases"])


class Thresholds(unittest.TestCase):
    def test_pass_and_fail_lines_and_exit_codes(self):
        with tempfile.TemporaryDirectory() as tmp, Mock() as mock:
            p, _ = run(tmp, mock.url, "-c", "2", "-n", "40", "--threshold", "ttft:p(95)<2s",
                       "--threshold", "errors:rate<1%")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            lines = [l for l in p.stdout.splitlines() if "ttft:p(95)<2s" in l or
                     "errors:rate<1%" in l]
            self.assertEqual(len(lines), 2, p.stdout)
            self.assertTrue(all("✓" in l for l in lines), lines)

            junit = os.path.join(tmp, "junit.xml")
            md = os.path.join(tmp, "summary.md")
            p, _ = run(tmp, mock.url, "-c", "2", "-n", "40", "--threshold", "ttft:p(95)<5ms",
                       "--threshold", "errors:rate<1%", "--junit", junit, "--markdown", md)
            self.assertEqual(p.returncode, 99, p.stdout + p.stderr)
            bad = [l for l in p.stdout.splitlines() if "ttft:p(95)<5ms" in l]
            self.assertEqual(len(bad), 1, p.stdout)
            self.assertIn("✗", bad[0])
            m = re.search(r"(\d+(?:\.\d+)?)\s*ms", bad[0].split("5ms", 1)[1])
            self.assertTrue(m, bad[0])
            self.assertGreaterEqual(float(m.group(1)), 15.0, bad[0])  # the mock's ttft is 20ms
            cases = ET.parse(junit).getroot().iter("testcase")
            failures = [c for c in cases if c.find("failure") is not None]
            self.assertEqual(len(failures), 1)
            with open(md) as f:
                text = f.read()
            self.assertIn("❌", text)
            self.assertIn("ttft:p(95)<5ms", text)

    def test_malformed_threshold_refused_before_any_request(self):
        with tempfile.TemporaryDirectory() as tmp, Mock() as mock:
            p, doc = run(tmp, mock.url, "-c", "2", "-n", "10", "--threshold", "ttft:p95<500ms")
            self.assertEqual(p.returncode, 104, p.stdout + p.stderr)
            self.assertIn("ttft:p95<500ms", p.stderr)
            self.assertIn("p(N)", p.stderr)  # the grammar is shown
            self.assertIsNone(doc)
            self.assertEqual(mock.chat_requests(), 0)


class Baseline(unittest.TestCase):
    def test_save_rerun_slower_and_differing_load(self):
        with tempfile.TemporaryDirectory() as tmp:
            bdir = os.path.join(tmp, "baselines")
            # A 50 ms service time and a 15% noise threshold: scheduling hiccups of a 2-core
            # machine shared with compilers stay below it, a 2x slower mock is far beyond it.
            # Non-streaming: ttft and e2e only (millisecond token gaps are mostly scheduler noise).
            load = ["-c", "8", "-n", "400", "--baselines-dir", bdir, "--noise", "15%",
                    "--no-stream"]
            with Mock("50ms") as mock:
                p, _ = run(tmp, mock.url, *load, "--save-baseline", "base")
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertTrue(os.path.exists(os.path.join(bdir, "base.json")))
                p, _ = run(tmp, mock.url, *load, "--baseline", "base")
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                p, _ = run(tmp, mock.url, "-c", "4", "-n", "40", "--baselines-dir", bdir,
                           "--baseline", "base")
                self.assertEqual(p.returncode, 104, p.stdout + p.stderr)
                self.assertIn("concurrency", p.stderr)
                p, _ = run(tmp, mock.url, "-c", "4", "-n", "40", "--baselines-dir", bdir,
                           "--baseline", "base", "--force")
                self.assertNotEqual(p.returncode, 104, p.stdout + p.stderr)
            with Mock("100ms") as slow:
                p, _ = run(tmp, slow.url, *load, "--baseline", "base")
                self.assertEqual(p.returncode, 99, p.stdout + p.stderr)
                self.assertRegex(p.stdout, r"(?i)ttft.*regress|regress.*ttft")

    def test_missing_baseline_is_bad_input(self):
        with tempfile.TemporaryDirectory() as tmp, Mock() as mock:
            p, _ = run(tmp, mock.url, "-n", "5", "--baselines-dir", tmp, "--baseline", "nope")
            self.assertEqual(p.returncode, 104, p.stdout + p.stderr)
            self.assertEqual(mock.chat_requests(), 0)


class Abort(unittest.TestCase):
    def test_abort_on_fail_stops_early(self):
        with tempfile.TemporaryDirectory() as tmp, Mock("20ms") as mock:
            scn = os.path.join(tmp, "abort.yaml")
            with open(scn, "w") as f:
                f.write("name: abort-test\ntarget:\n  url: %s\n  api: openai-chat\n"
                        "load:\n  concurrency: 2\n  duration: 30s\n"
                        "thresholds:\n  - {threshold: \"e2e:max<5ms\", abort_on_fail: true}\n"
                        % mock.url)
            t0 = time.monotonic()
            p, doc = run(tmp, mock.url, scn)
            elapsed = time.monotonic() - t0
            self.assertEqual(p.returncode, 99, p.stdout + p.stderr)
            self.assertLess(elapsed, 15, "the run was not stopped early")
            self.assertIsNotNone(doc, "no report written")
            self.assertTrue(doc["interrupted"])
            self.assertIn("abort_on_fail: e2e:max<5ms", doc["interrupt_reason"])
            # 30 s at concurrency 2 and >= 20 ms each would be ~3000 requests
            self.assertLess(started(doc), 600)


class Observe(unittest.TestCase):
    def test_target_cmd_resources_and_teardown(self):
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            url = "http://127.0.0.1:%d" % port
            cmd = "%s --listen 127.0.0.1:%d -q --threads 1 --ttft 2ms --itl 0 " \
                  "--output-tokens 4" % (MOCK, port)
            p, doc = run(tmp, url, "-c", "4", "-n", "1000", "--target-cmd", cmd,
                         "--sample-interval", "100ms")
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            t = doc["resources"]["target"]
            self.assertIsNotNone(t, doc["resources"])
            self.assertGreater(t["idle_rss_bytes"], 1 << 20)
            self.assertGreaterEqual(t["peak_rss_bytes"], t["idle_rss_bytes"])
            self.assertGreater(t["cpu_seconds_per_1k_requests"], 0)
            self.assertIn("target", p.stdout.lower())  # the console summary shows it
            with socket.socket() as s:
                s.settimeout(2)
                self.assertNotEqual(s.connect_ex(("127.0.0.1", port)), 0,
                                    "the --target-cmd mock is still listening")

    def test_metrics_addr_serves_live_text(self):
        mport = free_port()
        with tempfile.TemporaryDirectory() as tmp, Mock("5ms") as mock:
            report = os.path.join(tmp, "live.json")
            proc = subprocess.Popen(
                [GATEBENCH, "run", "--url", mock.url, "--api", "openai-chat", "--stream", "-t",
                 "1", "-c", "2", "-d", "4s", "--name", "livetest", "-q", "-o", report,
                 "--metrics-addr", "127.0.0.1:%d" % mport],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                text = ""
                deadline = time.monotonic() + 3.5
                while time.monotonic() < deadline:
                    time.sleep(0.3)
                    try:
                        text = urllib.request.urlopen(
                            "http://127.0.0.1:%d/metrics" % mport, timeout=2).read().decode()
                    except OSError:
                        continue
                    if 'phase="main"' in text and "gatebench_requests_total{" in text:
                        break
                self.assertEqual(proc.wait(timeout=30), 0, proc.stderr.read())
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stderr.close()
            with open(report) as f:
                doc = json.load(f)
            line = next((l for l in text.splitlines()
                         if l.startswith("gatebench_requests_total{") and 'phase="main"' in l
                         and 'outcome="ok"' in l),
                        None)
            self.assertIsNotNone(line, text[:2000])
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            self.assertEqual(labels.get("testid"), doc["run_id"])
            self.assertEqual(labels.get("scenario"), "livetest")
            self.assertIn(labels.get("target"), doc["targets"])
            self.assertGreater(float(line.rsplit(" ", 1)[1]), 0)
            for name in ("gatebench_ttft_seconds_bucket", "gatebench_requests_in_flight"):
                self.assertIn(name, text)


if __name__ == "__main__":
    unittest.main()
