"""gatebench-mock latency models on the wire: absolute token deadlines (no accumulated drift),
time to first token, and distributions' ranges. Tolerances suit a shared 2-core machine."""

import json
import statistics
import time
import unittest

from mock_harness import Mock, chat_body, read_response, run_tests, send_request, sse_events


class Timing(unittest.TestCase):
    def test_200_tokens_at_5ms_do_not_drift(self):
        ttft, itl, n = 0.100, 0.005, 200
        with Mock("--ttft", "100ms", "--itl", "5ms", "--output-tokens", str(n)) as m:
            m.post("/v1/chat/completions", chat_body(), {"x-mock-ttft-ms": "0", "x-mock-itl-ms": "0"})
            s = m.connect()
            arrivals = []

            def on_chunk(data):
                now = time.monotonic()
                for line in data.split(b"\n"):
                    if line.startswith(b"data: {") and b'"content":"' in line and b'"role"' not in line:
                        arrivals.append(now)

            t0 = time.monotonic()
            send_request(s, "POST", "/v1/chat/completions", json.dumps(chat_body(stream=True)).encode())
            r = read_response(s, on_chunk)
            t_end = time.monotonic()
            s.close()
        self.assertTrue(r.complete)
        self.assertEqual(len(arrivals), n)
        late = [a - (t0 + ttft + k * itl) for k, a in enumerate(arrivals)]
        # Never early: the server's clock starts after t0.
        self.assertGreaterEqual(min(late), -0.0005)
        # No drift: the last tokens are no later than the first ones (sleep-after-send would add
        # n * scheduling error, i.e. tens of ms here).
        q = n // 4
        drift = statistics.median(late[-q:]) - statistics.median(late[:q])
        self.assertLess(drift, 0.004, f"drift {drift * 1e3:.2f} ms")
        expected = ttft + (n - 1) * itl
        self.assertGreaterEqual(t_end - t0, expected)
        self.assertLess(t_end - t0, expected + 0.060)
        print(f"lateness ms: min {min(late)*1e3:.2f} median {statistics.median(late)*1e3:.2f} max {max(late)*1e3:.2f} drift {drift*1e3:.2f}")
        self.assertLess(statistics.median(late), 0.030)

    def test_ttft_fixed_and_header_override(self):
        with Mock("--ttft", "150ms", "--output-tokens", "1") as m:
            for headers, want in (({}, 0.150), ({"x-mock-ttft-ms": "40"}, 0.040),
                                  ({"x-mock-ttft": "uniform:80ms,80ms"}, 0.080)):
                with self.subTest(headers=headers):
                    t0 = time.monotonic()
                    r = m.post("/v1/chat/completions", chat_body(), headers)
                    dt = time.monotonic() - t0
                    self.assertEqual(r.status, 200)
                    self.assertGreaterEqual(dt, want)
                    self.assertLess(dt, want + 0.050)

    def test_uniform_ttft_spreads_within_bounds(self):
        with Mock("--ttft", "uniform:20ms,60ms", "--output-tokens", "1", "--seed", "5") as m:
            samples = []
            for i in range(30):
                t0 = time.monotonic()
                m.post("/v1/chat/completions", chat_body(f"p{i}"))
                samples.append(time.monotonic() - t0)
        self.assertGreaterEqual(min(samples), 0.020)
        self.assertLess(max(samples), 0.060 + 0.040)
        self.assertGreater(max(samples) - min(samples), 0.015)

    def test_non_stream_waits_for_whole_generation(self):
        with Mock("--ttft", "50ms", "--itl", "10ms") as m:
            t0 = time.monotonic()
            r = m.post("/v1/chat/completions", chat_body(), {"x-mock-output-tokens": "21"})
            dt = time.monotonic() - t0
        self.assertEqual(r.json()["usage"]["completion_tokens"], 21)
        self.assertGreaterEqual(dt, 0.050 + 20 * 0.010)
        self.assertLess(dt, 0.250 + 0.050)

    def test_itl_override_and_tokens_per_event(self):
        with Mock("--output-tokens", "12") as m:
            t0 = time.monotonic()
            r = m.post("/v1/chat/completions", chat_body(stream=True),
                       {"x-mock-itl-ms": "20", "x-mock-tokens-per-event": "3"})
            dt = time.monotonic() - t0
        evs = sse_events(r.body)
        self.assertEqual(len(evs), 1 + 4 + 1 + 1)
        self.assertGreaterEqual(dt, 3 * 0.020)
        self.assertLess(dt, 3 * 0.020 + 0.050)


if __name__ == "__main__":
    run_tests()
