"""Every fault kind of gatebench-mock on request (x-mock-fault) and at configured rates, the
token-bucket limiter, and the exact per-kind counters in /metrics."""

import json
import socket
import time
import unittest

from mock_harness import Mock, anthropic_body, chat_body, read_response, run_tests, send_request, sse_events

IMMEDIATE = {
    # kind: (openai status, openai type, anthropic status, anthropic type)
    "rate_limit": (429, "requests", 429, "rate_limit_error"),
    "insufficient_quota": (429, "insufficient_quota", 400, "invalid_request_error"),
    "http_500": (500, "server_error", 500, "api_error"),
    "http_502": (502, "server_error", 502, "api_error"),
    "http_503": (503, "server_error", 503, "api_error"),
    "overloaded": (529, "overloaded_error", 529, "overloaded_error"),
}


class OnRequest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--output-tokens", "10", "--retry-after", "1500ms").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_immediate_errors_both_vendors(self):
        for kind, (os_, ot, as_, at) in IMMEDIATE.items():
            with self.subTest(kind=kind):
                before = self.mock.fault_count(kind)
                r = self.mock.post("/v1/chat/completions", chat_body(stream=True), {"x-mock-fault": kind})
                self.assertEqual(r.status, os_)
                e = r.json()["error"]
                self.assertEqual(e["type"], ot)
                self.assertIn("param", e)
                self.assertIn("code", e)
                r2 = self.mock.post("/v1/messages", anthropic_body(), {"x-mock-fault": kind})
                self.assertEqual(r2.status, as_)
                b = r2.json()
                self.assertEqual(b["type"], "error")
                self.assertEqual(b["error"]["type"], at)
                self.assertEqual(self.mock.fault_count(kind), before + 2)
                if kind == "rate_limit":
                    for resp in (r, r2):
                        self.assertEqual(resp.headers["retry-after"], "2")
                        self.assertEqual(resp.headers["retry-after-ms"], "1500")
                    self.assertEqual(r.headers["x-ratelimit-remaining-requests"], "0")
                    self.assertIn("x-ratelimit-reset-requests", r.headers)
                    self.assertIn("x-ratelimit-limit-tokens", r.headers)
                    self.assertIn("anthropic-ratelimit-requests-reset", r2.headers)
                    self.assertRegex(r2.headers["anthropic-ratelimit-requests-reset"],
                                     r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(r.json()["error"]["code"], "overloaded")

    def test_stream_error_after_n_tokens(self):
        r = self.mock.post("/v1/chat/completions", chat_body(stream=True),
                           {"x-mock-fault": "stream_error", "x-mock-fault-after": "3"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.complete)
        evs = sse_events(r.body)
        self.assertEqual(len(evs), 1 + 3 + 1)
        self.assertEqual(json.loads(evs[-1][1])["error"]["type"], "server_error")
        r = self.mock.post("/v1/messages", anthropic_body(stream=True),
                           {"x-mock-fault": "stream_error", "x-mock-fault-after": "2"})
        evs = sse_events(r.body)
        self.assertEqual([n for n, _ in evs], ["message_start", "content_block_start", "ping",
                                               "content_block_delta", "content_block_delta", "error"])
        self.assertEqual(json.loads(evs[-1][1])["error"]["type"], "overloaded_error")
        r = self.mock.post("/v1/chat/completions", chat_body(), {"x-mock-fault": "stream_error"})
        self.assertEqual(r.status, 500)

    def test_reset_after_n_tokens(self):
        before = self.mock.fault_count("reset")
        s = self.mock.connect()
        send_request(s, "POST", "/v1/chat/completions", json.dumps(chat_body(stream=True)).encode(),
                     {"x-mock-fault": "reset", "x-mock-fault-after": "4"})
        r = read_response(s)
        s.close()
        self.assertFalse(r.complete)
        self.assertIsInstance(r.error, ConnectionResetError)
        self.assertEqual(r.body.count(b"data: "), 1 + 4)
        r = self.mock.post("/v1/chat/completions", chat_body(), {"x-mock-fault": "reset"})
        self.assertFalse(r.complete)
        self.assertEqual(self.mock.fault_count("reset"), before + 2)

    def test_stall_then_continue_and_close(self):
        t0 = time.monotonic()
        r = self.mock.post("/v1/chat/completions", chat_body(stream=True),
                           {"x-mock-fault": "stall", "x-mock-fault-after": "2", "x-mock-stall-ms": "400"})
        self.assertTrue(r.complete)
        self.assertGreaterEqual(time.monotonic() - t0, 0.4)
        self.assertEqual(sse_events(r.body)[-1][1], "[DONE]")
        gap = r.chunks[1][0] - r.chunks[0][0]
        self.assertGreaterEqual(gap, 0.38)
        self.assertEqual(r.chunks[0][1].count(b"data: "), 1 + 2)
        r = self.mock.post("/v1/chat/completions", chat_body(stream=True),
                           {"x-mock-fault": "stall", "x-mock-fault-after": "2", "x-mock-stall-ms": "100",
                            "x-mock-stall-then": "close"})
        self.assertFalse(r.complete)
        self.assertNotIn(b"[DONE]", r.body)
        t0 = time.monotonic()
        r = self.mock.post("/v1/chat/completions", chat_body(),
                           {"x-mock-fault": "stall", "x-mock-stall-ms": "300"})
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)

    def test_slow_headers(self):
        s = self.mock.connect()
        t0 = time.monotonic()
        send_request(s, "POST", "/v1/messages", json.dumps(anthropic_body(stream=True)).encode(),
                     {"x-mock-fault": "slow_headers", "x-mock-header-delay-ms": "300"})
        s.settimeout(5)
        first = s.recv(1)
        dt = time.monotonic() - t0
        s.close()
        self.assertEqual(first, b"H")
        self.assertGreaterEqual(dt, 0.3)
        self.assertLess(dt, 2.0)

    def test_malformed_event(self):
        r = self.mock.post("/v1/chat/completions", chat_body(stream=True),
                           {"x-mock-fault": "malformed_event", "x-mock-fault-after": "1"})
        datas = [d for _, d in sse_events(r.body)]
        bad = []
        for d in datas[:-1]:
            try:
                json.loads(d)
            except json.JSONDecodeError:
                bad.append(d)
        self.assertEqual(len(bad), 1)
        self.assertEqual(datas[-1], "[DONE]")
        r = self.mock.post("/v1/messages", anthropic_body(), {"x-mock-fault": "malformed"})
        self.assertEqual(r.status, 200)
        with self.assertRaises(json.JSONDecodeError):
            json.loads(r.body)

    def test_bad_fault_header(self):
        r = self.mock.post("/v1/chat/completions", chat_body(), {"x-mock-fault": "explode"})
        self.assertEqual(r.status, 400)
        self.assertIn("x-mock-fault", r.json()["error"]["message"])
        r = self.mock.post("/v1/messages", anthropic_body(), {"x-mock-ttft-ms": "soon"})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["type"], "invalid_request_error")


