#!/usr/bin/env python3
"""Integration tests of the stored-report commands with real binaries on loopback:
`gatebench run` against gatebench-mock writes reports that validate against the JSON Schema;
`gatebench report` re-prints and converts them; `gatebench compare` passes a rerun of the same
setup, fails a clearly slower mock with 99 naming the metric, refuses differing loads (104)
unless --force, writes JUnit XML and Markdown; `gatebench merge` adds reports up exactly.

Environment: GATEBENCH_BIN, GATEBENCH_MOCK_BIN, GATEBENCH_SOURCE_ROOT.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

SRC = os.environ.get("GATEBENCH_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "../../.."))
SCHEMA = os.path.join(SRC, "docs/report-schema.json")
sys.path.insert(0, os.path.join(SRC, "tests/unit/report"))
from validate_report import validate  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from gbtest import GATEBENCH, Mock  # noqa: E402


def gatebench(*args, timeout=60):
    return subprocess.run([GATEBENCH, *args], capture_output=True, text=True, timeout=timeout)


class ReportCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA) as f:
            cls.schema = json.load(f)
        cls.tmp = tempfile.TemporaryDirectory(prefix="gb-report-it-")
        d = cls.tmp.name
        cls.paths = {}
        # Three runs at the same load: base and rerun against one mock, slow against a mock
        # whose ttft and gaps are twice as long. 10 s each so compare can resample 1 s blocks.
        common = ["--api", "openai-chat", "--max-tokens", "10", "--seed", "5", "-q"]
        steady = ["-c", "4", "-d", "10s"]
        with Mock("--ttft", "20ms", "--itl", "4ms", "--output-tokens", "10") as fast:
            for name in ("base", "rerun"):
                p = os.path.join(d, name + ".json")
                r = gatebench("run", "--url", fast.url, *common, *steady, "-o", p)
                assert r.returncode == 0, r.stderr
                cls.paths[name] = p
            p = os.path.join(d, "c8.json")
            r = gatebench("run", "--url", fast.url, *common, "-c", "8", "-d", "2s", "-o", p)
            assert r.returncode == 0, r.stderr
            cls.paths["c8"] = p
        with Mock("--ttft", "40ms", "--itl", "8ms", "--output-tokens", "10") as slow:
            p = os.path.join(d, "slow.json")
            r = gatebench("run", "--url", slow.url, *common, *steady, "-o", p)
            assert r.returncode == 0, r.stderr
            cls.paths["slow"] = p

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def load(self, name):
        with open(self.paths[name]) as f:
            return json.load(f)

    def test_reports_validate_against_the_schema(self):
        for name in self.paths:
            with self.subTest(report=name):
                self.assertEqual(validate(self.schema, self.load(name)), [])

    def test_report_reprints_and_converts(self):
        r = gatebench("report", self.paths["base"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("target default", r.stdout)
        self.assertIn("ttft", r.stdout)
        self.assertNotIn("\x1b[", r.stdout)
        r = gatebench("report", self.paths["base"], "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        again = json.loads(r.stdout)
        self.assertEqual(validate(self.schema, again), [])
        self.assertEqual(again["targets"], self.load("base")["targets"])
        r = gatebench("report", self.paths["base"], "--format", "markdown")
        self.assertIn("| ttft |", r.stdout)
        r = gatebench("report", self.paths["base"], "--format", "hgrm", "--metric", "ttft")
        self.assertIn("Value     Percentile TotalCount 1/(1-Percentile)", r.stdout)
        first = float(r.stdout.splitlines()[2].split()[0])
        self.assertGreater(first, 15.0)  # ms: the mock's ttft is 20 ms
        r = gatebench("report", self.paths["base"], "--format", "hgrm", "--metric", "nope")
        self.assertEqual(r.returncode, 104)

    def test_rerun_of_the_same_setup_passes(self):
        # A shared 2-core machine moves tails between runs: gate with a CI-sized noise band.
        r = gatebench("compare", self.paths["base"], self.paths["rerun"], "--noise", "25%")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("no regression beyond noise", r.stdout)

    def test_slower_target_fails_with_99_and_names_the_metric(self):
        d = self.tmp.name
        junit = os.path.join(d, "gate.xml")
        md = os.path.join(d, "gate.md")
        r = gatebench("compare", self.paths["base"], self.paths["slow"], "--junit", junit,
                      "--markdown", md, "--threshold", "ttft:p(95)<30ms")
        self.assertEqual(r.returncode, 99, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"ttft\s+p50 .*✗ regression")
        self.assertIn("✗ ttft:p(95)<30ms", r.stdout)
        suite = ET.parse(junit).getroot()
        self.assertGreater(int(suite.get("failures")), 0)
        names = [tc.get("name") for tc in suite.iter("testcase")]
        self.assertIn("ttft:p(95)<30ms", names)
        self.assertIn("e2e:p50", names)
        failed = [tc.get("name") for tc in suite.iter("testcase") if tc.find("failure") is not None]
        self.assertIn("ttft:p50", failed)
        with open(md) as f:
            self.assertIn("regression beyond noise", f.read())
        r = gatebench("compare", self.paths["base"], self.paths["slow"], "--format", "json")
        self.assertEqual(r.returncode, 99)
        self.assertTrue(json.loads(r.stdout)["regression"])

    def test_differing_load_is_refused_unless_forced(self):
        r = gatebench("compare", self.paths["base"], self.paths["c8"])
        self.assertEqual(r.returncode, 104)
        self.assertIn("concurrency: 4 vs 8", r.stderr)
        self.assertIn("--force", r.stderr)
        r = gatebench("compare", self.paths["base"], self.paths["c8"], "--force")
        self.assertIn(r.returncode, (0, 99))
        self.assertIn("forced despite differing load", r.stdout)

    def test_bad_inputs_exit_104(self):
        d = self.tmp.name
        bad = os.path.join(d, "bad.json")
        with open(bad, "w") as f:
            f.write('{"schema_version": 1, "tool": {"name": "gatebench"')
        for args in (["compare", self.paths["base"], bad],
                     ["compare", self.paths["base"], os.path.join(d, "missing.json")],
                     ["compare", self.paths["base"], self.paths["rerun"], "--noise", "lots"],
                     ["compare", self.paths["base"], self.paths["rerun"], "--threshold", "x<1"],
                     ["report", bad],
                     ["merge", bad, "-o", os.path.join(d, "m.json")],
                     ["merge", self.paths["base"], "-o", os.path.join(d, "no/dir/m.json")]):
            with self.subTest(args=args):
                r = gatebench(*args)
                self.assertEqual(r.returncode, 104, r.stdout + r.stderr)
                self.assertTrue(r.stderr.strip())

    def test_merge_adds_up_exactly(self):
        out = os.path.join(self.tmp.name, "merged.json")
        r = gatebench("merge", self.paths["base"], self.paths["base"], "-o", out, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out) as f:
            merged = json.load(f)
        self.assertEqual(validate(self.schema, merged), [])
        base = self.load("base")
        bm = base["targets"]["default"]["phases"]["main"]
        mm = merged["targets"]["default"]["phases"]["main"]
        self.assertEqual(mm["ledger"]["started"], 2 * bm["ledger"]["started"])
        self.assertEqual(mm["metrics"]["ttft"]["count"], 2 * bm["metrics"]["ttft"]["count"])
        # Same values twice: every percentile is unchanged.
        for p in ("p50", "p90", "p99", "max"):
            self.assertEqual(mm["metrics"]["e2e"][p], bm["metrics"]["e2e"][p])
        self.assertEqual(len(merged["intervals"]), len(base["intervals"]))
        self.assertEqual(sum(i["started"] for i in merged["intervals"]),
                         2 * sum(i["started"] for i in base["intervals"]))
        r = gatebench("merge", self.paths["base"], self.paths["c8"], "-o", out)
        self.assertEqual(r.returncode, 104)
        self.assertIn("scenarios differ", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
