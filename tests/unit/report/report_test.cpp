#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "metrics/hdr_text.hpp"
#include "report/hist_codec.hpp"
#include "report/report.hpp"
#include "synthetic.hpp"
#include "util/units.hpp"

namespace gb::report {
namespace {

namespace fs = std::filesystem;
using testing::ms;
using testing::sec;

std::string temp_dir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("gb-report-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void expect_same_hist(const metrics::histogram& a, const metrics::histogram& b,
                      const std::string& what) {
  ASSERT_EQ(a.total_count(), b.total_count()) << what;
  ASSERT_TRUE(a.same_layout(b)) << what;
  for (std::size_t i = 0; i < std::max(a.used_len(), b.used_len()); ++i) {
    ASSERT_EQ(a.count_at_index(i), b.count_at_index(i)) << what << " bucket " << i;
  }
}

void expect_same_stats(const metrics::stats& a, const metrics::stats& b, std::int64_t shift) {
  EXPECT_EQ(a.outcomes.started(), b.outcomes.started());
  for (std::size_t i = 0; i < metrics::outcome_count; ++i) {
    const auto o = static_cast<metrics::outcome>(i);
    EXPECT_EQ(a.outcomes.count(o), b.outcomes.count(o)) << metrics::to_string(o);
  }
  for (std::size_t i = 0; i < metrics::timeout_phase_count; ++i) {
    const auto p = static_cast<metrics::timeout_phase>(i);
    EXPECT_EQ(a.outcomes.timeouts(p), b.outcomes.timeouts(p));
  }
  EXPECT_EQ(a.outcomes.by_status(), b.outcomes.by_status());
  EXPECT_EQ(a.outcomes.by_reason(), b.outcomes.by_reason());
  expect_same_hist(a.ttfb, b.ttfb, "ttfb");
  expect_same_hist(a.ttft, b.ttft, "ttft");
  expect_same_hist(a.e2e, b.e2e, "e2e");
  expect_same_hist(a.ttft_service, b.ttft_service, "ttft_service");
  expect_same_hist(a.e2e_service, b.e2e_service, "e2e_service");
  expect_same_hist(a.itl, b.itl, "itl");
  expect_same_hist(a.tpot, b.tpot, "tpot");
  expect_same_hist(a.schedule_lag, b.schedule_lag, "schedule_lag");
  expect_same_hist(a.time_to_error, b.time_to_error, "time_to_error");
  expect_same_hist(a.output_tokens, b.output_tokens, "output_tokens");
  expect_same_hist(a.input_tokens, b.input_tokens, "input_tokens");
  EXPECT_EQ(a.output_tokens_total, b.output_tokens_total);
  EXPECT_EQ(a.input_tokens_total, b.input_tokens_total);
  EXPECT_EQ(a.content_events_total, b.content_events_total);
  EXPECT_EQ(a.tokens_from_usage, b.tokens_from_usage);
  EXPECT_EQ(a.tpot_decode_ns_total, b.tpot_decode_ns_total);
  EXPECT_EQ(a.slo_met, b.slo_met);
  EXPECT_EQ(a.dropped, b.dropped);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.inflight_area_ns, b.inflight_area_ns);
  EXPECT_EQ(a.inflight_max, b.inflight_max);
  EXPECT_EQ(a.phase_start_ns - shift, b.phase_start_ns);
  EXPECT_EQ(a.phase_end_ns - shift, b.phase_end_ns);
  EXPECT_EQ(a.first_send_ns - shift, b.first_send_ns);
}

TEST(Report, RoundTripKeepsEveryBucketAndCounter) {
  const auto dir = temp_dir("roundtrip");
  const auto info = testing::synthetic_info();
  const auto run = testing::synthetic_run();
  const std::string path = dir + "/run.json";
  ASSERT_TRUE(write_report(info, run, path).ok());
  auto loaded = load_report(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  // Loaded steady instants are offsets from the start plus the loader's base.
  const std::int64_t shift = info.start_steady_ns - loaded->info.start_steady_ns;
  for (const auto& phase : {"warmup", "main"}) {
    SCOPED_TRACE(phase);
    expect_same_stats(run.by_target_phase.at("default").at(phase),
                      loaded->stats.by_target_phase.at("default").at(phase), shift);
  }
  expect_same_stats(run.splits.at("default/main/turn=1"),
                    loaded->stats.splits.at("default/main/turn=1"), shift);
  ASSERT_EQ(loaded->stats.intervals.size(), run.intervals.size());
  for (std::size_t i = 0; i < run.intervals.size(); ++i) {
    EXPECT_EQ(run.intervals[i].start_ns - shift, loaded->stats.intervals[i].start_ns);
    EXPECT_EQ(run.intervals[i].started, loaded->stats.intervals[i].started);
    EXPECT_EQ(run.intervals[i].output_tokens, loaded->stats.intervals[i].output_tokens);
  }
  EXPECT_EQ(loaded->info.run_id, "test-run");
  EXPECT_EQ(loaded->info.scenario.name, "synthetic");
  EXPECT_EQ(loaded->info.scenario.load.concurrency, 8);
  EXPECT_EQ(loaded->info.seed, 7u);
  EXPECT_EQ(loaded->info.warnings, info.warnings);
  EXPECT_EQ(loaded->info.host.cpu_model, info.host.cpu_model);
  EXPECT_EQ(loaded->info.resources.harness.peak_rss_bytes, 50 << 20);
  ASSERT_EQ(loaded->info.resources.harness.samples.size(), 1u);
  EXPECT_EQ(loaded->info.resources.harness.samples[0].fds, 12);
  EXPECT_FALSE(loaded->info.resources.target.present);
  // A second write of the loaded report gives the same JSON (stable encoding).
  auto again = render_report_json(loaded->info, loaded->stats);
  ASSERT_TRUE(again.ok());
  auto first = render_report_json(info, run);
  EXPECT_EQ(*again, *first);
  fs::remove_all(dir);
}

TEST(Report, SecretsNeverReachTheFile) {
  const auto dir = temp_dir("secret");
  ASSERT_TRUE(write_report(testing::synthetic_info(), testing::synthetic_run(), dir + "/r.json"));
  const std::string text = slurp(dir + "/r.json");
  EXPECT_EQ(text.find("sk-secret-123"), std::string::npos);
  EXPECT_NE(text.find("redacted"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Report, BrokenLedgerIsAnInternalErrorAndWritesNothing) {
  const auto dir = temp_dir("ledger");
  auto run = testing::synthetic_run();
  run.by_target_phase["default"]["main"].outcomes.start();  // started, never finished
  auto st = write_report(testing::synthetic_info(), run, dir + "/r.json");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("internal error"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("started == sum(outcomes)"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/r.json"));
  fs::remove_all(dir);
}

TEST(Report, CheckWritableNamesTheProblem) {
  const auto dir = temp_dir("writable");
  EXPECT_TRUE(check_writable(dir + "/ok.json").ok());
  auto missing = check_writable(dir + "/nope/r.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("does not exist"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find(dir + "/nope"), std::string::npos);
  auto is_dir = check_writable(dir);
  EXPECT_FALSE(is_dir.ok());
  EXPECT_FALSE(check_writable("").ok());
  if (::geteuid() != 0) {  // root may write anywhere
    fs::create_directories(dir + "/ro");
    ::chmod((dir + "/ro").c_str(), 0555);
    auto ro = check_writable(dir + "/ro/r.json");
    EXPECT_FALSE(ro.ok());
    EXPECT_NE(ro.message().find("not writable"), std::string::npos);
  }
  auto st = write_report(testing::synthetic_info(), testing::synthetic_run(), dir + "/x/y.json");
  EXPECT_FALSE(st.ok());
  fs::remove_all(dir);
}

TEST(Report, AtomicWriteReplacesAndLeavesNoTempFile) {
  const auto dir = temp_dir("atomic");
  const std::string path = dir + "/r.json";
  ASSERT_TRUE(write_text_atomically(path, "old").ok());
  ASSERT_TRUE(write_report(testing::synthetic_info(), testing::synthetic_run(), path).ok());
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "r.json");
  }
  EXPECT_EQ(files, 1);
  EXPECT_TRUE(load_report(path).ok());
  fs::remove_all(dir);
}

TEST(Report, FiguresFollowTheirDefinitions) {
  const auto s = testing::synthetic_stats();
  const auto f = compute_figures(s);
  EXPECT_EQ(f.duration_ns, 10 * sec);
  EXPECT_DOUBLE_EQ(f.requests_per_s, 200.0);  // 2000 ok / 10 s
  EXPECT_DOUBLE_EQ(f.output_tokens_per_s, 2000.0 * 21 / 10);
  EXPECT_DOUBLE_EQ(f.input_tokens_per_s, 2000.0 * 64 / 10);
  EXPECT_DOUBLE_EQ(f.concurrency_mean, 8.0);
  EXPECT_EQ(f.concurrency_max, 8);
  EXPECT_DOUBLE_EQ(f.error_rate, 5.0 / 2005.0);
  EXPECT_DOUBLE_EQ(f.goodput_ratio, static_cast<double>(s.slo_met) / 2005.0);
  EXPECT_EQ(f.token_source, "usage");
  EXPECT_DOUBLE_EQ(f.tpot_token_weighted_mean_ns,
                   static_cast<double>(s.tpot_decode_ns_total) / (2000.0 * 20));
  const auto empty = compute_figures(metrics::stats{});
  EXPECT_EQ(empty.requests_per_s, 0);
  EXPECT_EQ(empty.error_rate, 0);
  EXPECT_EQ(empty.token_source, "none");
}

TEST(Report, ConsoleSummaryShowsTheTableLedgerAndWarnings) {
  auto info = testing::synthetic_info();
  info.client_bound = true;
  const auto run = testing::synthetic_run();
  const std::string plain = format_console_summary(info, run, false);
  const auto& main = run.by_target_phase.at("default").at("main");
  EXPECT_NE(plain.find("target default"), std::string::npos) << plain;
  EXPECT_NE(plain.find(format_duration(main.ttft.value_at_percentile(95))), std::string::npos);
  EXPECT_NE(plain.find(format_duration(main.e2e.max())), std::string::npos);
  EXPECT_NE(plain.find("500: 2"), std::string::npos) << plain;
  EXPECT_NE(plain.find("429: 1"), std::string::npos);
  EXPECT_NE(plain.find("idle: 1"), std::string::npos);
  EXPECT_NE(plain.find("invalid_json: 1"), std::string::npos);
  EXPECT_NE(plain.find("3 dropped"), std::string::npos);
  EXPECT_NE(plain.find("200.00 req/s"), std::string::npos);
  EXPECT_NE(plain.find("client-bound"), std::string::npos);
  EXPECT_NE(plain.find("synthetic warning"), std::string::npos);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_NE(format_console_summary(info, run, true).find('\x1b'), std::string::npos);
}

TEST(Report, HgrmHasHdrHistogramsLayout) {
  const auto s = testing::synthetic_stats();
  const std::string text = format_hgrm(s.ttft);
  EXPECT_NE(text.find("Value     Percentile TotalCount 1/(1-Percentile)"), std::string::npos)
      << text.substr(0, 200);
  EXPECT_NE(text.find("#[Max     ="), std::string::npos);
}

TEST(Report, HlogHasOneLinePerIntervalWithHistograms) {
  auto info = testing::synthetic_info();
  auto run = testing::synthetic_run();
  auto h = metrics::histogram::for_latency();
  h.record(20 * ms);
  run.intervals[1].e2e_hist = encode_histogram(h);
  auto text = format_hlog(info, run, "e2e");
  ASSERT_TRUE(text.ok()) << text.message();
  EXPECT_NE(text->find("#[Histogram log format version 1.3]"), std::string::npos);
  // Interval 1 starts 1 s after the phase, which starts 3 s after the run.
  EXPECT_NE(text->find("Tag=default/main,4.000,1.000,20."), std::string::npos) << *text;
  auto parsed = metrics::read_hlog(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries[0].hist.total_count(), 1);
  EXPECT_FALSE(format_hlog(info, run, "tpot").ok());
  run.intervals[2].ttft_hist = "garbage";
  EXPECT_FALSE(format_hlog(info, run, "ttft").ok());
}

TEST(Report, MarkdownHasOneRowPerMetric) {
  const std::string md =
      format_markdown_summary(testing::synthetic_info(), testing::synthetic_run());
  EXPECT_NE(md.find("| ttft |"), std::string::npos) << md;
  EXPECT_NE(md.find("| e2e |"), std::string::npos);
  EXPECT_NE(md.find("2005 requests"), std::string::npos);
}

}  // namespace
}  // namespace gb::report
