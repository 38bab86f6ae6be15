"""Shared helpers of the hardening tests: locate the binaries, start gatebench-mock on an
ephemeral loopback port, run gatebench, load and check reports (ledger invariant, JSON Schema),
sample a process's RSS, read the mock's /metrics. Everything started is killed on exit, even
when a test fails."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from gbtest import (BUILD_ROOT, GATEBENCH, MOCK, SANITIZED, SOURCE_ROOT, Mock,  # noqa: E402,F401
                    parse_prometheus, rss_kb)

SCHEMA_PATH = os.path.join(SOURCE_ROOT, "docs", "report-schema.json")

# Exit codes (shared/design/conventions.md).
EXIT_OK, EXIT_THRESHOLD, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OTHER = 0, 99, 104, 105, 1
SLOWDOWN = 5 if SANITIZED else 1
OUTCOMES = ("ok", "http_status", "timeout", "connect_error", "tls_error", "protocol_error",
            "stream_error", "cancelled")


def catches(pid, sig):
    """Whether process `pid` has a handler installed for `sig` (SigCgt in /proc/PID/status)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) & (1 << (int(sig) - 1)))
    except (OSError, ValueError):
        return False
    return False


class Run:
    """Runs `gatebench run ARGS -o TMP` to completion (or until `timeout`), optionally sending
    `sig` after `signal_after` seconds. rc, stdout, stderr, report (dict or None), report_text,
    rss_samples (KiB, every `sample_every` s when given)."""

    def __init__(self, args, timeout=120, signal_after=None, sig=signal.SIGINT, out=None,
                 env=None, sample_every=None, quiet=True, wait_for_handler=False):
        self.tmp = tempfile.TemporaryDirectory(prefix="gb-harden-")
        self.out = out or os.path.join(self.tmp.name, "report.json")
        cmd = [GATEBENCH, "run", *args, "-o", self.out] + (["--quiet"] if quiet else [])
        self.cmd = cmd
        self.rss_samples = []
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        stop = threading.Event()
        sampler = None
        if sample_every:
            def sample():
                while not stop.wait(sample_every):
                    v = rss_kb(proc.pid)
                    if v is not None and proc.poll() is None:
                        self.rss_samples.append(v)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        timer = None
        self.signalled_at = None
        if signal_after is not None:
            def send():
                # With wait_for_handler, the delay counts from the moment gatebench catches
                # `sig` (SigCgt in /proc), i.e. from the earliest point it can react to it.
                if wait_for_handler:
                    deadline = time.monotonic() + 10
                    while proc.poll() is None and time.monotonic() < deadline:
                        if catches(proc.pid, sig):
                            break
                        time.sleep(0.001)
                if not stop.wait(signal_after) and proc.poll() is None:
                    self.signalled_at = time.monotonic()
                    proc.send_signal(sig)
            timer = threading.Thread(target=send, daemon=True)
            timer.start()
        try:
            self.stdout, self.stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            self.stdout, self.stderr = proc.communicate()
            self.tmp.cleanup()
            raise AssertionError("gatebench did not finish within %ss: %s" % (timeout, cmd))
        finally:
            stop.set()
            if timer:
                timer.join(timeout=15)
            if sampler:
                sampler.join(timeout=5)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.rc = proc.returncode
        self.report_text = None
        self.report = None
        if os.path.isfile(self.out):
            with open(self.out, "rb") as f:
                self.report_text = f.read().decode("utf-8")  # must be UTF-8
            self.report = json.loads(self.report_text)
        self.tmp_files = sorted(os.listdir(self.tmp.name))

    def phase(self, target="default", phase="main"):
        return self.report["targets"][target]["phases"][phase]

    def ledger(self, target="default", phase="main"):
        return self.phase(target, phase)["ledger"]

    def describe(self):
        return "rc=%s cmd=%s\nstderr: %s\nstdout: %s" % (self.rc, " ".join(self.cmd),
                                                         self.stderr[-2000:], self.stdout[-1000:])

    def cleanup(self):
        self.tmp.cleanup()


_schema = None


def schema():
    """docs/report-schema.json, or None while it does not exist."""
    global _schema
    if _schema is None and os.path.exists(SCHEMA_PATH):
        with open(SCHEMA_PATH) as f:
            _schema = json.load(f)
    return _schema


def check_report(tc, report):
    """The report is a JSON object that satisfies the ledger invariant in every target, phase
    and split, and validates against docs/report-schema.json when that exists."""
    tc.assertIsInstance(report, dict)
    s = schema()
    if s is not None:
        import jsonschema
        cls = jsonschema.validators.validator_for(s)
        errors = sorted(cls(s).iter_errors(report), key=lambda e: list(e.path))
        tc.assertEqual([], ["%s: %s" % ("/".join(map(str, e.path)), e.message) for e in errors[:5]],
                       "report violates docs/report-schema.json")
    phases = []
    for tname, t in report["targets"].items():
        for pname, p in t["phases"].items():
            phases.append(("%s/%s" % (tname, pname), p))
    for sname, p in (report.get("splits") or {}).items():
        if isinstance(p, dict) and "ledger" in p:
            phases.append((sname, p))
    if not report.get("interrupted"):
        tc.assertTrue(phases, "the report has at least one target phase")
    for name, p in phases:
        led = p["ledger"]
        total = sum(led["outcomes"].get(o, 0) for o in OUTCOMES)
        tc.assertEqual(set(led["outcomes"]), set(OUTCOMES), name)
        tc.assertEqual(led["started"], total, "%s: started != sum(outcomes): %s" % (name, led))
        tc.assertEqual(led["finished"], total, name)
        tc.assertEqual(p["counts"]["started"], led["started"], name)
        tc.assertEqual(sum(led["by_status"].values()), led["outcomes"]["http_status"], name)
        tc.assertEqual(sum(led["by_timeout_phase"].values()), led["outcomes"]["timeout"], name)


def assert_not_signalled(tc, run):
    tc.assertGreaterEqual(run.rc, 0, "gatebench died of signal %d: %s" % (-run.rc if run.rc else 0, run.describe()))
    tc.assertNotIn("internal error", run.stderr, run.describe())
    tc.assertNotIn("Sanitizer", run.stderr, run.describe())  # Address/Leak/Thread/UB
    tc.assertNotIn("runtime error:", run.stderr, run.describe())
