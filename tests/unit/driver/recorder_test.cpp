#include "metrics/recorder.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gb::metrics {
namespace {

constexpr std::int64_t ms = 1'000'000;

/// A streamed request: intended at 0, sent at `lag`, first byte 5 ms later, content events
/// every 10 ms from 50 ms after the send, done at the last event.
request_record streamed(std::int64_t lag, int events, std::int64_t usage = -1) {
  request_record r;
  r.intended_ns = 1'000 * ms;
  r.sent_ns = r.intended_ns + lag;
  r.first_byte_ns = r.sent_ns + 5 * ms;
  r.first_content_ns = r.sent_ns + 50 * ms;
  for (int i = 1; i < events; ++i) {
    r.itl_gaps.push_back(10 * ms);
  }
  r.content_events = events;
  r.counted_output_tokens = events;
  r.last_content_ns = r.first_content_ns + (events - 1) * 10 * ms;
  r.done_ns = r.last_content_ns;
  r.usage_output_tokens = usage;
  r.planned_input_tokens = 64;
  r.streamed = true;
  return r;
}

TEST(Recorder, BothViewsAndStreamMetrics) {
  stats s;
  s.outcomes.start();
  const request_record r = streamed(20 * ms, 5, 5);
  EXPECT_TRUE(record_request(s, r, {}));
  EXPECT_EQ(s.outcomes.count(outcome::ok), 1);
  EXPECT_EQ(s.outcomes.started(), s.outcomes.finished());
  // Response view is measured from the intended time, service view from the send.
  EXPECT_NEAR(s.ttft.value_at_percentile(50), 70 * ms, ms / 10);
  EXPECT_NEAR(s.ttft_service.value_at_percentile(50), 50 * ms, ms / 10);
  EXPECT_NEAR(s.e2e.value_at_percentile(50), 110 * ms, ms / 10);
  EXPECT_NEAR(s.e2e_service.value_at_percentile(50), 90 * ms, ms / 10);
  EXPECT_NEAR(s.schedule_lag.value_at_percentile(50), 20 * ms, ms / 10);
  EXPECT_EQ(s.itl.total_count(), 4);
  EXPECT_NEAR(s.tpot.value_at_percentile(50), 10 * ms, ms / 10);
  EXPECT_EQ(s.tpot_decode_ns_total, 40 * ms);
  EXPECT_EQ(s.tpot_tokens_total, 4);
  EXPECT_EQ(s.output_tokens_total, 5);
  EXPECT_EQ(s.input_tokens_total, 64);
  EXPECT_EQ(s.tokens_from_usage, 1);
  EXPECT_EQ(s.tokens_counted, 0);
  EXPECT_EQ(s.time_to_error.total_count(), 0);
  EXPECT_EQ(s.slo_met, 1);
}

TEST(Recorder, UsageWinsOverCountedEvents) {
  stats s;
  s.outcomes.start();
  s.outcomes.start();
  record_request(s, streamed(0, 4, 12), {});  // 4 events carrying 12 tokens
  record_request(s, streamed(0, 4), {});      // no usage: counted
  EXPECT_EQ(s.output_tokens_total, 16);
  EXPECT_EQ(s.tokens_from_usage, 1);
  EXPECT_EQ(s.tokens_counted, 1);
  EXPECT_EQ(s.content_events_total, 8);
}

TEST(Recorder, FailuresGoToTheLedgerAndTimeToErrorOnly) {
  stats s;
  request_record r = streamed(0, 3);
  r.fate.kind = outcome::timeout;
  r.fate.phase = timeout_phase::idle;
  r.done_ns = r.intended_ns + 300 * ms;
  s.outcomes.start();
  EXPECT_FALSE(record_request(s, r, {}));
  EXPECT_EQ(s.outcomes.count(outcome::timeout), 1);
  EXPECT_EQ(s.outcomes.timeouts(timeout_phase::idle), 1);
  EXPECT_EQ(s.ttft.total_count(), 0);
  EXPECT_EQ(s.e2e.total_count(), 0);
  EXPECT_EQ(s.itl.total_count(), 0);
  EXPECT_EQ(s.output_tokens_total, 0);
  EXPECT_NEAR(s.time_to_error.value_at_percentile(50), 300 * ms, ms);
  EXPECT_EQ(s.slo_met, 0);
}

TEST(Recorder, SloTable) {
  struct c {
    slo_limit::metric m;
    std::int64_t max;
    bool met;
  } cases[] = {
      {slo_limit::metric::ttft, 70 * ms, true}, {slo_limit::metric::ttft, 69 * ms, false},
      {slo_limit::metric::e2e, 200 * ms, true}, {slo_limit::metric::e2e, 100 * ms, false},
      {slo_limit::metric::itl, 10 * ms, true},  {slo_limit::metric::itl, 9 * ms, false},
      {slo_limit::metric::tpot, 10 * ms, true}, {slo_limit::metric::tpot, 9 * ms, false},
      {slo_limit::metric::ttfb, 25 * ms, true}, {slo_limit::metric::ttfb, 24 * ms, false},
  };
  const request_record r = streamed(20 * ms, 5);
  for (const auto& k : cases) {
    const slo_limit l{k.m, k.max};
    EXPECT_EQ(meets_slos(r, std::span<const slo_limit>(&l, 1)), k.met)
        << static_cast<int>(k.m) << " " << k.max;
  }
  slo_limit::metric m;
  EXPECT_TRUE(parse_slo_metric("tpot", m));
  EXPECT_EQ(m, slo_limit::metric::tpot);
  EXPECT_FALSE(parse_slo_metric("latency", m));
}

TEST(Recorder, BufferedStreamDetected) {
  stats s;
  request_record r = streamed(0, 5);
  r.itl_gaps.assign(4, 0);
  r.last_content_ns = r.first_content_ns;
  r.done_ns = r.first_content_ns;
  s.outcomes.start();
  record_request(s, r, {});
  EXPECT_EQ(s.buffered_streams, 1);
}

TEST(IntervalAccum, CountsAndPercentiles) {
  interval_accum a;
  a.started = 3;
  a.add(streamed(0, 3, 3));
  request_record bad = streamed(0, 1);
  bad.fate.kind = outcome::http_status;
  a.add(bad);
  interval_accum b;
  b.add(streamed(0, 2, 2));
  a.merge(b);
  EXPECT_EQ(a.ok, 2);
  EXPECT_EQ(a.errors, 1);
  EXPECT_EQ(a.output_tokens, 5);
  interval_point p;
  fill_interval_point(a, p);
  EXPECT_EQ(p.ok, 2);
  EXPECT_EQ(p.started, 3);
  EXPECT_NEAR(p.ttft_p50_ns, 50 * ms, ms / 10);
  EXPECT_NEAR(p.itl_p99_ns, 10 * ms, ms / 10);
  a.reset();
  EXPECT_TRUE(a.empty());
}

TEST(RequestRecord, ClearKeepsCapacity) {
  request_record r = streamed(0, 50);
  const auto cap = r.itl_gaps.capacity();
  r.fate.kind = outcome::protocol_error;
  r.clear();
  EXPECT_TRUE(r.itl_gaps.empty());
  EXPECT_EQ(r.itl_gaps.capacity(), cap);
  EXPECT_EQ(r.fate.kind, outcome::ok);
  EXPECT_EQ(r.usage_output_tokens, -1);
}

}  // namespace
}  // namespace gb::metrics
