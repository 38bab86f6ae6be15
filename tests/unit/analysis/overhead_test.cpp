#include "analysis/overhead.hpp"

#include <gtest/gtest.h>

#include <random>

#include "../report/synthetic.hpp"

namespace gb::analysis {
namespace {

using testing::ms;

metrics::histogram round_hist(double mean_ns, double sd_ns, int n, std::mt19937_64& rng) {
  auto h = metrics::histogram::for_latency();
  std::normal_distribution<double> d(mean_ns, sd_ns);
  for (int i = 0; i < n; ++i) {
    h.record(static_cast<std::int64_t>(std::max(1.0, d(rng))));
  }
  return h;
}

TEST(Overhead, KnownDeltaIsRecoveredWithAnInterval) {
  std::mt19937_64 rng(17);
  std::vector<metrics::histogram> direct;
  std::vector<metrics::histogram> gateway;
  for (int r = 0; r < 8; ++r) {
    const double drift = r * 0.3 * ms;  // machine drift hits both arms alike
    direct.push_back(round_hist(20 * ms + drift, 0.5 * ms, 400, rng));
    gateway.push_back(round_hist(25 * ms + drift, 0.5 * ms, 400, rng));
  }
  auto o = compute_overhead("ttft", direct, gateway, {});
  ASSERT_TRUE(o.ok()) << o.message();
  EXPECT_EQ(o->rounds, 8);
  ASSERT_EQ(o->quantiles.size(), 4u);
  for (const auto& q : o->quantiles) {
    EXPECT_NEAR(q.median_ns, 5 * ms, 0.3 * ms) << "q" << q.quantile;
    EXPECT_LE(q.ci_low_ns, 5 * ms + 0.1 * ms);
    EXPECT_GE(q.ci_high_ns, 5 * ms - 0.1 * ms);
    EXPECT_LT(q.ci_high_ns - q.ci_low_ns, 1 * ms);
    EXPECT_EQ(q.per_round_ns.size(), 8u);
  }
}

TEST(Overhead, NoDeltaGivesAnIntervalAroundZero) {
  std::mt19937_64 rng(3);
  std::vector<metrics::histogram> a;
  std::vector<metrics::histogram> b;
  for (int r = 0; r < 6; ++r) {
    a.push_back(round_hist(10 * ms, 1 * ms, 300, rng));
    b.push_back(round_hist(10 * ms, 1 * ms, 300, rng));
  }
  auto o = compute_overhead("itl", a, b, {});
  ASSERT_TRUE(o.ok());
  for (const auto& q : o->quantiles) {
    EXPECT_LE(q.ci_low_ns, 0) << q.quantile;
    EXPECT_GE(q.ci_high_ns, 0) << q.quantile;
    EXPECT_NEAR(q.median_ns, 0, 0.5 * ms);
  }
}

TEST(Overhead, BadInputsAreErrors) {
  std::mt19937_64 rng(1);
  std::vector<metrics::histogram> one{round_hist(1e6, 1e5, 10, rng)};
  std::vector<metrics::histogram> two{round_hist(1e6, 1e5, 10, rng), round_hist(1e6, 1e5, 10, rng)};
  EXPECT_FALSE(compute_overhead("e2e", {}, {}, {}).ok());
  auto mismatch = compute_overhead("e2e", one, two, {});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.message().find("1 direct rounds but 2 gateway"), std::string::npos);
  std::vector<metrics::histogram> empty{metrics::histogram::for_latency()};
  auto e = compute_overhead("e2e", one, empty, {});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.message().find("gateway arm has no samples"), std::string::npos) << e.message();
}

TEST(Overhead, PerMetricFromRoundStats) {
  std::vector<metrics::stats> d;
  std::vector<metrics::stats> g;
  for (std::uint64_t r = 0; r < 3; ++r) {
    testing::synth_options o;
    o.seed = 10 + r;
    o.ok = 300;
    d.push_back(testing::synthetic_stats(o));
    o.seed = 20 + r;
    o.scale = 1.1;
    g.push_back(testing::synthetic_stats(o));
  }
  auto all = compute_overheads(d, g, {});
  ASSERT_TRUE(all.ok()) << all.message();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].metric, "e2e");
  EXPECT_EQ((*all)[3].metric, "itl");
  for (const auto& m : *all) {
    EXPECT_GT(m.quantiles[0].median_ns, 0) << m.metric;  // gateway 10% slower
  }
}

TEST(Overhead, PointValidity) {
  EXPECT_TRUE(check_point(30 * ms, 20 * ms, false).valid);
  auto sat = check_point(45 * ms, 20 * ms, false);
  EXPECT_FALSE(sat.valid);
  ASSERT_EQ(sat.reasons.size(), 1u);
  EXPECT_NE(sat.reasons[0].find("not flat"), std::string::npos);
  auto both = check_point(45 * ms, 20 * ms, true);
  EXPECT_EQ(both.reasons.size(), 2u);
  EXPECT_TRUE(check_point(45 * ms, 0, false).valid);
}

TEST(Overhead, FidelityCatchesBufferingAndChangedStreams) {
  const fidelity_input direct{100, 2100, 2000, 100, 0, 0xabc};
  EXPECT_TRUE(check_fidelity(direct, direct).ok());
  EXPECT_TRUE(check_fidelity(direct, direct).hash_compared);
  fidelity_input buffered = direct;
  buffered.buffered_streams = 97;
  auto b = check_fidelity(direct, buffered);
  EXPECT_TRUE(b.gateway_buffers);
  EXPECT_FALSE(b.ok());
  fidelity_input merged_events = direct;
  merged_events.content_events = 1100;
  EXPECT_FALSE(check_fidelity(direct, merged_events).same_events);
  fidelity_input no_usage = direct;
  no_usage.tokens_from_usage = 0;
  EXPECT_FALSE(check_fidelity(direct, no_usage).same_usage);
  fidelity_input text = direct;
  text.content_hash = 0xdef;
  EXPECT_FALSE(check_fidelity(direct, text).same_text);
  fidelity_input fewer = direct;
  fewer.ok = 50;
  fewer.content_events = 1050;
  fewer.output_tokens = 1000;
  fewer.tokens_from_usage = 50;
  fewer.content_hash = 1;
  auto f = check_fidelity(direct, fewer);
  EXPECT_FALSE(f.hash_compared);
  EXPECT_TRUE(f.ok());
}

}  // namespace
}  // namespace gb::analysis
