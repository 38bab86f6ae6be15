// Prometheus text exposition and OpenMetrics export: names, labels, escaping, buckets derived
// from HDR histograms, and the line grammar Prometheus parses.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "export/live_accumulator.hpp"
#include "export/openmetrics.hpp"
#include "export/prometheus_text.hpp"
#include "metrics/hdr_codec.hpp"

namespace gb::exporter {
namespace {

constexpr std::int64_t ms = 1'000'000;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

/// Finds the value of the sample line that starts with `prefix` (name{labels}); -1 if absent.
double value_of(const std::string& text, const std::string& prefix) {
  for (const auto& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) {
      const auto sp = l.find(' ', prefix.size() - 1);
      return std::stod(l.substr(sp + 1));
    }
  }
  return -1;
}

TEST(buckets, cumulative_counts_at_fixed_bounds) {
  auto h = metrics::histogram::for_latency();
  h.record(1 * ms);  // exactly on the 1 ms bound: counts under le="0.001"
  h.record(3 * ms);  // under 5 ms
  h.record(3 * ms);
  h.record(400 * ms);      // under 0.5 s
  h.record(300'000 * ms);  // 5 min: only +Inf
  auto b = to_seconds_buckets(h);
  auto at = [&](double le) {
    for (std::size_t i = 0; i < bucket_bounds_s.size(); ++i) {
      if (bucket_bounds_s[i] == le) {
        return b.cumulative[i];
      }
    }
    return std::int64_t{-1};
  };
  EXPECT_EQ(at(0.0005), 0);
  EXPECT_EQ(at(0.001), 1);
  EXPECT_EQ(at(0.0025), 1);
  EXPECT_EQ(at(0.005), 3);
  EXPECT_EQ(at(0.25), 3);
  EXPECT_EQ(at(0.5), 4);
  EXPECT_EQ(at(120.0), 4);
  EXPECT_EQ(b.cumulative.back(), 5);
  EXPECT_EQ(b.count, 5);
  EXPECT_NEAR(b.sum_s, 0.001 + 0.006 + 0.4 + 300.0, 0.4);  // bucket-median precision
  for (std::size_t i = 1; i < b.cumulative.size(); ++i) {
    EXPECT_GE(b.cumulative[i], b.cumulative[i - 1]);
  }
  auto empty = to_seconds_buckets(metrics::histogram::for_latency());
  EXPECT_EQ(empty.count, 0);
  EXPECT_EQ(empty.sum_s, 0);
}

TEST(format, values_les_and_escaping) {
  struct row {
    double v;
    const char* text;
  };
  for (const row& r :
       {row{0, "0"}, row{42, "42"}, row{-3, "-3"}, row{0.25, "0.25"}, row{1e-4, "0.0001"},
        row{INFINITY, "+Inf"}, row{-INFINITY, "-Inf"}, row{NAN, "NaN"}}) {
    EXPECT_EQ(format_value(r.v), r.text);
  }
  EXPECT_EQ(format_le(1.0), "1.0");
  EXPECT_EQ(format_le(0.005), "0.005");
  EXPECT_EQ(format_le(INFINITY), "+Inf");
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label("plain"), "plain");
}

metrics::run_stats sample_stats() {
  metrics::run_stats rs;
  auto& st = rs.by_target_phase["gateway"]["main"];
  for (int i = 0; i < 10; ++i) {
    st.outcomes.start();
  }
  for (int i = 0; i < 6; ++i) {
    metrics::request_fate ok;
    st.outcomes.add(ok);
    st.ttft.record(20 * ms);
    st.e2e.record(200 * ms);
    st.itl.record(2 * ms);
    st.tpot.record(3 * ms);
  }
  metrics::request_fate limited;
  limited.kind = metrics::outcome::http_status;
  limited.http_status = 429;
  st.outcomes.add(limited);
  metrics::request_fate late;
  late.kind = metrics::outcome::timeout;
  late.phase = metrics::timeout_phase::total;
  st.outcomes.add(late);
  st.output_tokens_total = 120;
  st.input_tokens_total = 60;
  rs.by_target_phase["direct"]["warmup"].outcomes.start();
  return rs;
}

TEST(prometheus, families_labels_and_values) {
  const auto rs = sample_stats();
  live_view v;
  v.labels = {"run-1", "quick \"start\""};
  const auto series = series_from_stats(rs);
  for (const auto& s : series) {
    v.series.push_back(&s);
  }
  v.resource_target = "gateway";
  v.current_phase = "main";
  sysmon::sample h;
  h.rss_bytes = 50 << 20;
  h.hwm_bytes = 60 << 20;
  h.cores = 0.75;
  h.cpu_seconds = 12.5;
  h.threads = 5;
  h.fds = 20;
  h.processes = 1;
  v.harness = h;
  v.client_bound = false;
  const std::string text = render_prometheus(v);
  const std::string l =
      "{testid=\"run-1\",target=\"gateway\",scenario=\"quick \\\"start\\\"\",phase=\"main\"";
  EXPECT_EQ(value_of(text, "gatebench_requests_started_total" + l + "} "), 10);
  EXPECT_EQ(value_of(text, "gatebench_requests_total" + l + ",outcome=\"ok\"} "), 6);
  EXPECT_EQ(value_of(text, "gatebench_requests_total" + l + ",outcome=\"http_status\"} "), 1);
  EXPECT_EQ(value_of(text, "gatebench_requests_total" + l + ",outcome=\"timeout\"} "), 1);
  EXPECT_EQ(value_of(text, "gatebench_requests_total" + l + ",outcome=\"cancelled\"} "), 0);
  EXPECT_EQ(value_of(text, "gatebench_requests_in_flight" + l + "} "), 2);
  EXPECT_EQ(value_of(text, "gatebench_output_tokens_total" + l + "} "), 120);
  EXPECT_EQ(value_of(text, "gatebench_input_tokens_total" + l + "} "), 60);
  EXPECT_EQ(value_of(text, "gatebench_ttft_seconds_bucket" + l + ",le=\"0.01\"} "), 0);
  EXPECT_EQ(value_of(text, "gatebench_ttft_seconds_bucket" + l + ",le=\"0.025\"} "), 6);
  EXPECT_EQ(value_of(text, "gatebench_ttft_seconds_bucket" + l + ",le=\"+Inf\"} "), 6);
  EXPECT_EQ(value_of(text, "gatebench_e2e_seconds_count" + l + "} "), 6);
  EXPECT_NEAR(value_of(text, "gatebench_e2e_seconds_sum" + l + "} "), 1.2, 0.01);
  EXPECT_EQ(value_of(text, "gatebench_tpot_seconds_count" + l + "} "), 6);
  EXPECT_EQ(value_of(text, "gatebench_itl_seconds_bucket" + l + ",le=\"0.0025\"} "), 6);
  EXPECT_EQ(value_of(text, "gatebench_harness_resident_memory_bytes" + l + "} "), 50 << 20);
  EXPECT_EQ(value_of(text, "gatebench_harness_cpu_cores" + l + "} "), 0.75);
  EXPECT_EQ(value_of(text, "gatebench_harness_cpu_seconds_total" + l + "} "), 12.5);
  EXPECT_EQ(value_of(text, "gatebench_harness_open_fds" + l + "} "), 20);
  EXPECT_EQ(value_of(text, "gatebench_client_bound" + l + "} "), 0);
  EXPECT_EQ(value_of(text, "gatebench_target_resident_memory_bytes"), -1);  // no target given
  // The second target/phase is there too.
  EXPECT_EQ(value_of(text,
                     "gatebench_requests_in_flight{testid=\"run-1\",target=\"direct\","
                     "scenario=\"quick \\\"start\\\"\",phase=\"warmup\"} "),
            1);
}

TEST(prometheus, every_line_follows_the_text_grammar) {
  const auto rs = sample_stats();
  live_view v;
  v.labels = {"r", "s"};
  const auto series = series_from_stats(rs);
  for (const auto& s : series) {
    v.series.push_back(&s);
  }
  const std::string text = render_prometheus(v);
  const std::regex meta(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+)");
  const std::regex sample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\} (-?[0-9.e+-]+|\+Inf|-Inf|NaN))");
  std::map<std::string, std::string> types;
  for (const auto& l : lines_of(text)) {
    if (l.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(l, meta)) << l;
      if (l.rfind("# TYPE ", 0) == 0) {
        const auto rest = l.substr(7);
        const auto name = rest.substr(0, rest.find(' '));
        EXPECT_EQ(types.count(name), 0u) << "family declared twice: " << name;
        types[name] = rest.substr(rest.find(' ') + 1);
      }
    } else {
      EXPECT_TRUE(std::regex_match(l, sample)) << l;
    }
  }
  // Conventions: counters end in _total, histograms are in seconds.
  for (const auto& [name, type] : types) {
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    if (type == "histogram") {
      EXPECT_TRUE(name.ends_with("_seconds")) << name;
    }
  }
  EXPECT_EQ(types["gatebench_ttft_seconds"], "histogram");
  EXPECT_EQ(types["gatebench_requests_in_flight"], "gauge");
  EXPECT_TRUE(text.ends_with("\n"));
}

