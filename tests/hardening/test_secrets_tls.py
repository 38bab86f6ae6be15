#!/usr/bin/env python3
"""Secrets never leak, and TLS verification is on by default.

Secrets: a random sentinel key goes in through the environment (${SENTINEL_KEY} in scenario
headers, including a header whose name does not look secret) and through -H on the command line,
against the mock with its request log on and faults at rates (so error paths run too). Then
every output is searched for it: reports, hgrm/hlog files, `report --format markdown|console|
hgrm`, `export openmetrics`, stdout and stderr of every command, the mock's request log, stderr
and /metrics. First the test proves the key really was sent (a capture server receives it).

TLS: the mock with a self-signed certificate (openssl CLI): refused without --insecure (a clear
TLS error), accepted with --insecure, and accepted when the certificate is given as ca_file.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harden_lib import (EXIT_BAD_INPUT, GATEBENCH, Mock, Run,  # noqa: E402
                        assert_not_signalled, check_report)
from hostile_server import HostileServer  # noqa: E402

SENTINEL = "sk-gbsentinel-" + secrets.token_hex(12)
# Pieces a careless redaction might leave: the random part alone, and a prefix of it.
NEEDLES = [SENTINEL, SENTINEL[len("sk-gbsentinel-"):], SENTINEL[:22]]


def env_with_key(value=SENTINEL):
    env = dict(os.environ)
    env["SENTINEL_KEY"] = value
    return env


def scenario(url, extra_headers="", load="{concurrency: 2, requests: 20}"):
    return f"""name: secrets
target:
  url: {url}
  api: openai-chat
  headers:
    Authorization: "Bearer ${{SENTINEL_KEY}}"
    x-api-key: "${{SENTINEL_KEY}}"
{extra_headers}workload: {{stream: true, max_tokens: 8}}
load: {load}
"""


class Secrets(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="gb-harden-secrets-")
        self.addCleanup(self.tmp.cleanup)
        self.texts = {}  # name -> text that must not hold the sentinel

    def path(self, *p):
        return os.path.join(self.tmp.name, *p)

    def keep(self, name, text):
        self.texts[name] = text

    def run_gb(self, name, args, env=None, expect=(0,)):
        r = Run(args, env=env or env_with_key(), quiet=False, timeout=60,
                out=self.path(name + ".json"))
        self.addCleanup(r.cleanup)
        assert_not_signalled(self, r)
        self.assertIn(r.rc, expect, r.describe())
        self.keep(name + ":stdout", r.stdout)
        self.keep(name + ":stderr", r.stderr)
        if r.report is not None:
            check_report(self, r.report)
        return r

    def cli(self, name, args):
        p = subprocess.run([GATEBENCH, *args], capture_output=True, text=True, timeout=60)
        self.keep(name + ":stdout", p.stdout)
        self.keep(name + ":stderr", p.stderr)
        return p

    def assert_nowhere(self, min_outputs):
        # every file the runs wrote (reports, hgrm, hlog, exports, the mock's log)
        for root, _, files in os.walk(self.tmp.name):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    self.keep(os.path.relpath(os.path.join(root, f), self.tmp.name),
                              fh.read().decode("utf-8", "replace"))
        self.assertGreaterEqual(len(self.texts), min_outputs, sorted(self.texts))
        for name, text in self.texts.items():
            for needle in NEEDLES:
                self.assertNotIn(needle, text, "the secret leaked into %s" % name)

    def scrape_live(self, url):
        """Runs with --metrics-addr and scrapes the live endpoint while the load runs."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        scrapes = []
        stop = threading.Event()

        def scrape():
            while not stop.wait(0.2):
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                                timeout=2) as resp:
                        scrapes.append(resp.read().decode("utf-8", "replace"))
                except OSError:
                    pass
        th = threading.Thread(target=scrape, daemon=True)
        th.start()
        try:
            sc = self.path("live.yaml")
            with open(sc, "w") as f:
                f.write(scenario(url, load="{concurrency: 2, duration: 2s}"))
            self.run_gb("live", [sc, "-t", "1", "--metrics-addr", "127.0.0.1:%d" % port])
        finally:
            stop.set()
            th.join(timeout=5)
        self.assertTrue(scrapes, "the live endpoint answered during the run")
        self.keep("live:/metrics", "\n".join(scrapes))

    def test_the_key_is_sent_in_full(self):
        # Not vacuous: the key does reach the target, in the headers the scenario names.
        with HostileServer() as s:
            sc = self.path("capture.yaml")
            with open(sc, "w") as f:
                f.write(scenario(s.url + "/ok", "    X-Trace-Note: \"n-${SENTINEL_KEY}\"\n"))
            self.run_gb("capture", [sc, "-t", "1", "-n", "3", "-c", "1",
                                    "-H", "X-Cli-Token: cli-" + SENTINEL])
            self.assertEqual(len(s.requests), 3)
            for _, _, headers, _ in s.requests:
                self.assertEqual(headers.get("authorization"), "Bearer " + SENTINEL)
                self.assertEqual(headers.get("x-api-key"), SENTINEL)
                self.assertEqual(headers.get("x-trace-note"), "n-" + SENTINEL)
                self.assertEqual(headers.get("x-cli-token"), "cli-" + SENTINEL)
        self.assert_nowhere(3)

    def test_no_output_holds_the_key(self):
        log = self.path("mock-requests.jsonl")
        with open(self.path("mock.stderr"), "w") as mock_err, Mock(
                "--ttft", "2ms", "--itl", "1ms", "--output-tokens", "6", "--request-log", log,
                "--fault", "http_500=10%", "--fault", "stream_error=10%",
                "--fault", "rate_limit=10%", stderr=mock_err) as m:
            os.makedirs(self.path("hgrm"))
            sc = self.path("env.yaml")
            with open(sc, "w") as f:
                f.write(scenario(m.url) + "output:\n  hgrm_dir: %s\n  hlog: %s\n" % (
                    self.path("hgrm"), self.path("run.hlog")))
            help_text = self.cli("help", ["run", "--help"]).stdout
            extra = []  # every output file `run` can write, when it can
            for flag, name in (("--markdown", "summary.md"), ("--junit", "junit.xml")):
                if flag in help_text:
                    extra += [flag, self.path(name)]
            env_run = self.run_gb("env", [sc, "-t", "1", "--threshold", "ttft:p(99)<1h", *extra])
            self.assertEqual(env_run.ledger()["started"], 20)
            # the key given literally on the command line
            self.run_gb("cli", ["--url", m.url, "-c", "2", "-t", "1", "-n", "20",
                                "-H", "Authorization: Bearer " + SENTINEL,
                                "-H", "X-Api-Key: " + SENTINEL,
                                "--threshold", "errors:rate<0.1%"], expect=(0, 99))
            # the key in the URL's userinfo: used or refused, never echoed
            self.run_gb("userinfo", ["--url", m.url.replace("://", "://user:%s@" % SENTINEL),
                                     "-c", "1", "-t", "1", "-n", "2"], expect=(0, 1, 104))
            # a key holding CR LF (header injection): refused without echoing it
            self.run_gb("crlf", [sc, "-t", "1"], env=env_with_key(SENTINEL + "\r\nX-Injected: 1"),
                        expect=(EXIT_BAD_INPUT,))
            with urllib.request.urlopen(m.url + "/metrics", timeout=10) as resp:
                self.keep("mock:/metrics", resp.read().decode())
            if "--metrics-addr" in help_text:
                self.scrape_live(m.url)
            else:
                print("note: gatebench run has no --metrics-addr yet; live endpoint not searched",
                      file=sys.stderr)
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertGreaterEqual(len(lines), 40, "the mock logged the requests")
        self.assertIn("[REDACTED]", lines[0])
        for fmt in ("console", "json", "markdown", "hgrm"):
            self.cli("report-" + fmt, ["report", self.path("env.json"), "--format", fmt])
        om = self.cli("export", ["export", "openmetrics", self.path("env.json")])
        self.assertEqual(om.returncode, 0, om.stderr)
        self.assert_nowhere(20)


