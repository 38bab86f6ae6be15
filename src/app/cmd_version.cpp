#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.hpp"
#include "app/version.hpp"

namespace gb::app {

std::string_view version() noexcept {
  return GATEBENCH_VERSION;
}
std::string_view git_revision() noexcept {
  return GATEBENCH_GIT_REVISION;
}

action add_version_command(CLI::App& app) {
  app.add_subcommand("version", "Print gatebench's version and git revision");
  return [] {
    std::printf("gatebench %s (git %s)\n", GATEBENCH_VERSION, GATEBENCH_GIT_REVISION);
    return exit_ok;
  };
}

}  // namespace gb::app
