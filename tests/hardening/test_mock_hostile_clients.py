#!/usr/bin/env python3
"""gatebench-mock under every kind of hostile client at once, while gatebench drives a normal
load at it: 1,000 connections sending a byte a second, never-reading clients of huge streams,
oversized uploads (by Content-Length and chunked, sent as fast as possible), and malformed
requests (the fuzzers' corpora as raw requests and as request bodies, plus random bytes).

Asserts: the mock stays up; gatebench's requests all succeed with sane latency (from its
report); the mock's RSS stays bounded; once the hostile clients leave, its connection count
returns to the well-behaved ones (nothing leaks) and it still answers. (tests/integration/mock/
test_mock_hostile.py checks each kind alone; this checks them together, under load.)
"""

import glob
import json
import os
import random
import resource
import socket
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harden_lib import SANITIZED, SLOWDOWN, SOURCE_ROOT, Mock, Run, check_report  # noqa: E402

SLOW_SENDERS = 1000
NEVER_READING = 20
UPLOADERS = 4
LOAD_SECONDS = 8
RSS_BOUND_KB = 64 * 1024  # growth allowed over the idle mock while all of it goes on (seen: ~21 MiB)

CHAT = json.dumps({"model": "m", "stream": True,
                   "messages": [{"role": "user", "content": "hello there"}]}).encode()


def raise_fd_limit(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def request(method, path, body=b"", headers=None):
    h = {"Host": "127.0.0.1", "Content-Length": str(len(body))}
    h.update(headers or {})
    return (("%s %s HTTP/1.1\r\n" % (method, path)).encode() +
            b"".join(("%s: %s\r\n" % kv).encode() for kv in h.items()) + b"\r\n" + body)


def healthz(m, timeout=5):
    with urllib.request.urlopen(m.url + "/healthz", timeout=timeout) as r:
        return r.status


class Hostiles:
    """Starts the hostile clients in threads; stop() ends them and closes every socket."""

    def __init__(self, port):
        self.port = port
        self.stop_ev = threading.Event()
        self.socks = []
        self.lock = threading.Lock()
        self.sent_malformed = 0
        self.threads = []

    def connect(self, timeout=5):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        with self.lock:
            self.socks.append(s)
        return s

    def start(self):
        for fn in (self.slow_senders, self.never_readers, self.uploaders, self.malformed):
            t = threading.Thread(target=self.guard, args=(fn,), daemon=True)
            t.start()
            self.threads.append(t)

    def guard(self, fn):
        try:
            fn()
        except OSError:
            pass  # the point is the server's behaviour, not ours

    def slow_senders(self):
        socks = []
        for _ in range(SLOW_SENDERS):
            if self.stop_ev.is_set():
                return
            s = self.connect()
            s.setblocking(False)
            socks.append(s)
        req = request("POST", "/v1/chat/completions", CHAT)
        i = 0
        while not self.stop_ev.is_set() and i < len(req):
            for s in socks:
                try:
                    s.send(req[i:i + 1])
                except OSError:
                    pass
            i += 1
            self.stop_ev.wait(1.0)  # one byte a second on every connection

    def never_readers(self):
        for _ in range(NEVER_READING):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(5)
            s.connect(("127.0.0.1", self.port))
            with self.lock:
                self.socks.append(s)
            s.sendall(request("POST", "/v1/chat/completions", CHAT,
                              {"x-mock-output-tokens": "5000000", "x-mock-tokens-per-event": "64",
                               "Content-Type": "application/json"}))

    def uploaders(self):
        socks = []
        for i in range(UPLOADERS):
            s = self.connect()
            if i % 2 == 0:
                s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 1000000000\r\n\r\n")
            else:
                s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n")
            s.setblocking(False)
            socks.append((s, i % 2 == 1))
        block = b"A" * 65536
        chunked = b"10000\r\n" + block + b"\r\n"
        while not self.stop_ev.is_set() and socks:
            for s, is_chunked in list(socks):
                try:
                    s.send(chunked if is_chunked else block)
                    try:
                        if s.recv(65536) == b"":
                            socks.remove((s, is_chunked))
                    except BlockingIOError:
                        pass
                except BlockingIOError:
                    pass
                except OSError:
                    socks.remove((s, is_chunked))  # the server cut it off: fine
            self.stop_ev.wait(0.002)

    def malformed(self):
        corpus = sorted(glob.glob(os.path.join(SOURCE_ROOT, "tests", "fuzz", "corpus", "*", "*")))
        rnd = random.Random(8)
        payloads = []
        for path in corpus:
            with open(path, "rb") as f:
                data = f.read(1 << 20)
            payloads.append(data)  # as raw request bytes
            payloads.append(request("POST", "/v1/chat/completions", data,
                                    {"Content-Type": "application/json"}))
            payloads.append(request("POST", "/v1/messages", data,
                                    {"anthropic-version": "2023-06-01"}))
        for _ in range(100):
            payloads.append(bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 3000))))
        rnd.shuffle(payloads)
        for data in payloads:
            if self.stop_ev.is_set():
                return
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                s.settimeout(1)
                while s.recv(65536):
                    pass
            except OSError:
                pass
            finally:
                s.close()
            self.sent_malformed += 1

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(timeout=15)
        with self.lock:
            socks, self.socks = self.socks, []
        for s in socks:
            try:
                s.close()
            except OSError:
                pass


