"""What every Python test of gatebench needs (stdlib only): where the binaries are, a free
loopback port, gatebench-mock on an ephemeral port, the mock's /metrics and request log.

Test scripts put this folder on sys.path (they run from meson or by hand from the source root):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
Everything a test starts is stopped by close() / the with-block, even when the test fails."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("GATEBENCH_SOURCE_ROOT", os.path.normpath(os.path.join(HERE, "..", "..")))
BUILD_ROOT = os.environ.get("GATEBENCH_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
GATEBENCH = os.environ.get("GATEBENCH_BIN", os.path.join(BUILD_ROOT, "src/app/gatebench"))
MOCK = os.environ.get("GATEBENCH_MOCK_BIN", os.path.join(BUILD_ROOT, "mock-upstream/gatebench-mock"))

# Sanitizer builds (scripts/test.sh passes *SAN_OPTIONS) measure the sanitizer's memory and run
# several times slower: tests skip memory bounds and widen time bounds when this is set.
SANITIZED = any(k in os.environ for k in ("ASAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"))


def free_port():
    """A loopback TCP port that was free a moment ago (for servers that cannot bind port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_prometheus(text):
    """Prometheus text exposition as {series-with-labels: value}; comments and bad lines skipped."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            pass
    return out


def rss_kb(pid):
    """VmRSS of a live process in KiB, or None when it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Mock:
    """gatebench-mock listening on 127.0.0.1 (port 0 unless given: it prints the port it got).

    `url`, `port`, `rss_kb()`; `metrics()` and `chat_requests()` read its /metrics; with `request_log` set
    (a path, or True for a temporary file) `requests()` returns the logged requests. close()
    sends SIGTERM (twice: the second ends open streams at once) so that a sanitizer build gets
    to report at exit, then SIGKILL; it fails the test when the mock's stderr holds a sanitizer
    report."""

    def __init__(self, *args, port=0, request_log=None, stderr=None):
        self._tmp = None
        if request_log is True:
            self._tmp = tempfile.TemporaryDirectory(prefix="gb-mock-log-")
            request_log = os.path.join(self._tmp.name, "requests.jsonl")
        self.request_log = request_log
        extra = ["--request-log", request_log] if request_log else []
        self.err = None if stderr is not None else tempfile.TemporaryFile()
        self.proc = subprocess.Popen([MOCK, "--listen", "127.0.0.1:%d" % port, "-q", *extra, *args],
                                     stdout=subprocess.PIPE, stderr=stderr or self.err, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"(https?)://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.close()
            raise RuntimeError("mock did not print its port: %r" % line)
        self.port = int(m.group(2))
        self.url = "%s://127.0.0.1:%d" % (m.group(1), self.port)

    def metrics(self):
        """The mock's /metrics as {series-with-labels: value} (plain HTTP only)."""
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port, timeout=10) as r:
            return parse_prometheus(r.read().decode())

    def rss_kb(self):
        """The mock's resident memory in KiB (None once it has exited)."""
        return rss_kb(self.proc.pid)

    def chat_requests(self):
        """Requests the mock has answered on /v1/chat/completions."""
        return sum(v for k, v in self.metrics().items()
                   if k.startswith("gatebench_mock_requests_total{") and "/v1/chat/completions" in k)

    def requests(self):
        """The request log so far: one dict per request."""
        with open(self.request_log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def close(self):
        for sig, wait in ((signal.SIGTERM, 2), (signal.SIGTERM, 3), (signal.SIGKILL, 10)):
            if self.proc.poll() is not None:
                break
            self.proc.send_signal(signal.SIGCONT)  # a test may have stopped it
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        try:
            self.proc.wait(timeout=10)
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None
        if self.err is not None:
            self.err.seek(0)
            text = self.err.read().decode("utf-8", "replace")
            self.err.close()
            self.err = None
            if "Sanitizer" in text or "runtime error:" in text:
                raise AssertionError("gatebench-mock reported:\n" + text[-4000:])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
