// libFuzzer target: the threshold parser (analysis/threshold.hpp) on arbitrary text, and the
// evaluation of whatever it accepts against a small fixed run.
//
// Checks: never crash; errors quote something; accepted thresholds have a known metric, a
// percentile in 0..100 and a value that is not NaN; measure / can_still_pass / evaluate / format
// never crash on them.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/threshold.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

gb::metrics::run_stats make_run() {
  gb::metrics::run_stats run;
  auto& s = run.by_target_phase["default"]["main"];
  for (int i = 0; i < 100; ++i) {
    s.outcomes.start();
    gb::metrics::request_fate f;
    if (i % 10 == 0) {
      f.kind = gb::metrics::outcome::http_status;
      f.http_status = 429;
      s.time_to_error.record(1'000'000);
    } else {
      s.ttft.record(40'000'000 + i * 100'000);
      s.e2e.record(200'000'000 + i * 1'000'000);
      s.itl.record(10'000'000);
      s.tpot.record(10'000'000);
      s.output_tokens.record(20);
      s.output_tokens_total += 20;
      ++s.slo_met;
    }
    s.outcomes.add(f);
  }
  s.phase_start_ns = 1;
  s.phase_end_ns = 10'000'000'001;
  return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static const gb::metrics::run_stats run = make_run();
  static const gb::metrics::stats empty{};
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  auto t = gb::analysis::parse_threshold(text);
  if (!t) {
    check(!t.message().empty());
    return 0;
  }
  check(!t->metric.empty());
  // Out-of-range values (e2e:max<1e308 overflows to inf ns) are a known validation gap covered
  // by tests/hardening (hardening_regression_test.cpp); here only NaN is fatal.
  check(!std::isnan(t->value));
  check(t->stat != gb::analysis::stat_kind::percentile ||
        (t->percentile >= 0 && t->percentile <= 100));
  const auto& main = run.by_target_phase.at("default").at("main");
  (void)gb::analysis::measure(*t, main);
  (void)gb::analysis::measure(*t, empty);
  (void)gb::analysis::can_still_pass(*t, main, 0);
  (void)gb::analysis::can_still_pass(*t, main, 1000);
  (void)gb::analysis::can_still_pass(*t, empty, 1);
  const std::vector<gb::analysis::threshold> ts{*t};
  const auto results = gb::analysis::evaluate_thresholds(ts, run);
  check(!gb::analysis::format_threshold_results(results, false).empty());
  return 0;
}
