#pragma once
// Latency and length distributions of gatebench-mock: zero, fixed, uniform, normal, lognormal
// and a percentile profile (p50/p90/p99), parsed from the strings users type
// ("50ms", "uniform:10ms,30ms", "profile:p50=40ms,p90=80ms,p99=200ms"), and a small fast RNG.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace gb::mock {

/// splitmix64 step: a good 64-bit mix of x. Pure.
std::uint64_t mix64(std::uint64_t x) noexcept;

/// xoshiro256** seeded by splitmix64. Deterministic for a seed; not thread-safe (one per thread).
class rng {
 public:
  explicit rng(std::uint64_t seed) noexcept;
  std::uint64_t next() noexcept;
  /// Uniform in [0, 1).
  double uniform01() noexcept;
  /// Standard normal (Box-Muller).
  double normal() noexcept;

 private:
  std::uint64_t s_[4];
};

enum class dist_kind : std::uint8_t { zero, fixed, uniform, normal, lognormal, profile };

/// What the numbers of a distribution mean: nanoseconds (durations) or plain counts.
enum class dist_unit : std::uint8_t { duration_ns, count };

/// A distribution of non-negative values (ns for durations, counts for lengths).
/// fixed: a; uniform: [a, b]; normal: mean a, standard deviation b (negative draws become 0);
/// lognormal: median a, sigma b (of the underlying normal); profile: p50 a, p90 b, p99 c with a
/// piecewise-linear quantile function through (0, max(0, a-(b-a))), (0.5, a), (0.9, b),
/// (0.99, c), (1, c+(c-b)).
struct distribution {
  dist_kind kind = dist_kind::zero;
  double a = 0;
  double b = 0;
  double c = 0;

  static distribution fixed_value(double v) noexcept { return {dist_kind::fixed, v, 0, 0}; }
  /// One draw, never negative. Never throws.
  double sample(rng& r) const noexcept;
  /// The profile's (or uniform's/fixed's) quantile at q in [0,1]; for normal/lognormal the
  /// analytic quantile. Never negative.
  double quantile(double q) const noexcept;
  /// The mean of the distribution (exact for all kinds but the clamped normal's tail).
  double mean() const noexcept;
  /// Text that parse_distribution reads back to the same distribution.
  std::string describe(dist_unit unit) const;
};

/// Parses "0" | "zero" | V | "fixed:V" | "uniform:LO,HI" | "normal:MEAN,SD" |
/// "lognormal:MEDIAN,SIGMA" | "profile:p50=V,p90=V,p99=V" where V is a duration ("50ms") for
/// dist_unit::duration_ns or a number with optional SI suffix for dist_unit::count; SIGMA is a
/// plain number. Returns an error naming the text for anything else (including LO > HI and a
/// profile whose percentiles decrease).
result<distribution> parse_distribution(std::string_view text, dist_unit unit);

}  // namespace gb::mock
