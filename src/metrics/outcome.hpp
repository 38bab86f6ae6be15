#pragma once
// The error ledger: every started request ends in exactly one outcome
// (shared/design/metrics.md, "The error ledger").

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace gb::metrics {

enum class outcome : std::uint8_t {
  ok,
  http_status,     // a non-2xx status before any stream byte (by code)
  timeout,         // by phase, see timeout_phase
  connect_error,   // TCP connect refused/unreachable/reset before the request was written
  tls_error,       // handshake or certificate failure
  protocol_error,  // malformed HTTP, SSE framing, invalid JSON, truncated stream (by reason)
  stream_error,    // an error event inside a 200 stream
  cancelled,       // the run stopped while the request was in flight
};
inline constexpr std::size_t outcome_count = 8;

enum class timeout_phase : std::uint8_t { connect, first_byte, idle, total };
inline constexpr std::size_t timeout_phase_count = 4;

/// Stable names used in reports, metrics labels and thresholds: "ok", "http_status", "timeout",
/// "connect_error", "tls_error", "protocol_error", "stream_error", "cancelled".
std::string_view to_string(outcome o) noexcept;
/// "connect", "first_byte", "idle", "total".
std::string_view to_string(timeout_phase p) noexcept;

/// What happened to one request. `reason` is a short static string (e.g. "invalid_json",
/// "truncated_stream") for protocol and stream errors; it must outlive the ledger (use literals).
struct request_fate {
  outcome kind = outcome::ok;
  int http_status = 0;                         // for http_status (and informational otherwise)
  timeout_phase phase = timeout_phase::total;  // for timeout
  std::string_view reason;                     // for protocol_error / stream_error / connect_error
};

/// Counts of outcomes with their breakdowns. Cheap to add to on the hot path (an array
/// increment, plus a small map insert for the first occurrence of a status code or reason).
class ledger {
 public:
  /// Counts one request's fate.
  void add(const request_fate& f);
  /// Adds every count of `other` into this ledger.
  void merge(const ledger& other);
  /// Counts a request as started (call once per request, before its fate is known).
  void start() noexcept { ++started_; }
  /// Counts `n` requests with the same fate (n <= 0 is ignored); for decoders of stored reports.
  void add_many(const request_fate& f, std::int64_t n);
  /// Counts `n` requests as started (n <= 0 is ignored); for decoders of stored reports.
  void start_many(std::int64_t n) noexcept {
    if (n > 0) {
      started_ += n;
    }
  }

  std::int64_t started() const noexcept { return started_; }
  std::int64_t count(outcome o) const noexcept { return counts_[static_cast<std::size_t>(o)]; }
  /// Sum of every outcome; equals started() once no request is in flight.
  std::int64_t finished() const noexcept;
  /// Failures: finished() - count(ok).
  std::int64_t failed() const noexcept { return finished() - count(outcome::ok); }
  std::int64_t timeouts(timeout_phase p) const noexcept {
    return timeouts_[static_cast<std::size_t>(p)];
  }
  /// http_status outcomes by status code.
  const std::map<int, std::int64_t>& by_status() const noexcept { return by_status_; }
  /// protocol_error / stream_error / connect_error / tls_error outcomes by reason,
  /// keyed "<outcome>/<reason>".
  const std::map<std::string, std::int64_t>& by_reason() const noexcept { return by_reason_; }

 private:
  std::int64_t started_ = 0;
  std::array<std::int64_t, outcome_count> counts_{};
  std::array<std::int64_t, timeout_phase_count> timeouts_{};
  std::map<int, std::int64_t> by_status_;
  std::map<std::string, std::int64_t> by_reason_;
};

}  // namespace gb::metrics
