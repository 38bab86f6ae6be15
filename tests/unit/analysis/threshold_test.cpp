#include "analysis/threshold.hpp"

#include <gtest/gtest.h>

#include "../report/synthetic.hpp"

namespace gb::analysis {
namespace {

using testing::ms;
using testing::sec;

struct parse_case {
  const char* text;
  const char* metric;
  stat_kind stat;
  double percentile;
  compare_op op;
  double value;
  const char* target;
};

TEST(Threshold, ParsesTheGrammar) {
  const std::vector<parse_case> cases = {
      {"ttft:p(95)<500ms", "ttft", stat_kind::percentile, 95, compare_op::lt, 500e6, ""},
      {"e2e:p(99)<5s", "e2e", stat_kind::percentile, 99, compare_op::lt, 5e9, ""},
      {"itl:p(50)<40ms", "itl", stat_kind::percentile, 50, compare_op::lt, 40e6, ""},
      {"itl:p(99.9) <= 1.5s", "itl", stat_kind::percentile, 99.9, compare_op::le, 1.5e9, ""},
      {"errors:rate<0.5%", "errors", stat_kind::rate, 0, compare_op::lt, 0.005, ""},
      {"errors:rate<0.01", "errors", stat_kind::rate, 0, compare_op::lt, 0.01, ""},
      {"goodput:rate>99%", "goodput", stat_kind::rate, 0, compare_op::gt, 0.99, ""},
      {"throughput:rps>200", "throughput", stat_kind::rps, 0, compare_op::gt, 200, ""},
      {"output_tokens_per_s:value>5000", "output_tokens_per_s", stat_kind::value, 0, compare_op::gt,
       5000, ""},
      {"output_tokens_per_s:value>=5k", "output_tokens_per_s", stat_kind::value, 0, compare_op::ge,
       5000, ""},
      {"ttft:avg<250", "ttft", stat_kind::avg, 0, compare_op::lt, 250e6, ""},  // bare = ms
      {"tpot:med<20ms", "tpot", stat_kind::med, 0, compare_op::lt, 20e6, ""},
      {"e2e:max<=10s", "e2e", stat_kind::max, 0, compare_op::le, 10e9, ""},
      {"ttfb:min>=1us", "ttfb", stat_kind::min, 0, compare_op::ge, 1e3, ""},
      {"errors:count==0", "errors", stat_kind::count, 0, compare_op::eq, 0, ""},
      {"e2e:count>100", "e2e", stat_kind::count, 0, compare_op::gt, 100, ""},
      {"requests:count>=1k", "requests", stat_kind::count, 0, compare_op::ge, 1000, ""},
      {"concurrency:avg>7.5", "concurrency", stat_kind::avg, 0, compare_op::gt, 7.5, ""},
      {"ttft{target=gateway}:p(95)<1s", "ttft", stat_kind::percentile, 95, compare_op::lt, 1e9,
       "gateway"},
      {"  e2e : p(90) < 2s  ", "e2e", stat_kind::percentile, 90, compare_op::lt, 2e9, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = parse_threshold(c.text);
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(t->metric, c.metric);
    EXPECT_EQ(t->stat, c.stat);
    EXPECT_DOUBLE_EQ(t->percentile, c.percentile);
    EXPECT_EQ(t->op, c.op);
    EXPECT_DOUBLE_EQ(t->value, c.value);
    EXPECT_EQ(t->target, c.target);
  }
}

TEST(Threshold, RejectsMalformedWithTheGrammar) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "empty"},
      {"ttft p(95)<500ms", "missing ':'"},
      {"latency:p(95)<500ms", "unknown metric 'latency'"},
      {"ttft:p95<500ms", "unknown STAT 'p95'"},
      {"ttft:p(101)<500ms", "between 0 and 100"},
      {"ttft:p(x)<500ms", "between 0 and 100"},
      {"ttft:p(95)500ms", "missing comparison operator"},
      {"ttft:p(95)<", "missing VALUE"},
      {"ttft:p(95)<fast", "not a duration"},
      {"ttft:p(95)<500parsecs", "not a duration"},
      {"ttft:rate<1%", "has no STAT 'rate'"},
      {"errors:p(95)<1%", "has no STAT 'p(95)'"},
      {"errors:rate<lots", "not a percentage"},
      {"throughput:rps>many", "not a number"},
      {"ttft{tgt=x}:p(95)<1s", "{target=NAME}"},
      {"ttft{target=x:p(95)<1s", "{target=NAME}"},
      {"ttft:p(95)=<1s", "unknown operator"},
  };
  for (const auto& [text, why] : cases) {
    SCOPED_TRACE(text);
    auto t = parse_threshold(text);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.message().find(why), std::string::npos) << t.message();
    EXPECT_NE(t.message().find("METRIC[{target=NAME}]:STAT OP VALUE"), std::string::npos);
  }
}

