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
# Sanitizer builds compile at -O1 with line tables only (-g1) and in unity batches (sources of
# a target compiled together, so the heavy headers are parsed once per batch): fast enough to
# build in CI, fast enough to run every test, and stack traces keep file:line. Their warnings do
# not fail the build (GCC warns falsely under sanitizers; the normal build keeps -Werror).
san_opts=(-Db_lundef=false -Dbenchmarks=disabled -Doptimization=1 -Ddebug=false -Dwerror=false
  -Dunity=on -Dunity_size=8 "-Dcpp_args=['-g1','-fno-omit-frame-pointer']")
case "$(basename "$dir")" in
  build-asan) opts+=(-Db_sanitize=address,undefined "${san_opts[@]}") ;;
  build-tsan) opts+=(-Db_sanitize=thread "${san_opts[@]}") ;;
  build-fuzz) opts+=(-Dfuzz=true -Dbenchmarks=disabled) env_cxx=(env CXX=clang++ CC=clang) ;;
esac
cd "$root"
if [ ! -f "$dir/build.ninja" ]; then
  "${env_cxx[@]}" meson setup "$dir" "${opts[@]}" >/dev/null
fi
# Quiet when it works; the failing commands and their errors when it does not.
log=$(mktemp)
if ! ninja -C "$dir" ${GATEBENCH_JOBS:+-j "$GATEBENCH_JOBS"} "${targets[@]}" >"$log" 2>&1; then
  grep -v '^\[[0-9]*/[0-9]*\] ' "$log" | tail -n 60
  rm -f "$log"
  exit 1
fi
rm -f "$log"
# The docs use build/gatebench and build/gatebench-mock.
for exe in src/app/gatebench mock-upstream/gatebench-mock; do
  if [ -x "$dir/$exe" ]; then ln -sf "$exe" "$dir/$(basename "$exe")"; fi
done
