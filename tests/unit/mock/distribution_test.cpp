// Latency/length distributions: parsing (normal and edge cases) and sampled statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "distribution.hpp"

namespace gb::mock {
namespace {

std::vector<double> draw(const distribution& d, int n, std::uint64_t seed = 42) {
  rng r(seed);
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    v.push_back(d.sample(r));
  }
  std::sort(v.begin(), v.end());
  return v;
}

double quantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) {
    s += x;
  }
  return s / static_cast<double>(v.size());
}

TEST(Distribution, ParsesEveryForm) {
  struct row {
    const char* text;
    dist_unit unit;
    dist_kind kind;
    double a, b, c;
  };
  const row rows[] = {
      {"0", dist_unit::duration_ns, dist_kind::zero, 0, 0, 0},
      {"zero", dist_unit::duration_ns, dist_kind::zero, 0, 0, 0},
      {"50ms", dist_unit::duration_ns, dist_kind::fixed, 50e6, 0, 0},
      {"fixed:1.5s", dist_unit::duration_ns, dist_kind::fixed, 1.5e9, 0, 0},
      {"uniform:10ms,30ms", dist_unit::duration_ns, dist_kind::uniform, 10e6, 30e6, 0},
      {"normal:50ms, 10ms", dist_unit::duration_ns, dist_kind::normal, 50e6, 10e6, 0},
      {"lognormal:40ms,0.5", dist_unit::duration_ns, dist_kind::lognormal, 40e6, 0.5, 0},
      {"profile:p50=40ms,p90=80ms,p99=200ms", dist_unit::duration_ns, dist_kind::profile, 40e6,
       80e6, 200e6},
      {"p50=1ms,p90=2ms,p99=3ms", dist_unit::duration_ns, dist_kind::profile, 1e6, 2e6, 3e6},
      {"128", dist_unit::count, dist_kind::fixed, 128, 0, 0},
      {"1k", dist_unit::count, dist_kind::fixed, 1000, 0, 0},
      {"uniform:50,150", dist_unit::count, dist_kind::uniform, 50, 150, 0},
  };
  for (const auto& r : rows) {
    auto d = parse_distribution(r.text, r.unit);
    ASSERT_TRUE(d.ok()) << r.text << ": " << d.message();
    EXPECT_EQ(d->kind, r.kind) << r.text;
    EXPECT_DOUBLE_EQ(d->a, r.a) << r.text;
    EXPECT_DOUBLE_EQ(d->b, r.b) << r.text;
    EXPECT_DOUBLE_EQ(d->c, r.c) << r.text;
    auto back = parse_distribution(d->describe(r.unit), r.unit);
    ASSERT_TRUE(back.ok()) << d->describe(r.unit);
    EXPECT_EQ(back->kind, d->kind);
    EXPECT_NEAR(back->a, d->a, 1e-6 * std::max(1.0, d->a));
  }
}

TEST(Distribution, RejectsBadText) {
  for (const char* bad : {"", "fast", "50", "uniform:30ms,10ms", "uniform:10ms", "normal:1ms",
                          "lognormal:0ms,1", "profile:p50=40ms,p90=20ms,p99=200ms",
                          "profile:p50=40ms,p90=80ms", "profile:p75=1ms", "weird:1ms", "-5ms"}) {
    auto d = parse_distribution(bad, dist_unit::duration_ns);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_NE(d.message().find("invalid distribution"), std::string::npos);
    }
  }
  EXPECT_FALSE(parse_distribution("ten", dist_unit::count).ok());
}

TEST(Distribution, FixedAndZeroAreExact) {
  rng r(1);
  EXPECT_EQ(distribution{}.sample(r), 0);
  EXPECT_EQ(distribution::fixed_value(7e6).sample(r), 7e6);
}

TEST(Distribution, UniformStaysInRangeWithRightMean) {
  const auto v = draw({dist_kind::uniform, 10, 30, 0}, 20000);
  EXPECT_GE(v.front(), 10);
  EXPECT_LE(v.back(), 30);
  EXPECT_NEAR(mean(v), 20, 0.2);
  EXPECT_NEAR(quantile(v, 0.25), 15, 0.3);
}

TEST(Distribution, NormalMeanAndSpread) {
  const auto v = draw({dist_kind::normal, 100, 10, 0}, 40000);
  EXPECT_NEAR(mean(v), 100, 0.3);
  EXPECT_NEAR(quantile(v, 0.8413), 110, 0.5);  // +1 sigma
  EXPECT_GE(v.front(), 0);
  const auto clamped = draw({dist_kind::normal, 1, 10, 0}, 1000);
  EXPECT_EQ(clamped.front(), 0) << "negative draws become 0";
}

TEST(Distribution, LognormalMedianAndTail) {
  const distribution d{dist_kind::lognormal, 50, 0.5, 0};
  const auto v = draw(d, 40000);
  EXPECT_NEAR(quantile(v, 0.5), 50, 1.0);
  EXPECT_NEAR(quantile(v, 0.99), d.quantile(0.99), d.quantile(0.99) * 0.04);
  EXPECT_NEAR(mean(v), d.mean(), d.mean() * 0.02);
}

TEST(Distribution, ProfileHitsItsPercentiles) {
  const distribution d{
      dist_kind::profile,
      40,
      80,
      200,
  };
  const auto v = draw(d, 100000);
  EXPECT_NEAR(quantile(v, 0.50), 40, 1.0);
  EXPECT_NEAR(quantile(v, 0.90), 80, 1.5);
  EXPECT_NEAR(quantile(v, 0.99), 200, 4.0);
  EXPECT_GE(v.front(), 0);
  EXPECT_LE(v.back(), 320 + 1e-9);
  EXPECT_DOUBLE_EQ(d.quantile(0.5), 40);
  EXPECT_DOUBLE_EQ(d.quantile(0.9), 80);
  EXPECT_DOUBLE_EQ(d.quantile(0.99), 200);
  EXPECT_NEAR(mean(v), d.mean(), 1.0);
}

TEST(Rng, DeterministicForSeed) {
  rng a(9);
  rng b(9);
  rng c(10);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace gb::mock
