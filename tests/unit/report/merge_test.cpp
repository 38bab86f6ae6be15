#include <gtest/gtest.h>

#include "report/report.hpp"
#include "synthetic.hpp"

namespace gb::report {
namespace {

using testing::ms;
using testing::sec;

loaded_report stored(const testing::synth_options& o, const std::string& name,
                     std::int64_t start_shift = 0) {
  auto info = testing::synthetic_info(o);
  info.host.hostname = name;
  info.start_steady_ns += start_shift;
  auto text = render_report_json(info, testing::synthetic_run(o));
  auto r = parse_report(*text, name);
  EXPECT_TRUE(r.ok()) << r.message();
  return *r;
}

TEST(Merge, HistogramsAndCountsAddUpExactly) {
  testing::synth_options a;
  a.seed = 11;
  testing::synth_options b;
  b.seed = 22;
  b.ok = 700;
  b.scale = 1.3;
  const auto ra = stored(a, "host-a");
  const auto rb = stored(b, "host-b", 3 * ms);  // machine b started 3 ms later
  auto merged = merge_reports({ra, rb});
  ASSERT_TRUE(merged.ok()) << merged.message();
  const auto& ma = ra.stats.by_target_phase.at("default").at("main");
  const auto& mb = rb.stats.by_target_phase.at("default").at("main");
  const auto& mm = merged->stats.by_target_phase.at("default").at("main");
  EXPECT_EQ(mm.outcomes.started(), ma.outcomes.started() + mb.outcomes.started());
  EXPECT_EQ(mm.outcomes.by_status().at(500), 4);
  EXPECT_EQ(mm.output_tokens_total, ma.output_tokens_total + mb.output_tokens_total);
  EXPECT_EQ(mm.ttft.total_count(), 2700);
  for (std::size_t i = 0; i < mm.ttft.counts_len(); ++i) {
    ASSERT_EQ(mm.ttft.count_at_index(i), ma.ttft.count_at_index(i) + mb.ttft.count_at_index(i));
  }
  for (std::size_t i = 0; i < mm.itl.counts_len(); ++i) {
    ASSERT_EQ(mm.itl.count_at_index(i), ma.itl.count_at_index(i) + mb.itl.count_at_index(i));
  }
  EXPECT_EQ(merged->info.host.hostname, "host-a,host-b");
  EXPECT_EQ(merged->info.threads, 4);
  // Intervals line up by offset (b's 3 ms shift rounds into the same second): 3 points, summed.
  ASSERT_EQ(merged->stats.intervals.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(merged->stats.intervals[i].started,
              ra.stats.intervals[i].started + rb.stats.intervals[i].started);
  }
  // The merged report is a valid report again.
  auto text = render_report_json(merged->info, merged->stats);
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_TRUE(parse_report(*text, "merged").ok());
}

TEST(Merge, RefusesDifferentScenarios) {
  auto ra = stored({}, "a");
  auto info = testing::synthetic_info();
  info.scenario.load.concurrency = 64;
  auto rb = parse_report(*render_report_json(info, testing::synthetic_run()), "b.json");
  ASSERT_TRUE(rb.ok());
  auto merged = merge_reports({ra, *rb});
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.message().find("scenarios differ"), std::string::npos);
  EXPECT_FALSE(merge_reports({}).ok());
}

}  // namespace
}  // namespace gb::report
