// Unit tests of gb::metrics::histogram: layout, recording, merging and statistics.
// Layout and equivalence figures come from hdr-histogram-js 3.0.1 (a port of the Java
// HdrHistogram), run once with the same arguments.

#include "metrics/histogram.hpp"
#include "make_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace gb::metrics {
namespace {

using test_support::expect_same_histogram;
using test_support::make_histogram;

struct layout_case {
  std::int64_t lowest, highest;
  int sigfigs;
  std::int32_t bucket_count, sub_bucket_count;
  std::size_t counts_len;
};

TEST(HistogramLayout, MatchesHdrHistogram) {
  const layout_case cases[] = {
      {1, 3'600'000'000'000, 3, 32, 2048, 33792},
      {1, 3'600'000'000, 3, 22, 2048, 23552},
      {1, 1000, 1, 6, 32, 112},
      {1, 2, 1, 1, 32, 32},
      {1000, 3'600'000'000'000, 2, 26, 256, 3456},
      {1024, 1'000'000'000'000, 3, 20, 2048, 21504},
      {5, 1'000'000, 5, 1, 262144, 262144},
      {1, std::int64_t{1} << 40, 4, 27, 32768, 458752},
      {7, 100, 2, 1, 256, 256},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.lowest << ".." << c.highest << " @" << c.sigfigs);
    const histogram h = make_histogram(c.lowest, c.highest, c.sigfigs);
    EXPECT_EQ(h.bucket_count(), c.bucket_count);
    EXPECT_EQ(h.sub_bucket_count(), c.sub_bucket_count);
    EXPECT_EQ(h.counts_len(), c.counts_len);
    EXPECT_EQ(histogram::layout_counts_len(c.lowest, c.highest, c.sigfigs), c.counts_len);
    EXPECT_GE(h.highest_trackable(), c.highest);
  }
  const histogram lat = histogram::for_latency();
  EXPECT_EQ(lat.counts_len(), 33792u);
  EXPECT_GE(lat.highest_trackable(), latency_highest_ns);
}

struct equiv_case {
  std::int64_t lowest, highest;
  int sigfigs;
  std::int64_t value;
  std::size_t index;
  std::int64_t low, high, median;
};

TEST(HistogramLayout, IndexAndEquivalentRangesMatchHdrHistogram) {
  const equiv_case cases[] = {
      {1, 3'600'000'000'000, 3, 0, 0, 0, 0, 0},
      {1, 3'600'000'000'000, 3, 2047, 2047, 2047, 2047, 2047},
      {1, 3'600'000'000'000, 3, 2048, 2048, 2048, 2049, 2049},
      {1, 3'600'000'000'000, 3, 4095, 3071, 4094, 4095, 4095},
      {1, 3'600'000'000'000, 3, 4096, 3072, 4096, 4099, 4098},
      {1, 3'600'000'000'000, 3, 100000, 7706, 99968, 100031, 100000},
      {1, 3'600'000'000'000, 3, 123456789, 18267, 123404288, 123469823, 123437056},
      // lowest > 1: unit magnitude 9, values below 512 share index 0
      {1000, 3'600'000'000'000, 2, 1, 0, 0, 511, 256},
      {1000, 3'600'000'000'000, 2, 1000, 1, 512, 1023, 768},
      {1000, 3'600'000'000'000, 2, 4096, 8, 4096, 4607, 4352},
      {1000, 3'600'000'000'000, 2, 123456789, 1515, 123207680, 123731967, 123469824},
      {1024, 1'000'000'000'000, 3, 2047, 1, 1024, 2047, 1536},
      {1024, 1'000'000'000'000, 3, 123456789, 8027, 123404288, 123469823, 123437056},
      {5, 1'000'000, 5, 100000, 25000, 100000, 100003, 100002},
      {1, std::int64_t{1} << 40, 4, 123456789, 226748, 123453440, 123457535, 123455488},
      {7, 100, 2, 7, 1, 4, 7, 6},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << c.lowest << ".." << c.highest << " @" << c.sigfigs << " value " << c.value);
    const histogram h = make_histogram(c.lowest, c.highest, c.sigfigs);
    EXPECT_EQ(h.index_of(c.value), c.index);
    EXPECT_EQ(h.lowest_equivalent(c.value), c.low);
    EXPECT_EQ(h.highest_equivalent(c.value), c.high);
    EXPECT_EQ(h.median_equivalent(c.value), c.median);
    EXPECT_EQ(h.size_of_equivalent_range(c.value), c.high - c.low + 1);
  }
}

