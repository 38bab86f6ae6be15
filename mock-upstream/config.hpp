#pragma once
// gatebench-mock's configuration: defaults, one setter shared by flags and the config file
// (YAML or JSON; keys are the long flag names), and validation.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "distribution.hpp"
#include "faults.hpp"
#include "util/result.hpp"

namespace gb::mock {

struct mock_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  int threads = 0;  // 0: auto = max(1, hardware threads / 2)

  distribution ttft;                                           // time to first token
  distribution itl;                                            // gap between events
  distribution output_tokens = distribution::fixed_value(32);  // natural output length
  std::int64_t tokens_per_event = 1;
  std::uint64_t seed = 1;
  std::int64_t embedding_dim = 1536;
  std::vector<std::string> models = {"gatebench-mock"};

  fault_rates faults;
  std::int64_t fault_after = -1;  // tokens before a mid-stream fault; -1: half the output
  std::int64_t stall_ns = 5'000'000'000;
  bool stall_close = false;
  std::int64_t header_delay_ns = 2'000'000'000;
  std::int64_t retry_after_ms = 1000;

  double rpm = 0;  // requests per minute (0: unlimited)
  double tpm = 0;  // tokens per minute (prompt + output; 0: unlimited)

  std::string request_log;  // JSON-lines file, empty: off

  std::int64_t max_body = 4 * 1024 * 1024;
  std::int64_t max_header = 16 * 1024;
  std::int64_t header_timeout_ns = 10'000'000'000;
  std::int64_t body_timeout_ns = 30'000'000'000;
  std::int64_t idle_timeout_ns = 60'000'000'000;
  std::int64_t write_timeout_ns = 30'000'000'000;
  std::int64_t shutdown_grace_ns = 5'000'000'000;
  std::int64_t max_connections = 50'000;

  std::string tls_cert;
  std::string tls_key;
  bool quiet = false;
};

/// The setting names, in the order `--help` lists them (long flag names without "--").
struct setting_info {
  std::string_view name;
  std::string_view value_hint;
  std::string_view help;
};
const std::vector<setting_info>& settings();

/// Applies one setting by name ("ttft", "fault", "listen", ...) with its text value, exactly as
/// the flag `--name value` would. Repeatable settings ("fault", "model") accumulate. Returns an
/// error naming the setting and the value on a bad value or an unknown name.
status apply_setting(mock_config& cfg, std::string_view name, std::string_view value);

/// Loads a YAML or JSON config file (a map of setting names to values; `faults` may be a map of
/// kind to rate and `models` a list) into cfg. Errors name the file and the key.
status load_config_file(mock_config& cfg, const std::string& path);

/// Checks cross-field rules (fault rates sum to at most 1, TLS cert and key together, ...).
status validate(const mock_config& cfg);

}  // namespace gb::mock
