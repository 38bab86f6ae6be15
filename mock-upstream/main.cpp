// gatebench-mock: a fast, faithful OpenAI and Anthropic upstream with latency models and faults.
// Usage: gatebench-mock --listen 127.0.0.1:8000 [--config FILE] [--ttft 50ms --itl 10ms ...]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>

#include "config.hpp"
#include "server.hpp"

namespace {
constexpr int exit_config = 104;  // conventions.md: invalid configuration or input
}

int main(int argc, char** argv) {
  using gb::mock::mock_config;
  CLI::App app{
      "gatebench-mock: an OpenAI/Anthropic-compatible upstream with latency models and "
      "faults (docs/mock.md).\n\nExample:\n  gatebench-mock --listen 127.0.0.1:0 --ttft "
      "200ms --itl 20ms --output-tokens uniform:50,150 --fault rate_limit=1%"};
  app.set_version_flag("--version", "gatebench-mock 0.1.0");
  std::string config_path;
  bool quiet = false;
  app.add_option("-c,--config", config_path, "YAML or JSON config file (keys = long flag names)");
  app.add_flag("-q,--quiet", quiet, "print only the listening line");
  std::map<std::string, std::vector<std::string>> values;
  for (const auto& s : gb::mock::settings()) {
    const std::string name(s.name);
    auto* opt = app.add_option("--" + name, values[name], std::string(s.help));
    opt->type_name(std::string(s.value_hint));
    opt->allow_extra_args(false);
    if (name != "fault" && name != "model") {
      opt->expected(1);
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : exit_config;
  }

  mock_config cfg;
  if (!config_path.empty()) {
    if (auto s = gb::mock::load_config_file(cfg, config_path); !s) {
      std::fprintf(stderr, "gatebench-mock: %s\n", s.message().c_str());
      return exit_config;
    }
  }
  for (const auto& s : gb::mock::settings()) {
    const auto& vals = values[std::string(s.name)];
    for (const auto& v : vals) {
      if (auto st = gb::mock::apply_setting(cfg, s.name, v); !st) {
        std::fprintf(stderr, "gatebench-mock: %s\n", st.message().c_str());
        return exit_config;
      }
    }
  }
  if (auto s = gb::mock::validate(cfg); !s) {
    std::fprintf(stderr, "gatebench-mock: %s\n", s.message().c_str());
    return exit_config;
  }
  auto srv = gb::mock::server::create(cfg);
  if (!srv) {
    std::fprintf(stderr, "gatebench-mock: %s\n", srv.message().c_str());
    return 1;
  }
  std::printf("gatebench-mock listening on %s://%s:%u\n", cfg.tls_cert.empty() ? "http" : "https",
              cfg.host.c_str(), static_cast<unsigned>((*srv)->port()));
  std::fflush(stdout);
  if (!quiet) {
    std::fprintf(stderr,
                 "gatebench-mock: %d thread(s), ttft %s, itl %s, output tokens %s, %lld "
                 "token(s)/event, faults %.4g%%\n",
                 (*srv)->threads(), cfg.ttft.describe(gb::mock::dist_unit::duration_ns).c_str(),
                 cfg.itl.describe(gb::mock::dist_unit::duration_ns).c_str(),
                 cfg.output_tokens.describe(gb::mock::dist_unit::count).c_str(),
                 static_cast<long long>(cfg.tokens_per_event), cfg.faults.total() * 100);
  }
  (*srv)->run();
  if (!quiet) {
    std::fprintf(stderr, "gatebench-mock: stopped\n");
  }
  return 0;
}
