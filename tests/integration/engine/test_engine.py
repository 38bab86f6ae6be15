"""Integration tests of `gatebench run` against the real gatebench-mock (and nginx).

Run one group with -k, e.g. `python3 test_engine.py -k Accuracy`."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_lib import Mock, Nginx, Run, check_ledger  # noqa: E402

MS = 1_000_000


class Accuracy(unittest.TestCase):
    def test_streaming_metrics_match_the_mock_model(self):
        with Mock("--ttft", "50ms", "--itl", "10ms", "--output-tokens", "20") as m:
            r = Run(["--url", m.url, "--api", "openai-chat", "-c", "4", "-t", "1", "-d", "3s",
                     "--max-tokens", "64", "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        p = r.phase()
        led = p["ledger"]
        self.assertEqual(led["outcomes"]["ok"], led["started"], led)
        self.assertGreater(led["started"], 20)
        mt = p["metrics"]
        self.assertAlmostEqual(mt["ttft"]["p50"] / MS, 50, delta=2, msg=mt["ttft"])
        self.assertAlmostEqual(mt["itl"]["p50"] / MS, 10, delta=1, msg=mt["itl"])
        self.assertAlmostEqual(mt["e2e"]["p50"] / MS, 240, delta=10, msg=mt["e2e"])
        self.assertEqual(mt["output_tokens"]["min"], 20)
        self.assertEqual(mt["output_tokens"]["max"], 20)
        self.assertEqual(mt["itl"]["count"], 19 * led["started"], "every gap of every stream")
        self.assertEqual(mt["ttft"]["count"], led["started"])

    def test_closed_loop_concurrency_is_held_in_each_phase(self):
        # Every slot has a request in flight all the time (the mock answers in ~20 ms), so the
        # time-weighted in-flight mean of each phase is the concurrency, and its peak too.
        with Mock("--ttft", "20ms", "--itl", "1ms", "--output-tokens", "4") as m:
            r = Run(["--url", m.url, "--api", "openai-chat", "-c", "6", "-t", "2",
                     "--warmup", "1s", "-d", "2s", "--no-stream", "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        for phase in ("warmup", "main"):
            conc = r.phase(phase)["concurrency"]
            self.assertAlmostEqual(conc["mean"], 6, delta=0.3, msg=(phase, conc))
            self.assertEqual(conc["max"], 6, (phase, conc))

    def test_anthropic_and_non_stream(self):
        with Mock("--ttft", "20ms", "--itl", "5ms", "--output-tokens", "10") as m:
            a = Run(["--url", m.url, "--api", "anthropic-messages", "-c", "2", "-t", "1", "-n",
                     "20", "--quiet"])
            n = Run(["--url", m.url, "--api", "openai-chat", "--no-stream", "-c", "2", "-t", "1",
                     "-n", "20", "--quiet"])
        for r in (a, n):
            self.assertEqual(r.rc, 0, r.describe())
            check_ledger(self, r.report)
            led = r.phase()["ledger"]
            self.assertEqual(led["started"], 20, "request count bound is exact")
            self.assertEqual(led["outcomes"]["ok"], 20, led)
            self.assertEqual(r.phase()["metrics"]["output_tokens"]["max"], 10)
        self.assertAlmostEqual(a.phase()["metrics"]["ttft"]["p50"] / MS, 20, delta=2)
        self.assertAlmostEqual(n.phase()["metrics"]["e2e"]["p50"] / MS, 20 + 9 * 5, delta=10)


# (fault header value, extra headers, ledger outcome, detail check)
FAULTS = [
    ("rate_limit", [], "http_status", ("by_status", "429")),
    ("http_500", [], "http_status", ("by_status", "500")),
    ("http_502", [], "http_status", ("by_status", "502")),
    ("http_503", [], "http_status", ("by_status", "503")),
    ("overloaded", [], "http_status", ("by_status", "529")),
    ("stream_error", [], "stream_error", None),
    ("malformed_event", [], "protocol_error", None),
    ("reset", [], "protocol_error", None),
    ("stall", ["x-mock-stall-ms: 5000"], "timeout", ("by_timeout_phase", "total")),
    ("slow_headers", ["x-mock-header-delay-ms: 5000"], "timeout", ("by_timeout_phase", "total")),
]


class Faults(unittest.TestCase):
    def test_each_fault_lands_in_its_ledger_bucket(self):
        with Mock("--ttft", "5ms", "--itl", "1ms", "--output-tokens", "10") as m:
            for kind, extra, bucket, detail in FAULTS:
                with self.subTest(kind=kind):
                    args = ["--url", m.url, "-c", "2", "-t", "1", "-n", "4", "--quiet",
                            "--timeout", "700ms", "-H", "x-mock-fault: " + kind]
                    for h in extra:
                        args += ["-H", h]
                    r = Run(args)
                    self.assertEqual(r.rc, 0, r.describe())
                    check_ledger(self, r.report)
                    led = r.phase()["ledger"]
                    self.assertEqual(led["started"], 4)
                    self.assertEqual(led["outcomes"][bucket], 4, (kind, led))
                    if detail:
                        self.assertEqual(led[detail[0]].get(detail[1]), 4, (kind, led))

    def test_timeouts_by_phase_from_a_scenario_file(self):
        import tempfile
        with Mock("--ttft", "5ms", "--itl", "1ms", "--output-tokens", "10") as m:
            for fault, extra, phase in [
                    ("slow_headers", "x-mock-header-delay-ms: 3000", "first_byte"),
                    ("stall", "x-mock-stall-ms: 3000", "idle")]:
                with self.subTest(phase=phase), tempfile.NamedTemporaryFile(
                        "w", suffix=".yaml") as f:
                    f.write(f"""
