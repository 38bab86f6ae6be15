"""`gatebench overhead` refuses bad input before any load, naming the problem (exit 104), and
an unreachable arm with exit 1."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gw_lib import (Mock, Workdir, free_port, overhead, run_gatebench,  # noqa: E402
                    scenario_text)


class OverheadInput(unittest.TestCase):
    def run_case(self, text, *flags):
        with Workdir() as w:
            sc = w.file("case.yaml", text)
            rc, rep, out, err = overhead(sc, w.path, *flags, timeout=30)
            return rc, rep, out + err

    def test_bad_input_exits_104_and_names_it(self):
        d, g = "http://127.0.0.1:1", "http://127.0.0.1:2"
        cases = [
            # (scenario text, flags, expected words in the message)
            (scenario_text(d, g, overhead_section="overhead:\n  roundz: 3\n"), [],
             ["case.yaml:19", "roundz", "unknown key"]),
            (scenario_text(d, g, overhead_section="overhead:\n  rounds: 1\n"), [],
             ["case.yaml:19", "rounds", "at least 2"]),
            (scenario_text(d, g, overhead_section="overhead:\n  rates: [fast]\n"), [],
             ["rates"]),
            (scenario_text(d, g), ["--threshold", "overhead:tpot:p(95)<5ms"],
             ["tpot", "e2e, ttfb, ttft or itl"]),
            (scenario_text(d, g), ["--threshold", "overhead:ttft:max<5ms"], ["p(N) or med"]),
            (scenario_text(d, g), ["--rounds", "1"], ["--rounds", "at least 2"]),
            (scenario_text(d, g), ["--round-duration", "fast"], ["--round-duration"]),
            (scenario_text(d, g).replace("role: gateway", "role: proxy"), [],
             ["role: gateway"]),
            (scenario_text(d, g).replace("role: gateway", "role: direct"), [],
             ["2 targets with role direct"]),
            # A scenario error keeps its real line number despite the overhead section.
            (scenario_text(d, g, overhead_section="overhead:\n  rounds: 3\n").replace(
                "concurrency: 1", "concurrency: -4"), [], ["case.yaml:17", "concurrency"]),
        ]
        for text, flags, words in cases:
            rc, rep, msg = self.run_case(text, *flags)
            self.assertEqual(rc, 104, (flags, msg))
            self.assertIsNone(rep)
            for word in words:
                self.assertIn(word, msg, (flags, msg))

    def test_run_on_a_direct_gateway_scenario_measures_overhead(self):
        section = "overhead:\n  rounds: 2\n  round_requests: 5\n  warmup: 0s\n"
        with Mock("--ttft", "2ms") as a, Mock("--ttft", "4ms") as b, Workdir() as w:
            sc = w.file("run.yaml", scenario_text(a.url, b.url, overhead_section=section))
            out_path = os.path.join(w.path, "run-overhead.json")
            rc, out, err = run_gatebench(["run", sc, "-o", out_path, "--max-tokens", "4"], w.path,
                                         timeout=60)
            self.assertEqual(rc, 0, out + err)
            with open(out_path) as f:
                rep = json.load(f)
            self.assertEqual(rep["kind"], "overhead")
            self.assertEqual(rep["scenario"]["workload"]["output_tokens"]["value"], 4)  # overrides
            self.assertEqual([p["label"] for p in rep["points"]], ["c=1"])
            self.assertIn("gateway - direct", out)

    def test_unreachable_gateway_exits_1(self):
        with Mock() as m:
            dead = "http://127.0.0.1:%d" % free_port()
            rc, rep, msg = self.run_case(scenario_text(m.url, dead))
            self.assertEqual(rc, 1, msg)
            self.assertIn(str(dead.rsplit(":", 1)[1]), msg)
            self.assertIsNone(rep)


if __name__ == "__main__":
    unittest.main(verbosity=2)