TEST(HistogramLayout, EveryIndexRoundTrips) {
  const std::int64_t lows[] = {1, 3, 1000};
  for (const std::int64_t lo : lows) {
    for (int sf = 1; sf <= 3; ++sf) {
      const histogram h = make_histogram(lo, 10'000'000'000, sf);
      SCOPED_TRACE(testing::Message() << "lowest " << lo << " sigfigs " << sf);
      std::int64_t expected_low = 0;
      for (std::size_t i = 0; i < h.counts_len(); ++i) {
        const std::int64_t low = h.value_at_index(i);
        const std::int64_t high = h.highest_equivalent(low);
        ASSERT_EQ(low, expected_low) << "index " << i << " does not start where the last ended";
        ASSERT_EQ(h.index_of(low), i);
        ASSERT_EQ(h.index_of(high), i);
        ASSERT_EQ(h.lowest_equivalent(high), low);
        expected_low = high + 1;
      }
      EXPECT_EQ(expected_low - 1, h.highest_trackable());
    }
  }
}

TEST(HistogramLayout, RelativeResolutionHoldsSigfigs) {
  for (int sf = 1; sf <= 5; ++sf) {
    const histogram h = make_histogram(1, 1'000'000'000'000, sf);
    const double bound = std::pow(10.0, -sf);
    std::mt19937_64 rng(sf);
    std::uniform_int_distribution<std::int64_t> dist(1, h.highest_trackable());
    for (int i = 0; i < 20000; ++i) {
      const std::int64_t v = dist(rng);
      const double width = static_cast<double>(h.size_of_equivalent_range(v) - 1);
      ASSERT_LE(width / static_cast<double>(v), bound) << "value " << v << " sigfigs " << sf;
    }
  }
}

TEST(HistogramCreate, RejectsBadArgumentsWithReasons) {
  struct bad {
    std::int64_t lo, hi;
    int sf;
    const char* says;
  };
  const bad cases[] = {
      {0, 1000, 3, "lowest value must be at least 1, got 0"},
      {-5, 1000, 3, "lowest value must be at least 1, got -5"},
      {1, 1000, 0, "significant digits must be 1 to 5, got 0"},
      {1, 1000, 6, "significant digits must be 1 to 5, got 6"},
      {10, 19, 3, "highest value (19) must be at least twice the lowest (10)"},
      {std::int64_t{1} << 60, INT64_MAX, 3, "is too large for 3 significant digits"},
  };
  for (const auto& c : cases) {
    const auto r = histogram::create(c.lo, c.hi, c.sf);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_NE(r.message().find(c.says), std::string::npos) << r.message();
    EXPECT_EQ(histogram::layout_counts_len(c.lo, c.hi, c.sf), 0u);
  }
  EXPECT_TRUE(histogram::create(10, 20, 3).ok());
}

TEST(HistogramRecord, TopOfInt64Range) {
  histogram h = make_histogram(1, INT64_MAX, 3);
  EXPECT_EQ(h.highest_trackable(), INT64_MAX);
  EXPECT_TRUE(h.record(INT64_MAX));
  EXPECT_TRUE(h.record(INT64_MAX - 1));
  EXPECT_EQ(h.max(), INT64_MAX);
  EXPECT_EQ(h.value_at_percentile(100), INT64_MAX);
  EXPECT_EQ(h.total_count(), 2);
}

TEST(HistogramRecord, OutOfRangeIsCountedNeverStored) {
  histogram h = make_histogram(1, 1'000'000, 3);
  const std::int64_t top = h.highest_trackable();
  struct rec {
    std::int64_t value, count;
    bool stored;
  };
  const rec cases[] = {
      {-1, 1, false}, {INT64_MIN, 2, false}, {top + 1, 3, false}, {INT64_MAX, 4, false},
      {top, 5, true}, {0, 6, true},          {1, 7, true},
  };
  std::int64_t stored = 0;
  std::int64_t lost = 0;
  for (const auto& c : cases) {
    EXPECT_EQ(h.record(c.value, c.count), c.stored) << c.value;
    (c.stored ? stored : lost) += c.count;
  }
  EXPECT_EQ(h.total_count(), stored);
  EXPECT_EQ(h.out_of_range_count(), lost);
  EXPECT_EQ(h.max(), top);
  EXPECT_EQ(h.min(), 0);
  // A non-positive count records nothing and is not an out-of-range value.
  EXPECT_FALSE(h.record(5, 0));
  EXPECT_FALSE(h.record(5, -2));
  EXPECT_EQ(h.total_count(), stored);
  EXPECT_EQ(h.out_of_range_count(), lost);
}

TEST(HistogramRecord, MinMaxUseEquivalentValues) {
  histogram h = make_histogram(1, 3'600'000'000'000, 3);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  h.record(123456789);
  h.record(100000);
  EXPECT_EQ(h.min(), 99968);
  EXPECT_EQ(h.max(), 123469823);
  h.record(0);
  EXPECT_EQ(h.min(), 0);

  histogram coarse = make_histogram(1000, 3'600'000'000'000, 2);
  coarse.record(700);  // index 1 with unit magnitude 9
  coarse.record(5000);
  EXPECT_EQ(coarse.min(), 512);
  EXPECT_EQ(coarse.max(), coarse.highest_equivalent(5000));
  coarse.record(3);  // index 0: equivalent to zero
  EXPECT_EQ(coarse.min(), 0);
}

// HdrHistogram's recordCorrectedValue, one call per missing value: the reference.
void naive_corrected(histogram& h, std::int64_t value, std::int64_t interval, std::int64_t count) {
  if (!h.record(value, count) || interval <= 0) {
    return;
  }
  for (std::int64_t m = value - interval; m >= interval; m -= interval) {
    h.record(m, count);
  }
}

TEST(HistogramRecordCorrected, BackfillMatchesOneByOneLoop) {
  struct c {
    std::int64_t value, interval, count;
  };
  const c cases[] = {
      {10, 0, 1},        {10, -3, 1},          {10, 10, 1},        {10, 20, 1},     {20, 10, 1},
      {21, 10, 2},       {29, 10, 1},          {30, 10, 3},        {100000, 1, 1},  {100000, 7, 5},
      {987654, 1000, 1}, {5'000'000, 2049, 2}, {123456789, 99, 1}, {4096, 2048, 1}, {4095, 1, 1},
  };
  for (const int lo : {1, 1000}) {
    for (const auto& k : cases) {
      SCOPED_TRACE(testing::Message() << "lowest " << lo << " value " << k.value << " interval "
                                      << k.interval << " count " << k.count);
      histogram fast = make_histogram(lo, 3'600'000'000'000, 3);
      histogram slow = make_histogram(lo, 3'600'000'000'000, 3);
      EXPECT_TRUE(fast.record_corrected(k.value, k.interval, k.count));
      naive_corrected(slow, k.value, k.interval, k.count);
      ASSERT_EQ(fast.total_count(), slow.total_count());
      const std::int64_t expected_total =
          k.interval > 0 ? k.count * std::max<std::int64_t>(k.value / k.interval, 1) : k.count;
      EXPECT_EQ(fast.total_count(), expected_total);
      for (std::size_t i = 0; i < fast.counts_len(); ++i) {
        ASSERT_EQ(fast.count_at_index(i), slow.count_at_index(i)) << "index " << i;
      }
      EXPECT_EQ(fast.min(), slow.min());
      EXPECT_EQ(fast.max(), slow.max());
    }
  }
}

TEST(HistogramRecordCorrected, HourLongStallAtNanosecondIntervalIsCheap) {
  histogram h = histogram::for_latency();
  ASSERT_TRUE(h.record_corrected(3'600'000'000'000, 1));
  EXPECT_EQ(h.total_count(), 3'600'000'000'000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), h.highest_equivalent(3'600'000'000'000));
  // The backfill is uniform: the median is about half the stall.
  EXPECT_NEAR(static_cast<double>(h.value_at_percentile(50)), 1.8e12, 1.8e12 * 1e-3);
}

