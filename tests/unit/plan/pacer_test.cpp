// Arrival schedules, closed-loop slots, phases, quotas: exact counts, even spacing, the right
// statistics for random processes, exact ramps, determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "plan/pacer.hpp"
#include "plan/phases.hpp"
#include "plan/rng.hpp"

namespace gb::plan {
namespace {

using scenario::s_ns;
constexpr std::int64_t end_mark = std::numeric_limits<std::int64_t>::max();

std::vector<std::int64_t> drain(arrival_schedule& s, std::size_t limit = 10'000'000) {
  std::vector<std::int64_t> out;
  for (std::int64_t t = s.next(); t != end_mark && out.size() < limit; t = s.next()) {
    out.push_back(t);
  }
  return out;
}

std::vector<std::int64_t> merged(const scenario::load& ld, std::uint64_t seed, int workers) {
  std::vector<std::int64_t> all;
  for (int i = 0; i < workers; ++i) {
    auto s = make_arrival_schedule(ld, seed, i, workers);
    auto v = drain(*s);
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end())) << "worker " << i;
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

scenario::load open_load(double rate, std::int64_t duration_ns) {
  scenario::load ld;
  ld.mode = scenario::load::model::open;
  ld.rate = rate;
  ld.duration_ns = duration_ns;
  return ld;
}

struct gap_stats {
  double mean = 0;
  double cv = 0;
};

gap_stats stats_of(const std::vector<std::int64_t>& times) {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < times.size(); ++i) {
    gaps.push_back(static_cast<double>(times[i] - times[i - 1]) / 1e9);
  }
  double sum = 0;
  for (double g : gaps) {
    sum += g;
  }
  const double mean = sum / static_cast<double>(gaps.size());
  double var = 0;
  for (double g : gaps) {
    var += (g - mean) * (g - mean);
  }
  var /= static_cast<double>(gaps.size() - 1);
  return {mean, std::sqrt(var) / mean};
}

TEST(ArrivalSchedule, ConstantRateSplitsExactlyAndEvenly) {
  const auto ld = open_load(200, 10 * s_ns);
  for (int workers = 1; workers <= 4; ++workers) {
    const auto all = merged(ld, 1, workers);
    ASSERT_EQ(all.size(), 2000u) << workers << " workers";
    EXPECT_EQ(all.front(), 0);
    EXPECT_LT(all.back(), 10 * s_ns);
    for (std::size_t i = 1; i < all.size(); ++i) {
      ASSERT_NEAR(static_cast<double>(all[i] - all[i - 1]), 5e6, 1.0)
          << workers << " workers, arrival " << i;
    }
  }
}

TEST(ArrivalSchedule, ConstantRateWithRequestCountSplitsTheCount) {
  auto ld = open_load(1000, 0);
  ld.requests = 1001;
  for (int workers = 1; workers <= 4; ++workers) {
    std::int64_t total = 0;
    for (int i = 0; i < workers; ++i) {
      auto s = make_arrival_schedule(ld, 1, i, workers);
      const auto n = static_cast<std::int64_t>(drain(*s).size());
      EXPECT_EQ(n, request_quota(ld, i, workers));
      total += n;
    }
    EXPECT_EQ(total, 1001) << workers << " workers";
  }
}

TEST(ArrivalSchedule, PoissonGapsHaveMeanOneOverRateAndCvNearOne) {
  auto ld = open_load(1000, 100 * s_ns);
  ld.process = scenario::load::arrival::poisson;
  const auto all = merged(ld, 99, 3);
  EXPECT_NEAR(static_cast<double>(all.size()), 100'000, 4 * std::sqrt(100'000.0));
  const auto st = stats_of(all);
  EXPECT_NEAR(st.mean, 1e-3, 0.02e-3);
  EXPECT_NEAR(st.cv, 1.0, 0.03);
}

