#include "analysis/compare.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "../report/synthetic.hpp"
#include "analysis/bootstrap.hpp"
#include "analysis/gate.hpp"

namespace gb::analysis {
namespace {

using testing::ms;

report::loaded_report stored(const testing::synth_options& o, const std::string& name,
                             const std::function<void(report::run_info&)>& edit = {}) {
  auto info = testing::synthetic_info(o);
  if (edit) {
    edit(info);
  }
  auto text = report::render_report_json(info, testing::synthetic_run(o));
  auto r = report::parse_report(*text, name);
  EXPECT_TRUE(r.ok()) << r.message();
  return *r;
}

TEST(Bootstrap, ReplicatesCentreOnThePointAndSpreadWithSampleSize) {
  std::mt19937_64 rng(5);
  for (std::int64_t n : {100, 10000}) {
    auto h = metrics::histogram::for_latency();
    std::normal_distribution<double> d(50e6, 5e6);
    for (std::int64_t i = 0; i < n; ++i) {
      h.record(static_cast<std::int64_t>(d(rng)));
    }
    percentile_sampler s(h, 95);
    std::vector<double> xs;
    for (int i = 0; i < 2000; ++i) {
      xs.push_back(s.sample(rng));
    }
    auto [lo, hi] = percentile_interval(xs, 0.95);
    EXPECT_LE(lo, s.point());
    EXPECT_GE(hi, s.point());
    // Standard error of p95 ~ 2.1 sd / sqrt(n): the 95% interval is about ±4 se wide.
    const double width = hi - lo;
    const double expected = 4 * 2.1 * 5e6 / std::sqrt(static_cast<double>(n));
    EXPECT_GT(width, expected / 3) << n;
    EXPECT_LT(width, expected * 3) << n;
  }
  percentile_sampler empty(metrics::histogram::for_latency(), 50);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.sample(rng), 0);
}

TEST(Compare, SameDistributionDoesNotFlag) {
  for (std::uint64_t seed : {2, 3, 4, 5}) {
    testing::synth_options a;
    a.seed = 1;
    testing::synth_options b;
    b.seed = seed;
    auto r = compare_reports(stored(a, "base.json"), stored(b, "new.json"), {});
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_FALSE(r->regression) << format_compare_console(*r, false);
    ASSERT_EQ(r->metrics.size(), 4u);
    for (const auto& m : r->metrics) {
      ASSERT_EQ(m.percentiles.size(), 4u);
      for (const auto& p : m.percentiles) {
        EXPECT_NE(p.result, verdict::regression) << m.metric << " p" << p.percentile;
        EXPECT_LT(std::abs(p.relative), 0.05) << m.metric << " p" << p.percentile;
      }
    }
  }
}

TEST(Compare, TenPercentSlowerFlagsAndNamesTheMetric) {
  testing::synth_options a;
  a.seed = 1;
  testing::synth_options b;
  b.seed = 9;
  b.scale = 1.10;
  auto r = compare_reports(stored(a, "base.json"), stored(b, "new.json"), {});
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(r->regression);
  for (const auto& m : r->metrics) {
    EXPECT_EQ(m.result, verdict::regression) << m.metric;
    for (const auto& p : m.percentiles) {
      EXPECT_NEAR(p.relative, 0.10, 0.04) << m.metric << " p" << p.percentile;
      EXPECT_GT(p.ci_low_ns, 0);
    }
  }
  const std::string console = format_compare_console(*r, false);
  EXPECT_NE(console.find("✗ regression"), std::string::npos) << console;
  EXPECT_NE(console.find("ttft"), std::string::npos);
  // The reverse direction is an improvement, not a regression.
  auto back = compare_reports(stored(b, "new.json"), stored(a, "base.json"), {});
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->regression);
  EXPECT_EQ(back->metrics[0].result, verdict::improvement);
}

TEST(Compare, SmallSamplesNeedTheIntervalNotJustTheChange) {
  // 30 requests each: a 7% change in p99 is within what resampling produces.
  testing::synth_options a;
  a.seed = 1;
  a.ok = 30;
  testing::synth_options b = a;
  b.seed = 2;
  b.scale = 1.07;
  auto r = compare_reports(stored(a, "a"), stored(b, "b"), {});
  ASSERT_TRUE(r.ok());
  for (const auto& m : r->metrics) {
    for (const auto& p : m.percentiles) {
      if (p.percentile == 99 && m.metric == "ttft") {
        EXPECT_LT(p.ci_low_ns, 0) << "interval should include 0";
        EXPECT_NE(p.result, verdict::regression);
      }
    }
  }
}

