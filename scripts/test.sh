#!/usr/bin/env bash
# Sets up, builds and runs every test; ends with one line "N passed, N failed[, N skipped]".
# Usage: scripts/test.sh [--sanitize asan|tsan] [meson test args...]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=build
if [ "${1:-}" = "--sanitize" ]; then
  dir="build-$2"
  shift 2
fi
"$root/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
if ! "$root/scripts/build.sh" "$dir"; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
cd "$root"
meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
rc=$?
python3 "$root/scripts/count_tests.py" "$dir/meson-logs" || rc=1
exit $rc