target:
  url: {m.url}
  timeouts: {{connect: 1s, first_byte: 300ms, idle: 300ms, total: 10s}}
  headers:
    x-mock-fault: {fault}
workload: {{stream: true}}
load: {{concurrency: 1, requests: 2}}
""")
                    f.flush()
                    r = Run([f.name, "-t", "1", "-H", extra, "--quiet"])
                    self.assertEqual(r.rc, 0, r.describe())
                    check_ledger(self, r.report)
                    led = r.phase()["ledger"]
                    self.assertEqual(led["outcomes"]["timeout"], 2, led)
                    self.assertEqual(led["by_timeout_phase"][phase], 2, led)

    def test_unreachable_target_exits_1_before_load(self):
        from engine_lib import free_port
        r = Run(["--url", "http://127.0.0.1:%d" % free_port(), "-d", "1s", "--quiet"])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("unreachable", r.stderr)
        self.assertIsNone(r.report)

    def test_invalid_config_exits_104(self):
        for args in (["--url", "http://127.0.0.1:1", "-c", "-4"],
                     ["--url", "http://127.0.0.1:1", "--api", "openai-chatt"],
                     ["--url", "http://127.0.0.1:1", "-R", "0"],
                     ["/nonexistent/scenario.yaml"]):
            with self.subTest(args=args):
                r = Run(args + ["--quiet"])
                self.assertEqual(r.rc, 104, r.describe())
                self.assertTrue(r.stderr.strip(), "a message says what is wrong")
                self.assertIsNone(r.report)

    def test_server_dying_mid_run_is_counted(self):
        with Mock("--ttft", "20ms", "--itl", "5ms", "--output-tokens", "20") as m:
            killer = threading.Timer(1.0, m.close)
            killer.start()
            try:
                r = Run(["--url", m.url, "-c", "4", "-t", "1", "-d", "2500ms", "--quiet"])
            finally:
                killer.cancel()
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        led = r.phase()["ledger"]["outcomes"]
        self.assertGreater(led["ok"], 0)
        self.assertGreater(led["connect_error"], 0, led)


class Interrupt(unittest.TestCase):
    def test_sigint_writes_a_partial_report_and_exits_105(self):
        with Mock("--ttft", "20ms", "--itl", "20ms", "--output-tokens", "200") as m:
            t0 = time.time()
            r = Run(["--url", m.url, "-c", "6", "-t", "2", "-d", "60s", "--max-tokens", "500",
                     "--stop-grace", "300ms"], signal_after=2.0, timeout=30)
            took = time.time() - t0
        self.assertEqual(r.rc, 105, r.describe())
        self.assertLess(took, 10, "stops promptly")
        self.assertTrue(r.report["interrupted"])
        self.assertEqual(r.report["interrupt_reason"], "SIGINT")
        check_ledger(self, r.report)
        led = r.phase()["ledger"]["outcomes"]
        self.assertEqual(led["cancelled"], 6, "the streams in flight were cancelled: %s" % led)


def mock_connections(m):
    """The mock's count of accepted connections (this request's own connection included)."""
    import urllib.request
    with urllib.request.urlopen(m.url + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    for line in text.splitlines():
        if line.startswith("gatebench_mock_connections_total"):
            return int(float(line.split()[-1]))
    raise AssertionError("no gatebench_mock_connections_total in /metrics")


class Connections(unittest.TestCase):
    """--connections caps the connections per target; requests beyond it wait (FIFO)."""

    def check_exact_connections(self, threads, concurrency, conns, stream):
        with Mock("--ttft", "5ms", "--itl", "1ms", "--output-tokens", "10") as m:
            before = mock_connections(m)
            args = ["--url", m.url, "-c", str(concurrency), "-t", str(threads), "-n", "200",
                    "--connections", str(conns), "--quiet"]
            if not stream:
                args.append("--no-stream")
            r = Run(args)
            opened = mock_connections(m) - before - 1  # minus the second /metrics request
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        p = r.phase()
        led = p["ledger"]
        self.assertEqual(led["started"], 200)
        self.assertEqual(led["outcomes"]["ok"], 200, led)
        # The reachability check before the load opens one connection of its own.
        self.assertEqual(opened, conns + 1, "connections accepted by the mock")
        self.assertEqual(p["metrics"]["output_tokens"]["min"], 10)

    def test_sixteen_requests_share_four_connections(self):
        self.check_exact_connections(threads=1, concurrency=16, conns=4, stream=True)

    def test_cap_is_split_over_workers(self):
        self.check_exact_connections(threads=2, concurrency=16, conns=4, stream=False)

    def test_waiting_counts_in_response_time_not_service_time(self):
        # 8 closed-loop slots on 2 connections, 50 ms per request: each request waits for about
        # three others before it is written.
        with Mock("--ttft", "50ms", "--itl", "0ms", "--output-tokens", "1") as m:
            r = Run(["--url", m.url, "--no-stream", "-c", "8", "-t", "1", "-n", "48",
                     "--connections", "2", "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        mt = r.phase()["metrics"]
        self.assertEqual(r.phase()["ledger"]["outcomes"]["ok"], 48)
        self.assertLess(mt["e2e_service"]["p50"] / MS, 100, mt["e2e_service"])
        self.assertGreater(mt["e2e"]["p50"] / MS, 140, mt["e2e"])
        self.assertGreater(mt["schedule_lag"]["p50"] / MS, 90, mt["schedule_lag"])

    def test_waiting_requests_time_out_on_the_total_timeout(self):
        with Mock("--ttft", "3s", "--output-tokens", "1") as m:
            t0 = time.time()
            r = Run(["--url", m.url, "--no-stream", "-c", "3", "-t", "1", "-n", "3",
                     "--connections", "1", "--timeout", "600ms", "--quiet"])
            took = time.time() - t0
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        led = r.phase()["ledger"]
        self.assertEqual(led["started"], 3)
        self.assertEqual(led["outcomes"]["timeout"], 3, led)
        self.assertEqual(led["by_timeout_phase"]["total"], 3, led)
        self.assertLess(took, 10)

    def test_sigint_cancels_waiting_requests(self):
        with Mock("--ttft", "10ms", "--itl", "50ms", "--output-tokens", "200") as m:
            r = Run(["--url", m.url, "-c", "6", "-t", "1", "-d", "60s", "--max-tokens", "500",
                     "--connections", "2", "--stop-grace", "200ms"], signal_after=1.5,
                    timeout=30)
        self.assertEqual(r.rc, 105, r.describe())
        check_ledger(self, r.report)
        led = r.phase()["ledger"]["outcomes"]
        self.assertEqual(led["cancelled"], 6, "2 streams and 4 waiting requests: %s" % led)


class OpenLoop(unittest.TestCase):
    def test_constant_rate_gives_the_right_count(self):
        with Mock() as m:
            r = Run(["--url", m.url, "--no-stream", "-R", "200", "-d", "5s", "-t", "2",
                     "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        started = r.phase()["ledger"]["started"]
        self.assertAlmostEqual(started, 1000, delta=10)
        self.assertEqual(r.phase()["ledger"]["outcomes"]["ok"], started)

    def test_coordinated_omission_stall_shows_in_response_time_only(self):
        # The mock is frozen (SIGSTOP) for 800 ms mid-run. With an in-flight cap of 1 the
        # harness cannot send during the stall: arrivals wait in its queue. Measured from the
        # intended time (response time) the stall hits every waiting arrival; measured from the
        # actual send (service time) it hits only the one request that was in flight.
        with Mock() as m:
            def freeze(proc):
                def run():
                    time.sleep(2.0)
                    m.proc.send_signal(signal.SIGSTOP)
                    time.sleep(0.8)
                    m.proc.send_signal(signal.SIGCONT)
                threading.Thread(target=run, daemon=True).start()
            r = Run(["--url", m.url, "--no-stream", "-R", "100", "-d", "5s", "-t", "1",
                     "--max-in-flight", "1", "--quiet"], on_start=freeze)
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        mt = r.phase()["metrics"]
        self.assertGreater(mt["e2e"]["p99"] / MS, 400, mt["e2e"])
        self.assertLess(mt["e2e_service"]["p99"] / MS, 100, mt["e2e_service"])
        self.assertGreater(mt["e2e_service"]["max"] / MS, 600, "the one stalled request")
        led = r.phase()["ledger"]
        self.assertAlmostEqual(led["started"] + r.phase()["counts"]["dropped"], 500, delta=5)

    def test_warmup_is_not_counted_in_main(self):
        with Mock("--ttft", "10ms") as m:
            r = Run(["--url", m.url, "--no-stream", "-R", "50", "--warmup", "1s", "-d", "2s",
                     "-t", "1", "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        self.assertAlmostEqual(r.phase("warmup")["ledger"]["started"], 50, delta=2)
        self.assertAlmostEqual(r.phase("main")["ledger"]["started"], 100, delta=2)
        for pt in r.report["intervals"]:
            if pt["phase"] == "warmup":
                self.assertLess(pt["offset_ns"], 1_000_000_000 + 1)


@unittest.skipUnless(shutil.which("nginx"), "nginx is not installed")
class Nginx_(unittest.TestCase):
    BODY = ('{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,'
            '"model":"m","choices":[{"index":0,"message":{"role":"assistant",'
            '"content":"hello from nginx"},"finish_reason":"stop"}],'
            '"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}')

    def test_run_against_nginx_counts_right(self):
        with Nginx(self.BODY) as n:
            r = Run(["--url", n.url, "--no-stream", "-c", "4", "-t", "1", "-n", "300",
                     "--quiet"])
        self.assertEqual(r.rc, 0, r.describe())
        check_ledger(self, r.report)
        p = r.phase()
        self.assertEqual(p["ledger"]["started"], 300)
        self.assertEqual(p["ledger"]["outcomes"]["ok"], 300, p["ledger"])
        self.assertEqual(p["metrics"]["output_tokens"]["max"], 3)
        self.assertEqual(p["metrics"]["input_tokens"]["max"], 9)

    def test_tls_verification_on_by_default(self):
        import tempfile
        with Nginx(self.BODY, tls=True) as n:
            refused = Run(["--url", n.url, "--no-stream", "-c", "1", "-n", "5", "--quiet"])
            insecure = Run(["--url", n.url, "--no-stream", "-c", "2", "-t", "1", "-n", "20",
                            "--insecure", "--quiet"])
            with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
                f.write(f"""
target:
  url: {n.url}
  tls: {{ca_file: {n.cert}}}
workload: {{stream: false}}
load: {{concurrency: 2, requests: 20}}
""")
                f.flush()
                trusted = Run([f.name, "-t", "1", "--quiet"])
        self.assertEqual(refused.rc, 1, refused.describe())
        self.assertIn("TLS", refused.stderr)
        for r in (insecure, trusted):
            self.assertEqual(r.rc, 0, r.describe())
            check_ledger(self, r.report)
            self.assertEqual(r.phase()["ledger"]["outcomes"]["ok"], 20, r.phase()["ledger"])


if __name__ == "__main__":
    unittest.main()
