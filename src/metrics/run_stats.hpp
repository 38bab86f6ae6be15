#pragma once
// What a run measured, before it becomes a report: per target and phase, the outcome ledger,
// every latency histogram, token counts, and per-interval time series. Workers fill their own
// copies (see recorder.hpp); the main thread merges them (merge()) bucket by bucket. The report
// module turns a run_stats into JSON; nothing here does I/O. All times are nanoseconds.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.hpp"
#include "metrics/outcome.hpp"

namespace gb::metrics {

/// Histogram layout for per-request token counts (1 .. 10M tokens, 3 digits).
histogram make_token_histogram();

/// Everything measured for one target in one phase (or one split of it: a turn index, a
/// response-header value). Latency histograms hold successful requests only; failures go to the
/// ledger and time_to_error.
struct stats {
  ledger outcomes;

  // Response-time view: measured from the intended send time (the headline in open loop).
  histogram ttfb = histogram::for_latency();
  histogram ttft = histogram::for_latency();
  histogram e2e = histogram::for_latency();
  // Service-time view: measured from the actual send (first byte written).
  histogram ttfb_service = histogram::for_latency();
  histogram ttft_service = histogram::for_latency();
  histogram e2e_service = histogram::for_latency();
  // View-independent.
  histogram itl = histogram::for_latency();            // every gap between content events
  histogram tpot = histogram::for_latency();           // (e2e - ttft) / (output_tokens - 1)
  histogram schedule_lag = histogram::for_latency();   // sent - intended
  histogram time_to_error = histogram::for_latency();  // failed requests: end - intended
  histogram output_tokens = make_token_histogram();    // per successful request
  histogram input_tokens = make_token_histogram();     // per successful request

  std::int64_t output_tokens_total = 0;  // successful requests
  std::int64_t input_tokens_total = 0;
  std::int64_t content_events_total = 0;
  std::int64_t tokens_from_usage = 0;     // requests whose output count came from usage
  std::int64_t tokens_counted = 0;        // requests whose output count is the content-event count
  std::int64_t tpot_decode_ns_total = 0;  // sum of (e2e - ttft) over requests with >= 2 tokens
  std::int64_t tpot_tokens_total = 0;     // sum of (output_tokens - 1) over those requests
  std::int64_t slo_met = 0;               // successful requests that met every SLO (goodput)
  std::int64_t dropped = 0;               // open-loop arrivals dropped at the in-flight cap
  std::int64_t buffered_streams = 0;      // streams whose content all arrived in one burst
  std::uint64_t content_hash = 0;         // order-independent hash of streamed text (fidelity)

  std::int64_t first_send_ns = 0;     // steady time of the first send (0: none)
  std::int64_t last_done_ns = 0;      // steady time of the last completion
  std::int64_t inflight_area_ns = 0;  // ∫ in_flight dt over the phase (time-weighted mean)
  std::int64_t inflight_max = 0;
  std::int64_t phase_start_ns = 0;  // steady time the phase began (for this worker)
  std::int64_t phase_end_ns = 0;    // steady time the phase ended

  /// Adds `other` into this (histograms bucket by bucket, counters summed, extremes combined).
  void merge(const stats& other);
};

/// One point of the per-interval time series of one target and phase (default 1 s intervals),
/// as stored: counts, a few percentiles, and the interval's histograms in HdrHistogram's
/// compressed base64 form ("HISTFAAA...", see hdr_codec.hpp) for .hlog output and exact merging.
/// Workers accumulate intervals in full histograms; the main thread merges the workers' partial
/// intervals and stores the result here, so a long run keeps only a few hundred bytes a point.
struct interval_point {
  std::int64_t start_ns = 0;  // steady time the interval began
  std::int64_t length_ns = 0;
  std::string target;
  std::string phase;
  std::int64_t started = 0;
  std::int64_t ok = 0;
  std::int64_t errors = 0;
  std::int64_t output_tokens = 0;
  std::int64_t input_tokens = 0;
  std::int64_t in_flight = 0;                     // at the end of the interval
  std::int64_t ttft_p50_ns = 0, ttft_p99_ns = 0;  // successful requests completed in it
  std::int64_t e2e_p50_ns = 0, e2e_p99_ns = 0;
  std::int64_t itl_p50_ns = 0, itl_p99_ns = 0;
  std::string ttft_hist;  // compressed base64, empty when no request completed
  std::string e2e_hist;
  std::string itl_hist;
};

/// The interval_point member holding `metric`'s per-interval histogram ("ttft", "e2e" or
/// "itl"), or nullptr for any other metric (the time series has no histogram of it).
const std::string interval_point::*interval_histogram_field(std::string_view metric) noexcept;

/// A whole run's measurements: stats by target name, then phase name ("warmup", "main",
/// "cooldown", or a sweep point's label), plus splits, plus the time series.
struct run_stats {
  std::map<std::string, std::map<std::string, stats>> by_target_phase;
  /// Splits: key "<target>/<phase>/<label>", e.g. "default/main/turn=2" or
  /// "gateway/main/x-cache=HIT".
  std::map<std::string, stats> splits;
  std::vector<interval_point> intervals;  // ordered by start_ns, target, phase

  /// Merges the stats and splits of `other`; intervals are appended and re-sorted (merging
  /// interval histograms needs the codec: see report's merge).
  void merge(const run_stats& other);
};

}  // namespace gb::metrics
