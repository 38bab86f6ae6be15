#include "metrics/run_stats.hpp"

#include <algorithm>
#include <tuple>

namespace gb::metrics {

histogram make_token_histogram() {
  return *histogram::create(1, 10'000'000, 3);
}

namespace {

std::int64_t min_nonzero(std::int64_t a, std::int64_t b) {
  if (a == 0) {
    return b;
  }
  if (b == 0) {
    return a;
  }
  return std::min(a, b);
}

}  // namespace

void stats::merge(const stats& o) {
  outcomes.merge(o.outcomes);
  for (auto [mine, theirs] : {std::pair{&ttfb, &o.ttfb},
                              {&ttft, &o.ttft},
                              {&e2e, &o.e2e},
                              {&ttfb_service, &o.ttfb_service},
                              {&ttft_service, &o.ttft_service},
                              {&e2e_service, &o.e2e_service},
                              {&itl, &o.itl},
                              {&tpot, &o.tpot},
                              {&schedule_lag, &o.schedule_lag},
                              {&time_to_error, &o.time_to_error},
                              {&output_tokens, &o.output_tokens},
                              {&input_tokens, &o.input_tokens}}) {
    mine->add(*theirs);
  }
  output_tokens_total += o.output_tokens_total;
  input_tokens_total += o.input_tokens_total;
  content_events_total += o.content_events_total;
  tokens_from_usage += o.tokens_from_usage;
  tokens_counted += o.tokens_counted;
  tpot_decode_ns_total += o.tpot_decode_ns_total;
  tpot_tokens_total += o.tpot_tokens_total;
  slo_met += o.slo_met;
  dropped += o.dropped;
  buffered_streams += o.buffered_streams;
  content_hash += o.content_hash;  // order-independent: a sum of per-request hashes
  first_send_ns = min_nonzero(first_send_ns, o.first_send_ns);
  last_done_ns = std::max(last_done_ns, o.last_done_ns);
  inflight_area_ns += o.inflight_area_ns;
  inflight_max += o.inflight_max;  // workers run side by side: their peaks add (upper bound)
  phase_start_ns = min_nonzero(phase_start_ns, o.phase_start_ns);
  phase_end_ns = std::max(phase_end_ns, o.phase_end_ns);
}

void run_stats::merge(const run_stats& o) {
  for (const auto& [target, phases] : o.by_target_phase) {
    for (const auto& [phase, s] : phases) {
      by_target_phase[target][phase].merge(s);
    }
  }
  for (const auto& [key, s] : o.splits) {
    splits[key].merge(s);
  }
  intervals.insert(intervals.end(), o.intervals.begin(), o.intervals.end());
  std::sort(
      intervals.begin(), intervals.end(), [](const interval_point& a, const interval_point& b) {
        return std::tie(a.start_ns, a.target, a.phase) < std::tie(b.start_ns, b.target, b.phase);
      });
}

const std::string interval_point::*interval_histogram_field(std::string_view metric) noexcept {
  if (metric == "ttft") {
    return &interval_point::ttft_hist;
  }
  if (metric == "e2e") {
    return &interval_point::e2e_hist;
  }
  if (metric == "itl") {
    return &interval_point::itl_hist;
  }
  return nullptr;
}

}  // namespace gb::metrics