class MockUnderHostileClients(unittest.TestCase):
    def test_mock_keeps_serving_with_bounded_memory(self):
        raise_fd_limit(SLOW_SENDERS + NEVER_READING + UPLOADERS + 200)
        with Mock("--ttft", "5ms", "--itl", "1ms", "--output-tokens", "10",
                  "--header-timeout", "30s", "--write-timeout", "30s", "--threads", "1") as m:
            self.assertEqual(healthz(m), 200)
            idle_rss = m.rss_kb()
            h = Hostiles(m.port)
            peak = [idle_rss]
            stop_sampling = threading.Event()

            def sample():
                while not stop_sampling.wait(0.2):
                    v = m.rss_kb()
                    if v:
                        peak[0] = max(peak[0], v)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                h.start()
                time.sleep(1.5)  # let the hostile clients connect
                r = Run(["--url", m.url, "-c", "4", "-t", "1", "-d", "%ds" % LOAD_SECONDS,
                         "--timeout", "10s"], timeout=LOAD_SECONDS + 60)
                self.addCleanup(r.cleanup)
                active_during = m.metrics().get("gatebench_mock_active_connections", 0)
            finally:
                h.stop()
                stop_sampling.set()
                sampler.join(timeout=5)
            self.assertIsNone(m.proc.poll(), "the mock is still running")
            self.assertEqual(r.rc, 0, r.describe())
            check_report(self, r.report)
            led = r.ledger()
            self.assertGreater(led["started"], 50, led)
            self.assertEqual(led["outcomes"]["ok"], led["started"], "every good request served: %s" % led)
            mt = r.phase()["metrics"]
            ttft_p50_ms, ttft_p99_ms = mt["ttft"]["p50"] / 1e6, mt["ttft"]["p99"] / 1e6
            print("ttft p50 %.1f ms p99 %.1f ms, e2e p99 %.1f ms, %d requests; mock RSS idle %d KiB, "
                  "peak %d KiB; %d connections during, %d malformed requests sent" % (
                      ttft_p50_ms, ttft_p99_ms, mt["e2e"]["p99"] / 1e6, led["started"], idle_rss,
                      peak[0], active_during, h.sent_malformed), file=sys.stderr)
            self.assertLess(ttft_p50_ms, 50 * SLOWDOWN, "latency stays sane (model: 5 ms)")
            self.assertLess(ttft_p99_ms, 500 * SLOWDOWN)
            self.assertGreaterEqual(active_during, SLOW_SENDERS, "the slow senders were all held")
            self.assertGreater(h.sent_malformed, 50)
            if not SANITIZED:
                self.assertLess(peak[0] - idle_rss, RSS_BOUND_KB, "mock RSS bounded")
            # once they leave, nothing is left behind and the mock answers at once
            deadline = time.monotonic() + 10
            left = None
            while time.monotonic() < deadline:
                left = m.metrics().get("gatebench_mock_active_connections", -1)
                if left <= 1:  # the /metrics request itself
                    break
                time.sleep(0.2)
            self.assertLessEqual(left, 1, "connections released after the clients left")
            self.assertEqual(healthz(m), 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