TEST(openmetrics, cumulative_counters_with_timestamps_and_eof) {
  std::vector<metrics::interval_point> ivs;
  auto h = metrics::histogram::for_latency();
  h.record(30 * ms);
  for (int i = 0; i < 3; ++i) {
    metrics::interval_point p;
    p.start_ns = i * 1'000 * ms;
    p.length_ns = 1'000 * ms;
    p.target = "mock";
    p.phase = "main";
    p.started = 10;
    p.ok = 9;
    p.errors = 1;
    p.output_tokens = 100;
    p.input_tokens = 50;
    p.in_flight = 2;
    p.ttft_hist = metrics::encode_base64(h);
    ivs.push_back(p);
  }
  sysmon::resource_report res;
  res.target_pid = 5;
  for (int i = 0; i < 4; ++i) {
    sysmon::sample s;
    s.t_ns = i * 500 * ms;
    s.phase = i == 0 ? "idle" : "main";
    s.rss_bytes = (10 + i) << 20;
    s.cores = 0.5;
    s.cpu_seconds = 0.25 * i;
    s.processes = 1;
    res.target_samples.push_back(s);
  }
  openmetrics_input in;
  in.labels = {"run-9", "quick"};
  in.steady_origin_ns = 0;
  in.wall_origin_ns = 1'700'000'000'000 * ms;  // 1.7e9 s
  in.intervals = &ivs;
  in.resources = &res;
  in.resource_target = "mock";
  in.decode = [](std::string_view t) { return metrics::decode_base64(t); };
  auto text = render_openmetrics(in);
  ASSERT_TRUE(text.ok()) << text.message();
  const std::string l = "{testid=\"run-9\",target=\"mock\",scenario=\"quick\",phase=\"main\"";
  EXPECT_NE(text->find("# TYPE gatebench_requests counter\n"), std::string::npos);
  EXPECT_NE(text->find("gatebench_requests_total" + l + ",outcome=\"ok\"} 9 1700000001.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("gatebench_requests_total" + l + ",outcome=\"ok\"} 27 1700000003.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("gatebench_requests_total" + l + ",outcome=\"error\"} 3 1700000003.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("gatebench_output_tokens_total" + l + "} 300 1700000003.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("gatebench_ttft_seconds_bucket" + l + ",le=\"0.05\"} 3 1700000003.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("gatebench_ttft_seconds_count" + l + "} 2 1700000002.000\n"),
            std::string::npos);
  EXPECT_NE(text->find("# TYPE gatebench_target_cpu_seconds counter\n"), std::string::npos);
  EXPECT_NE(text->find("gatebench_target_resident_memory_bytes{testid=\"run-9\",target=\"mock\","
                       "scenario=\"quick\",phase=\"idle\"} 10485760 1700000000.000\n"),
            std::string::npos);
  EXPECT_TRUE(text->ends_with("# EOF\n"));
  EXPECT_EQ(text->find("# EOF"), text->size() - 6);  // exactly once, at the end
}

