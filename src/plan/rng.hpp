#pragma once
// A small, explicit pseudo-random generator (xoshiro256**, seeded through splitmix64) and the
// samplers gatebench needs, written out here so that schedules and prompts are identical for a
// seed on every standard library (std::*_distribution differ between implementations).

#include <cmath>
#include <cstdint>

namespace gb::plan {

/// splitmix64 step: advances `state` and returns the next output. Used for seeding.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// xoshiro256** (Blackman & Vigna). Not for cryptography.
class rng {
 public:
  /// A generator for stream `stream` (e.g. a worker index) of `seed`: distinct streams of one
  /// seed are independent for practical purposes, and the same pair gives the same sequence.
  explicit rng(std::uint64_t seed, std::uint64_t stream = 0) noexcept {
    std::uint64_t sm = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
    for (auto& w : s_) {
      w = splitmix64(sm);
    }
  }

  /// The next 64 random bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in (0, 1]: safe for log().
  double uniform_open0() noexcept { return 1.0 - uniform(); }

  /// Uniform integer in [0, n); n > 0 (Lemire's multiply-shift, negligible bias for our n).
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
  }

  /// Standard normal N(0, 1) (Marsaglia polar method; the spare value is kept).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }

  /// Exponential with mean 1.
  double exponential() noexcept { return -std::log(uniform_open0()); }

  /// Gamma(shape k, scale 1), k > 0 (Marsaglia & Tsang; k < 1 by the boost k+1 trick).
  double gamma(double k) noexcept {
    if (k < 1.0) {
      const double u = uniform_open0();
      return gamma(k + 1.0) * std::pow(u, 1.0 / k);
    }
    const double d = k - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0;
      double v = 0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_open0();
      if (u < 1.0 - 0.0331 * x * x * x * x) {
        return d * v;
      }
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) {
        return d * v;
      }
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  std::uint64_t s_[4] = {};
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace gb::plan