class AtRates(unittest.TestCase):
    def test_mixed_rates_counted_exactly(self):
        kinds = ["rate_limit", "http_500", "http_503", "overloaded", "stream_error", "reset",
                 "malformed_event", "stall"]
        args = ["--output-tokens", "4", "--stall", "1ms", "--seed", "3"]
        for k in kinds:
            args += ["--fault", f"{k}=5%"]
        seen = {k: 0 for k in kinds}
        seen["ok"] = 0
        n = 600
        with Mock(*args) as m:
            for i in range(n):
                s = m.connect()
                send_request(s, "POST", "/v1/chat/completions",
                             json.dumps(chat_body(f"req {i}", stream=True)).encode())
                r = read_response(s)
                s.close()
                if not r.complete:
                    seen["reset"] += 1
                elif r.status == 429:
                    seen["rate_limit"] += 1
                elif r.status == 500:
                    seen["http_500"] += 1
                elif r.status == 503:
                    seen["http_503"] += 1
                elif r.status == 529:
                    seen["overloaded"] += 1
                else:
                    datas = [d for _, d in sse_events(r.body)]
                    parsed = []
                    malformed = False
                    for d in datas:
                        if d == "[DONE]":
                            continue
                        try:
                            parsed.append(json.loads(d))
                        except json.JSONDecodeError:
                            malformed = True
                    if any("error" in p for p in parsed):
                        seen["stream_error"] += 1
                    elif malformed:
                        seen["malformed_event"] += 1
                    elif len(r.chunks) > 1:
                        # zero delay sends a stream in one chunk; a stall splits it in two
                        seen["stall"] += 1
                    else:
                        seen["ok"] += 1
            for k in kinds:
                self.assertEqual(m.fault_count(k), seen[k], k)
            total = sum(m.fault_count(k) for k in kinds)
            self.assertEqual(total + seen["ok"], n)
            self.assertGreater(total, n * 0.4 * 0.6)
            self.assertLess(total, n * 0.4 * 1.4)
            for k in kinds:
                self.assertGreater(m.fault_count(k), 0, k)


class Limiter(unittest.TestCase):
    def test_rpm_gives_proper_429(self):
        with Mock("--rpm", "5", "--output-tokens", "2") as m:
            statuses = [m.post("/v1/chat/completions", chat_body()) for _ in range(8)]
            self.assertEqual([r.status for r in statuses], [200] * 5 + [429] * 3)
            ok, limited = statuses[0], statuses[5]
            self.assertEqual(ok.headers["x-ratelimit-limit-requests"], "5")
            self.assertEqual(ok.headers["x-ratelimit-remaining-requests"], "4")
            self.assertEqual(limited.headers["x-ratelimit-remaining-requests"], "0")
            self.assertGreaterEqual(int(limited.headers["retry-after-ms"]), 11000)
            self.assertLessEqual(int(limited.headers["retry-after-ms"]), 12100)
            self.assertEqual(limited.json()["error"]["code"], "rate_limit_exceeded")
            mt = m.metrics()
            self.assertEqual(mt['gatebench_mock_rate_limited_total{limit="requests"}'], 3)
            self.assertEqual(m.fault_count("rate_limit"), 0)

    def test_tpm_counts_prompt_and_output(self):
        with Mock("--tpm", "100", "--output-tokens", "30") as m:
            # each request costs 3 prompt + 30 output = 33 tokens: three fit in 100
            res = [m.post("/v1/messages", anthropic_body("a b c")) for _ in range(4)]
            self.assertEqual([r.status for r in res], [200, 200, 200, 429])
            self.assertEqual(res[3].json()["error"]["type"], "rate_limit_error")
            self.assertEqual(res[2].headers["anthropic-ratelimit-tokens-remaining"], "1")
            big = m.post("/v1/messages", anthropic_body(" ".join(["w"] * 200)))
            self.assertEqual(big.status, 429)


if __name__ == "__main__":
    run_tests()
