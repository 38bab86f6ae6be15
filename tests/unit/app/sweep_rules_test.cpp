// The sweep's pure rules: point verdicts and the rate search (src/app/sweep_rules.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "app/sweep_runner.hpp"

namespace gb::app {
namespace {

point_figures healthy(double level, double achieved) {
  point_figures p;
  p.level = level;
  p.achieved_rps = achieved;
  p.goodput = 1;
  p.finished = 100;
  p.e2e_p50_ns = 50'000'000;
  return p;
}

TEST(SweepJudge, Table) {
  struct row {
    const char* name;
    std::function<void(point_figures&)> edit;
    point_verdict want;
  };
  const std::vector<row> rows = {
      {"healthy", [](point_figures&) {}, point_verdict::pass},
      {"goodput exactly 99%", [](point_figures& p) { p.goodput = 0.99; }, point_verdict::pass},
      {"goodput below 99%", [](point_figures& p) { p.goodput = 0.98; }, point_verdict::slo_failed},
      {"nothing finished", [](point_figures& p) { p.finished = 0; }, point_verdict::slo_failed},
      {"achieved 89% of target", [](point_figures& p) { p.achieved_rps = 89; },
       point_verdict::saturated},
      {"achieved 90% of target", [](point_figures& p) { p.achieved_rps = 90; },
       point_verdict::pass},
      {"closed loop ignores the target rate",
       [](point_figures& p) {
         p.open = false;
         p.achieved_rps = 10;
       },
       point_verdict::pass},
      {"a failed threshold",
       [](point_figures& p) { p.failed_thresholds.push_back("ttft:p(99)<1ms"); },
       point_verdict::slo_failed},
      {"client-bound but every SLO held", [](point_figures& p) { p.client_bound = true; },
       point_verdict::pass},
      {"client-bound and SLO missed",
       [](point_figures& p) {
         p.client_bound = true;
         p.goodput = 0.5;
       },
       point_verdict::client_bound},
  };
  for (const auto& r : rows) {
    point_figures p = healthy(100, 100);
    r.edit(p);
    EXPECT_EQ(judge_point(p, std::nullopt).verdict, r.want) << r.name;
    EXPECT_EQ(judge_point(p, std::nullopt).note.empty(),
              r.want == point_verdict::pass && !p.client_bound)
        << r.name;
  }
}

TEST(SweepJudge, ThroughputStopsGrowingWhileLatencyClimbs) {
  const point_figures lower = healthy(100, 100);
  struct row {
    double level, achieved;
    std::int64_t e2e_p50_ns;
    point_verdict want;
  };
  const std::vector<row> rows = {
      {200, 195, 50'000'000, point_verdict::pass},       // grew with the load
      {200, 110, 50'000'000, point_verdict::pass},       // flat, but latency flat too
      {200, 110, 80'000'000, point_verdict::saturated},  // flat while latency climbs
      {200, 126, 80'000'000, point_verdict::pass},       // grew > a quarter of the load growth
      {100, 100, 80'000'000, point_verdict::pass},       // same level: no growth to compare
  };
  for (const auto& r : rows) {
    point_figures p = healthy(r.level, r.achieved);
    p.open = false;  // only the growth rule applies
    p.e2e_p50_ns = r.e2e_p50_ns;
    EXPECT_EQ(judge_point(p, lower).verdict, r.want) << r.level << " " << r.achieved;
  }
}

/// Runs a search against a system whose limit is `limit`: levels <= limit pass.
std::vector<double> search_against(double min, double max, double limit, double& best) {
  rate_search s(min, max);
  std::vector<double> seen;
  while (auto l = s.next()) {
    seen.push_back(*l);
    s.record(*l, *l <= limit);
    if (seen.size() > 100) {
      break;
    }
  }
  best = s.best().value_or(0);
  return seen;
}

TEST(SweepSearch, FindsTheLimitWithinOneStep) {
  for (double limit : {10.0, 13.0, 79.5, 80.0, 81.0, 333.0, 639.0}) {
    double best = 0;
    const auto seen = search_against(10, 640, limit, best);
    EXPECT_LE(best, limit) << limit;
    EXPECT_GE(best * sweep_search_step, limit) << limit;  // within one step below the limit
    EXPECT_LE(seen.size(), 20u) << limit;
    for (double l : seen) {
      EXPECT_GE(l, 10);
      EXPECT_LE(l, 640);
    }
  }
}

TEST(SweepSearch, Edges) {
  double best = 0;
  auto seen = search_against(10, 640, 5, best);  // min already fails
  EXPECT_EQ(seen, std::vector<double>{10});
  EXPECT_EQ(best, 0);
  seen = search_against(10, 640, 1e9, best);  // everything passes: ramp to max, stop
  EXPECT_EQ(seen, (std::vector<double>{10, 20, 40, 80, 160, 320, 640}));
  EXPECT_EQ(best, 640);
  seen = search_against(10, 100, 1e9, best);  // the last ramp step is clamped to max
  EXPECT_EQ(seen.back(), 100);
  EXPECT_EQ(best, 100);
}

TEST(SweepSearch, RoundLevel) {
  EXPECT_DOUBLE_EQ(round_level(72.4609), 72.5);
  EXPECT_DOUBLE_EQ(round_level(1234.5), 1230);
  EXPECT_DOUBLE_EQ(round_level(0.123456), 0.123);
  EXPECT_DOUBLE_EQ(round_level(80), 80);
}

}  // namespace
}  // namespace gb::app
