#!/usr/bin/env bash
# Configures (once) and builds gatebench. Usage: scripts/build.sh [BUILD_DIR [meson options...]]
# Build dirs by convention: build (default), build-asan (address,undefined), build-tsan (thread).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
shift || true
extra=("$@")
case "$(basename "$dir")" in
  build-asan) extra+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=disabled) ;;
  build-tsan) extra+=(-Db_sanitize=thread -Db_lundef=false -Dbenchmarks=disabled) ;;
esac
cd "$root"
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "${extra[@]}" >/dev/null
fi
ninja -C "$dir" ${GATEBENCH_JOBS:+-j "$GATEBENCH_JOBS"} >/dev/null
# The docs use build/gatebench and build/gatebench-mock.
for exe in gatebench gatebench-mock; do
  for cand in "$dir/src/app/$exe" "$dir/mock-upstream/$exe"; do
    if [ -x "$cand" ] && [ "$cand" != "$dir/$exe" ]; then ln -sf "${cand#"$dir"/}" "$dir/$exe"; fi
  done
done
