#include "metrics/recorder.hpp"

#include <algorithm>

namespace gb::metrics {

namespace {

/// Streams whose content events all arrived within this span count as "buffered" (a gateway
/// that collects the stream and sends it in one burst).
constexpr std::int64_t burst_span_ns = 1'000'000;
constexpr std::int64_t burst_min_events = 3;

std::int64_t max_gap(const request_record& r) noexcept {
  std::int64_t m = 0;
  for (std::int64_t g : r.itl_gaps) {
    m = std::max(m, g);
  }
  return m;
}

}  // namespace

void request_record::clear() noexcept {
  intended_ns = 0;
  sent_ns = 0;
  first_byte_ns = 0;
  first_content_ns = 0;
  last_content_ns = 0;
  done_ns = 0;
  itl_gaps.clear();
  content_events = 0;
  usage_output_tokens = -1;
  usage_input_tokens = -1;
  counted_output_tokens = 0;
  planned_input_tokens = 0;
  streamed = false;
  content_hash = 0;
  fate = request_fate{};
  reason_storage.clear();
}

bool parse_slo_metric(const std::string& name, slo_limit::metric& out) noexcept {
  if (name == "ttft") {
    out = slo_limit::metric::ttft;
  } else if (name == "tpot") {
    out = slo_limit::metric::tpot;
  } else if (name == "itl") {
    out = slo_limit::metric::itl;
  } else if (name == "e2e") {
    out = slo_limit::metric::e2e;
  } else if (name == "ttfb") {
    out = slo_limit::metric::ttfb;
  } else {
    return false;
  }
  return true;
}

bool meets_slos(const request_record& r, std::span<const slo_limit> slos) noexcept {
  if (r.fate.kind != outcome::ok) {
    return false;
  }
  for (const slo_limit& l : slos) {
    std::int64_t v = -1;
    switch (l.which) {
      case slo_limit::metric::ttft:
        v = r.first_content_ns > 0 ? r.first_content_ns - r.intended_ns : -1;
        break;
      case slo_limit::metric::ttfb:
        v = r.first_byte_ns > 0 ? r.first_byte_ns - r.intended_ns : -1;
        break;
      case slo_limit::metric::e2e:
        v = r.done_ns - r.intended_ns;
        break;
      case slo_limit::metric::itl:
        v = r.itl_gaps.empty() ? -1 : max_gap(r);
        break;
      case slo_limit::metric::tpot: {
        const std::int64_t n = r.output_tokens();
        if (r.streamed && n >= 2 && r.first_content_ns > 0) {
          v = (r.done_ns - r.first_content_ns) / (n - 1);
        }
        break;
      }
    }
    if (v >= 0 && v > l.max_ns) {
      return false;
    }
  }
  return true;
}

bool record_request(stats& s, const request_record& r, std::span<const slo_limit> slos) noexcept {
  s.outcomes.add(r.fate);
  if (r.sent_ns > 0) {
    s.schedule_lag.record(std::max<std::int64_t>(0, r.sent_ns - r.intended_ns));
    if (s.first_send_ns == 0 || r.sent_ns < s.first_send_ns) {
      s.first_send_ns = r.sent_ns;
    }
  }
  s.last_done_ns = std::max(s.last_done_ns, r.done_ns);
  if (r.fate.kind != outcome::ok) {
    s.time_to_error.record(std::max<std::int64_t>(0, r.done_ns - r.intended_ns));
    return false;
  }
  const std::int64_t sent = r.sent_ns > 0 ? r.sent_ns : r.intended_ns;
  if (r.first_byte_ns > 0) {
    s.ttfb.record(r.first_byte_ns - r.intended_ns);
    s.ttfb_service.record(r.first_byte_ns - sent);
  }
  if (r.first_content_ns > 0) {
    s.ttft.record(r.first_content_ns - r.intended_ns);
    s.ttft_service.record(r.first_content_ns - sent);
  }
  s.e2e.record(r.done_ns - r.intended_ns);
  s.e2e_service.record(r.done_ns - sent);
  for (std::int64_t g : r.itl_gaps) {
    s.itl.record(g);
  }
  const std::int64_t out = r.output_tokens();
  const std::int64_t in = r.input_tokens();
  s.output_tokens.record(out);
  s.input_tokens.record(in);
  s.output_tokens_total += out;
  s.input_tokens_total += in;
  s.content_events_total += r.content_events;
  if (r.usage_output_tokens >= 0) {
    ++s.tokens_from_usage;
  } else {
    ++s.tokens_counted;
  }
  if (r.streamed && out >= 2 && r.first_content_ns > 0) {
    const std::int64_t decode = r.done_ns - r.first_content_ns;
    s.tpot.record(decode / (out - 1));
    s.tpot_decode_ns_total += decode;
    s.tpot_tokens_total += out - 1;
  }
  if (r.streamed && r.content_events >= burst_min_events &&
      r.last_content_ns - r.first_content_ns < burst_span_ns) {
    ++s.buffered_streams;
  }
  s.content_hash += r.content_hash;
  const bool met = meets_slos(r, slos);
  if (met) {
    ++s.slo_met;
  }
  return met;
}

void interval_accum::add(const request_record& r) noexcept {
  ++by_outcome[static_cast<std::size_t>(r.fate.kind)];
  if (r.fate.kind != outcome::ok) {
    ++errors;
    return;
  }
  ++ok;
  output_tokens += r.output_tokens();
  input_tokens += r.input_tokens();
  if (r.first_content_ns > 0) {
    ttft.record(r.first_content_ns - r.intended_ns);
  }
  e2e.record(r.done_ns - r.intended_ns);
  for (std::int64_t g : r.itl_gaps) {
    itl.record(g);
  }
  const std::int64_t out = r.output_tokens();
  if (r.streamed && out >= 2 && r.first_content_ns > 0) {
    tpot.record((r.done_ns - r.first_content_ns) / (out - 1));
  }
}

void interval_accum::merge(const interval_accum& o) noexcept {
  started += o.started;
  ok += o.ok;
  errors += o.errors;
  output_tokens += o.output_tokens;
  input_tokens += o.input_tokens;
  in_flight += o.in_flight;
  ttft.add(o.ttft);
  e2e.add(o.e2e);
  itl.add(o.itl);
  tpot.add(o.tpot);
  for (std::size_t i = 0; i < outcome_count; ++i) {
    by_outcome[i] += o.by_outcome[i];
  }
}

void interval_accum::reset() noexcept {
  started = 0;
  ok = 0;
  errors = 0;
  output_tokens = 0;
  input_tokens = 0;
  in_flight = 0;
  ttft.reset();
  e2e.reset();
  itl.reset();
  tpot.reset();
  by_outcome.fill(0);
}

void fill_interval_point(const interval_accum& a, interval_point& p) noexcept {
  p.started = a.started;
  p.ok = a.ok;
  p.errors = a.errors;
  p.output_tokens = a.output_tokens;
  p.input_tokens = a.input_tokens;
  p.in_flight = a.in_flight;
  p.ttft_p50_ns = a.ttft.value_at_percentile(50);
  p.ttft_p99_ns = a.ttft.value_at_percentile(99);
  p.e2e_p50_ns = a.e2e.value_at_percentile(50);
  p.e2e_p99_ns = a.e2e.value_at_percentile(99);
  p.itl_p50_ns = a.itl.value_at_percentile(50);
  p.itl_p99_ns = a.itl.value_at_percentile(99);
}

}  // namespace gb::metrics
