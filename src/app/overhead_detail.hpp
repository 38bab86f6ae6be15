#pragma once
// Internal to the overhead command (overhead_runner.cpp, overhead_verdicts.cpp): threshold
// parsing and the verdicts computed once the rounds are done.

#include <string>
#include <string_view>
#include <vector>

#include "analysis/threshold.hpp"
#include "app/overhead_runner.hpp"
#include "util/result.hpp"

namespace gb::app::overhead::detail {

/// e2e, ttfb, ttft, itl: the metrics with an overhead.
bool is_overhead_metric(std::string_view m);

/// "overhead:METRIC[{target=ARM}]:p(N)|med OP VALUE", parsed.
struct parsed_threshold {
  analysis::threshold th;
  std::string arm = "gateway";  // compared against direct
};
/// Errors quote the text and say what is wrong (the analysis grammar's message for the rest).
gb::result<parsed_threshold> parse_overhead_threshold(const std::string& text);

/// Each arm's ceiling over the open-loop points (r.set.ceiling_bound_ns > 0).
std::vector<ceiling> find_ceilings(const result& r);

/// Every `overhead:` threshold at every point, then every ordinary threshold of r.sc on every
/// arm at every point.
std::vector<threshold_outcome> evaluate(const result& r);

}  // namespace gb::app::overhead::detail
