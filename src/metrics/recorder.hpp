#pragma once
// Per-worker recording of one finished request (shared/design/metrics.md): both latency views
// (from the intended send and from the actual send), every inter-token gap, tpot, tokens, the
// ledger and goodput, plus per-interval accumulators for the time series. No I/O, no locks, no
// allocation once warmed up; never throws on the recording path.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"
#include "metrics/outcome.hpp"
#include "metrics/run_stats.hpp"

namespace gb::metrics {

/// Everything the client observed about one request. Steady-clock instants in ns; 0 means "did
/// not happen". Reused across requests (clear() keeps the buffers' capacity).
struct request_record {
  std::int64_t intended_ns = 0;        // when the load model meant to send it
  std::int64_t sent_ns = 0;            // first byte of the request written (0: never sent)
  std::int64_t first_byte_ns = 0;      // first byte of the response
  std::int64_t first_content_ns = 0;   // first content-carrying event (or whole body)
  std::int64_t last_content_ns = 0;    // last content-carrying event
  std::int64_t done_ns = 0;            // end marker / last byte / failure time
  std::vector<std::int64_t> itl_gaps;  // every gap between consecutive content events
  std::int64_t content_events = 0;
  std::int64_t usage_output_tokens = -1;  // from the response's usage; -1 when absent
  std::int64_t usage_input_tokens = -1;
  std::int64_t counted_output_tokens = 0;  // content events (stream) or words (non-stream)
  std::int64_t planned_input_tokens = 0;   // the scenario's own count of the prompt
  bool streamed = false;                   // the response was an SSE stream
  std::uint64_t content_hash = 0;          // hash of the generated text (fidelity checks)
  request_fate fate;
  std::string reason_storage;  // backs fate.reason when it is not a literal

  /// Resets to a fresh record, keeping buffer capacity.
  void clear() noexcept;
  /// Output tokens of the request: usage when present, else the counted figure.
  std::int64_t output_tokens() const noexcept {
    return usage_output_tokens >= 0 ? usage_output_tokens : counted_output_tokens;
  }
  std::int64_t input_tokens() const noexcept {
    return usage_input_tokens >= 0 ? usage_input_tokens : planned_input_tokens;
  }
};

/// A goodput objective: `metric` of a successful request must be <= max_ns.
struct slo_limit {
  enum class metric : std::uint8_t { ttft, tpot, itl, e2e, ttfb };
  metric which = metric::e2e;
  std::int64_t max_ns = 0;
};

/// Maps a scenario SLO metric name ("ttft", "tpot", "itl", "e2e", "ttfb") to slo_limit::metric.
/// Returns false for an unknown name.
bool parse_slo_metric(const std::string& name, slo_limit::metric& out) noexcept;

/// Whether a successful request met every limit (itl: its largest gap; response-time view).
/// A request without the measured value (e.g. no ttft for a non-stream body) passes that limit.
bool meets_slos(const request_record& r, std::span<const slo_limit> slos) noexcept;

/// Records a finished request into `s` (the ledger's start() must have been counted already).
/// Latencies go to the histograms only for ok requests; failures record time_to_error.
/// Returns whether the request met every SLO (false for failures).
bool record_request(stats& s, const request_record& r, std::span<const slo_limit> slos) noexcept;

/// Counts one interval's activity of one target and phase on one worker.
struct interval_accum {
  std::int64_t started = 0;
  std::int64_t ok = 0;
  std::int64_t errors = 0;
  std::int64_t output_tokens = 0;
  std::int64_t input_tokens = 0;
  std::int64_t in_flight = 0;  // at the end of the interval (set by the owner)
  histogram ttft = histogram::for_latency();
  histogram e2e = histogram::for_latency();
  histogram itl = histogram::for_latency();
  histogram tpot = histogram::for_latency();             // streamed requests with >= 2 tokens
  std::array<std::int64_t, outcome_count> by_outcome{};  // finished requests by outcome

  /// Adds a finished request (response-time view).
  void add(const request_record& r) noexcept;
  /// Adds another worker's accumulator for the same interval.
  void merge(const interval_accum& o) noexcept;
  void reset() noexcept;
  bool empty() const noexcept { return started == 0 && ok == 0 && errors == 0; }
};

/// Fills an interval_point's counters and percentiles from a merged accumulator (the *_hist
/// strings are left empty).
void fill_interval_point(const interval_accum& a, interval_point& p) noexcept;

}  // namespace gb::metrics