TEST(openmetrics, bad_histogram_is_an_error_naming_the_interval) {
  std::vector<metrics::interval_point> ivs(1);
  ivs[0].target = "t";
  ivs[0].phase = "main";
  ivs[0].e2e_hist = "HISTFAAAnotbase64!";
  openmetrics_input in;
  in.intervals = &ivs;
  in.decode = [](std::string_view t) { return metrics::decode_base64(t); };
  auto text = render_openmetrics(in);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.message().find("interval 1"), std::string::npos) << text.message();
  EXPECT_NE(text.message().find("e2e"), std::string::npos) << text.message();
  EXPECT_FALSE(render_openmetrics(openmetrics_input{}).ok());
}

}  // namespace
}  // namespace gb::exporter

namespace gb::exporter {
namespace {

struct fake_accum {  // the shape of metrics::interval_accum, plus tpot and by_outcome
  std::int64_t started = 0, ok = 0, errors = 0, output_tokens = 0, input_tokens = 0, in_flight = 0;
  metrics::histogram ttft = metrics::histogram::for_latency();
  metrics::histogram e2e = metrics::histogram::for_latency();
  metrics::histogram itl = metrics::histogram::for_latency();
  metrics::histogram tpot = metrics::histogram::for_latency();
  std::array<std::int64_t, metrics::outcome_count> by_outcome{};
};

struct plain_accum {  // an accumulator without tpot and per-outcome counts
  std::int64_t started = 0, ok = 0, errors = 0, output_tokens = 0, input_tokens = 0, in_flight = 0;
  metrics::histogram ttft = metrics::histogram::for_latency();
  metrics::histogram e2e = metrics::histogram::for_latency();
  metrics::histogram itl = metrics::histogram::for_latency();
};

TEST(live_accumulator, sums_intervals_with_and_without_breakdowns) {
  live_accumulator live;
  plain_accum a;  // no tpot, no per-outcome counts
  a.started = 5;
  a.ok = 3;
  a.errors = 1;
  a.output_tokens = 30;
  a.input_tokens = 10;
  a.in_flight = 1;
  a.ttft.record(40 * ms);
  a.e2e.record(400 * ms);
  live.add_accum("mock", "main", a);
  live.add_accum("mock", "main", a);
  fake_accum f;
  f.started = 2;
  f.ok = 2;
  f.by_outcome[0] = 1;
  f.by_outcome[static_cast<std::size_t>(metrics::outcome::timeout)] = 1;
  f.tpot.record(5 * ms);
  live.add_accum("gw", "warmup", f);
  auto v = live.view({"t1", "sc"});
  ASSERT_EQ(v.series.size(), 2u);
  const live_series& gw = *v.series[0];
  const live_series& mock = *v.series[1];
  EXPECT_EQ(gw.target, "gw");
  EXPECT_TRUE(gw.has_tpot);
  EXPECT_EQ(gw.finished.at("timeout"), 1);
  EXPECT_EQ(gw.finished.count("error"), 0u);
  EXPECT_EQ(mock.started, 10);
  EXPECT_EQ(mock.finished.at("ok"), 6);
  EXPECT_EQ(mock.finished.at("error"), 2);
  EXPECT_EQ(mock.in_flight, 1);
  EXPECT_EQ(mock.output_tokens, 60);
  EXPECT_EQ(mock.ttft.total_count(), 2);
  EXPECT_FALSE(mock.has_tpot);
  const std::string text = render_prometheus(v);
  EXPECT_EQ(value_of(text,
                     "gatebench_requests_total{testid=\"t1\",target=\"mock\",scenario="
                     "\"sc\",phase=\"main\",outcome=\"error\"} "),
            2);
  // tpot is exported for the series that have it only.
  EXPECT_EQ(value_of(text, "gatebench_tpot_seconds_count{testid=\"t1\",target=\"gw\""), 1);
  EXPECT_EQ(value_of(text, "gatebench_tpot_seconds_count{testid=\"t1\",target=\"mock\""), -1);
}

}  // namespace
}  // namespace gb::exporter
