// gatebench: load-testing and benchmarking harness for LLM gateways.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <utility>
#include <vector>

#include "app/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"gatebench: load testing and benchmarking for LLM gateways", "gatebench"};
  app.require_subcommand(1);
  app.footer("Example: gatebench run scenarios/quickstart.yaml\nSee docs/ for the user guide.");

  std::vector<std::pair<CLI::App*, gb::app::action>> commands;
  auto add = [&](gb::app::action a) {
    commands.emplace_back(app.get_subcommands({}).back(), std::move(a));
  };
  add(gb::app::add_version_command(app));
  add(gb::app::add_run_command(app));
  add(gb::app::add_export_command(app));
  add(gb::app::add_report_command(app));
  add(gb::app::add_compare_command(app));
  add(gb::app::add_merge_command(app));
  add(gb::app::add_overhead_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : gb::app::exit_bad_input;
  }
  try {
    for (auto& [sub, run] : commands) {
      if (sub->parsed()) {
        return run();
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatebench: internal error: %s\n", e.what());
    return gb::app::exit_other;
  }
  return gb::app::exit_other;
}
