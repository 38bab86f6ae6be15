// libFuzzer target: loading a stored report (report/report.hpp parse_report), as `compare`,
// `report`, `export` and `merge` do, then comparing it with itself.
//
// Checks: never crash; an error names the file; an accepted report satisfies the ledger
// invariant in every target and phase, renders back to JSON that loads again with the same
// counts, and compares with itself without a regression.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/compare.hpp"
#include "report/report.hpp"

namespace {

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  auto r = gb::report::parse_report(text, "fuzz.json");
  if (!r) {
    check(r.message().find("fuzz.json") != std::string::npos);
    return 0;
  }
  for (const auto& [target, phases] : r->stats.by_target_phase) {
    for (const auto& [phase, s] : phases) {
      check(s.outcomes.started() == s.outcomes.finished());
    }
  }
  auto json = gb::report::render_report_json(r->info, r->stats);
  check(json.ok());
  auto again = gb::report::parse_report(*json, "fuzz-again.json");
  check(again.ok());
  check(again->stats.by_target_phase.size() == r->stats.by_target_phase.size());
  for (const auto& [target, phases] : r->stats.by_target_phase) {
    for (const auto& [phase, s] : phases) {
      const auto& s2 = again->stats.by_target_phase.at(target).at(phase);
      check(s2.outcomes.started() == s.outcomes.started());
      check(s2.e2e.total_count() == s.e2e.total_count());
    }
  }
  gb::analysis::compare_options opts;
  opts.resamples = 20;
  auto cmp = gb::analysis::compare_reports(*r, *r, opts);
  if (cmp) {
    (void)gb::analysis::format_compare_json(*cmp);
    (void)gb::analysis::format_compare_console(*cmp, false);
  }
  (void)gb::report::format_markdown_summary(r->info, r->stats);
  return 0;
}