TEST(HistogramRecordCorrected, OutOfRangeValueBackfillsNothing) {
  histogram h = make_histogram(1, 1'000'000, 3);
  EXPECT_FALSE(h.record_corrected(h.highest_trackable() + 1, 10));
  EXPECT_EQ(h.total_count(), 0);
  EXPECT_EQ(h.out_of_range_count(), 1);
}

TEST(HistogramAdd, SameLayoutSumsEverything) {
  histogram a = histogram::for_latency();
  histogram b = histogram::for_latency();
  a.record(1000, 3);
  a.record(-1);
  b.record(5, 2);
  b.record(9'999'999);
  b.record(INT64_MAX);
  EXPECT_EQ(a.add(b), 0);
  EXPECT_EQ(a.total_count(), 6);
  EXPECT_EQ(a.out_of_range_count(), 2);
  EXPECT_EQ(a.min(), 5);
  EXPECT_EQ(a.max(), a.highest_equivalent(9'999'999));
  EXPECT_EQ(a.count_at_index(a.index_of(1000)), 3);
  EXPECT_EQ(a.count_at_index(a.index_of(5)), 2);
}

TEST(HistogramAdd, SameResolutionDifferentTop) {
  histogram small = make_histogram(1, 1'000'000, 3);
  histogram big = make_histogram(1, 1'000'000'000, 3);
  big.record(500, 2);
  big.record(50'000'000, 3);  // beyond small's range
  const std::int64_t dropped = small.add(big);
  EXPECT_EQ(dropped, 3);
  EXPECT_EQ(small.total_count(), 2);
  EXPECT_EQ(small.out_of_range_count(), 3);
  EXPECT_EQ(small.max(), 500);
  EXPECT_EQ(small.min(), 500);

  histogram big2 = make_histogram(1, 1'000'000'000, 3);
  histogram small2 = make_histogram(1, 1'000'000, 3);
  small2.record(777'777, 4);
  EXPECT_EQ(big2.add(small2), 0);
  EXPECT_EQ(big2.total_count(), 4);
  EXPECT_EQ(big2.max(), small2.max());
}

TEST(HistogramAdd, DifferentResolutionRecordsBucketStarts) {
  histogram fine = make_histogram(1, 1'000'000'000, 3);
  histogram coarse = make_histogram(1000, 1'000'000'000, 2);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> dist(0, 100'000'000);
  for (int i = 0; i < 5000; ++i) {
    coarse.record(dist(rng));
  }
  EXPECT_EQ(fine.add(coarse), 0);
  EXPECT_EQ(fine.total_count(), coarse.total_count());
  // Every coarse bucket lands in the fine bucket of its lowest value.
  for (std::size_t i = 0; i < coarse.counts_len(); ++i) {
    const std::int64_t c = coarse.count_at_index(i);
    if (c > 0) {
      EXPECT_GE(fine.count_at_index(fine.index_of(coarse.value_at_index(i))), c);
    }
  }
  // Values that do not fit are counted, never dropped.
  histogram tiny = make_histogram(1, 10'000, 3);
  const std::int64_t dropped = tiny.add(coarse);
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(tiny.total_count() + dropped, coarse.total_count());
  EXPECT_EQ(tiny.out_of_range_count(), dropped);
}

TEST(HistogramReset, ClearsCountsKeepsLayout) {
  histogram h = make_histogram(1000, 3'600'000'000'000, 2);
  h.record(5000, 3);
  h.record(-1);
  h.reset();
  EXPECT_EQ(h.total_count(), 0);
  EXPECT_EQ(h.out_of_range_count(), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.used_len(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_EQ(h.counts_len(), 3456u);
  h.record(5000);
  EXPECT_EQ(h.min(), h.lowest_equivalent(5000));
}

// Values in every bucket of the latency layout, the lowest and the highest trackable included.
histogram spread_latencies() {
  histogram h = histogram::for_latency();
  for (std::int64_t v = 1; v > 0 && v <= h.highest_trackable(); v = v * 3 + 1) {
    h.record(v, v % 7 + 1);
  }
  h.record(0, 2);
  h.record(h.highest_trackable());
  h.record(-5);
  h.record_corrected(2'000'000, 300'000);  // backfilled below the value
  return h;
}

TEST(HistogramCopy, KeepsEveryCountAndStaysIndependent) {
  const histogram h = spread_latencies();
  histogram copy(h);
  expect_same_histogram(copy, h);
  EXPECT_EQ(copy.out_of_range_count(), h.out_of_range_count());
  EXPECT_EQ(copy.value_at_percentile(99.9), h.value_at_percentile(99.9));
  copy.record(12345, 10);
  EXPECT_EQ(copy.total_count(), h.total_count() + 10);
  EXPECT_EQ(h.count_at_index(h.index_of(12345)) + 10, copy.count_at_index(h.index_of(12345)));

  histogram assigned = make_histogram(1000, 2000000, 2);  // another layout, replaced whole
  assigned.record(1500);
  assigned = h;
  expect_same_histogram(assigned, h);
  assigned = assigned;  // NOLINT: self-assignment keeps everything
  expect_same_histogram(assigned, h);

  histogram moved(std::move(copy));
  EXPECT_EQ(moved.total_count(), h.total_count() + 10);
}

TEST(HistogramCopy, EmptyAndDecodedHistogramsCopyWhole) {
  const histogram empty = histogram::for_latency();
  const histogram copy = empty;
  expect_same_histogram(copy, empty);
  EXPECT_EQ(copy.used_len(), 0u);

  // A decoder sets counts by index: the copy must reach the highest one.
  histogram d = make_histogram(1, 1'000'000, 3);
  ASSERT_TRUE(d.set_count_at_index(d.counts_len() - 1, 4));
  ASSERT_TRUE(d.set_count_at_index(0, 1));
  expect_same_histogram(histogram(d), d);
}

TEST(HistogramReset, ClearsEveryBucketAcrossTheWholeRange) {
  histogram h = spread_latencies();
  const histogram before = h;
  h.reset();
  EXPECT_EQ(h.total_count(), 0);
  for (std::size_t i = 0; i < h.counts_len(); ++i) {
    ASSERT_EQ(h.count_at_index(i), 0) << "index " << i;
  }
  // Recording the same values again gives the same histogram.
  h.add(before);
  expect_same_histogram(h, before);
}

// Nearest-rank percentile of sorted raw samples: the ceil(p/100 * n)-th smallest (at least the
// 1st), with p taken as the decimal it was written as (99.9 is 999/10, not the binary double just
// above it), in exact integer arithmetic.
std::int64_t exact_percentile(const std::vector<std::int64_t>& sorted, double p) {
  const auto micro = static_cast<std::int64_t>(std::llround(p * 1e6));  // p in millionths
  const auto n = static_cast<std::int64_t>(sorted.size());
  const std::int64_t denom = 100'000'000;
  std::int64_t rank = (micro * n + denom - 1) / denom;
  rank = std::clamp<std::int64_t>(rank, 1, n);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

TEST(HistogramPercentiles, AgreeWithExactPercentilesOfRawSamples) {
  std::mt19937_64 rng(42);
  const char* names[] = {"uniform", "exponential", "lognormal", "bimodal", "discrete"};
  for (int dist_i = 0; dist_i < 5; ++dist_i) {
    for (const int sf : {2, 3, 4}) {
      SCOPED_TRACE(testing::Message() << names[dist_i] << " sigfigs " << sf);
      histogram h = make_histogram(1, 3'600'000'000'000, sf);
      std::vector<std::int64_t> raw;
      std::uniform_real_distribution<double> uni(0, 1e9);
      std::exponential_distribution<double> expo(1.0 / 2e6);
      std::lognormal_distribution<double> logn(14.0, 1.5);
      std::bernoulli_distribution coin(0.97);
      std::normal_distribution<double> fast(5e5, 5e4);
      std::normal_distribution<double> slow(2e8, 3e7);
      std::uniform_int_distribution<int> small(0, 9);
      for (int i = 0; i < 50000; ++i) {
        double v = 0;
        switch (dist_i) {
          case 0:
            v = uni(rng);
            break;
          case 1:
            v = expo(rng);
            break;
          case 2:
            v = logn(rng);
            break;
          case 3:
            v = coin(rng) ? fast(rng) : slow(rng);
            break;
          default:
            v = small(rng) * 1000.0;
            break;
        }
        const auto x = static_cast<std::int64_t>(std::max(v, 0.0));
        raw.push_back(x);
        ASSERT_TRUE(h.record(x));
      }
      std::sort(raw.begin(), raw.end());
      const double bound = std::pow(10.0, -sf);
      for (const double p :
           {0.0, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99, 100.0}) {
        const std::int64_t exact = exact_percentile(raw, p);
        const std::int64_t got = h.value_at_percentile(p);
        // The histogram reports the bucket holding the exact sample: its top (its bottom at 0%).
        EXPECT_EQ(got, p == 0.0 ? h.lowest_equivalent(exact) : h.highest_equivalent(exact))
            << "p" << p;
        EXPECT_LE(std::abs(static_cast<double>(got - exact)),
                  std::max(1.0, static_cast<double>(exact) * bound))
            << "p" << p << " exact " << exact << " got " << got;
      }
      EXPECT_EQ(h.min(), h.lowest_equivalent(raw.front()));
      EXPECT_EQ(h.max(), h.highest_equivalent(raw.back()));
      double sum = 0;
      for (const auto x : raw) {
        sum += static_cast<double>(x);
      }
      const double mean = sum / static_cast<double>(raw.size());
      EXPECT_NEAR(h.mean(), mean, std::max(1.0, mean * bound));
      double sq = 0;
      for (const auto x : raw) {
        sq += (static_cast<double>(x) - mean) * (static_cast<double>(x) - mean);
      }
      const double sd = std::sqrt(sq / static_cast<double>(raw.size()));
      EXPECT_NEAR(h.stddev(), sd, std::max(1.0, sd * 2 * bound) + mean * bound);
    }
  }
}

TEST(HistogramPercentiles, TopDownSearchMatchesBottomUpScan) {
  // value_at_percentile searches high percentiles from the top; check it against a plain scan
  // from the bottom at every 0.05% and a few small totals (odd and even).
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> d(10, 2);
  for (const int n : {1, 2, 3, 10, 101, 5000}) {
    histogram h = histogram::for_latency();
    for (int i = 0; i < n; ++i) {
      h.record(static_cast<std::int64_t>(d(rng)), 1 + i % 3);
    }
    for (int k = 0; k <= 2000; ++k) {
      const double p = k * 0.05;
      const std::int64_t target = h.count_at_percentile(p);
      std::int64_t running = 0;
      std::size_t i = 0;
      for (; i < h.counts_len(); ++i) {
        running += h.count_at_index(i);
        if (running >= target) {
          break;
        }
      }
      const std::int64_t v = h.value_at_index(i);
      ASSERT_EQ(h.value_at_percentile(p), p == 0 ? h.lowest_equivalent(v) : h.highest_equivalent(v))
          << "n " << n << " p " << p;
    }
  }
}

TEST(HistogramPercentiles, EdgeArguments) {
  histogram h = histogram::for_latency();
  EXPECT_EQ(h.value_at_percentile(50), 0);  // empty
  for (std::int64_t v = 1; v <= 100; ++v) {
    h.record(v * 10000);
  }
  EXPECT_EQ(h.value_at_percentile(0), h.lowest_equivalent(10000));
  EXPECT_EQ(h.value_at_percentile(-5), h.lowest_equivalent(10000));
  EXPECT_EQ(h.value_at_percentile(100), h.max());
  EXPECT_EQ(h.value_at_percentile(250), h.max());
  EXPECT_EQ(h.value_at_percentile(std::nan("")), 0);
  EXPECT_EQ(h.value_at_percentile(50), h.highest_equivalent(500000));
  EXPECT_EQ(h.value_at_percentile(50.0001), h.highest_equivalent(510000));
  EXPECT_EQ(h.value_at_percentile(99), h.highest_equivalent(990000));
  // ceil(p/100 * n) with the 1-ulp guard: 0.29 * 100 is 28.999999999999996 in binary.
  EXPECT_EQ(h.count_at_percentile(29), 29);
  EXPECT_EQ(h.count_at_percentile(0), 1);
  EXPECT_EQ(h.count_at_percentile(100), 100);
  EXPECT_EQ(h.count_at_percentile(0.5), 1);
  EXPECT_EQ(h.count_at_percentile(1.5), 2);
}

TEST(HistogramPercentiles, PercentileAtOrBelow) {
  histogram h = make_histogram(1, 1'000'000, 3);
  EXPECT_EQ(h.percentile_at_or_below(5), 100.0);  // empty
  for (int v = 1; v <= 4; ++v) {
    h.record(v * 100);
  }
  EXPECT_EQ(h.percentile_at_or_below(-1), 0.0);
  EXPECT_EQ(h.percentile_at_or_below(99), 0.0);
  EXPECT_EQ(h.percentile_at_or_below(100), 25.0);
  EXPECT_EQ(h.percentile_at_or_below(250), 50.0);
  EXPECT_EQ(h.percentile_at_or_below(INT64_MAX), 100.0);
}

TEST(HistogramIteration, ForEachRecordedVisitsBucketsInOrder) {
  histogram h = make_histogram(1, 3'600'000'000'000, 3);
  const std::int64_t values[] = {0, 5, 5, 3000, 123456789, 3'000'000'000'000};
  for (const auto v : values) {
    h.record(v);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> seen;
  h.for_each_recorded([&](std::int64_t v, std::int64_t c) { seen.emplace_back(v, c); });
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0], std::make_pair(std::int64_t{0}, std::int64_t{1}));
  EXPECT_EQ(seen[1], std::make_pair(std::int64_t{5}, std::int64_t{2}));
  EXPECT_EQ(seen[2].first, h.highest_equivalent(3000));
  EXPECT_EQ(seen[3].first, h.highest_equivalent(123456789));
  EXPECT_EQ(seen[4].first, h.highest_equivalent(3'000'000'000'000));
}

TEST(HistogramDecoderSupport, SetCountAtIndex) {
  histogram h = make_histogram(1, 1'000'000, 3);
  EXPECT_FALSE(h.set_count_at_index(h.counts_len(), 1));
  EXPECT_FALSE(h.set_count_at_index(3, -1));
  EXPECT_TRUE(h.set_count_at_index(3000, 4));
  EXPECT_TRUE(h.set_count_at_index(10, 2));
  EXPECT_EQ(h.total_count(), 6);
  EXPECT_EQ(h.min(), 10);
  EXPECT_EQ(h.max(), h.highest_equivalent(h.value_at_index(3000)));
  EXPECT_TRUE(h.set_count_at_index(10, 1));
  EXPECT_EQ(h.total_count(), 5);
  EXPECT_EQ(h.used_len(), 3001u);
}

}  // namespace
}  // namespace gb::metrics
