#!/usr/bin/env python3
"""gatebench run against a hostile upstream (hostile_server.py): for every misbehaviour, no crash
(exit 0, not a signal), every request lands in the right ledger outcome (exactly, from the
report), started == sum(outcomes), the server saw exactly the requests the ledger counts, and
the report is valid (JSON Schema when docs/report-schema.json exists).

The right outcome per behaviour follows shared/design/metrics.md "The error ledger":
protocol_error = malformed HTTP, malformed SSE framing, invalid JSON in an event, truncated
stream without its end marker; stream_error = an error reported by the server inside a 200;
timeout by phase; legal variations (CRLF/CR/LF, split reads, HTTP/1.0, 100-continue) are ok.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harden_lib import Run, assert_not_signalled, check_report  # noqa: E402
from hostile_server import HostileServer  # noqa: E402

N = 4  # requests per behaviour
TOKENS = 5  # content tokens of every well-formed hostile stream

# path, extra flags, outcome, (breakdown key, breakdown entry) or None, output tokens of each ok
CASES = [
    ("/ok", [], "ok", None, TOKENS),
    ("/mixed-newlines", [], "ok", None, TOKENS),
    ("/one-byte", [], "ok", None, TOKENS),
    ("/http10-stream", [], "ok", None, TOKENS),
    ("/http10-body", ["--no-stream"], "ok", None, TOKENS),
    ("/continue", [], "ok", None, TOKENS),
    # A well-formed stream that ends (with its end marker) before any content: complete, with
    # no content, so ok with 0 output tokens and no ttft sample.
    ("/done-first", [], "ok", None, 0),
    ("/truncated-chunked", [], "protocol_error", None, None),
    ("/chunk-too-large", [], "protocol_error", None, None),
    ("/huge-headers", [], "protocol_error", None, None),
    ("/close-mid-header", [], "protocol_error", None, None),
    ("/garbage", [], "protocol_error", None, None),
    ("/json-error-200", [], "stream_error", None, None),
    ("/json-error-200", ["--no-stream"], "stream_error", None, None),
    # Events keep coming, so only the total timeout (--timeout) can end it.
    ("/never-ends", [], "timeout", ("by_timeout_phase", "total"), None),
    # Nothing after the headers: the idle timeout (30 s default) is longer than --timeout.
    ("/silent-after-headers", [], "timeout", ("by_timeout_phase", "total"), None),
]


class Hostile(unittest.TestCase):
    def run_case(self, server, path, extra):
        before = server.counts.get(path, 0)
        r = Run(["--url", server.url, "--path", path, "-c", "2", "-t", "1", "-n", str(N),
                 "--timeout", "1500ms", "--check-timeout", "2s", *extra], timeout=60)
        self.addCleanup(r.cleanup)
        assert_not_signalled(self, r)
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIsNotNone(r.report, r.describe())
        check_report(self, r.report)
        led = r.ledger()
        self.assertEqual(led["started"], N, led)
        self.assertEqual(server.counts.get(path, 0) - before, N,
                         "the server received exactly the requests the ledger counts")
        return r, led

    def test_each_behaviour_lands_in_its_outcome(self):
        with HostileServer() as server:
            for path, extra, outcome, detail, tokens in CASES:
                with self.subTest(path=path, extra=extra):
                    r, led = self.run_case(server, path, extra)
                    self.assertEqual(led["outcomes"][outcome], N, (path, led))
                    if detail:
                        self.assertEqual(led[detail[0]].get(detail[1]), N, (path, led))
                    m = r.phase()["metrics"]
                    if outcome == "ok":
                        self.assertEqual(m["output_tokens"]["count"], N)
                        self.assertEqual(m["output_tokens"]["min"], tokens, (path, m["output_tokens"]))
                        self.assertEqual(m["output_tokens"]["max"], tokens, (path, m["output_tokens"]))
                        self.assertEqual(m["ttft"]["count"], N if tokens else 0, path)
                        self.assertEqual(m["e2e"]["count"], N, path)
                    else:
                        # latency histograms hold successful requests only
                        self.assertEqual(m["e2e"]["count"], 0, path)
                        self.assertEqual(m["ttft"]["count"], 0, path)
                        self.assertEqual(m["time_to_error"]["count"], N, path)

    def test_invalid_utf8_in_an_event_is_a_protocol_error(self):
        # JSON text must be UTF-8 (RFC 8259 section 8.1): an event whose string holds bytes that
        # are not UTF-8 is invalid JSON, which metrics.md puts in protocol_error. Whatever the
        # outcome, the report must stay valid UTF-8 JSON (Run decodes it strictly).
        with HostileServer() as server:
            r, led = self.run_case(server, "/invalid-utf8", [])
            self.assertEqual(led["outcomes"]["protocol_error"], N, led)


    def test_header_value_that_is_not_utf8_still_gives_a_report(self):
        # HTTP header values are octets. Used as a split label (split_by_header), a Latin-1
        # value once made the report writer throw after the whole run (no report, exit 1).
        import tempfile
        with HostileServer() as server, tempfile.TemporaryDirectory(prefix="gb-harden-") as d:
            sc = os.path.join(d, "split.yaml")
            with open(sc, "w") as f:
                f.write("target:\n  url: %s\n  path: /header-not-utf8\nworkload:\n"
                        "  split_by_header: x-cache\nload: {requests: %d, concurrency: 2}\n"
                        % (server.url, N))
            r = Run([sc, "-t", "1", "--timeout", "1500ms"], timeout=60)
            self.addCleanup(r.cleanup)
            assert_not_signalled(self, r)
            self.assertEqual(r.rc, 0, r.describe())
            check_report(self, r.report)
            self.assertEqual(r.ledger()["outcomes"]["ok"], N)
            self.assertTrue(r.report["splits"], "the split by x-cache is reported")


if __name__ == "__main__":
    unittest.main(verbosity=2)