TEST(ArrivalSchedule, GammaBurstinessControlsVariability) {
  for (double k : {0.25, 0.5, 4.0}) {
    auto ld = open_load(500, 200 * s_ns);
    ld.process = scenario::load::arrival::gamma;
    ld.burstiness = k;
    auto s = make_arrival_schedule(ld, 5, 0, 1);
    const auto st = stats_of(drain(*s));
    EXPECT_NEAR(st.mean, 1.0 / 500, 0.05 / 500) << "k=" << k;
    EXPECT_NEAR(st.cv, 1.0 / std::sqrt(k), 0.06 / std::sqrt(k)) << "k=" << k;
    if (k < 1) {
      EXPECT_GT(st.cv, 1.2) << "burstiness below 1 must be burstier than Poisson";
    }
  }
}

TEST(ArrivalSchedule, LinearRampIntegratesExactly) {
  // 0 → 100/s over 10 s: 500 arrivals; the k-th at t = sqrt(2k/slope) with slope 10/s².
  scenario::load ld;
  ld.mode = scenario::load::model::open;
  ld.stages = {{10 * s_ns, 100}, {5 * s_ns, 100}, {5 * s_ns, 0}};
  ld.duration_ns = 0;
  const auto all = merged(ld, 1, 3);
  EXPECT_EQ(all.size(), 500u + 500u + 250u);
  for (std::size_t k = 0; k < 500; k += 37) {
    const double expected = std::sqrt(2.0 * static_cast<double>(k) / 10.0) * 1e9;
    EXPECT_NEAR(static_cast<double>(all[k]), expected, 2.0) << "arrival " << k;
  }
  // The flat stage: 100/s from 10 s.
  EXPECT_NEAR(static_cast<double>(all[500]), 10e9, 2.0);
  EXPECT_NEAR(static_cast<double>(all[501] - all[500]), 1e7, 2.0);
  // In the ramp down, arrivals thin out: the last gap is much wider than the first.
  const auto n = all.size();
  EXPECT_GT(all[n - 1] - all[n - 2], 5 * (all[1001] - all[1000]));
  EXPECT_LT(all.back(), 20 * s_ns);
}

TEST(ArrivalSchedule, RampStartsFromTheGivenRate) {
  scenario::load ld;
  ld.mode = scenario::load::model::open;
  ld.stage_start = 100;
  ld.rate = 100;
  ld.stages = {{2 * s_ns, 300}};
  ld.duration_ns = 0;
  const auto all = merged(ld, 1, 2);
  EXPECT_EQ(all.size(), 400u);  // mean rate 200/s for 2 s
}

TEST(ArrivalSchedule, WarmupAndCooldownAtTheMainRate) {
  auto ld = open_load(100, 10 * s_ns);
  ld.warmup_ns = 2 * s_ns;
  ld.cooldown_ns = 1 * s_ns;
  ld.requests = 50;  // bounds the main phase only
  const auto all = merged(ld, 1, 2);
  const auto phases = make_phases(ld);
  std::int64_t counts[3] = {0, 0, 0};
  for (auto t : all) {
    ++counts[static_cast<int>(phase_at(phases, t))];
  }
  EXPECT_EQ(counts[0], 200);
  EXPECT_EQ(counts[1], 50);
  EXPECT_EQ(counts[2], 100);
}

TEST(ArrivalSchedule, DeterministicForASeed) {
  auto ld = open_load(300, 5 * s_ns);
  ld.process = scenario::load::arrival::poisson;
  auto a = make_arrival_schedule(ld, 42, 1, 2);
  auto b = make_arrival_schedule(ld, 42, 1, 2);
  auto c = make_arrival_schedule(ld, 43, 1, 2);
  auto d = make_arrival_schedule(ld, 42, 0, 2);
  const auto va = drain(*a);
  EXPECT_EQ(va, drain(*b));
  EXPECT_NE(va, drain(*c));
  EXPECT_NE(va, drain(*d));
}

