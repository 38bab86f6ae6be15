#!/usr/bin/env bash
# The long soak with faults (issue 8; not in CI, which runs tests/hardening/test_soak_short.py):
# gatebench-mock with 5% mixed faults, scenarios/soak.yaml for 1,000,000 requests (about
# 5-10 minutes on the project's 2-core machine). Prints PASS/FAIL per check (ledger invariant,
# per-outcome counts == the mock's injected counts exactly, flat RSS of both processes) and the
# figures; exits 1 on any failure.
# Usage: bench/soak/run_soak.sh [BUILD_DIR] [--requests N] [--concurrency C] [--threads T]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift
case "$build" in /*) ;; *) build="$root/$build" ;; esac
export GATEBENCH_BIN="$build/src/app/gatebench"
export GATEBENCH_MOCK_BIN="$build/mock-upstream/gatebench-mock"
export GATEBENCH_SOURCE_ROOT="$root"
for b in "$GATEBENCH_BIN" "$GATEBENCH_MOCK_BIN"; do
  [ -x "$b" ] || { echo "missing $b: build first (scripts/build.sh $build)" >&2; exit 1; }
done
exec python3 "$root/tests/hardening/soak.py" --requests 1000000 --rss-every 1 "$@"
