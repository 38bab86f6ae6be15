#pragma once
// What `gatebench run` calls at the end of a run for thresholds and baselines (the app prints
// the returned text and picks the exit code: 99 when failed, 104 for a bad threshold or
// baseline file). Usage in cmd_run:
//
//   auto ths = analysis::parse_thresholds(scn.thresholds, cli_thresholds);  // before the run
//   if (!ths) { print ths.message(); return 104; }
//   ... run, write the report ...
//   auto th = analysis::evaluate_thresholds(*ths, stats);
//   print analysis::format_threshold_results(th, color);           // one line per threshold
//   if (save_name) analysis::save_baseline(*save_name, info, stats);  //
//   reports/baselines/NAME.json if (baseline) {
//     auto cmp = analysis::compare_with_baseline(*baseline, info, stats, {});
//     if (!cmp) { print cmp.message(); return 104; }   // missing file or differing load
//     print analysis::format_compare_console(*cmp, color);
//   }
//   return !analysis::all_passed(th) || (cmp && cmp->regression) ? 99 : 0;

#include <string>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/threshold.hpp"
#include "report/report.hpp"

namespace gb::analysis {

/// Where reports/baselines live by default.
inline constexpr const char* default_reports_dir = "reports";

/// `--baseline NAME|FILE`: a bare NAME (letters, digits, '-', '_', '.', not ending in ".json",
/// no '/') means <reports_dir>/baselines/NAME.json; anything else is a path as given.
std::string baseline_path(const std::string& name_or_file,
                          const std::string& reports_dir = default_reports_dir);

/// Parses the scenario's thresholds and the --threshold flags (in that order; each keeps its
/// source and abort_on_fail). The first bad one gives an error naming its source and showing
/// the grammar.
gb::result<std::vector<threshold>> parse_thresholds(
    const std::vector<gb::scenario::threshold>& from_scenario,
    const std::vector<std::string>& from_cli);

/// `--save-baseline NAME`: writes the report to <reports_dir>/baselines/NAME.json (creating the
/// directory) atomically. Error for a bad name or an unwritable directory.
gb::status save_baseline(const std::string& name, const report::run_info& info,
                         const metrics::run_stats& stats,
                         const std::string& reports_dir = default_reports_dir);

/// `--baseline NAME|FILE`: loads the baseline and compares the current run against it (the
/// current run goes through the same JSON encoding as a stored report, so the comparison equals
/// `gatebench compare BASELINE CURRENT`). Errors: unreadable/invalid baseline, differing load
/// (unless opts.force).
gb::result<compare_result> compare_with_baseline(
    const std::string& name_or_file, const report::run_info& info, const metrics::run_stats& stats,
    const compare_options& opts, const std::string& reports_dir = default_reports_dir);

}  // namespace gb::analysis