/// One target with exactly known values: ttft = 1..100 ms (one each), 4 failures of 100.
metrics::run_stats known_run() {
  metrics::stats s;
  for (int i = 1; i <= 100; ++i) {
    s.outcomes.start();
    if (i <= 96) {
      s.outcomes.add({metrics::outcome::ok, 200, metrics::timeout_phase::total, {}});
      s.slo_met += i <= 90 ? 1 : 0;
    } else {
      s.outcomes.add({metrics::outcome::http_status, 503, metrics::timeout_phase::total, {}});
    }
    s.ttft.record(i * ms);
  }
  s.output_tokens_total = 96 * 50;
  s.phase_start_ns = 10 * sec;
  s.phase_end_ns = 12 * sec;  // 2 s: 48 req/s, 2400 tok/s
  s.inflight_area_ns = 4 * 2 * sec;
  s.inflight_max = 6;
  metrics::run_stats r;
  r.by_target_phase["api"]["main"] = s;
  r.by_target_phase["api"]["warmup"] = metrics::stats{};
  return r;
}

TEST(Threshold, EvaluatesOnTheMainPhase) {
  const auto run = known_run();
  struct eval_case {
    const char* text;
    bool passes;
    const char* measured;
  };
  const std::vector<eval_case> cases = {
      {"ttft:p(95)<96ms", true, "95"},
      {"ttft:p(95)<95ms", false, "95"},
      {"ttft:p(95)<=95.1ms", true, "95"},  // HDR value: top of the 95 ms bucket
      {"ttft:med==50ms", false, "50"},     // HDR bucket top: 50.0xx ms
      {"ttft:max<100ms", false, "100"},
      {"ttft:min>=1ms", false, "1"},  // lowest equivalent value is <= 1 ms
      {"ttft:avg<51ms", true, "50"},
      {"ttft:count==100", true, "100"},
      {"errors:rate<5%", true, "4%"},
      {"errors:rate<4%", false, "4%"},
      {"errors:count<=4", true, "4"},
      {"goodput:rate>=90%", true, "90%"},
      {"goodput:rate>90%", false, "90%"},
      {"throughput:rps>=48", true, "48"},
      {"requests:rps>48", false, "48"},
      {"output_tokens_per_s:value==2400", true, "2400"},
      {"concurrency:avg==4", true, "4"},
      {"concurrency:max<6", false, "6"},
      {"itl:p(50)<1s", false, "no samples"},
      {"ttft{target=other}:p(50)<1s", false, "no target named other"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto t = parse_threshold(c.text);
    ASSERT_TRUE(t.ok()) << t.message();
    auto rs = evaluate_thresholds({*t}, run);
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].passed, c.passes) << rs[0].measured_text;
    EXPECT_NE(rs[0].measured_text.find(c.measured), std::string::npos) << rs[0].measured_text;
  }
}

TEST(Threshold, FormatsOneLinePerResultWithMarks) {
  const auto run = known_run();
  std::vector<threshold> ts = {*parse_threshold("ttft:p(95)<96ms"),
                               *parse_threshold("errors:rate<1%")};
  auto rs = evaluate_thresholds(ts, run);
  EXPECT_FALSE(all_passed(rs));
  const std::string text = format_threshold_results(rs, false);
  EXPECT_NE(text.find("✓ ttft:p(95)<96ms  [api] 95"), std::string::npos) << text;
  EXPECT_NE(text.find("✗ errors:rate<1%  [api] 4%"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(Threshold, CanStillPassKnowsWhatIsFinal) {
  const auto s = known_run().by_target_phase.at("api").at("main");
  struct case_t {
    const char* text;
    std::int64_t planned;
    bool can;
  };
  const std::vector<case_t> cases = {
      {"errors:count<4", 0, false},   // 4 failures already
      {"errors:count<=4", 0, true},   // not yet over
      {"errors:count==3", 0, false},  // counts only grow
      {"errors:count>10", 0, true},   // may still grow
      {"ttft:max<50ms", 0, false},    // max only grows
      {"ttft:max<200ms", 0, true},
      {"ttft:min>5ms", 0, false},         // min only shrinks
      {"ttft:p(95)<10ms", 0, true},       // time-bounded: a fast majority may still come
      {"ttft:p(95)<10ms", 1000, false},   // 90 of 1000 planned already above: > 5%
      {"ttft:p(95)<10ms", 10000, true},   // 90 of 10000 is < 5%
      {"errors:rate<0.1%", 1000, false},  // 4 of 1000 already > 0.1%
      {"errors:rate<1%", 1000, true},
      {"goodput:rate>99%", 1000, false},  // 10 already missed of 1000 (max 99.0%)
      {"goodput:rate>=99%", 1000, true},
      {"throughput:rps>1000", 1000, true},  // not decidable early
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text + std::string(" planned ") + std::to_string(c.planned));
    auto t = parse_threshold(c.text);
    ASSERT_TRUE(t.ok()) << t.message();
    EXPECT_EQ(can_still_pass(*t, s, c.planned), c.can);
  }
}

}  // namespace
}  // namespace gb::analysis
