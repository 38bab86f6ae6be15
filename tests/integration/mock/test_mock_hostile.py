"""gatebench-mock under hostile clients: malformed HTTP and JSON, wrong types, oversized bodies
and headers, slow senders, never-reading clients, random bytes, signals. The server must answer
with the right error, stay up, keep serving others, and keep its memory bounded."""

import json
import os
import random
import selectors
import signal
import socket
import threading
import time
import unittest

from mock_harness import Mock, Reader, anthropic_body, chat_body, read_response, run_tests, send_request, sse_events


def raw_exchange(m, payload, timeout=5):
    s = m.connect(timeout)
    try:
        s.sendall(payload)
        return read_response(s)
    finally:
        s.close()


def closed_by_server(s, within):
    s.settimeout(within)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class BadRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Mock("--max-body", "2KiB", "--max-header", "4KiB", "--output-tokens", "3").__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_malformed_http(self):
        for payload in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"POST /v1/chat/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                        b"GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"):
            with self.subTest(payload=payload):
                r = raw_exchange(self.mock, payload)
                self.assertEqual(r.status, 400)
                self.assertEqual(r.headers.get("connection"), "close")
                self.assertEqual(r.json()["error"]["type"], "invalid_request_error")
        self.assertTrue(self.mock.alive())

    def test_bad_json_and_fields_openai(self):
        cases = [
            (b"{not json", None),
            (b"[1,2,3]", None),
            (json.dumps({"messages": [{"role": "user", "content": "x"}]}).encode(), "model"),
            (json.dumps({"model": "m"}).encode(), "messages"),
            (json.dumps({"model": "m", "messages": "hi"}).encode(), "messages"),
            (json.dumps({"model": 5, "messages": []}).encode(), "model"),
            (json.dumps(chat_body(max_tokens="ten")).encode(), "max_tokens"),
            (json.dumps(chat_body(max_tokens=0)).encode(), "max_tokens"),
            (json.dumps(chat_body(stream="yes")).encode(), "stream"),
            (json.dumps(chat_body(n=3)).encode(), "n"),
            (json.dumps({"model": "m", "messages": [{"content": "no role"}]}).encode(), "messages[0].role"),
            (json.dumps({"model": "m", "messages": [{"role": "user", "content": 42}]}).encode(), "messages[0].content"),
            (b"[" * 900 + b"]" * 900, None),
            (b"\xff\xfe\x00garbage", None),
        ]
        for body, param in cases:
            with self.subTest(body=body[:60]):
                r = self.mock.request("POST", "/v1/chat/completions", body)
                self.assertEqual(r.status, 400)
                e = r.json()["error"]
                self.assertEqual(e["type"], "invalid_request_error")
                self.assertEqual(e["param"], param)
                self.assertTrue(e["message"])

    def test_bad_fields_anthropic(self):
        cases = [
            ({"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens: Field required"),
            ({"model": "m", "max_tokens": 5}, "messages: Field required"),
            ({"model": "m", "max_tokens": 5, "messages": [{"role": "system", "content": "x"}]}, "role"),
            ({"model": "m", "max_tokens": "5", "messages": [{"role": "user", "content": "x"}]}, "max_tokens"),
        ]
        for body, needle in cases:
            with self.subTest(body=body):
                r = self.mock.post("/v1/messages", body)
                self.assertEqual(r.status, 400)
                b = r.json()
                self.assertEqual(b["type"], "error")
                self.assertEqual(b["error"]["type"], "invalid_request_error")
                self.assertIn(needle, b["error"]["message"])
        r = self.mock.request("POST", "/v1/messages", b"{oops")
        self.assertEqual(r.json()["type"], "error")

    def test_body_over_limit_413(self):
        big = json.dumps(chat_body("w " * 3000)).encode()
        r = self.mock.request("POST", "/v1/chat/completions", big)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"]["code"], "request_too_large")
        r = self.mock.request("POST", "/v1/messages", big)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"]["type"], "request_too_large")
        # chunked upload that grows past the limit
        s = self.mock.connect()
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for _ in range(5):
                s.sendall(b"400\r\n" + b"a" * 1024 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer before the upload ends
        r = read_response(s)
        s.close()
        self.assertEqual(r.status, 413)

    def test_huge_outputs_are_bounded(self):
        r = self.mock.post("/v1/chat/completions", chat_body(max_tokens=2 ** 40, ignore_eos=True), timeout=60)
        b = r.json()
        self.assertEqual(b["usage"]["completion_tokens"], 1_000_000)
        self.assertEqual(b["choices"][0]["finish_reason"], "length")
        r = self.mock.post("/v1/embeddings", {"model": "e", "input": ["a"] * 200, "dimensions": 65536})
        self.assertEqual(r.status, 400)
        self.assertIn("Too many embeddings", r.json()["error"]["message"])
        r = self.mock.post("/v1/chat/completions", chat_body(), {"x-mock-tokens-per-event": "100000"})
        self.assertEqual(r.status, 400)
        self.assertLess(self.mock.rss_kib(), 256 * 1024)

    def test_headers_over_limit_431(self):
        r = raw_exchange(self.mock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        self.assertEqual(r.status, 431)

    def test_unknown_route_and_method(self):
        r = self.mock.request("GET", "/v2/nothing")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "unknown_url")
        r = self.mock.request("GET", "/v1/nothing", headers={"anthropic-version": "2023-06-01"})
        self.assertEqual(r.json()["error"]["type"], "not_found_error")
        r = self.mock.request("GET", "/v1/chat/completions")
        self.assertEqual(r.status, 405)
        r = self.mock.request("DELETE", "/healthz")
        self.assertEqual(r.status, 405)

    def test_keep_alive_pipelining_and_expect_continue(self):
        s = self.mock.connect()
        body = json.dumps(chat_body()).encode()
        one = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
               str(len(body)).encode() + b"\r\n\r\n" + body)
        s.sendall(one * 3)
        rd = Reader(s)
        for _ in range(3):
            self.assertEqual(read_response(s, reader=rd).status, 200)
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                  str(len(body)).encode() + b"\r\n\r\n")
        s.settimeout(5)
        self.assertEqual(rd.line(), b"HTTP/1.1 100 Continue")
        self.assertEqual(rd.line(), b"")
        s.sendall(body)
        r = read_response(s, reader=rd)
        self.assertEqual(r.status, 200)
        s.close()

    def test_http10_stream_is_close_delimited(self):
        body = json.dumps(chat_body(stream=True)).encode()
        r = raw_exchange(self.mock, b"POST /v1/chat/completions HTTP/1.0\r\nContent-Length: " +
                         str(len(body)).encode() + b"\r\n\r\n" + body)
        self.assertEqual(r.status, 200)
        self.assertNotIn("transfer-encoding", r.headers)
        self.assertEqual(sse_events(r.body)[-1][1], "[DONE]")

    def test_random_bytes_never_crash(self):
        rnd = random.Random(1234)
        seeds = [b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\n\r\n", json.dumps(chat_body(stream=True)).encode()]
        for i in range(300):
            base = bytearray(rnd.choice(seeds) + rnd.choice(seeds))
            for _ in range(rnd.randint(1, 12)):
                op = rnd.random()
                pos = rnd.randrange(len(base))
                if op < 0.4:
                    base[pos] = rnd.randrange(256)
                elif op < 0.7:
                    del base[pos:pos + rnd.randint(1, 8)]
                else:
                    base[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
            s = self.mock.connect(2)
            try:
                s.sendall(bytes(base))
                s.shutdown(socket.SHUT_WR)
                s.settimeout(2)
                while s.recv(65536):
                    pass
            except (ConnectionResetError, BrokenPipeError, socket.timeout):
                pass
            finally:
                s.close()
        self.assertTrue(self.mock.alive())
        self.assertEqual(self.mock.request("GET", "/healthz").status, 200)


class SlowAndSilentClients(unittest.TestCase):
    def test_header_and_idle_timeouts(self):
        with Mock("--header-timeout", "300ms", "--idle-timeout", "400ms") as m:
            slow = m.connect()
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHo")
            idle = m.connect()
            t0 = time.monotonic()
            self.assertTrue(closed_by_server(slow, 3))
            self.assertLess(time.monotonic() - t0, 1.5)
            self.assertTrue(closed_by_server(idle, 3))
            slow.close()
            idle.close()
            mt = m.metrics()
            self.assertGreaterEqual(mt['gatebench_mock_timeouts_total{kind="header"}'], 1)
            self.assertGreaterEqual(mt['gatebench_mock_timeouts_total{kind="idle"}'], 1)

    def test_never_reading_client_is_cut_and_others_served(self):
        with Mock("--write-timeout", "500ms") as m:
            s = m.connect()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            send_request(s, "POST", "/v1/chat/completions", json.dumps(chat_body(stream=True)).encode(),
                         {"x-mock-output-tokens": "2000000", "x-mock-tokens-per-event": "8"})
            deadline = time.monotonic() + 10
            cut = False
            while time.monotonic() < deadline:
                self.assertEqual(m.request("GET", "/healthz", timeout=5).status, 200)
                if m.metrics().get('gatebench_mock_timeouts_total{kind="write"}', 0) >= 1:
                    cut = True
                    break
                time.sleep(0.2)
            s.close()
            self.assertTrue(cut, "the write timeout closed the never-reading client")
            self.assertLess(m.rss_kib(), 128 * 1024)

    def test_thousand_slow_senders_while_serving(self):
        n = 1000
        with Mock("--header-timeout", "30s", "--output-tokens", "5") as m:
            base_rss = m.rss_kib()
            sel = selectors.DefaultSelector()
            socks = []
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
                s.setblocking(False)
                socks.append(s)
            request = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
            stop = threading.Event()

            def dribble():
                i = 0
                while not stop.is_set() and i < len(request):
                    for s in socks:
                        try:
                            s.send(request[i:i + 1])
                        except OSError:
                            pass
                    i += 1
                    stop.wait(0.25)

            t = threading.Thread(target=dribble)
            t.start()
            try:
                lat = []
                for i in range(40):
                    t0 = time.monotonic()
                    r = m.post("/v1/chat/completions", chat_body(f"good {i}", stream=True), timeout=5)
                    lat.append(time.monotonic() - t0)
                    self.assertEqual(sse_events(r.body)[-1][1], "[DONE]")
                    time.sleep(0.05)
                self.assertLess(sorted(lat)[len(lat) // 2], 0.05)
                mt = m.metrics()
                self.assertGreaterEqual(mt["gatebench_mock_active_connections"], n)
                grown = m.rss_kib() - base_rss
                self.assertLess(grown, 64 * 1024, f"RSS grew by {grown} KiB for {n} slow senders")
            finally:
                stop.set()
                t.join()
                for s in socks:
                    s.close()
            self.assertTrue(m.alive())


class Signals(unittest.TestCase):
    def test_sigterm_finishes_in_flight_stream(self):
        m = Mock("--itl", "50ms", "--output-tokens", "10", "--shutdown-grace", "5s")
        with m:
            s = m.connect()
            idle = m.connect()
            send_request(s, "POST", "/v1/chat/completions", json.dumps(chat_body(stream=True)).encode())
            time.sleep(0.15)
            m.proc.send_signal(signal.SIGTERM)
            r = read_response(s)
            s.close()
            self.assertTrue(r.complete)
            self.assertEqual(sse_events(r.body)[-1][1], "[DONE]")
            self.assertEqual(r.headers.get("connection"), None)
            self.assertTrue(closed_by_server(idle, 3))
            idle.close()
            self.assertEqual(m.proc.wait(5), 0)

    def test_second_signal_or_grace_aborts(self):
        with Mock("--itl", "1s", "--output-tokens", "60", "--shutdown-grace", "300ms") as m:
            s = m.connect()
            send_request(s, "POST", "/v1/messages", json.dumps(anthropic_body(stream=True)).encode())
            time.sleep(0.1)
            t0 = time.monotonic()
            m.proc.send_signal(signal.SIGINT)
            r = read_response(s)
            s.close()
            self.assertFalse(r.complete)
            self.assertEqual(m.proc.wait(5), 0)
            self.assertLess(time.monotonic() - t0, 3)


if __name__ == "__main__":
    run_tests()
