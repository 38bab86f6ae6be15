#!/usr/bin/env python3
"""Signals and output files.

- SIGINT at random moments of a run (seeded, repeated: right after gatebench installs its
  handler, during warm-up, during the main phase) and SIGTERM once: always exit 105 and a valid
  report marked interrupted, with the ledger invariant (in-flight requests counted as cancelled)
  and nothing else left beside it (written atomically: no temp file, never half-written).
- SIGINT while gatebench is still checking that the target is reachable (before any load).
- An output path that cannot be written: a clear error naming it, exit 104, before any request.
- A scenario file that is not UTF-8: rejected before the load (104) with file:line.
- A full disk (a small tmpfs in a private mount namespace, `unshare -rm`): nearly full before the
  run is refused before any request (104); filled up during the run gives the console summary,
  one clear error naming the path and the cause, exit 1, and no partial or temp file.
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harden_lib import (EXIT_BAD_INPUT, EXIT_INTERRUPTED, GATEBENCH, Mock, Run,  # noqa: E402
                        assert_not_signalled, check_report)

SEED = int(os.environ.get("GATEBENCH_HARDEN_SEED", "8"))
ROUNDS = 10


class Interrupt(unittest.TestCase):
    def check_interrupted(self, r, reason):
        assert_not_signalled(self, r)
        self.assertEqual(r.rc, EXIT_INTERRUPTED, r.describe())
        self.assertIsNotNone(r.report, "a partial report is written: " + r.describe())
        self.assertTrue(r.report["interrupted"], r.report_text[:500])
        self.assertEqual(r.report["interrupt_reason"], reason)
        check_report(self, r.report)
        self.assertEqual(r.tmp_files, ["report.json"], "only the report is left (atomic write)")

    def test_sigint_at_random_moments(self):
        rng = random.Random(SEED)
        # 0 = right after the handler is installed; < 0.6 s in warm-up; later in main.
        delays = [0.0, 0.002] + sorted(rng.uniform(0.01, 2.2) for _ in range(ROUNDS - 2))
        with Mock("--ttft", "20ms", "--itl", "10ms", "--output-tokens", "40") as m:
            for d in delays:
                with self.subTest(delay=round(d, 3)):
                    t0 = time.monotonic()
                    r = Run(["--url", m.url, "-c", "4", "-t", "1", "-d", "30s", "--warmup", "600ms",
                             "--stop-grace", "200ms"], signal_after=d, wait_for_handler=True,
                            timeout=40)
                    self.addCleanup(r.cleanup)
                    self.assertLess(time.monotonic() - t0, 15, "stops promptly")
                    self.check_interrupted(r, "SIGINT")
                    phases = r.report["targets"].get("default", {}).get("phases", {})
                    if d > 1.0:
                        self.assertIn("main", phases, "interrupted in the main phase")
                    for p in phases.values():
                        led = p["ledger"]["outcomes"]
                        self.assertLessEqual(led["cancelled"], 4, "at most the in-flight requests")

    def test_sigint_near_the_end_of_a_short_run(self):
        # The window after the load (merging, rendering, writing the report) counts too: a
        # signal there must not kill gatebench half-way through writing. The run either
        # finishes (0) or reports the interruption (105), always with a whole report.
        rng = random.Random(SEED + 1)
        with Mock("--ttft", "0", "--itl", "0", "--output-tokens", "4") as m:
            args = ["--url", m.url, "-c", "8", "-t", "1", "-n", "3000", "--stop-grace", "100ms"]
            t0 = time.monotonic()
            base = Run(args, timeout=60)
            self.addCleanup(base.cleanup)
            self.assertEqual(base.rc, 0, base.describe())
            took = time.monotonic() - t0
            for i in range(ROUNDS):
                d = rng.uniform(0.3 * took, 1.2 * took)
                with self.subTest(round=i, delay=round(d, 3)):
                    r = Run(args, signal_after=d, wait_for_handler=True, timeout=60)
                    self.addCleanup(r.cleanup)
                    assert_not_signalled(self, r)
                    self.assertIn(r.rc, (0, EXIT_INTERRUPTED), r.describe())
                    self.assertIsNotNone(r.report, r.describe())
                    self.assertEqual(r.report["interrupted"], r.rc == EXIT_INTERRUPTED)
                    check_report(self, r.report)
                    self.assertEqual(r.tmp_files, ["report.json"], "no temp file left")

    def test_sigterm(self):
        with Mock("--ttft", "20ms", "--itl", "10ms", "--output-tokens", "40") as m:
            r = Run(["--url", m.url, "-c", "4", "-t", "1", "-d", "30s", "--stop-grace", "200ms"],
                    signal_after=0.8, sig=signal.SIGTERM, wait_for_handler=True, timeout=40)
            self.addCleanup(r.cleanup)
            self.check_interrupted(r, "SIGTERM")
            self.assertGreater(r.ledger()["started"], 0)

    def test_sigint_during_the_reachability_check(self):
        # An https target that accepts TCP and never answers the TLS handshake keeps gatebench
        # in its reachability check (--check-timeout 5s). Ctrl-C there must still follow the
        # convention: exit 105 with a (request-free) report marked interrupted.
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(16)
        conns = []
        stop = threading.Event()

        def accept():
            srv.settimeout(0.2)
            while not stop.is_set():
                try:
                    conns.append(srv.accept()[0])
                except OSError:
                    pass
        th = threading.Thread(target=accept, daemon=True)
        th.start()
        try:
            url = "https://127.0.0.1:%d" % srv.getsockname()[1]
            t0 = time.monotonic()
            r = Run(["--url", url, "-c", "1", "-n", "1", "--check-timeout", "5s"],
                    signal_after=1.0, timeout=30)
            self.addCleanup(r.cleanup)
            self.assertLess(time.monotonic() - t0, 4, "Ctrl-C ends the check at once")
            self.check_interrupted(r, "SIGINT")
        finally:
            stop.set()
            th.join(timeout=5)
            for c in conns:
                c.close()
            srv.close()


class OutputFiles(unittest.TestCase):
    def expect_bad_output(self, m, out):
        before = m.chat_requests()
        r = Run(["--url", m.url, "-c", "1", "-n", "5"], out=out, timeout=30)
        self.addCleanup(r.cleanup)
        assert_not_signalled(self, r)
        self.assertEqual(r.rc, EXIT_BAD_INPUT, r.describe())
        self.assertIn(out, r.stderr, "the message names the path")
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, "one clear line: " + r.stderr)
        self.assertEqual(m.chat_requests(), before, "refused before any request")

    def test_unwritable_output_paths_fail_before_the_run(self):
        with Mock() as m, tempfile.TemporaryDirectory(prefix="gb-harden-out-") as d:
            afile = os.path.join(d, "a-file")
            with open(afile, "w") as f:
                f.write("x")
            os.mkdir(os.path.join(d, "a-dir"))
            for out in (os.path.join(d, "missing", "report.json"),  # missing directory
                        os.path.join(afile, "report.json"),  # a file where a dir should be
                        os.path.join(d, "a-dir"),  # the path is a directory
                        "/proc/gatebench-report.json"):  # a file system nobody can write
                with self.subTest(out=out):
                    self.expect_bad_output(m, out)

    def test_existing_report_is_replaced_whole(self):
        with Mock("--output-tokens", "5") as m, tempfile.TemporaryDirectory(prefix="gb-harden-out-") as d:
            out = os.path.join(d, "report.json")
            with open(out, "w") as f:
                f.write('{"old": true}')
            r = Run(["--url", m.url, "-c", "2", "-t", "1", "-n", "10"], out=out, timeout=30)
            self.addCleanup(r.cleanup)
            self.assertEqual(r.rc, 0, r.describe())
            self.assertNotIn("old", r.report)
            check_report(self, r.report)
            self.assertEqual(sorted(os.listdir(d)), ["report.json"], "no temp file left")

    def test_non_utf8_scenario_is_rejected(self):
        with Mock("--output-tokens", "3") as m, tempfile.TemporaryDirectory(prefix="gb-harden-sc-") as d:
            path = os.path.join(d, "bad-utf8.yaml")
            with open(path, "wb") as f:
                f.write(b"target:\n  url: %s\nworkload:\n  model: \"gb\xff\xfe\"\n"
                        b"load: {requests: 2, concurrency: 1}\n" % m.url.encode())
            before = m.chat_requests()
            r = Run([path, "-t", "1"], timeout=30)
            self.addCleanup(r.cleanup)
            assert_not_signalled(self, r)
            self.assertEqual(r.rc, EXIT_BAD_INPUT, r.describe())
            self.assertIn("bad-utf8.yaml:4: byte 0xFF", r.stderr)
            self.assertIn("not UTF-8", r.stderr)
            self.assertIsNone(r.report)
            self.assertEqual(m.chat_requests(), before, "refused before any request")

# Mounts a tmpfs of $SIZE at $DIR in a private mount namespace; with $FILL_AFTER set, fills it
# from the background that many seconds later; then runs the command given as arguments.
FULL_DISK_SH = (
    'mount -t tmpfs -o size="$SIZE" tmpfs "$DIR" || exit 97\n'
    'if [ -n "$FILL_AFTER" ]; then\n'
    '  (sleep "$FILL_AFTER"; head -c 100000000 /dev/zero > "$DIR/filler" 2>/dev/null;'
    ' echo filled > "$DIR.done") &\n'
    'fi\n'
    'exec "$@"\n')


def tmpfs_usable():
    """Whether this machine lets us mount a tmpfs in a private mount namespace."""
    if shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory(prefix="gb-harden-ns-") as d:
        p = subprocess.run(["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=64k tmpfs "$0"', d],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return p.returncode == 0


@unittest.skipUnless(tmpfs_usable(), "needs unshare -rm and a tmpfs mount (user namespaces)")
class FullDisk(unittest.TestCase):
    def run_on_tmpfs(self, m, size, fill_after, extra, timeout=60):
        d = tempfile.mkdtemp(prefix="gb-harden-disk-")
        self.addCleanup(shutil.rmtree, d, True)
        disk = os.path.join(d, "disk")
        os.mkdir(disk)
        out = os.path.join(disk, "report.json")
        env = dict(os.environ, SIZE=size, DIR=disk, FILL_AFTER=fill_after)
        before = m.chat_requests()
        cmd = ["unshare", "-rm", "sh", "-c", FULL_DISK_SH, "sh"]
        p = subprocess.run(cmd + [GATEBENCH, "run", "--url", m.url, *extra, "-o", out],
                           env=env, capture_output=True, text=True, timeout=timeout)
        self.assertNotEqual(p.returncode, 97, "tmpfs mount failed: " + p.stderr)
        self.assertGreaterEqual(p.returncode, 0, "gatebench died of a signal: " + p.stderr)
        # The tmpfs is gone with the namespace: what is left at `disk` is the directory only.
        return p, out, m.chat_requests() - before, os.path.exists(disk + ".done")

    def test_nearly_full_disk_is_refused_before_the_run(self):
        with Mock() as m:
            p, out, sent, _ = self.run_on_tmpfs(m, "512k", "", ["-c", "1", "-n", "5", "--quiet"])
            self.assertEqual(p.returncode, EXIT_BAD_INPUT, p.stderr)
            self.assertIn(out, p.stderr, "the message names the path")
            self.assertIn("free", p.stderr, "the message says the disk is (nearly) full")
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, "one clear line: " + p.stderr)
            self.assertEqual(sent, 0, "refused before any request")

    def test_disk_filled_during_the_run(self):
        # 4 MiB free at the start (passes the check), filled 1 s into a 3 s run.
        with Mock("--output-tokens", "3") as m:
            script = ["-c", "2", "-t", "1", "-d", "3s"]
            p, out, sent, filled = self.run_on_tmpfs(m, "4m", "1", script)
            self.assertTrue(filled, "the filler ran before the run ended: " + p.stderr)
            self.assertEqual(p.returncode, 1, p.stdout[-1000:] + p.stderr)
            self.assertGreater(sent, 0, "the run took place")
            errors = [l for l in p.stderr.splitlines() if "could not write the report" in l]
            self.assertEqual(len(errors), 1, p.stderr)
            self.assertIn(out, errors[0], "the error names the path")
            self.assertRegex(errors[0], "No space left on device|less than 1 MiB free",
                             "the error says why")
            self.assertNotIn("internal error", p.stderr)
            # The results are not lost: the console summary is printed all the same.
            self.assertIn("requests", p.stdout)
            self.assertIn("ok", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
