#pragma once
// One response's plan: how many tokens (reasoning then content), when they are due, and which
// fault, from the server config, the request body and the x-mock-* headers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.hpp"
#include "distribution.hpp"
#include "faults.hpp"
#include "request.hpp"
#include "util/result.hpp"

namespace gb::mock {

/// The raw x-mock-* header values of a request (empty when absent).
struct mock_headers {
  std::string_view ttft, itl, ttft_ms, itl_ms, output_tokens, tokens_per_event, fault, fault_after,
      stall_ms, stall_then, header_delay_ms, retry_after_ms, seed, reasoning_tokens, tool_call;
};

/// Records `value` when `name` (any case) is an x-mock-* header; returns whether it was one.
bool take_mock_header(mock_headers& h, std::string_view name, std::string_view value) noexcept;

/// Parsed per-request overrides.
struct overrides {
  std::optional<distribution> ttft, itl;
  std::optional<std::int64_t> output_tokens, tokens_per_event, fault_after, stall_ns,
      header_delay_ns, retry_after_ms, reasoning_tokens;
  std::optional<fault_kind> fault;
  std::optional<bool> stall_close, tool_call;
  std::optional<std::uint64_t> seed;
};

/// Largest output of a non-stream response (its body is built whole), in tokens.
inline constexpr std::int64_t max_body_tokens = 1'000'000;
/// Largest output of a stream, in tokens.
inline constexpr std::int64_t max_stream_tokens = 1'000'000'000'000;

/// Parses the headers; an error names the header and the bad value.
result<overrides> parse_overrides(const mock_headers& h);

struct response_plan {
  std::uint64_t key = 0;  // text key (deterministic for seed + body)
  std::int64_t reasoning_tokens = 0;
  std::int64_t output_tokens = 1;  // content (or tool-argument) tokens
  bool hit_limit = false;
  bool tool_call = false;
  std::int64_t tokens_per_event = 1;
  std::int64_t ttft_ns = 0;
  distribution itl;  // sampled once per gap between content events
  fault_kind fault = fault_kind::none;
  std::int64_t fault_after = 0;  // tokens sent before a mid-stream fault, in [0, total]
  std::int64_t stall_ns = 0;
  bool stall_close = false;
  std::int64_t header_delay_ns = 0;
  std::int64_t retry_after_ms = 0;

  std::int64_t total_tokens() const noexcept { return reasoning_tokens + output_tokens; }
  /// Content events: reasoning tokens and output tokens are chunked separately.
  std::int64_t events() const noexcept;
  /// The tokens of event j: [first, first+count) of the combined sequence.
  struct span {
    std::int64_t first = 0;
    std::int64_t count = 0;
  };
  span event_span(std::int64_t j) const noexcept;
};

/// Builds the plan. Output text/length derive from cfg.seed (or x-mock-seed) and the body bytes;
/// latency samples and rate-based fault draws come from `draws` (the worker's generator).
response_plan make_plan(const mock_config& cfg, const gen_request& req, const overrides& ov,
                        std::string_view body, rng& draws);

}  // namespace gb::mock