TEST(Compare, RefusesDifferentLoadsUnlessForced) {
  struct case_t {
    const char* name;
    std::function<void(report::run_info&)> edit;
    const char* says;
  };
  const std::vector<case_t> cases = {
      {"concurrency", [](report::run_info& i) { i.scenario.load.concurrency = 16; },
       "concurrency: 8 vs 16"},
      {"rate",
       [](report::run_info& i) {
         i.scenario.load.mode = gb::scenario::load::model::open;
         i.scenario.load.rate = 50;
       },
       "load mode"},
      {"dialect",
       [](report::run_info& i) {
         i.scenario.targets[0].api = protocol::dialect::anthropic_messages;
       },
       "dialect: 'openai-chat' vs 'anthropic-messages'"},
      {"role", [](report::run_info& i) { i.scenario.targets[0].role = "gateway"; }, "kind (role)"},
      {"workload", [](report::run_info& i) { i.scenario.workload.stream = false; },
       "workload stream"},
      {"output tokens", [](report::run_info& i) { i.scenario.workload.output_tokens.value = 256; },
       "workload output_tokens"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto base = stored({}, "base.json");
    auto next = stored({}, "new.json", c.edit);
    auto r = compare_reports(base, next, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("loads differ"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find(c.says), std::string::npos) << r.message();
    compare_options force;
    force.force = true;
    auto forced = compare_reports(base, next, force);
    ASSERT_TRUE(forced.ok()) << forced.message();
    EXPECT_FALSE(forced->load_differences.empty());
  }
}

TEST(Compare, OutputsCarryTheVerdicts) {
  testing::synth_options b;
  b.seed = 9;
  b.scale = 1.2;
  auto r = compare_reports(stored({}, "base.json"), stored(b, "new.json"), {});
  ASSERT_TRUE(r.ok());
  const std::string md = format_compare_markdown(*r);
  EXPECT_NE(md.find("regression beyond noise"), std::string::npos);
  EXPECT_NE(md.find("| default | e2e | p95 |"), std::string::npos) << md;
  const std::string js = format_compare_json(*r);
  EXPECT_NE(js.find("\"regression\": true"), std::string::npos);
  threshold_result th{*parse_threshold("ttft:p(95)<1ms"), "default", false, 60e6, "60ms"};
  const std::string xml = format_junit(&*r, {th}, "gatebench");
  // 1 threshold + 4 metrics × 3 gated percentiles + 1 error-rate case, all failing but errors.
  EXPECT_NE(xml.find("tests=\"14\""), std::string::npos) << xml.substr(0, 300);
  EXPECT_NE(xml.find("failures=\"13\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"ttft:p(95)&lt;1ms\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"e2e:p95\""), std::string::npos);
  EXPECT_EQ(xml.find("name=\"e2e:p99\""), std::string::npos);  // shown, not gated
}

TEST(Gate, BaselineNamesAndThresholdSources) {
  EXPECT_EQ(baseline_path("main"), "reports/baselines/main.json");
  EXPECT_EQ(baseline_path("v1.2_rc-3", "out"), "out/baselines/v1.2_rc-3.json");
  EXPECT_EQ(baseline_path("old.json"), "old.json");
  EXPECT_EQ(baseline_path("dir/run.json"), "dir/run.json");
  std::vector<gb::scenario::threshold> from_file = {{"ttft:p(95)<500ms", true, "ci.yaml:12"},
                                                    {"e2e:p(99)<>5s", false, "ci.yaml:13"}};
  auto bad = parse_thresholds(from_file, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("ci.yaml:13"), std::string::npos) << bad.message();
  from_file.pop_back();
  auto good = parse_thresholds(from_file, {"errors:rate<1%"});
  ASSERT_TRUE(good.ok()) << good.message();
  ASSERT_EQ(good->size(), 2u);
  EXPECT_TRUE((*good)[0].abort_on_fail);
  EXPECT_EQ((*good)[1].source, "--threshold");
  auto cli_bad = parse_thresholds({}, {"nope"});
  ASSERT_FALSE(cli_bad.ok());
  EXPECT_NE(cli_bad.message().find("--threshold"), std::string::npos);
}

TEST(Gate, SaveThenCompareWithBaseline) {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("gb-gate-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  testing::synth_options o;
  ASSERT_TRUE(save_baseline("main", testing::synthetic_info(o), testing::synthetic_run(o), dir));
  EXPECT_TRUE(std::filesystem::exists(dir + "/baselines/main.json"));
  EXPECT_FALSE(
      save_baseline("../evil", testing::synthetic_info(o), testing::synthetic_run(o), dir).ok());
  testing::synth_options slow;
  slow.seed = 3;
  slow.scale = 1.2;
  auto r = compare_with_baseline("main", testing::synthetic_info(slow),
                                 testing::synthetic_run(slow), {}, dir);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(r->regression);
  testing::synth_options same;
  same.seed = 4;
  auto ok = compare_with_baseline("main", testing::synthetic_info(same),
                                  testing::synthetic_run(same), {}, dir);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->regression);
  auto missing =
      compare_with_baseline("nope", testing::synthetic_info(), testing::synthetic_run(), {}, dir);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("baselines/nope.json"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gb::analysis

namespace gb::analysis {
namespace {

TEST(Bootstrap, BlocksKeepBurstsTogether) {
  // 20 one-second blocks of 100 requests around 10 ms; one block is a 30 ms burst.
  std::mt19937_64 rng(8);
  std::normal_distribution<double> d(10e6, 1e6);
  std::vector<metrics::histogram> blocks;
  auto whole = metrics::histogram::for_latency();
  for (int b = 0; b < 20; ++b) {
    auto h = metrics::histogram::for_latency();
    for (int i = 0; i < 100; ++i) {
      h.record(static_cast<std::int64_t>(d(rng) * (b == 7 ? 3 : 1)));
    }
    whole.add(h);
    blocks.push_back(std::move(h));
  }
  block_sampler bs(blocks);
  EXPECT_EQ(bs.blocks(), 20u);
  percentile_sampler ps(whole, 97);
  std::vector<double> by_block;
  std::vector<double> by_request;
  for (int i = 0; i < 1000; ++i) {
    const auto v = bs.sample(rng, {50, 97});
    EXPECT_LE(v[0], v[1]);
    by_block.push_back(v[1]);
    by_request.push_back(ps.sample(rng));
  }
  auto [blo, bhi] = percentile_interval(by_block, 0.95);
  auto [rlo, rhi] = percentile_interval(by_request, 0.95);
  // Drawing the burst block 0, 1, 2 or 3 times moves p97 a lot more than resampling requests.
  EXPECT_GT(bhi - blo, 2 * (rhi - rlo));
  EXPECT_TRUE(block_sampler({}).sample(rng, {50}).at(0) == 0);
}

}  // namespace
}  // namespace gb::analysis
