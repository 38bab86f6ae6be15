// Unit tests of percentile_ticks (HdrHistogram's percentile iteration).

#include "metrics/percentile_ticks.hpp"

#include <gtest/gtest.h>

#include <random>

namespace gb::metrics {
namespace {

histogram one_to_hundred() {
  auto h = histogram::create(1, 1'000'000, 3).value();
  for (std::int64_t v = 1; v <= 100; ++v) {
    h.record(v);
  }
  return h;
}

TEST(PercentileTicks, EmptyHistogramHasNoTicks) {
  EXPECT_TRUE(percentile_ticks(histogram::for_latency(), 5).empty());
}

TEST(PercentileTicks, FiveTicksPerHalfDistanceAsHdrHistogram) {
  // Expected rows from hdr-histogram-js 3.0.1 for the values 1..100.
  struct row {
    double level;
    std::int64_t value;
  };
  const row expected[] = {
      {0, 1},        {10, 10},       {20, 20},      {30, 30},       {40, 40},       {50, 50},
      {55, 55},      {60, 60},       {65, 65},      {70, 70},       {75, 75},       {77.5, 78},
      {80, 80},      {82.5, 83},     {85, 85},      {87.5, 88},     {88.75, 89},    {90, 90},
      {91.25, 92},   {92.5, 93},     {93.75, 94},   {94.375, 95},   {95, 95},       {95.625, 96},
      {96.25, 97},   {96.875, 97},   {97.1875, 98}, {97.5, 98},     {97.8125, 98},  {98.125, 99},
      {98.4375, 99}, {98.59375, 99}, {98.75, 99},   {98.90625, 99}, {99.0625, 100}, {100, 100},
  };
  const auto ticks = percentile_ticks(one_to_hundred(), 5);
  ASSERT_EQ(ticks.size(), std::size(expected));
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_DOUBLE_EQ(ticks[i].level, expected[i].level) << "row " << i;
    EXPECT_EQ(ticks[i].value, expected[i].value) << "row " << i;
    EXPECT_EQ(ticks[i].count_to_value, expected[i].value) << "row " << i;
    EXPECT_DOUBLE_EQ(ticks[i].percentile, static_cast<double>(expected[i].value)) << "row " << i;
  }
}

TEST(PercentileTicks, OneTickPerHalfDistanceHalvesTheRest) {
  const auto ticks = percentile_ticks(one_to_hundred(), 1);
  const double levels[] = {0, 50, 75, 87.5, 93.75, 96.875, 98.4375, 99.21875, 100};
  ASSERT_EQ(ticks.size(), std::size(levels));
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_DOUBLE_EQ(ticks[i].level, levels[i]);
  }
  // Fewer than 1 tick per half distance is treated as 1.
  EXPECT_EQ(percentile_ticks(one_to_hundred(), 0).size(), ticks.size());
}

TEST(PercentileTicks, EveryTickIsTheFirstBucketReachingItsLevel) {
  auto h = histogram::for_latency();
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(13, 2);
  for (int i = 0; i < 20000; ++i) {
    h.record(static_cast<std::int64_t>(d(rng)));
  }
  const auto ticks = percentile_ticks(h, 5);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_EQ(ticks.front().level, 0.0);
  EXPECT_EQ(ticks.back().level, 100.0);
  EXPECT_EQ(ticks.back().value, h.max());
  EXPECT_EQ(ticks.back().count_to_value, h.total_count());
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const auto& t = ticks[i];
    if (i > 0) {
      EXPECT_GT(t.level, ticks[i - 1].level);
      EXPECT_GE(t.value, ticks[i - 1].value);
    }
    EXPECT_GE(t.percentile, t.level);
    // The bucket just below the reported one had not reached the level yet.
    const std::size_t idx = h.index_of(t.value);
    std::int64_t below = 0;
    for (std::size_t j = 0; j < idx; ++j) {
      below += h.count_at_index(j);
    }
    EXPECT_EQ(below + h.count_at_index(idx), t.count_to_value);
    if (t.level < 100 && t.level > 0) {
      EXPECT_LT(100.0 * static_cast<double>(below) / static_cast<double>(h.total_count()), t.level);
    }
  }
}

TEST(PercentileTicks, SingleValue) {
  auto h = histogram::for_latency();
  h.record(12345, 7);
  const auto ticks = percentile_ticks(h, 5);
  ASSERT_EQ(ticks.size(), 2u);
  EXPECT_EQ(ticks[0].level, 0.0);
  EXPECT_EQ(ticks[1].level, 100.0);
  EXPECT_EQ(ticks[0].value, h.highest_equivalent(12345));
  EXPECT_EQ(ticks[1].count_to_value, 7);
}

}  // namespace
}  // namespace gb::metrics
