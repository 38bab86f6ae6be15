// Writes synthetic reports for the schema test (tests/unit/report/schema_test.py):
//   report_fixture DIR  → DIR/full.json, DIR/empty.json, DIR/merged.json
#include <cstdio>
#include <string>

#include "report/report.hpp"
#include "synthetic.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: report_fixture DIR\n");
    return 2;
  }
  using namespace gb;
  const std::string dir = argv[1];
  auto info = testing::synthetic_info();
  info.sweep.push_back({"rate=50", 50, 0, true, ""});
  info.sweep.push_back({"rate=100", 100, 0, false, "direct arm not flat"});
  auto run = testing::synthetic_run();
  run.by_target_phase["default"]["rate=50"] = testing::synthetic_stats();
  if (auto st = report::write_report(info, run, dir + "/full.json"); !st) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  // An interrupted run with nothing measured in one phase and no resources.
  report::run_info empty = testing::synthetic_info();
  empty.interrupted = true;
  empty.interrupt_reason = "SIGINT";
  empty.resources = {};
  metrics::run_stats nothing;
  nothing.by_target_phase["default"]["main"] = metrics::stats{};
  if (auto st = report::write_report(empty, nothing, dir + "/empty.json"); !st) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  auto a = report::load_report(dir + "/full.json");
  auto merged = report::merge_reports({*a, *a});
  if (!merged) {
    std::fprintf(stderr, "%s\n", merged.message().c_str());
    return 1;
  }
  if (auto st = report::write_report(merged->info, merged->stats, dir + "/merged.json"); !st) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  return 0;
}
