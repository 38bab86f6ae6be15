#pragma once
// Synthetic measurements for report and analysis tests: known values recorded into run_stats,
// so every figure a test checks can be computed independently.

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "metrics/run_stats.hpp"
#include "report/report.hpp"

namespace gb::testing {

inline constexpr std::int64_t ms = 1'000'000;
inline constexpr std::int64_t sec = 1'000'000'000;

struct synth_options {
  std::int64_t ok = 2000;
  double scale = 1.0;  // multiplies every latency
  std::uint64_t seed = 1;
  std::int64_t phase_start = 100 * sec;  // steady instant
  std::int64_t phase_length = 10 * sec;
  bool with_errors = true;
};

/// Successful requests with lognormal ttft around 50 ms, 20 gaps of ~10 ms each, and a few
/// failures of each kind (2 × HTTP 500, 1 × HTTP 429, 1 idle timeout, 1 invalid_json).
inline metrics::stats synthetic_stats(const synth_options& o = {}) {
  metrics::stats s;
  std::mt19937_64 rng(o.seed);
  std::lognormal_distribution<double> ttft(std::log(50e6), 0.15);
  std::lognormal_distribution<double> gap(std::log(10e6), 0.1);
  for (std::int64_t i = 0; i < o.ok; ++i) {
    s.outcomes.start();
    s.outcomes.add({metrics::outcome::ok, 200, metrics::timeout_phase::total, {}});
    const auto t = static_cast<std::int64_t>(ttft(rng) * o.scale);
    std::int64_t e2e = t;
    for (int g = 0; g < 20; ++g) {
      const auto d = static_cast<std::int64_t>(gap(rng) * o.scale);
      s.itl.record(d);
      e2e += d;
    }
    s.ttfb.record(t / 2);
    s.ttft.record(t);
    s.e2e.record(e2e);
    s.ttfb_service.record(t / 2 - 1000);
    s.ttft_service.record(t - 1000);
    s.e2e_service.record(e2e - 1000);
    s.schedule_lag.record(1000);
    s.tpot.record((e2e - t) / 20);
    s.output_tokens.record(21);
    s.input_tokens.record(64);
    s.output_tokens_total += 21;
    s.input_tokens_total += 64;
    s.content_events_total += 21;
    s.tokens_from_usage += 1;
    s.tpot_decode_ns_total += e2e - t;
    s.tpot_tokens_total += 20;
    s.content_hash += 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(i + 1);
    if (e2e < static_cast<std::int64_t>(300 * ms * o.scale)) {
      ++s.slo_met;
    }
  }
  if (o.with_errors) {
    auto fail = [&](metrics::request_fate f) {
      s.outcomes.start();
      s.outcomes.add(f);
      s.time_to_error.record(5 * ms);
    };
    fail({metrics::outcome::http_status, 500, metrics::timeout_phase::total, {}});
    fail({metrics::outcome::http_status, 500, metrics::timeout_phase::total, {}});
    fail({metrics::outcome::http_status, 429, metrics::timeout_phase::total, {}});
    fail({metrics::outcome::timeout, 0, metrics::timeout_phase::idle, {}});
    fail({metrics::outcome::protocol_error, 0, metrics::timeout_phase::total, "invalid_json"});
  }
  s.phase_start_ns = o.phase_start;
  s.phase_end_ns = o.phase_start + o.phase_length;
  s.first_send_ns = o.phase_start + 1000;
  s.last_done_ns = s.phase_end_ns - 1000;
  s.inflight_area_ns = 8 * o.phase_length;
  s.inflight_max = 8;
  s.dropped = 3;
  return s;
}

/// A run_stats with one target "default" and phases warmup and main, a split and intervals.
inline metrics::run_stats synthetic_run(const synth_options& o = {}) {
  metrics::run_stats r;
  synth_options w = o;
  w.ok = 50;
  w.phase_start = o.phase_start - 2 * sec;
  w.phase_length = 2 * sec;
  r.by_target_phase["default"]["warmup"] = synthetic_stats(w);
  r.by_target_phase["default"]["main"] = synthetic_stats(o);
  synth_options sp = o;
  sp.ok = 100;
  sp.with_errors = false;
  r.splits["default/main/turn=1"] = synthetic_stats(sp);
  for (int i = 0; i < 3; ++i) {
    metrics::interval_point p;
    p.start_ns = o.phase_start + i * sec;
    p.length_ns = sec;
    p.target = "default";
    p.phase = "main";
    p.started = 10 + i;
    p.ok = 9 + i;
    p.errors = 1;
    p.output_tokens = 21 * p.ok;
    p.input_tokens = 64 * p.ok;
    p.in_flight = 8;
    r.intervals.push_back(p);
  }
  return r;
}

inline report::run_info synthetic_info(const synth_options& o = {}) {
  report::run_info info;
  info.run_id = "test-run";
  info.scenario.name = "synthetic";
  info.scenario.load.concurrency = 8;
  info.scenario.targets[0].headers.push_back({"Authorization", "Bearer sk-secret-123", true});
  info.tool_version = "0.1.0";
  info.git_revision = "abcdef123456";
  info.host = report::detect_host();
  info.start_wall_ns = 1'700'000'000LL * sec;
  info.end_wall_ns = info.start_wall_ns + 13 * sec;
  info.start_steady_ns = o.phase_start - 3 * sec;
  info.seed = 7;
  info.threads = 2;
  info.warnings.push_back("synthetic warning");
  info.resources.sample_interval_ns = 250 * ms;
  info.resources.harness.present = true;
  info.resources.harness.description = "gatebench";
  info.resources.harness.peak_rss_bytes = 50 << 20;
  info.resources.harness.mean_cores = 0.5;
  info.resources.harness.peak_cores = 0.9;
  info.resources.harness.samples.push_back({0, 40 << 20, 0.4, 3, 12});
  return info;
}

}  // namespace gb::testing