def make_cert(d):
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@unittest.skipUnless(shutil.which("openssl"), "openssl CLI is not installed")
class Tls(unittest.TestCase):
    def test_self_signed_is_refused_unless_insecure(self):
        with tempfile.TemporaryDirectory(prefix="gb-harden-tls-") as d:
            cert, key = make_cert(d)
            with Mock("--tls-cert", cert, "--tls-key", key, "--output-tokens", "4") as m:
                self.assertTrue(m.url.startswith("https://"), m.url)
                args = ["--url", m.url, "-c", "1", "-t", "1", "-n", "4"]
                r = Run(args)
                self.addCleanup(r.cleanup)
                assert_not_signalled(self, r)
                if r.report is None:
                    # refused before any load: exit 1 with a message that says why and how
                    self.assertEqual(r.rc, 1, r.describe())
                    self.assertRegex(r.stderr, r"(?i)tls|certificate")
                    self.assertIn("--insecure", r.stderr)
                else:
                    check_report(self, r.report)
                    self.assertEqual(r.ledger()["outcomes"]["tls_error"], 4, r.ledger())
                ok = Run(args + ["--insecure"])
                self.addCleanup(ok.cleanup)
                self.assertEqual(ok.rc, 0, ok.describe())
                check_report(self, ok.report)
                self.assertEqual(ok.ledger()["outcomes"]["ok"], 4, ok.ledger())
                # verification stays on, with the certificate as the trusted CA
                sc = os.path.join(d, "ca.yaml")
                with open(sc, "w") as f:
                    f.write("target:\n  url: %s\n  tls: {ca_file: %s}\n"
                            "load: {requests: 4, concurrency: 1}\n" % (m.url, cert))
                ca = Run([sc, "-t", "1"])
                self.addCleanup(ca.cleanup)
                self.assertEqual(ca.rc, 0, ca.describe())
                self.assertEqual(ca.ledger()["outcomes"]["ok"], 4, ca.ledger())


if __name__ == "__main__":
    unittest.main(verbosity=2)
