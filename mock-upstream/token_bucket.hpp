#pragma once
// Token buckets for the mock's rate limiter: requests per minute and tokens per minute, answered
// with the numbers a proper 429 needs (retry-after, remaining, reset).

#include <cstdint>
#include <mutex>

namespace gb::mock {

/// A bucket of `capacity` units refilled continuously at `per_minute` units per 60 s, full at
/// start. Times are steady nanoseconds. Not thread-safe (rate_limiter locks).
class token_bucket {
 public:
  token_bucket(double per_minute, std::int64_t now_ns) noexcept;

  struct decision {
    bool allowed = false;
    /// ns until `amount` will be available (0 when allowed; -1 when amount exceeds capacity and
    /// can never be granted).
    std::int64_t retry_after_ns = 0;
  };

  /// Whether `amount` units are available at now_ns (refilling first). Does not take them.
  decision check(double amount, std::int64_t now_ns) noexcept;
  /// Removes `amount` units (may go to zero, never below). Call after check() allowed.
  void take(double amount) noexcept;
  /// Units available now (after refill).
  double available(std::int64_t now_ns) noexcept;
  /// ns until the bucket is full again.
  std::int64_t time_to_full_ns(std::int64_t now_ns) noexcept;
  double capacity() const noexcept { return capacity_; }

 private:
  void refill(std::int64_t now_ns) noexcept;

  double capacity_;
  double per_ns_;
  double level_;
  std::int64_t last_ns_;
};

/// Requests-per-minute and tokens-per-minute limits together (0 disables one). Thread-safe.
class rate_limiter {
 public:
  rate_limiter(double rpm, double tpm, std::int64_t now_ns) noexcept;

  enum class limited_by : std::uint8_t { none, requests, tokens };
  struct verdict {
    limited_by by = limited_by::none;
    std::int64_t retry_after_ns = 0;  // -1: the request can never fit (tokens > tpm)
    std::int64_t limit_requests = 0;
    std::int64_t remaining_requests = 0;
    std::int64_t reset_requests_ns = 0;
    std::int64_t limit_tokens = 0;
    std::int64_t remaining_tokens = 0;
    std::int64_t reset_tokens_ns = 0;
  };

  /// Admits one request costing `tokens` (takes from both buckets) or says which limit refused
  /// it and for how long. Never throws.
  verdict admit(double tokens, std::int64_t now_ns) noexcept;
  bool enabled() const noexcept { return rpm_ > 0 || tpm_ > 0; }

 private:
  std::mutex mu_;
  double rpm_;
  double tpm_;
  token_bucket requests_;
  token_bucket tokens_;
};

}  // namespace gb::mock
