#!/usr/bin/env python3
"""The CI version of the fault soak (soak.py; the 1,000,000-request run is
bench/soak/run_soak.sh): 100,000 requests (10-30 s here) against the mock injecting 5% mixed
faults. Every per-outcome count equals what the mock injected, the ledger invariant holds, and
neither process's RSS grows between the first and the last third of the run."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak  # noqa: E402

REQUESTS = int(os.environ.get("GATEBENCH_SOAK_REQUESTS", str(200000 // soak.H.SLOWDOWN)))


class SoakShort(unittest.TestCase):
    def test_fault_soak_counts_match_and_memory_is_flat(self):
        checks, facts, r = soak.soak(REQUESTS, concurrency=32, threads=1, rss_every=0.2,
                                     timeout=150)
        self.addCleanup(r.cleanup)
        soak.H.check_report(self, r.report)
        print(facts, file=sys.stderr)
        for name, want, got in checks:
            with self.subTest(check=name):
                self.assertEqual(want, got, name)
        # every fault kind of the mix really happened (otherwise the equalities prove little)
        for kind in soak.FAULTS:
            self.assertGreater(facts["injected"][kind], 0, kind)


if __name__ == "__main__":
    unittest.main(verbosity=2)
