#!/usr/bin/env bash
# Configures (once) and builds gatebench.
#   scripts/build.sh [BUILD_DIR [NINJA_TARGET...]]
# The options follow the directory's name: build (default, debugoptimized), build-asan
# (AddressSanitizer + UndefinedBehaviorSanitizer), build-tsan (ThreadSanitizer), build-fuzz
# (clang, libFuzzer targets). GATEBENCH_JOBS=N limits parallel compile jobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
shift || true
targets=("$@")
opts=()
env_cxx=()
case "$(basename "$dir")" in
  build-asan) opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=disabled) ;;
  build-tsan) opts+=(-Db_sanitize=thread -Db_lundef=false -Dbenchmarks=disabled) ;;
  build-fuzz) opts+=(-Dfuzz=true -Dbenchmarks=disabled) env_cxx=(env CXX=clang++ CC=clang) ;;
esac
cd "$root"
if [ ! -f "$dir/build.ninja" ]; then
  "${env_cxx[@]}" meson setup "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir" ${GATEBENCH_JOBS:+-j "$GATEBENCH_JOBS"} "${targets[@]}" >/dev/null
# The docs use build/gatebench and build/gatebench-mock.
for exe in src/app/gatebench mock-upstream/gatebench-mock; do
  if [ -x "$dir/$exe" ]; then ln -sf "$exe" "$dir/$(basename "$exe")"; fi
done
