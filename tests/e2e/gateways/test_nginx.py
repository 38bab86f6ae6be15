"""nginx (Debian's) as a reverse proxy in front of gatebench-mock, measured with
`gatebench overhead`: the hop costs a little (positive, well under a few ms); streams pass
through untouched with proxy_buffering off; with buffering on (and a close-delimited upstream
stream) nginx holds each stream back and the report calls the gateway out as buffering."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gw_lib import (NGINX, Mock, NginxProxy, Workdir, overhead, overhead_of,  # noqa: E402
                    comparison, scenario_text, validate_schema)

MS = 1e6


@unittest.skipUnless(NGINX, "nginx is not installed")
class NginxOverhead(unittest.TestCase):
    def test_passthrough_overhead_small_positive_and_faithful(self):
        section = """overhead:
  rounds: 5
  round_requests: 20
  warmup: 300ms
"""
        with Mock("--ttft", "5ms", "--itl", "2ms") as m, NginxProxy(m.url) as n, Workdir() as w:
            sc = w.file("nginx.yaml", scenario_text(m.url, n.url, overhead_section=section))
            rc, rep, out, err = overhead(sc, w.path, timeout=60)
            self.assertEqual(rc, 0, err + out)
            self.assertIsNone(validate_schema(rep))
            self.assertEqual(rep["kind"], "overhead")
            self.assertEqual([p["label"] for p in rep["points"]], ["c=1"])
            p = rep["points"][0]
            self.assertEqual(p["rounds"], 5)
            self.assertEqual(len(p["order"]), 5)
            for a in p["arms"]:
                self.assertEqual(a["requests"]["ok"], 100, a["requests"])
                self.assertEqual(a["requests"]["failed"], 0)
            for metric in ("ttfb", "ttft", "e2e"):
                q = overhead_of(p, metric, 50)
                self.assertGreater(q["overhead_ns"], 0, (metric, q))
                self.assertLess(q["overhead_ns"], 5 * MS, (metric, q))
                self.assertLessEqual(q["ci_low_ns"], q["overhead_ns"])
                self.assertGreaterEqual(q["ci_high_ns"], q["overhead_ns"])
                self.assertEqual(len(q["per_round_ns"]), 5)
            self.assertLess(abs(overhead_of(p, "itl", 50)["overhead_ns"]), 1 * MS)
            fid = comparison(p)["fidelity"]
            self.assertTrue(fid["ok"], fid)
            self.assertFalse(fid["buffered"])
            self.assertTrue(fid["hash_compared"])
            self.assertTrue(fid["same_text"])
            self.assertIn("fidelity: ", out)
            self.assertNotIn("buffers streams", out)

    def test_buffering_is_flagged(self):
        section = """overhead:
  rounds: 3
  round_requests: 6
  round_warmup: 0s
  warmup: 200ms
"""
        with Mock("--ttft", "5ms", "--itl", "5ms") as m, \
                NginxProxy(m.url, buffering=True) as n, Workdir() as w:
            sc = w.file("nginx-buf.yaml",
                        scenario_text(m.url, n.url, max_tokens=20, overhead_section=section))
            rc, rep, out, err = overhead(sc, w.path, timeout=60)
            self.assertEqual(rc, 0, err + out)
            self.assertIsNone(validate_schema(rep))
            p = rep["points"][0]
            direct, gateway = p["arms"][0], p["arms"][1]
            self.assertEqual(direct["streams"]["buffered_streams"], 0)
            self.assertEqual(gateway["streams"]["buffered_streams"], gateway["requests"]["ok"])
            fid = comparison(p)["fidelity"]
            self.assertTrue(fid["buffered"], fid)
            self.assertFalse(fid["ok"])
            self.assertTrue(any("buffers streams" in x for x in fid["problems"]), fid)
            # The same tokens still arrive, only late and in one burst.
            self.assertTrue(fid["same_events"] and fid["same_tokens"], fid)
            # A huge ttft (the whole stream's length, ~100 ms) and near-zero gaps.
            self.assertGreater(overhead_of(p, "ttft", 50)["overhead_ns"], 50 * MS)
            self.assertLess(gateway["latency"]["itl"]["p90_ns"], 1 * MS)
            self.assertIn("buffers streams", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
