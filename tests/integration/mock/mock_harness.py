"""Shared helpers for the gatebench-mock integration tests: start/stop the binary on an
ephemeral loopback port, raw HTTP/1.1 exchanges, and a strict SSE parser (LF-only framing)."""

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import unittest

MOCK = os.environ.get("GATEBENCH_MOCK") or (sys.argv[1] if len(sys.argv) > 1 else "")


class Mock:
    """A running gatebench-mock; use as a context manager so it is always stopped."""

    def __init__(self, *args, tls=None):
        if not MOCK or not os.path.exists(MOCK):
            raise RuntimeError("GATEBENCH_MOCK must point at the gatebench-mock binary")
        self.args = [MOCK, "--listen", "127.0.0.1:0", "-q", *args]
        self.tls = tls
        self.proc = None
        self.port = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        if "listening on" not in line:
            err = self.proc.stderr.read().decode() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError(f"mock did not start: {line!r} {err}")
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.scheme = line.split("listening on ")[1].split(":")[0]
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            for f in (self.proc.stdout, self.proc.stderr):
                if f and not f.closed:
                    f.close()
        return self.proc.returncode if self.proc else None

    def alive(self):
        return self.proc.poll() is None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    # --- connections -------------------------------------------------------------------------
    def connect(self, timeout=10):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls)
            ctx.check_hostname = False
            s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        return s

    def request(self, method, path, body=None, headers=None, timeout=30):
        """One request on a fresh connection; returns Response (body fully read)."""
        s = self.connect(timeout)
        try:
            send_request(s, method, path, body, headers)
            return read_response(s)
        finally:
            s.close()

    def post(self, path, obj, headers=None, timeout=30):
        return self.request("POST", path, json.dumps(obj).encode(), headers, timeout)

    def metrics(self):
        r = self.request("GET", "/metrics")
        out = {}
        for line in r.body.decode().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
        return out

    def fault_count(self, kind):
        return int(self.metrics().get(f'gatebench_mock_faults_injected_total{{kind="{kind}"}}', 0))


def send_request(s, method, path, body=None, headers=None):
    h = {"Host": "127.0.0.1", "Content-Type": "application/json"}
    h.update(headers or {})
    body = body or b""
    if method == "POST" or body:
        h["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
    s.sendall(head.encode() + b"\r\n" + body)


class Response:
    def __init__(self):
        self.status = 0
        self.headers = {}
        self.body = b""
        self.chunks = []  # (arrival time, bytes) per chunk for chunked bodies
        self.complete = False

    def json(self):
        return json.loads(self.body)


class Reader:
    def __init__(self, s):
        self.s = s
        self.buf = b""

    def fill(self):
        data = self.s.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def read_response(s, on_chunk=None, reader=None):
    """Reads one response. Chunked bodies record each chunk's arrival time. A connection that
    closes early leaves complete False (body holds what arrived)."""
    r = Response()
    rd = reader or Reader(s)
    try:
        status = rd.line().decode()
        while status.startswith("HTTP/1.1 100"):
            rd.line()
            status = rd.line().decode()
        r.status = int(status.split()[1])
        while True:
            line = rd.line().decode()
            if not line:
                break
            k, v = line.split(":", 1)
            r.headers[k.strip().lower()] = v.strip()
        if r.headers.get("transfer-encoding") == "chunked":
            while True:
                size = int(rd.line(), 16)
                if size == 0:
                    rd.line()
                    break
                data = rd.exact(size)
                rd.exact(2)
                r.chunks.append((time.monotonic(), data))
                r.body += data
                if on_chunk:
                    on_chunk(data)
        elif "content-length" in r.headers:
            r.body = rd.exact(int(r.headers["content-length"]))
        else:
            while True:
                try:
                    rd.fill()
                except EOFError:
                    break
            r.body = rd.buf
        r.complete = True
    except (EOFError, ConnectionResetError) as e:
        r.error = e
        r.body += rd.buf
    return r


def sse_events(body):
    """Parses an SSE body strictly: LF-only framing, each event `field: value` lines + a blank
    line. Returns a list of (event_name or None, data string)."""
    text = body.decode()
    assert "\r" not in text, "the mock frames SSE with LF only"
    assert text.endswith("\n\n") or not text, f"stream does not end with a blank line: {text[-40:]!r}"
    events = []
    for block in text.split("\n\n")[:-1]:
        name, data = None, []
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
            else:
                raise AssertionError(f"unexpected SSE line {line!r}")
        assert len(data) == 1, f"one data line per event, got {block!r}"
        events.append((name, data[0]))
    return events


def chat_body(content="hello there friend", **kw):
    body = {"model": "test-model", "messages": [{"role": "user", "content": content}]}
    body.update(kw)
    return body


def anthropic_body(content="hello there friend", **kw):
    body = {"model": "claude-test", "max_tokens": 64, "messages": [{"role": "user", "content": content}]}
    body.update(kw)
    return body


def run_tests():
    unittest.main(argv=[sys.argv[0]], verbosity=2)
