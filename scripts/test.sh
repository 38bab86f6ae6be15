#!/usr/bin/env bash
# Sets up, builds and runs every test; ends with one line "N passed, N failed[, N skipped]".
#   scripts/test.sh            what CI runs: the full suite on a normal build
#   scripts/test.sh --all      also the unit and hardening suites under ASan+UBSan, the
#                              concurrency-heavy suites (engine, mock, metrics endpoint) under
#                              TSan, and a short run of every libFuzzer target over its corpus
#   scripts/test.sh --sanitize asan|tsan|fuzz   only that stage
# Extra arguments after the mode go to `meson test` of the normal stage (e.g. a test name).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stages=(normal)
case "${1:-}" in
  --all) stages=(normal asan tsan fuzz); shift ;;
  --sanitize) stages=("$2"); shift 2 ;;
esac

# Sanitizer options are set only for their stage: tests relax memory bounds and widen time
# bounds when they see one.
asan_env=(ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
tsan_env=(TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1)

if ! scripts/setup.sh; then
  echo "setup failed"
  echo "0 passed, 1 failed"
  exit 1
fi

logdirs=()
build_failed=0
# run_stage NAME BUILD_DIR [meson test args...]; uses build_targets and stage_env.
run_stage() {
  local name=$1 dir=$2
  shift 2
  echo "== gatebench tests: $name ($dir)"
  local t0=$SECONDS
  if ! scripts/build.sh "$dir" "${build_targets[@]}"; then
    echo "build of $dir failed"
    build_failed=$((build_failed + 1))
    return
  fi
  rm -f "$dir/meson-logs/testlog.json" "$dir/meson-logs/testlog.junit.xml"
  env "${stage_env[@]}" meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
    "$@" | tail -n 15
  logdirs+=("$dir/meson-logs")
  echo "== $name took $((SECONDS - t0)) s"
}

for stage in "${stages[@]}"; do
  case "$stage" in
    normal)
      build_targets=()
      stage_env=()
      run_stage normal build "$@"
      ;;
    asan)
      build_targets=()
      stage_env=("${asan_env[@]}")
      run_stage "asan+ubsan" build-asan --suite unit --suite hardening \
        --timeout-multiplier 3
      ;;
    tsan)
      build_targets=(src/app/gatebench mock-upstream/gatebench-mock tests/unit/driver/unit_driver
        tests/unit/export/unit_export tests/unit/mock/unit_mock)
      stage_env=("${tsan_env[@]}")
      run_stage tsan build-tsan --timeout-multiplier 3 unit-driver unit-export unit-mock \
        engine-faults engine-interrupt integration-mock-api \
        integration-mock-faults hardening-soak-short
      ;;
    fuzz)
      build_targets=()
      stage_env=()
      while IFS= read -r t; do build_targets+=("tests/fuzz/$t"); done \
        < <(sed -n "s/.*'name': '\(fuzz_[a-z_]*\)'.*/\1/p" tests/fuzz/meson.build)
      run_stage fuzz-smoke build-fuzz --suite fuzz-smoke
      ;;
    *)
      echo "unknown stage '$stage' (use asan, tsan or fuzz)"
      exit 2
      ;;
  esac
done

python3 scripts/count_tests.py --build-failures "$build_failed" "${logdirs[@]}"
