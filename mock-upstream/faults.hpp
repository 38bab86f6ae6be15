#pragma once
// The faults gatebench-mock injects, their names, and the per-request choice among them.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gb::mock {

class rng;

enum class fault_kind : std::uint8_t {
  none,
  rate_limit,          // 429 with retry-after, retry-after-ms, vendor rate-limit headers + body
  insufficient_quota,  // OpenAI 429 insufficient_quota; Anthropic 400 (credit balance too low)
  http_500,
  http_502,
  http_503,
  overloaded,       // 529 overloaded_error (Anthropic's; OpenAI routes get the same status)
  stream_error,     // an error event after N tokens (non-stream: 500 server_error)
  reset,            // TCP reset after N tokens
  stall,            // no bytes for T after N tokens, then continue or close
  slow_headers,     // response headers delayed by T
  malformed_event,  // an event with invalid JSON after N tokens (non-stream: invalid body)
};

inline constexpr std::size_t fault_kind_count = 12;

/// The canonical name ("rate_limit", "http_500", ...). "none" for none.
std::string_view to_string(fault_kind k) noexcept;

/// Parses a canonical name or an alias ("429", "500", "502", "503", "529", "quota",
/// "error_event", "tcp_reset", "malformed"); nullopt for anything else.
std::optional<fault_kind> parse_fault_kind(std::string_view name) noexcept;

/// Whether the fault happens inside a started response (after N tokens).
bool is_mid_stream(fault_kind k) noexcept;

/// Per-kind probabilities (each in [0,1], summing to at most 1).
struct fault_rates {
  std::array<double, fault_kind_count> rate{};
  double total() const noexcept;
  /// Draws at most one fault for a request: a uniform u in [0,1) falls into one kind's share of
  /// the cumulative rates, or none. Never throws.
  fault_kind draw(rng& r) const noexcept;
};

}  // namespace gb::mock
