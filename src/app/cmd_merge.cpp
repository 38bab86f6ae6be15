// `gatebench merge A.json B.json ... -o merged.json`: combine reports of one run measured on
// several machines (exact histogram merge).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "report/report.hpp"

namespace gb::app {

namespace {

struct merge_flags {
  std::vector<std::string> inputs;
  std::string out;
  bool quiet = false;
};

int run_merge(const merge_flags& f) {
  if (auto st = report::check_writable(f.out); !st) {
    std::fprintf(stderr, "gatebench merge: %s\n", st.message().c_str());
    return exit_bad_input;
  }
  std::vector<report::loaded_report> parts;
  for (const auto& p : f.inputs) {
    auto r = report::load_report(p);
    if (!r) {
      std::fprintf(stderr, "gatebench merge: %s\n", r.message().c_str());
      return exit_bad_input;
    }
    parts.push_back(std::move(*r));
  }
  auto merged = report::merge_reports(parts);
  if (!merged) {
    std::fprintf(stderr, "gatebench merge: %s\n", merged.message().c_str());
    return exit_bad_input;
  }
  if (auto st = report::write_report(merged->info, merged->stats, f.out); !st) {
    std::fprintf(stderr, "gatebench merge: %s\n", st.message().c_str());
    return exit_other;
  }
  if (!f.quiet) {
    std::fputs(report::format_console_summary(merged->info, merged->stats, false).c_str(), stdout);
    std::printf("merged %zu reports into %s\n", parts.size(), f.out.c_str());
  }
  return exit_ok;
}

}  // namespace

action add_merge_command(CLI::App& app) {
  auto f = std::make_shared<merge_flags>();
  auto* cmd = app.add_subcommand("merge", "Combine reports of one run from several machines");
  cmd->add_option("reports", f->inputs, "The reports to merge (JSON)")->required()->expected(1, -1);
  cmd->add_option("-o,--out", f->out, "The merged report")->required();
  cmd->add_flag("-q,--quiet", f->quiet, "Print nothing on success");
  cmd->footer("Example: gatebench merge host1.json host2.json -o reports/merged.json");
  return [f] { return run_merge(*f); };
}

}  // namespace gb::app
