#include "analysis/gate.hpp"

#include <filesystem>

namespace gb::analysis {

namespace {

bool is_bare_name(const std::string& s) {
  if (s.empty() || s.size() > 200 || s[0] == '.') {
    return false;
  }
  if (s.size() >= 5 && s.compare(s.size() - 5, 5, ".json") == 0) {
    return false;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string baseline_path(const std::string& name_or_file, const std::string& reports_dir) {
  if (is_bare_name(name_or_file)) {
    return reports_dir + "/baselines/" + name_or_file + ".json";
  }
  return name_or_file;
}

gb::result<std::vector<threshold>> parse_thresholds(
    const std::vector<gb::scenario::threshold>& from_scenario,
    const std::vector<std::string>& from_cli) {
  std::vector<threshold> out;
  for (const auto& s : from_scenario) {
    auto t = parse_threshold(s.expression);
    if (!t) {
      return gb::fail(s.source.empty() ? "scenario" : s.source, ": ", t.message());
    }
    t->abort_on_fail = s.abort_on_fail;
    t->source = s.source;
    out.push_back(std::move(*t));
  }
  for (const auto& s : from_cli) {
    auto t = parse_threshold(s);
    if (!t) {
      return gb::fail("--threshold: ", t.message());
    }
    t->source = "--threshold";
    out.push_back(std::move(*t));
  }
  return out;
}

gb::status save_baseline(const std::string& name, const report::run_info& info,
                         const metrics::run_stats& stats, const std::string& reports_dir) {
  if (!is_bare_name(name)) {
    return gb::fail("bad baseline name '", name,
                    "': use letters, digits, '-', '_' or '.' (it is stored as ", reports_dir,
                    "/baselines/NAME.json)");
  }
  std::error_code ec;
  std::filesystem::create_directories(reports_dir + "/baselines", ec);
  if (ec) {
    return gb::fail("cannot create '", reports_dir, "/baselines': ", ec.message());
  }
  return report::write_report(info, stats, baseline_path(name, reports_dir));
}

gb::result<compare_result> compare_with_baseline(const std::string& name_or_file,
                                                 const report::run_info& info,
                                                 const metrics::run_stats& stats,
                                                 const compare_options& opts,
                                                 const std::string& reports_dir) {
  const std::string path = baseline_path(name_or_file, reports_dir);
  auto base = report::load_report(path);
  if (!base) {
    return gb::fail("baseline: ", base.message());
  }
  auto text = report::render_report_json(info, stats);
  if (!text) {
    return text.err();
  }
  auto current = report::parse_report(*text, "this run");
  if (!current) {
    return current.err();
  }
  return compare_reports(*base, *current, opts);
}

}  // namespace gb::analysis
