"""A known delta: two gatebench-mock instances, ttft 20 ms and 25 ms, compared as direct and
gateway. The overhead report must find 5 ms of ttft (±1 ms) and about nothing on itl, and the
`overhead:` thresholds must be judged on it (exit 99 when one fails)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gw_lib import Mock, Workdir, overhead, overhead_of, scenario_text, validate_schema  # noqa

MS = 1e6


class KnownDelta(unittest.TestCase):
    def test_five_ms_of_ttft(self):
        section = """overhead:
  rounds: 5
  round_requests: 20
  warmup: 200ms
  thresholds:
    - "overhead:ttft:p(50)<3ms"
    - "overhead:itl:p(50)<1ms"
"""
        with Mock("--ttft", "20ms", "--itl", "2ms") as fast, \
                Mock("--ttft", "25ms", "--itl", "2ms") as slow, Workdir() as w:
            sc = w.file("delta.yaml", scenario_text(
                fast.url, slow.url, overhead_section=section,
                extra_top='thresholds: ["errors:rate<1%", "ttft{target=gateway}:p(50)<24ms"]\n'))
            rc, rep, out, err = overhead(sc, w.path, timeout=60)
            self.assertEqual(rc, 99, err + out)  # the ttft threshold fails: 5 ms is not < 3 ms
            self.assertIsNone(validate_schema(rep))
            p = rep["points"][0]
            t = overhead_of(p, "ttft", 50)
            self.assertAlmostEqual(t["overhead_ns"] / MS, 5.0, delta=1.0, msg=t)
            # Upper quantiles rest on a few requests a round (p90 of 20 is the 18th) and move
            # with the machine's load: only their sign is asserted.
            self.assertGreater(overhead_of(p, "ttft", 90)["overhead_ns"], 0)
            t = overhead_of(p, "ttft", 50)
            self.assertLessEqual(t["ci_low_ns"], t["overhead_ns"])
            self.assertGreaterEqual(t["ci_high_ns"], t["overhead_ns"])
            self.assertAlmostEqual(t["reference_ns"] / MS, 20.0, delta=2.0)
            self.assertLess(abs(overhead_of(p, "itl", 50)["overhead_ns"]), 0.5 * MS)
            # e2e carries the same 5 ms (same number of 2 ms gaps after the first token).
            self.assertAlmostEqual(overhead_of(p, "e2e", 50)["overhead_ns"] / MS, 5.0, delta=1.5)
            ths = {t["threshold"]: t for t in rep["thresholds"]}
            self.assertFalse(ths["overhead:ttft:p(50)<3ms"]["passed"])
            self.assertTrue(ths["overhead:itl:p(50)<1ms"]["passed"])
            # Ordinary thresholds are judged on each arm's merged rounds.
            errs = [t for t in rep["thresholds"] if t["threshold"] == "errors:rate<1%"]
            self.assertEqual(sorted(t["point"] for t in errs), ["c=1 direct", "c=1 gateway"])
            self.assertTrue(all(t["passed"] for t in errs), errs)
            slow_ttft = [t for t in rep["thresholds"] if t["threshold"].startswith("ttft{")]
            self.assertEqual([t["point"] for t in slow_ttft], ["c=1 gateway"])
            self.assertFalse(slow_ttft[0]["passed"], slow_ttft)  # its ttft is 25 ms
            self.assertFalse(rep["passed"])
            self.assertIn("✗ overhead:ttft:p(50)<3ms", out)
            self.assertIn("✓ overhead:itl:p(50)<1ms", out)
            fid = p["comparisons"][0]["fidelity"]
            self.assertTrue(fid["ok"], fid)


if __name__ == "__main__":
    unittest.main(verbosity=2)
