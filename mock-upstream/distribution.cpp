#include "distribution.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/units.hpp"

namespace gb::mock {

std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

rng::rng(std::uint64_t seed) noexcept {
  std::uint64_t x = seed;
  for (auto& s : s_) {
    x = mix64(x);
    s = x;
  }
}

namespace {
std::uint64_t rotl(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}
}  // namespace

std::uint64_t rng::next() noexcept {
  const std::uint64_t out = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return out;
}

double rng::uniform01() noexcept {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double rng::normal() noexcept {
  double u1 = uniform01();
  while (u1 <= 0.0) {
    u1 = uniform01();
  }
  const double u2 = uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

namespace {

// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
double normal_quantile(double p) noexcept {
  p = std::clamp(p, 1e-12, 1.0 - 1e-12);
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  const double lo = 0.02425;
  if (p < lo) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double profile_quantile(double p50, double p90, double p99, double q) noexcept {
  const double xs[] = {0.0, 0.5, 0.9, 0.99, 1.0};
  const double ys[] = {std::max(0.0, p50 - (p90 - p50)), p50, p90, p99, p99 + (p99 - p90)};
  q = std::clamp(q, 0.0, 1.0);
  for (int i = 1; i < 5; ++i) {
    if (q <= xs[i]) {
      const double t = (q - xs[i - 1]) / (xs[i] - xs[i - 1]);
      return ys[i - 1] + t * (ys[i] - ys[i - 1]);
    }
  }
  return ys[4];
}

}  // namespace

double distribution::sample(rng& r) const noexcept {
  switch (kind) {
    case dist_kind::zero:
      return 0;
    case dist_kind::fixed:
      return a;
    case dist_kind::uniform:
      return a + (b - a) * r.uniform01();
    case dist_kind::normal:
      return std::max(0.0, a + b * r.normal());
    case dist_kind::lognormal:
      return a * std::exp(b * r.normal());
    case dist_kind::profile:
      return profile_quantile(a, b, c, r.uniform01());
  }
  return 0;
}

double distribution::quantile(double q) const noexcept {
  switch (kind) {
    case dist_kind::zero:
      return 0;
    case dist_kind::fixed:
      return a;
    case dist_kind::uniform:
      return a + (b - a) * std::clamp(q, 0.0, 1.0);
    case dist_kind::normal:
      return std::max(0.0, a + b * normal_quantile(q));
    case dist_kind::lognormal:
      return a * std::exp(b * normal_quantile(q));
    case dist_kind::profile:
      return profile_quantile(a, b, c, q);
  }
  return 0;
}

double distribution::mean() const noexcept {
  switch (kind) {
    case dist_kind::zero:
      return 0;
    case dist_kind::fixed:
      return a;
    case dist_kind::uniform:
      return (a + b) / 2;
    case dist_kind::normal:
      return a;
    case dist_kind::lognormal:
      return a * std::exp(b * b / 2);
    case dist_kind::profile: {
      // Integral of the piecewise-linear quantile function.
      const double xs[] = {0.0, 0.5, 0.9, 0.99, 1.0};
      double m = 0;
      for (int i = 1; i < 5; ++i) {
        m += (xs[i] - xs[i - 1]) *
             (profile_quantile(a, b, c, xs[i - 1]) + profile_quantile(a, b, c, xs[i])) / 2;
      }
      return m;
    }
  }
  return 0;
}

namespace {

std::string fmt_value(double v, dist_unit unit) {
  char buf[64];
  if (unit == dist_unit::duration_ns) {
    std::snprintf(buf, sizeof buf, "%.6gms", v / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.10g", v);
  }
  return buf;
}

result<double> parse_value(std::string_view t, dist_unit unit) {
  if (unit == dist_unit::duration_ns) {
    auto d = parse_duration_ns(t);
    if (!d) {
      return d.err();
    }
    return static_cast<double>(*d);
  }
  return parse_si_number(t);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) {
      break;
    }
    start = pos + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string distribution::describe(dist_unit unit) const {
  switch (kind) {
    case dist_kind::zero:
      return "0";
    case dist_kind::fixed:
      return "fixed:" + fmt_value(a, unit);
    case dist_kind::uniform:
      return "uniform:" + fmt_value(a, unit) + "," + fmt_value(b, unit);
    case dist_kind::normal:
      return "normal:" + fmt_value(a, unit) + "," + fmt_value(b, unit);
    case dist_kind::lognormal:
      return "lognormal:" + fmt_value(a, unit) + "," + fmt_value(b, dist_unit::count);
    case dist_kind::profile:
      return "profile:p50=" + fmt_value(a, unit) + ",p90=" + fmt_value(b, unit) +
             ",p99=" + fmt_value(c, unit);
  }
  return "0";
}

result<distribution> parse_distribution(std::string_view text, dist_unit unit) {
  const std::string shown(text);
  text = trim(text);
  auto bad = [&](std::string_view why) {
    return fail("invalid distribution '", shown, "': ", std::string(why),
                " (expected V, fixed:V, uniform:LO,HI, normal:MEAN,SD, lognormal:MEDIAN,SIGMA or "
                "profile:p50=V,p90=V,p99=V)");
  };
  if (text.empty()) {
    return bad("empty");
  }
  if (text == "0" || text == "zero" || text == "none") {
    return distribution{};
  }
  const auto colon = text.find(':');
  std::string_view kind =
      colon == std::string_view::npos ? std::string_view{} : text.substr(0, colon);
  std::string_view args = colon == std::string_view::npos ? text : text.substr(colon + 1);
  if (kind.empty() && args.find("p50=") != std::string_view::npos) {
    kind = "profile";
  }
  if (kind.empty() || kind == "fixed") {
    auto v = parse_value(trim(args), unit);
    if (!v) {
      return bad(v.message());
    }
    return distribution::fixed_value(*v);
  }
  const auto parts = split(args, ',');
  if (kind == "uniform" || kind == "normal" || kind == "lognormal") {
    if (parts.size() != 2) {
      return bad("needs exactly two comma-separated numbers");
    }
    auto x = parse_value(trim(parts[0]), unit);
    if (!x) {
      return bad(x.message());
    }
    auto y = parse_value(trim(parts[1]), kind == "lognormal" ? dist_unit::count : unit);
    if (!y) {
      return bad(y.message());
    }
    if (kind == "uniform") {
      if (*x > *y) {
        return bad("LO is greater than HI");
      }
      return distribution{dist_kind::uniform, *x, *y, 0};
    }
    if (kind == "normal") {
      return distribution{dist_kind::normal, *x, *y, 0};
    }
    if (*x <= 0) {
      return bad("lognormal median must be positive");
    }
    return distribution{dist_kind::lognormal, *x, *y, 0};
  }
  if (kind == "profile") {
    double p[3] = {-1, -1, -1};
    for (auto part : parts) {
      part = trim(part);
      const auto eq = part.find('=');
      if (eq == std::string_view::npos) {
        return bad("profile entries are pNN=V");
      }
      const auto key = part.substr(0, eq);
      auto v = parse_value(trim(part.substr(eq + 1)), unit);
      if (!v) {
        return bad(v.message());
      }
      if (key == "p50") {
        p[0] = *v;
      } else if (key == "p90") {
        p[1] = *v;
      } else if (key == "p99") {
        p[2] = *v;
      } else {
        return bad("unknown percentile '" + std::string(key) + "' (use p50, p90, p99)");
      }
    }
    if (p[0] < 0 || p[1] < 0 || p[2] < 0) {
      return bad("profile needs p50, p90 and p99");
    }
    if (p[0] > p[1] || p[1] > p[2]) {
      return bad("percentiles must not decrease (p50 <= p90 <= p99)");
    }
    return distribution{dist_kind::profile, p[0], p[1], p[2]};
  }
  return bad("unknown kind '" + std::string(kind) + "'");
}

}  // namespace gb::mock
