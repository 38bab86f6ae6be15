"""The Portkey gateway (npm @portkey-ai/gateway, offline) in front of gatebench-mock, OpenAI
and Anthropic dialects, streaming and not: `gatebench overhead` produces a full report, and
its fidelity verdict matches what the two arms really received."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gw_lib import (NODE, PORTKEY, Mock, Portkey, Workdir, comparison,  # noqa: E402
                    overhead, scenario_text, validate_schema)

SECTION = """overhead:
  rounds: 2
  round_requests: 10
  warmup: 300ms
"""


@unittest.skipUnless(NODE and os.path.exists(PORTKEY), "node or @portkey-ai/gateway missing")
class PortkeyOverhead(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--ttft", "5ms", "--itl", "10ms")
        try:
            cls.portkey = Portkey()
        except Exception:
            cls.mock.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.portkey.close()
        cls.mock.close()

    def check(self, api, provider, stream):
        headers = {"x-portkey-provider": provider,
                   "x-portkey-custom-host": self.mock.url + "/v1"}
        if provider == "anthropic":
            headers["x-api-key"] = "test-key"
        else:
            headers["Authorization"] = "Bearer test-key"
        with Workdir() as w:
            sc = w.file("portkey.yaml", scenario_text(
                self.mock.url, self.portkey.url, api=api, stream=stream, max_tokens=8,
                gateway_headers=headers, overhead_section=SECTION))
            rc, rep, out, err = overhead(sc, w.path, timeout=60)
            self.assertEqual(rc, 0, err + out)
            self.assertIsNone(validate_schema(rep))
            self.assertNotIn("test-key", json.dumps(rep))  # secrets stay out of reports
            self.assertEqual(rep["streaming"], stream)
            self.assertEqual([a["role"] for a in rep["arms"]], ["direct", "gateway"])
            p = rep["points"][0]
            for a in p["arms"]:
                self.assertEqual(a["requests"]["ok"], 20, (a["role"], a["requests"]))
            c = comparison(p)
            self.assertIsNone(c["error"])
            metrics = sorted(m["metric"] for m in c["overhead"])
            want = ["e2e", "itl", "ttfb", "ttft"] if stream else ["e2e", "ttfb", "ttft"]
            self.assertEqual(metrics, want)
            for m in c["overhead"]:
                self.assertEqual([q["quantile"] for q in m["quantiles"]], [50, 90, 95, 99])
                for q in m["quantiles"]:
                    self.assertEqual(len(q["per_round_ns"]), 2)
            e2e50 = [q for m in c["overhead"] if m["metric"] == "e2e" for q in m["quantiles"]
                     if q["quantile"] == 50][0]
            self.assertGreater(e2e50["overhead_ns"], 0)  # a Node.js hop is not free
            d, g = p["arms"][0]["streams"], p["arms"][1]["streams"]
            fid = c["fidelity"]
            if not stream:
                self.assertIsNone(fid)
                return
            # The verdict must say exactly what differs between the arms' streams.
            self.assertEqual(fid["same_events"], d["content_events"] == g["content_events"], fid)
            self.assertEqual(fid["same_tokens"], d["output_tokens"] == g["output_tokens"], fid)
            self.assertEqual(fid["same_usage"],
                             d["tokens_from_usage"] == g["tokens_from_usage"], fid)
            self.assertTrue(fid["hash_compared"])
            self.assertEqual(fid["same_text"], d["content_hash"] == g["content_hash"], fid)
            d_ok, g_ok = p["arms"][0]["requests"]["ok"], p["arms"][1]["requests"]["ok"]
            self.assertEqual(fid["buffered"],
                             g["buffered_streams"] > 0.5 * g_ok
                             and d["buffered_streams"] < 0.05 * d_ok, (fid, d, g))
            self.assertEqual(fid["ok"], not fid["problems"])
            self.assertEqual(len(fid["problems"]),
                             [fid["same_events"], fid["same_tokens"], fid["same_usage"],
                              fid["same_text"]].count(False))

    def test_openai_stream(self):
        self.check("openai-chat", "openai", True)

    def test_openai_no_stream(self):
        self.check("openai-chat", "openai", False)

    def test_anthropic_stream(self):
        self.check("anthropic-messages", "anthropic", True)

    def test_anthropic_no_stream(self):
        self.check("anthropic-messages", "anthropic", False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
