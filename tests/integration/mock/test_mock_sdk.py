"""Runs sdk_clients.js (official openai v4 and @anthropic-ai/sdk npm packages under node) against
a gatebench-mock on an ephemeral loopback port."""

import os
import shutil
import subprocess
import unittest

from mock_harness import Mock, run_tests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("GATEBENCH_SOURCE_ROOT") or os.path.abspath(os.path.join(HERE, "..", "..", ".."))


class OfficialSdks(unittest.TestCase):
    def test_sdks_parse_the_mock(self):
        node = shutil.which("node")
        modules = os.path.join(ROOT, "tests", "npm", "node_modules")
        if not node or not os.path.isdir(os.path.join(modules, "openai")):
            self.skipTest("node or tests/npm/node_modules missing (scripts/setup.sh installs them)")
        with Mock("--output-tokens", "12", "--retry-after", "10ms") as m:
            p = subprocess.run([node, os.path.join(HERE, "sdk_clients.js"), f"http://127.0.0.1:{m.port}"],
                               capture_output=True, text=True, timeout=120,
                               env=dict(os.environ, GATEBENCH_SOURCE_ROOT=ROOT))
            print(p.stdout)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn(" 0 failed", p.stdout)
            self.assertTrue(m.alive())


if __name__ == "__main__":
    run_tests()
