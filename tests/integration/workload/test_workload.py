"""Workloads seen from the upstream: gatebench runs against gatebench-mock with --request-log,
and the tests read what the mock received. Loopback only, ephemeral ports, bounded runs; every
process started is killed on exit."""

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
from gbtest import GATEBENCH, SOURCE_ROOT as SOURCE, Mock  # noqa: E402


class WorkloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gb-workload-")
        self.mocks = []

    def tearDown(self):
        for m in self.mocks:
            m.close()
        self.tmp.cleanup()

    def mock(self):
        m = Mock(request_log=os.path.join(self.tmp.name, "log%d.jsonl" % len(self.mocks)))
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

    def test_open_loop_arrivals_start_sessions_and_turns_follow_think_time(self):
        # Open loop, turns > 1: each arrival starts a session; its later turns are sent
        # think_time after the previous turn ended (intended then), so first turns follow the
        # arrival schedule exactly and no turn is intended after the load's end.
        m = self.mock()
        sched = os.path.join(self.tmp.name, "sched.csv")
        think_ms, rate, dur_ms = 180, 20, 1000
        self.run_gatebench(
            "target: {url: %s}\n"
            "workload: {turns: 3, think_time: %dms, stream: false, max_tokens: 4, "
            "input_tokens: 5}\n"
            "load: {rate: %d, arrival: constant, duration: %dms, threads: 1}\n"
            "output: {schedule: %s}\n" % (m.url, think_ms, rate, dur_ms, sched))
        with open(sched, newline="") as f:
            rows = {r["request_id"]: r for r in csv.DictReader(f)}
        by_turn = collections.defaultdict(list)
        prev_of = {}
        by_history = {}
        for r in m.requests():
            msgs = r["body"]["messages"]
            rid = r["headers"]["x-request-id"]
            self.assertIn(rid, rows)
            turn = [x["role"] for x in msgs].count("user")
            by_turn[turn].append(rid)
            by_history[json.dumps(msgs)] = rid
            if turn > 1:
                prev = by_history.get(json.dumps(msgs[:-2]))
                self.assertIsNotNone(prev, "turn %d must extend an earlier turn" % turn)
                prev_of[rid] = prev
        self.assertEqual(len(rows), sum(len(v) for v in by_turn.values()))
        # Sessions start at the arrivals: 20 first turns, exactly 50 ms apart from offset 0.
        firsts = sorted(int(rows[i]["intended_offset_ns"]) for i in by_turn[1])
        want = [k * 10**9 // rate for k in range(rate * dur_ms // 1000)]
        self.assertEqual(len(firsts), len(want))
        for got, w in zip(firsts, want):
            self.assertLessEqual(abs(got - w), 1)
        # Later turns: intended think_time after the previous turn ended (which is after it
        # was sent and, against the zero-delay mock, soon after); never after the end.
        self.assertTrue(by_turn[2] and by_turn[3])
        for rid, prev in prev_of.items():
            intended = int(rows[rid]["intended_offset_ns"])
            gap = intended - int(rows[prev]["sent_offset_ns"])
            self.assertGreaterEqual(gap, think_ms * 10**6, rows[rid])
            self.assertLess(gap, (think_ms + 150) * 10**6, rows[rid])
            self.assertLess(intended, dur_ms * 10**6)
            self.assertGreaterEqual(int(rows[rid]["sent_offset_ns"]), intended)
        # Sessions whose next turn would fall after the end stop early: the arrivals up to
        # ~800 ms send a 2nd turn, up to ~600 ms a 3rd (a margin of 20 ms either side).
        self.assertIn(len(by_turn[2]), (16, 17))
        self.assertIn(len(by_turn[3]), (12, 13))
        self.assertTrue(len(by_turn[2]) >= len(by_turn[3]))

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
