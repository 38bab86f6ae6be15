#!/usr/bin/env bash
# The README's first command: sets up, builds, starts the bundled mock upstream on a free loopback
# port, runs scenarios/quickstart.yaml against it and prints the result.
#   scripts/quickstart.sh [extra gatebench run flags...]
# GATEBENCH_SKIP_BUILD=1 skips setup and build (uses what is in build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${GATEBENCH_SKIP_BUILD:-0}" != 1 ]; then
  "$root/scripts/setup.sh" --no-npm
  "$root/scripts/build.sh" build
fi
cd "$root"
build/gatebench version

# Start the mock on port 0 and read the port it picked from its first line.
mock_out=$(mktemp)
build/gatebench-mock --listen 127.0.0.1:0 --ttft 50ms --itl 10ms -q >"$mock_out" 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -f "$mock_out"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$mock_out" | head -n1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "quickstart: gatebench-mock exited:" >&2
    cat "$mock_out" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$url" ]; then
  echo "quickstart: gatebench-mock did not print its address" >&2
  exit 1
fi
echo "gatebench-mock listening on $url"
build/gatebench run scenarios/quickstart.yaml --url "$url" "$@"
