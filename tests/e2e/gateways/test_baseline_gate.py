"""The baseline gate: `gatebench run ... --save-baseline NAME` stores a run; the same load
against the same mock made 20% slower fails with exit 99 and names the metric; a rerun of the
unchanged setup passes (exit 0). The mock is restarted on the same port for each run, so the
runs differ only in its latency."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gw_lib import Mock, Workdir, run_gatebench  # noqa: E402

# Delays long enough that the machine's scheduling jitter stays well inside the 10% noise
# threshold while 20% is well beyond it. Non-streaming: each answer is one timer wake-up in the
# mock, whereas the tail of the inter-token gaps of a stream (hundreds of wake-ups per run)
# moves by 10-20% from run to run on a busy 2-core machine.
FAST = ["--ttft", "50ms", "--itl", "10ms"]
SLOW = ["--ttft", "60ms", "--itl", "12ms"]  # every delay 20% longer


def load(url, out):
    return ["run", "--url", url, "--api", "openai-chat", "-c", "4", "-n", "120",
            "--max-tokens", "6", "--input-tokens", "16", "--warmup", "300ms", "--seed", "3",
            "--no-stream", "--noise", "10%", "-o", out]


class BaselineGate(unittest.TestCase):
    def test_slower_mock_fails_the_gate_and_unchanged_passes(self):
        with Workdir() as w:
            with Mock(*FAST) as m:
                port = m.port
                rc, out, err = run_gatebench(load(m.url, "base.json") + ["--save-baseline", "gate"],
                                             w.path, timeout=60)
                self.assertEqual(rc, 0, out + err)
            self.assertTrue(os.path.exists(os.path.join(w.path, "reports", "baselines",
                                                        "gate.json")))
            with Mock(*SLOW, port=port) as m:
                rc, out, err = run_gatebench(load(m.url, "slow.json") + ["--baseline", "gate"],
                                             w.path, timeout=60)
                self.assertEqual(rc, 99, out + err)
                text = out + err
                self.assertRegex(text, r"(ttft|e2e) +p\d+ .*regression", text)
                self.assertIn("regress", text.lower())
            with Mock(*FAST, port=port) as m:
                rc, out, err = run_gatebench(load(m.url, "again.json") + ["--baseline", "gate"],
                                             w.path, timeout=60)
                self.assertEqual(rc, 0, out + err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
