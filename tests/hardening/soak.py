#!/usr/bin/env python3
"""A soak with faults: gatebench run (scenarios/soak.yaml) against gatebench-mock injecting 5%
mixed faults, then checks that nothing was lost or misfiled and memory stayed flat.

Used by tests/hardening/test_soak_short.py (CI: ~20 s) and bench/soak/run_soak.sh (>= 1,000,000
requests). The checks:
  - the ledger invariant (started == sum(outcomes)) in every target/phase;
  - started == the requests asked for == the generation requests the mock answered;
  - per outcome, the client's count equals what the mock says it injected, exactly:
      429 == rate_limit, 500 == http_500, 503 == http_503, stream_error == stream_error,
      protocol_error/invalid_event == malformed_event,
      protocol_error/connection_reset_mid_response == reset,
      timeout (idle phase) == stall (the mock stalls 1 s, the scenario's idle timeout is 250 ms),
      ok == started - injected, and nothing else (no connect/tls errors, no cancellations);
  - gatebench's RSS (sampled from /proc): the median of the last third of the run is within a
    small bound of the median of the first third (no growth per request);
  - the mock's RSS likewise.

Run by hand: python3 tests/hardening/soak.py --requests 200000 [--concurrency 32]
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harden_lib as H  # noqa: E402

SOAK_SCENARIO = os.path.join(H.SOURCE_ROOT, "scenarios", "soak.yaml")

# 5% in all: the mix the issue asks for (429, 5xx, resets, stalls, mid-stream errors).
FAULTS = {
    "rate_limit": "1%",
    "http_500": "0.5%",
    "http_503": "0.5%",
    "reset": "1%",
    "stall": "0.5%",
    "stream_error": "1%",
    "malformed_event": "0.5%",
}
MOCK_ARGS = ["--ttft", "0", "--itl", "0", "--output-tokens", "16", "--stall", "1s",
             "--stall-then", "continue", "--threads", "1"]
for _k, _v in FAULTS.items():
    MOCK_ARGS += ["--fault", "%s=%s" % (_k, _v)]

# Memory: allowed growth between the first and the last third of the run.
RSS_GROWTH_BOUND_KB = 4 * 1024
RSS_GROWTH_BOUND_FRACTION = 0.10


def injected(metrics):
    out = {}
    for k, v in metrics.items():
        if k.startswith("gatebench_mock_faults_injected_total{"):
            kind = k.split('kind="', 1)[1].split('"', 1)[0]
            out[kind] = int(v)
    return out


def generation_requests(metrics):
    return int(sum(v for k, v in metrics.items()
                   if k.startswith("gatebench_mock_requests_total{") and "/v1/chat/completions" in k))


def flat(samples):
    """(ok, detail) for a list of RSS samples in KiB: last third's median vs first third's."""
    if len(samples) < 6:
        return False, "too few RSS samples (%d)" % len(samples)
    third = len(samples) // 3
    first = statistics.median(samples[:third])
    last = statistics.median(samples[-third:])
    bound = max(RSS_GROWTH_BOUND_KB, first * RSS_GROWTH_BOUND_FRACTION)
    return last - first <= bound, "first third %d KiB, last third %d KiB (growth %+d, bound %d; %d samples, peak %d)" % (
        first, last, last - first, bound, len(samples), max(samples))


def soak(requests, concurrency=32, threads=1, rss_every=0.25, timeout=3600, extra=()):
    """Runs the soak; returns (checks, facts): checks a list of (name, expected, actual)."""
    with H.Mock(*MOCK_ARGS) as m:
        mock_rss = []
        stop = threading.Event()

        def sample_mock():
            while not stop.wait(rss_every):
                v = m.rss_kb()
                if v is not None:
                    mock_rss.append(v)
        sampler = threading.Thread(target=sample_mock, daemon=True)
        sampler.start()
        t0 = time.monotonic()
        try:
            r = H.Run([SOAK_SCENARIO, "--url", m.url, "-n", str(requests), "-c", str(concurrency),
                       "-t", str(threads), *extra], timeout=timeout, sample_every=rss_every)
        finally:
            stop.set()
            sampler.join(timeout=5)
        took = time.monotonic() - t0
        met = m.metrics()
    try:
        if r.rc != 0 or r.report is None:
            raise AssertionError("soak run failed: " + r.describe())
        led = r.ledger()
        inj = injected(met)
        st = led["by_status"]
        rs = led["by_reason"]
        oc = led["outcomes"]
        total_injected = sum(inj.get(k, 0) for k in FAULTS)
        checks = [
            ("started == requests asked", requests, led["started"]),
            ("started == sum(outcomes)", led["started"], sum(oc.values())),
            ("mock answered every request", led["started"], generation_requests(met)),
            ("429 == injected rate_limit", inj["rate_limit"], st.get("429", 0)),
            ("500 == injected http_500", inj["http_500"], st.get("500", 0)),
            ("503 == injected http_503", inj["http_503"], st.get("503", 0)),
            ("no other status", inj["rate_limit"] + inj["http_500"] + inj["http_503"],
             oc["http_status"]),
            ("stream_error == injected stream_error", inj["stream_error"], oc["stream_error"]),
            ("invalid_event == injected malformed_event", inj["malformed_event"],
             rs.get("protocol_error/invalid_event", 0)),
            ("connection_reset_mid_response == injected reset", inj["reset"],
             rs.get("protocol_error/connection_reset_mid_response", 0)),
            ("protocol_error == malformed + reset", inj["malformed_event"] + inj["reset"],
             oc["protocol_error"]),
            ("idle timeouts == injected stall", inj["stall"], led["by_timeout_phase"]["idle"]),
            ("timeout == idle timeouts", led["by_timeout_phase"]["idle"], oc["timeout"]),
            ("ok == started - injected", led["started"] - total_injected, oc["ok"]),
            ("no connect/tls errors, no cancellations", 0,
             oc["connect_error"] + oc["tls_error"] + oc["cancelled"]),
            ("no other fault kind injected", total_injected, sum(inj.values())),
        ]
        ok_rss, rss_detail = flat(r.rss_samples)
        ok_mock, mock_detail = flat(mock_rss)
        if not H.SANITIZED:  # a sanitizer's quarantine grows by design
            checks.append(("gatebench RSS flat: " + rss_detail, True, ok_rss))
            checks.append(("mock RSS flat: " + mock_detail, True, ok_mock))
        facts = {"requests": led["started"], "seconds": round(took, 1),
                 "requests_per_s": round(led["started"] / took), "injected": inj,
                 "outcomes": {k: v for k, v in oc.items() if v}, "by_status": st, "by_reason": rs,
                 "gatebench_rss": rss_detail, "mock_rss": mock_detail}
        return checks, facts, r
    except BaseException:
        r.cleanup()
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rss-every", type=float, default=1.0)
    ap.add_argument("--keep-report", help="copy the report here")
    a = ap.parse_args()
    checks, facts, r = soak(a.requests, a.concurrency, a.threads, a.rss_every)
    if a.keep_report:
        with open(a.keep_report, "w") as f:
            f.write(r.report_text)
    r.cleanup()
    bad = 0
    for name, want, got in checks:
        ok = want == got
        bad += not ok
        print("%s %s: expected %s, got %s" % ("PASS" if ok else "FAIL", name, want, got))
    print(json.dumps(facts, indent=1))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
