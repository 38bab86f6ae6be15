"""Helpers for the gateway-overhead tests: gatebench-mock, nginx as a reverse proxy and the
Portkey gateway on ephemeral loopback ports, and `gatebench overhead` / `gatebench run` with
their reports in a temporary directory. Everything started is killed when closed, even when a
test fails (use them as context managers)."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


sys.path.insert(0, os.path.join(HERE, "..", "..", "lib"))
from gbtest import GATEBENCH, MOCK, Mock, free_port  # noqa: E402,F401

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
NODE = shutil.which("node")
PORTKEY = os.path.join(ROOT, "tests", "npm", "node_modules", "@portkey-ai", "gateway", "build",
                       "start-server.js")
SCHEMA = os.path.join(ROOT, "docs", "overhead-schema.json")


def wait_for_port(port, proc, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s before listening" % (what, proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not listen on %d within %ds" % (what, port, timeout))


def stop(proc, timeout=5):
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()


class NginxProxy:
    """Debian's nginx as a reverse proxy in front of `upstream_url`, with its own temporary
    prefix, config, pid file and error log; one worker; buffering as asked."""

    def __init__(self, upstream_url, buffering=False):
        self.dir = tempfile.TemporaryDirectory(prefix="gb-nginx-")
        d = self.dir.name
        self.port = free_port()
        if buffering:
            # Buffers far larger than a whole stream, and nginx's default HTTP/1.0 to the
            # upstream: the mock then sends a close-delimited stream, which nginx collects in
            # its buffers and passes on only when they fill or the stream ends. (A chunked
            # HTTP/1.1 upstream response is passed on chunk by chunk to a fast client even with
            # buffering on.)
            buf = """proxy_buffering on;
      proxy_buffer_size 256k;
      proxy_buffers 16 256k;
      proxy_busy_buffers_size 512k;"""
        else:
            buf = """proxy_buffering off;
      proxy_http_version 1.1;
      proxy_set_header Connection "";"""
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
  upstream mock {{
    server {upstream_url.replace("http://", "")};
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://mock;
      {buf}
    }}
  }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            [NGINX, "-p", d, "-e", os.path.join(d, "error.log"), "-c",
             os.path.join(d, "nginx.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port, self.proc, "nginx")
        except Exception:
            self.close()
            raise
        self.url = "http://127.0.0.1:%d" % self.port

    def close(self):
        stop(self.proc)
        self.dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Portkey:
    """The Portkey gateway (npm @portkey-ai/gateway), offline, headless."""

    def __init__(self):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [NODE, PORTKEY, "--port=%d" % self.port, "--headless"], cwd=ROOT,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(self.port, self.proc, "portkey", timeout=30)
        except Exception:
            self.close()
            raise
        self.url = "http://127.0.0.1:%d" % self.port

    def close(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Workdir:
    """A temporary directory for scenario files and reports."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gb-overhead-")
        self.path = self.tmp.name

    def file(self, name, text):
        p = os.path.join(self.path, name)
        with open(p, "w") as f:
            f.write(text)
        return p

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()


def run_gatebench(args, cwd, timeout=90):
    """Runs gatebench; returns (exit code, stdout, stderr). Killed on timeout."""
    proc = subprocess.Popen([GATEBENCH, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err


def overhead(scenario_path, cwd, *flags, timeout=90):
    """`gatebench overhead SCENARIO -o REPORT flags...` → (rc, report or None, stdout, stderr)."""
    out_path = os.path.join(cwd, "overhead-%d.json" % time.monotonic_ns())
    rc, out, err = run_gatebench(["overhead", scenario_path, "-o", out_path, *flags], cwd,
                                 timeout=timeout)
    report = None
    if os.path.exists(out_path):
        with open(out_path) as f:
            report = json.load(f)
    return rc, report, out, err


def validate_schema(report):
    """Validates against docs/overhead-schema.json (python3-jsonschema); returns an error
    message or None."""
    try:
        import jsonschema
    except ImportError:
        return None
    with open(SCHEMA) as f:
        schema = json.load(f)
    try:
        jsonschema.validate(report, schema)
    except jsonschema.ValidationError as e:
        return "%s at %s" % (e.message, "/".join(str(x) for x in e.absolute_path))
    return None


def comparison(point, arm="gateway", reference="direct"):
    for c in point["comparisons"]:
        if c["arm"] == arm and c["reference"] == reference:
            return c
    raise KeyError("no %s-%s comparison" % (arm, reference))


def overhead_of(point, metric, quantile, arm="gateway"):
    """The quantile entry of one metric's overhead (overhead_ns, ci_low_ns, ...)."""
    for m in comparison(point, arm)["overhead"]:
        if m["metric"] == metric:
            for q in m["quantiles"]:
                if q["quantile"] == quantile:
                    return q
    raise KeyError("no %s overhead at p%s" % (metric, quantile))


def scenario_text(direct_url, gateway_url, api="openai-chat", stream=True, max_tokens=10,
                  gateway_headers=None, extra_top="", overhead_section=""):
    """A two-arm scenario file."""
    gh = ""
    if gateway_headers:
        gh = "    headers:\n" + "".join(
            "      %s: %s\n" % (k, json.dumps(v)) for k, v in gateway_headers.items())
    return f"""name: gw-test
seed: 7
targets:
  - name: direct
    url: {direct_url}
    api: {api}
    role: direct
  - name: gateway
    url: {gateway_url}
    api: {api}
    role: gateway
{gh}workload:
  stream: {"true" if stream else "false"}
  max_tokens: {max_tokens}
  input_tokens: 16
load:
  concurrency: 1
{extra_top}{overhead_section}"""
