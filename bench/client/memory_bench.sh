#!/usr/bin/env bash
# Harness memory with 10,000 concurrent slow streams against gatebench-mock
# (docs/performance.md, "Harness memory with many slow streams").
#   bench/client/memory_bench.sh [BUILD_DIR] [STREAMS]
# Each stream: ttft 1 s, 100 ms between tokens, 100 tokens (about 11 s); the run lasts 15 s.
# Prints gatebench's peak RSS (ru_maxrss) and the request ledger.
set -euo pipefail
build=${1:-build}
streams=${2:-10000}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
gb="$build/gatebench"; [ -x "$gb" ] || gb="$build/src/app/gatebench"
mockbin="$build/gatebench-mock"; [ -x "$mockbin" ] || mockbin="$build/mock-upstream/gatebench-mock"
ulimit -n "$(ulimit -Hn)"
out=$(mktemp -d)
"$mockbin" --listen 127.0.0.1:0 -q --ttft 1s --itl 100ms --output-tokens 100 \
  >"$out/mock.txt" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true; wait $mock 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out/mock.txt" | head -n1 || true)
  [ -n "$url" ] && break
  sleep 0.05
done
python3 - "$gb" "$url" "$streams" "$out/r.json" <<'PY'
import json, os, subprocess, sys
gb, url, n, rep = sys.argv[1:]
p = subprocess.Popen([gb, "run", "--url", url, "-c", n, "-t", "1", "-d", "15s",
                      "--max-tokens", "100", "--quiet", "-o", rep])
_, status, ru = os.wait4(p.pid, 0)
r = json.load(open(rep))
m = r["targets"]["default"]["phases"]["main"]
print("streams %s: peak RSS %.1f MiB, CPU %.1f s, ledger %s, concurrency max %s" % (
    n, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime, m["ledger"]["outcomes"],
    m["concurrency"]["max"]))
PY
