"""Helpers for the engine's integration tests: start gatebench-mock / nginx on ephemeral
loopback ports, run gatebench, load its report. Everything started is killed on exit."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from gbtest import GATEBENCH, MOCK, Mock, free_port  # noqa: E402,F401


class Nginx:
    """nginx (the distribution's) with our own temporary config on a free port."""

    def __init__(self, body, tls=False):
        self.dir = tempfile.TemporaryDirectory(prefix="gb-nginx-")
        self.port = free_port()
        d = self.dir.name
        listen = "127.0.0.1:%d" % self.port
        self.cert = os.path.join(d, "cert.pem")
        if tls:
            # A self-signed certificate for 127.0.0.1 / localhost, valid for a day.
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", os.path.join(d, "key.pem"), "-out", self.cert,
                            "-days", "1", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            listen += f" ssl;\n    ssl_certificate {self.cert};\n" \
                      f"    ssl_certificate_key {d}/key.pem"
        if "'" in body or "\\" in body:
            raise ValueError("canned body must not contain quotes or backslashes")
        conf = f"""
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  keepalive_requests 100000;
  server {{
    listen {listen};
    location / {{
      default_type application/json;
      return 200 '{body}';
    }}
  }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            ["nginx", "-p", d, "-e", os.path.join(d, "error.log"), "-c",
             os.path.join(d, "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("nginx exited: %s" % self.proc.stderr.read())
                time.sleep(0.05)
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.port)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Run:
    """One `gatebench run` with a report in a temp dir."""

    def __init__(self, args, timeout=60, signal_after=None, on_start=None):
        self.dir = tempfile.TemporaryDirectory(prefix="gb-run-")
        self.report_path = os.path.join(self.dir.name, "report.json")
        cmd = [GATEBENCH, "run", *args, "-o", self.report_path]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            if on_start:
                on_start(proc)
            if signal_after is not None:
                time.sleep(signal_after)
                proc.send_signal(signal.SIGINT)
            self.stdout, self.stderr = proc.communicate(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.rc = proc.returncode
        self.report = None
        if os.path.exists(self.report_path):
            with open(self.report_path) as f:
                self.report = json.load(f)
        self.dir.cleanup()

    def phase(self, name="main", target="default"):
        return self.report["targets"][target]["phases"][name]

    def describe(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


def check_ledger(testcase, report):
    """started == sum(outcomes) for every target, phase and split."""
    seen = 0
    for tname, t in report["targets"].items():
        for pname, p in t["phases"].items():
            led = p["ledger"]
            total = sum(led["outcomes"].values())
            testcase.assertEqual(led["started"], total, "%s/%s ledger %s" % (tname, pname, led))
            testcase.assertEqual(p["counts"]["started"], led["started"])
            seen += 1
    for key, s in report.get("splits", {}).items():
        led = s["ledger"]
        testcase.assertEqual(led["started"], sum(led["outcomes"].values()), key)
    testcase.assertGreater(seen, 0, "the report has no phase")
