"""Workloads seen from the upstream: gatebench runs against gatebench-mock with --request-log,
and the tests read what the mock received. Loopback only, ephemeral ports, bounded runs; every
process started is killed on exit."""

import collections
import json
import os
import re
import signal
import subprocess
import tempfile
import unittest

BUILD = os.environ.get("GATEBENCH_BUILD_ROOT", "build")
SOURCE = os.environ.get("GATEBENCH_SOURCE_ROOT", ".")
GATEBENCH = os.environ.get("GATEBENCH_BIN", os.path.join(BUILD, "src/app/gatebench"))
MOCK = os.environ.get("GATEBENCH_MOCK_BIN", os.path.join(BUILD, "mock-upstream/gatebench-mock"))


class Mock:
    """gatebench-mock on 127.0.0.1:0 logging every request to a file."""

    def __init__(self, log_path):
        self.log_path = log_path
        self.proc = subprocess.Popen(
            [MOCK, "--listen", "127.0.0.1:0", "-q", "--request-log", log_path],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.close()
            raise RuntimeError("mock did not print its port: %r" % line)
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def requests(self):
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


class WorkloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gb-workload-")
        self.mocks = []

    def tearDown(self):
        for m in self.mocks:
            m.close()
        self.tmp.cleanup()

    def mock(self):
        m = Mock(os.path.join(self.tmp.name, "log%d.jsonl" % len(self.mocks)))
        self.mocks.append(m)
        return m

    def run_gatebench(self, scenario_text, *flags):
        path = os.path.join(self.tmp.name, "s.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(scenario_text)
        out = os.path.join(self.tmp.name, "r.json")
        proc = subprocess.run([GATEBENCH, "run", path, "--quiet", "-o", out, *flags],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        return out

    def test_multi_turn_requests_carry_the_growing_history(self):
        m = self.mock()
        self.run_gatebench(
            "target: {url: %s}\nworkload: {turns: 3, max_tokens: 8, input_tokens: 6}\n" % m.url,
            "-c", "1", "-t", "1", "-n", "12")
        reqs = m.requests()
        self.assertEqual(len(reqs), 12)
        seen = []
        turns = collections.Counter()
        for r in reqs:
            msgs = r["body"]["messages"]
            roles = [x["role"] for x in msgs]
            users = roles.count("user")
            turns[users] += 1
            self.assertEqual(roles, ["user", "assistant"] * (users - 1) + ["user"])
            self.assertEqual(len(msgs[-1]["content"].split()), 6)
            if users > 1:
                self.assertIn(msgs[:-2], seen, "turn %d must extend the previous turn" % users)
                self.assertTrue(msgs[-2]["content"].strip(), "the assistant's answer is sent")
            seen.append(msgs)
        self.assertEqual(turns, {1: 4, 2: 4, 3: 4})
        ids = [r["headers"]["x-request-id"] for r in reqs]
        self.assertEqual(len(set(ids)), len(ids))

    def test_same_seed_sends_the_same_prompts(self):
        scenario = ("target: {url: %s}\n"
                    "workload:\n  output_tokens: {dist: uniform, min: 4, max: 16}\n"
                    "  prompts: {type: sharegpt, file: %s}\n"
                    "  mix: [{weight: 1}, {weight: 1, model: other, prompts: {input_tokens: "
                    "{dist: normal, mean: 20, stddev: 5}}}]\n")
        data = os.path.join(SOURCE, "scenarios/data/sharegpt-sample.json")
        bodies = []
        for seed in ("5", "5", "6"):
            m = self.mock()
            self.run_gatebench(scenario % (m.url, data), "-c", "1", "-t", "1", "-n", "30",
                               "--seed", seed)
            bodies.append([json.dumps(r["body"], sort_keys=True) for r in m.requests()])
        self.assertEqual(len(bodies[0]), 30)
        self.assertEqual(bodies[0], bodies[1])
        self.assertNotEqual(bodies[0], bodies[2])
        models = {json.loads(b)["model"] for b in bodies[0]}
        self.assertEqual(models, {"gatebench-mock", "other"})

    def test_repeat_ratio_resends_earlier_bodies(self):
        m = self.mock()
        self.run_gatebench(
            "target: {url: %s}\nworkload: {stream: false, repeat_ratio: 50%%, input_tokens: 16}\n"
            % m.url, "-c", "1", "-t", "1", "-n", "300")
        bodies = [json.dumps(r["body"], sort_keys=True) for r in m.requests()]
        self.assertEqual(len(bodies), 300)
        repeats = len(bodies) - len(set(bodies))
        self.assertGreater(repeats, 110)
        self.assertLess(repeats, 190)


if __name__ == "__main__":
    unittest.main()
