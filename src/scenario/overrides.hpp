#pragma once
// Command-line overrides of a scenario (`gatebench run FILE -c 32 -R 200 ...`) and ad-hoc
// scenarios with no file (`gatebench run --url URL --api openai-chat -c 16 -d 20s`). Values are
// the flags' text, checked like the file's values; errors name the flag ("--rate: rate must be
// greater than 0, got 0").

#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::scenario {

/// Each member set overrides the scenario; unset members leave it alone.
struct overrides {
  std::optional<std::string> name;           // --name
  std::optional<std::string> url;            // --url (single-target scenarios only)
  std::optional<std::string> api;            // --api openai-chat|openai-completions|...
  std::optional<std::string> path;           // --path /v1/chat/completions
  std::optional<std::string> concurrency;    // -c/--concurrency 32 (closed loop; open-loop cap)
  std::optional<std::string> threads;        // -t/--threads
  std::optional<std::string> connections;    // --connections
  std::optional<std::string> duration;       // -d/--duration 30s
  std::optional<std::string> requests;       // -n/--requests 1000
  std::optional<std::string> rate;           // -R/--rate 200: switches to open loop
  std::optional<std::string> arrival;        // --arrival constant|poisson|gamma
  std::optional<std::string> burstiness;     // --burstiness 0.5 (gamma)
  std::optional<std::string> max_in_flight;  // --max-in-flight
  std::vector<std::string> headers;          // -H 'Name: value' (repeatable; added to every target)
  std::optional<std::string> timeout;        // --timeout 60s (total per request)
  std::optional<std::string> warmup;         // --warmup 10s
  std::optional<std::string> cooldown;       // --cooldown 5s
  std::vector<std::string> stages;           // --stage 30s:100 (repeatable; replaces the stages)
  std::optional<std::string> seed;           // --seed 42
  std::optional<bool> insecure;              // --insecure: TLS verification off
  std::optional<std::string> out;            // -o/--out reports/run.json
  std::optional<std::string> model;          // --model
  std::optional<bool> stream;                // --stream / --no-stream
  std::optional<std::string> max_tokens;     // --max-tokens 128 (fixed output length)
  std::optional<std::string> input_tokens;   // --input-tokens 512 (fixed synthetic prompt length)
  std::optional<bool> ignore_eos;            // --ignore-eos
  std::vector<std::string> thresholds;       // --threshold 'ttft:p(95)<500ms' (repeatable; added)
};

/// Applies `ov` to `sc` and re-checks the result (e.g. --rate on a closed-loop scenario makes it
/// open loop; --stage replaces the stages and the duration). Returns the new scenario or an
/// error naming the flag.
result<scenario> apply_overrides(scenario sc, const overrides& ov);

/// A scenario from flags alone: defaults plus `ov`. --url is required (the error says so).
result<scenario> make_adhoc_scenario(const overrides& ov);

}  // namespace gb::scenario