TEST(Phases, WindowsInOrder) {
  scenario::load ld;
  ld.warmup_ns = 5 * s_ns;
  ld.stages = {{10 * s_ns, 10}, {20 * s_ns, 20}};
  ld.cooldown_ns = 3 * s_ns;
  const auto p = make_phases(ld);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].which, phase::warmup);
  EXPECT_EQ(p[1].start_ns, 5 * s_ns);
  EXPECT_EQ(p[1].end_ns, 35 * s_ns);
  EXPECT_EQ(p[2].end_ns, 38 * s_ns);
  EXPECT_EQ(phase_at(p, 0), phase::warmup);
  EXPECT_EQ(phase_at(p, 5 * s_ns), phase::main);
  EXPECT_EQ(phase_at(p, 36 * s_ns), phase::cooldown);
  EXPECT_EQ(phase_at(p, 100 * s_ns), phase::cooldown);
  EXPECT_EQ(to_string(phase::warmup), "warmup");

  scenario::load count;
  count.requests = 100;
  count.duration_ns = 0;
  count.cooldown_ns = s_ns;
  const auto q = make_phases(count);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].end_ns, end_mark);
}

TEST(ClosedLoop, SlotsSplitAndRampLinearly) {
  scenario::load ld;
  ld.concurrency = 10;
  ld.duration_ns = 10 * s_ns;
  for (int workers = 1; workers <= 4; ++workers) {
    std::int64_t sum = 0;
    std::int64_t max_sum = 0;
    for (int i = 0; i < workers; ++i) {
      sum += slots_at(ld, 5 * s_ns, i, workers);
      max_sum += max_slots(ld, i, workers);
      EXPECT_EQ(slots_at(ld, 10 * s_ns, i, workers), 0) << "after the end";
    }
    EXPECT_EQ(sum, 10);
    EXPECT_EQ(max_sum, 10);
  }
  scenario::load ramp;
  ramp.stage_start = 0;
  ramp.stages = {{10 * s_ns, 100}, {10 * s_ns, 100}};
  ramp.duration_ns = 0;
  EXPECT_EQ(slots_at(ramp, 0, 0, 1), 0);
  EXPECT_EQ(slots_at(ramp, 2500 * 1'000'000LL, 0, 1), 25);
  EXPECT_EQ(slots_at(ramp, 5 * s_ns, 0, 1), 50);
  EXPECT_EQ(slots_at(ramp, 15 * s_ns, 0, 1), 100);
  EXPECT_EQ(slots_at(ramp, 5 * s_ns, 0, 3) + slots_at(ramp, 5 * s_ns, 1, 3) +
                slots_at(ramp, 5 * s_ns, 2, 3),
            50);
  EXPECT_EQ(max_slots(ramp, 0, 1), 100);
}

TEST(Quotas, AddUpExactly) {
  scenario::load ld;
  ld.requests = 10;
  EXPECT_EQ(request_quota(ld, 0, 4) + request_quota(ld, 1, 4) + request_quota(ld, 2, 4) +
                request_quota(ld, 3, 4),
            10);
  EXPECT_EQ(request_quota(ld, 0, 4), 3);
  EXPECT_EQ(request_quota(ld, 3, 4), 2);
  ld.requests = 0;
  EXPECT_EQ(request_quota(ld, 0, 4), -1);
  scenario::load open = open_load(1000, s_ns);
  open.concurrency = 8;
  EXPECT_EQ(in_flight_cap(open, 0, 1), 10000);
  open.rate = 10;
  EXPECT_EQ(in_flight_cap(open, 0, 1), 1024);
  EXPECT_EQ(in_flight_cap(open, 0, 2) + in_flight_cap(open, 1, 2), 1024);
  open.max_in_flight = 7;
  EXPECT_EQ(in_flight_cap(open, 0, 2) + in_flight_cap(open, 1, 2), 7);
}

TEST(Rng, SamplersMatchTheirMoments) {
  rng r(7, 0);
  double sum = 0;
  double sum2 = 0;
  const int n = 200'000;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    sum += z;
    sum2 += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum2 / n, 1.0, 0.02);
  double g = 0;
  for (int i = 0; i < n; ++i) {
    g += r.gamma(0.3);
  }
  EXPECT_NEAR(g / n, 0.3, 0.01);
  rng a(1, 2);
  rng b(1, 2);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a.next(), b.next());
  }
}

}  // namespace
}  // namespace gb::plan
