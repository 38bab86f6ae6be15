#pragma once
// What each request carries: which target, which body, how many tokens asked. Datasets are loaded
// once (load_prompts) and shared read-only; each worker has its own request_factory with its own
// RNG, so the hot path shares nothing. Deterministic for (scenario seed, worker index).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/result.hpp"

namespace gb::plan {

/// Prompts read from the scenario's files (lines, JSON lines, ShareGPT), plus the synthetic
/// vocabulary. Immutable once loaded; shared by all workers.
struct prompt_data;

/// Loads every prompt source of the scenario (workload and mix entries). Errors name the file
/// and line of a bad record ("data/prompts.jsonl:12: no \"prompt\" field").
result<std::shared_ptr<const prompt_data>> load_prompts(const scenario::scenario& sc);

/// One request ready to send.
struct prepared_request {
  std::size_t target_index = 0;   // index into scenario.targets
  std::string body;               // the JSON body (built with protocol::build_body)
  std::int64_t input_tokens = 0;  // the scenario's own count of the prompt's tokens
  std::int64_t max_tokens = 0;    // output tokens asked for
  std::int64_t turn = 0;          // 0-based turn within a multi-turn session
  std::int64_t delay_ns = 0;      // think time to wait before sending (multi-turn), else 0
  bool repeated = false;          // reuses an earlier prompt exactly (cache workloads)
  std::uint64_t request_id = 0;   // unique per run: sent as x-request-id "gb-<id>"
};

class request_factory {
 public:
  /// A factory for worker `index` of `count`. `data` comes from load_prompts(sc).
  request_factory(const scenario::scenario& sc, std::shared_ptr<const prompt_data> data, int index,
                  int count);
  ~request_factory();
  request_factory(request_factory&&) noexcept;
  request_factory& operator=(request_factory&&) noexcept;

  /// Fills `out` (reusing its buffers) with the next request of session slot `slot`. A slot's
  /// multi-turn session continues with its history until it has sent `turns` turns, then a new
  /// session starts. Never fails.
  void next(std::size_t slot, prepared_request& out);

  /// Gives slot `slot` the assistant's answer to its last request (appended to the session's
  /// history for the next turn). `ok` false ends the session (the next call starts a new one).
  void on_response(std::size_t slot, std::string_view assistant_text, bool ok);

  /// True when slot `slot`'s session has turns left to send (it is active: its last turn
  /// succeeded and it has sent fewer than its `turns`). False for a slot never used.
  bool in_session(std::size_t slot) const noexcept;

  /// Ends slot `slot`'s session (if any): its next request starts a new one.
  void end_session(std::size_t slot) noexcept;

  /// Request ids continue from `first` (the next one is `first`, then first + 1, ...; 1 by
  /// default) within this worker's id space (the worker index stays in the high 16 bits), so
  /// that consecutive runs (a sweep's points) never reuse an id. Values of 2^48 or more wrap.
  void set_next_sequence(std::uint64_t first) noexcept;
  /// The sequence the next request would get (one past the last one used).
  std::uint64_t next_sequence() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace gb::plan
