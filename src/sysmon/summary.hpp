#pragma once
// Summaries of a series of resource samples, and the client-bound verdict. Pure functions of
// their inputs, so they are tested with made-up series.

#include <cstdint>
#include <string>
#include <vector>

#include "sysmon/probe.hpp"

namespace gb::sysmon {

/// Phases that are not load: "idle" (before the first request) and "after" (once load ended).
bool is_load_phase(const std::string& phase) noexcept;

/// What a set of processes cost over a run. Bytes, cores and CPU-seconds; -1 when unknown.
struct resource_summary {
  std::int64_t samples = 0;
  std::int64_t idle_rss_bytes = -1;         // last reading before load (cold idle for --target-cmd)
  std::int64_t peak_rss_bytes = -1;         // highest sampled RSS (sum over the tree)
  std::int64_t peak_hwm_bytes = -1;         // highest sum of VmHWM: lifetime peaks, >= peak between
                                            // samples; for a tree an upper bound (peaks may differ)
  std::int64_t steady_rss_bytes = -1;       // median RSS of the "main" phase (else of all load)
  std::int64_t after_rss_bytes = -1;        // last reading after load
  double mean_cores = -1;                   // CPU-seconds during load / load wall seconds
  double peak_cores = -1;                   // highest per-interval cores during load
  double load_cpu_seconds = -1;             // CPU-seconds used during load
  double cpu_seconds_per_1k_requests = -1;  // load_cpu_seconds * 1000 / requests (requests > 0)
  std::int64_t max_threads = -1;
  std::int64_t max_fds = -1;
};

/// Summarises `samples` (ordered by time, as a probe produced them). `requests` is the number
/// of requests finished during load (for CPU-seconds per 1,000 requests; 0 leaves it -1).
resource_summary summarize(const std::vector<sample>& samples, std::int64_t requests);

/// Bounds for calling a run client-bound (the harness, not the target, limited it).
struct client_bound_rule {
  double cpu_share = 0.8;                  // harness cores / capacity above this ...
  std::int64_t window_ns = 3'000'000'000;  // ... for at least this long, during load
  std::int64_t lag_ns = 50'000'000;        // or schedule-lag p99 above this ...
  int lag_intervals = 3;                   // ... in this many consecutive intervals
};

struct client_bound_verdict {
  bool flagged = false;
  bool by_cpu = false;
  bool by_lag = false;
  double capacity_cores = 0;         // cores the harness could use
  double peak_cpu_share = 0;         // highest harness cores / capacity in one interval of load
  std::int64_t longest_busy_ns = 0;  // longest stretch above the cpu share
  std::int64_t peak_lag_ns = 0;      // highest schedule-lag p99 fed in
  std::string reason;                // empty when not flagged
};

/// Judges the harness's samples (and the schedule-lag p99 per interval, in ns, as fed by the
/// engine) against `rule`. `capacity_cores` is how many cores the harness's threads can use.
client_bound_verdict judge_client_bound(const std::vector<sample>& harness,
                                        const std::vector<std::int64_t>& lag_p99_ns,
                                        double capacity_cores, const client_bound_rule& rule);

}  // namespace gb::sysmon
