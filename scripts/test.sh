#!/usr/bin/env bash
# Sets up, builds and runs every test; ends with one line "N passed, N failed[, N skipped]".
#   scripts/test.sh            what CI runs: every stage below, one after the other
#   scripts/test.sh --quick    only the normal stage (extra arguments go to its `meson test`,
#                              e.g. a test name or `--suite unit`)
#   scripts/test.sh --stage S  only stage S: normal, asan, tsan or fuzz
# Stages (docs/testing.md says why this split):
#   normal  build/ (debugoptimized) and the whole suite: unit, integration, e2e, hardening
#   asan    build-asan (ASan+UBSan): the unit and hardening suites plus the engine and mock
#           integration tests that feed hostile or faulty input
#   tsan    build-tsan (ThreadSanitizer): what shares memory between threads (engine workers
#           and interval collector, the mock's threads, the live metrics endpoint)
#   fuzz    build-fuzz (clang, libFuzzer): every target briefly over its committed corpus
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stages=(normal asan tsan fuzz)
case "${1:-}" in
  --quick) stages=(normal); shift ;;
  --stage | --sanitize) stages=("${2:?--stage needs normal, asan, tsan or fuzz}"); shift 2 ;;
  --all) shift ;;  # the default; kept for older instructions
esac
normal_args=("$@")

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
skipped_stages=0
# CI's time budget (.ci/run sets GATEBENCH_CI): a stage that would not finish within it is
# skipped, said so and counted as skipped, rather than the whole job overrunning. The estimates
# are a stage's build + tests from scratch on a 2-core machine, with margin (docs/testing.md).
budget_s=${GATEBENCH_BUDGET_S:-$([ -n "${GATEBENCH_CI:-}" ] && echo 1680 || echo 0)}
declare -A stage_estimate_s=([normal]=720 [asan]=600 [tsan]=200 [fuzz]=110)
# run_stage NAME BUILD_DIR [meson test args...]; uses build_targets, stage_env and stage.
run_stage() {
  local name=$1 dir=$2
  shift 2
  local need=${stage_estimate_s[$stage]:-0}
  if ((budget_s > 0 && SECONDS + need > budget_s)); then
    echo "== SKIPPED stage $name: ${SECONDS} s used, it needs about ${need} s," \
      "the budget is ${budget_s} s"
    skipped_stages=$((skipped_stages + 1))
    return
  fi
  echo "== gatebench tests: $name ($dir)"
  local t0=$SECONDS
  if ! scripts/build.sh "$dir" "${build_targets[@]}"; then
    echo "build of $dir failed"
    build_failed=$((build_failed + 1))
    return
  fi
  # "suite:NAME" stands for every test of that suite (meson intersects suites and names).
  local args=() suites=() a
  for a in "$@"; do
    if [[ $a == suite:* ]]; then suites+=(--suite "${a#suite:}"); else args+=("$a"); fi
  done
  if ((${#suites[@]})); then
    mapfile -t -O "${#args[@]}" args < <(meson test -C "$dir" --no-rebuild --list \
      "${suites[@]}" 2>/dev/null | sed -n 's|^.* / ||p')
  fi
  rm -f "$dir/meson-logs/testlog.json" "$dir/meson-logs/testlog.junit.xml"
  env "${stage_env[@]}" meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
    "${args[@]}" | tail -n 15
  logdirs+=("$dir/meson-logs")
  echo "== $name took $((SECONDS - t0)) s"
}

for stage in "${stages[@]}"; do
  case "$stage" in
    normal)
      build_targets=()
      stage_env=()
      run_stage normal build "${normal_args[@]}"
      ;;
    asan)
      build_targets=()
      stage_env=("${asan_env[@]}")
      run_stage "asan+ubsan" build-asan --timeout-multiplier 3 suite:unit suite:hardening \
        engine-faults engine-interrupt integration-mock-api integration-mock-faults \
        integration-mock-hostile
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

echo "== all stages took $SECONDS s"
python3 scripts/count_tests.py --build-failures "$build_failed" --skipped "$skipped_stages" \
  "${logdirs[@]}"
