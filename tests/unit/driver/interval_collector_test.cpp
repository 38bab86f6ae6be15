#include "driver/interval_collector.hpp"

#include <gtest/gtest.h>

namespace gb::driver {
namespace {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000 * ms;

interval_snapshot snap(int worker, std::int64_t index, std::int64_t ok, std::int64_t e2e_ms,
                       bool last = false, plan::phase ph = plan::phase::main) {
  interval_snapshot s;
  s.worker = worker;
  s.index = index;
  s.last = last;
  s.in_flight = 2;
  if (ok > 0) {
    interval_snapshot::part p;
    p.phase = ph;
    p.accum.started = ok;
    p.accum.ok = ok;
    for (int i = 0; i < ok; ++i) {
      p.accum.e2e.record(e2e_ms * ms);
      p.accum.ttft.record(e2e_ms * ms / 2);
    }
    s.parts.push_back(std::move(p));
  }
  return s;
}

std::vector<std::shared_ptr<const client::target_endpoint>> one_target() {
  auto t = std::make_shared<client::target_endpoint>();
  t->config.name = "gw";
  return {t};
}

TEST(IntervalCollector, MergesWorkersAndWaitsForEveryone) {
  interval_collector c(2, sec);
  c.set_start(100 * sec);
  c.add(snap(0, 0, 10, 100));
  EXPECT_EQ(c.progress().ok, 0) << "interval 0 is not complete until worker 1 posts it";
  c.add(snap(1, 0, 30, 300));
  auto p = c.progress();
  EXPECT_EQ(p.ok, 40);
  EXPECT_EQ(p.in_flight, 4);
  EXPECT_DOUBLE_EQ(p.interval_rps, 40.0);
  EXPECT_NEAR(p.ttft_p50_ns, 150 * ms, ms);
  // Worker 1 finishes early; worker 0 goes on alone.
  c.add(snap(1, 1, 5, 100, true));
  c.add(snap(0, 1, 5, 100));
  c.add(snap(0, 2, 7, 100, true, plan::phase::cooldown));
  auto series = c.finish(one_target());
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].start_ns, 100 * sec);
  EXPECT_EQ(series[0].ok, 40);
  EXPECT_EQ(series[0].target, "gw");
  EXPECT_EQ(series[0].phase, "main");
  EXPECT_NEAR(series[0].e2e_p50_ns, 300 * ms, ms);
  EXPECT_NEAR(series[0].e2e_p99_ns, 300 * ms, ms);
  EXPECT_FALSE(series[0].e2e_hist.empty());
  EXPECT_TRUE(series[0].e2e_hist.starts_with("HISTFAAA"));
  EXPECT_EQ(series[1].start_ns, 101 * sec);
  EXPECT_EQ(series[1].ok, 10);
  EXPECT_EQ(series[2].phase, "cooldown");
  EXPECT_EQ(series[2].ok, 7);
}

TEST(IntervalCollector, FinishFlushesIncompleteIntervals) {
  interval_collector c(3, sec);
  c.add(snap(0, 0, 1, 10));
  c.add(snap(0, 1, 2, 10));
  auto series = c.finish(one_target());
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].ok, 1);
  EXPECT_EQ(series[1].ok, 2);
  EXPECT_TRUE(series[0].itl_hist.empty()) << "no gaps recorded, no histogram";
}

}  // namespace
}  // namespace gb::driver
