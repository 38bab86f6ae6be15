#include "sysmon/summary.hpp"

#include <algorithm>
#include <cstdio>

namespace gb::sysmon {

bool is_load_phase(const std::string& phase) noexcept {
  return phase != "idle" && phase != "after";
}

resource_summary summarize(const std::vector<sample>& samples, std::int64_t requests) {
  resource_summary r;
  r.samples = static_cast<std::int64_t>(samples.size());
  std::vector<std::int64_t> main_rss;
  std::vector<std::int64_t> load_rss;
  const sample* before_load = nullptr;  // the reading the first load interval starts from
  const sample* last_load = nullptr;
  const sample* first_load = nullptr;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const sample& s = samples[i];
    if (s.processes == 0) {
      continue;  // the target was gone
    }
    r.peak_rss_bytes = std::max(r.peak_rss_bytes, s.rss_bytes);
    r.peak_hwm_bytes = std::max(r.peak_hwm_bytes, s.hwm_bytes);
    r.max_threads = std::max(r.max_threads, s.threads);
    r.max_fds = std::max(r.max_fds, s.fds);
    if (s.phase == "idle") {
      r.idle_rss_bytes = s.rss_bytes;
    } else if (s.phase == "after") {
      r.after_rss_bytes = s.rss_bytes;
    } else {
      if (first_load == nullptr) {
        first_load = &s;
        before_load = i > 0 ? &samples[i - 1] : nullptr;
      }
      last_load = &s;
      load_rss.push_back(s.rss_bytes);
      if (s.phase == "main") {
        main_rss.push_back(s.rss_bytes);
      }
      if (i > 0) {
        r.peak_cores = std::max(r.peak_cores, s.cores);
      }
    }
  }
  auto& steady = main_rss.empty() ? load_rss : main_rss;
  if (!steady.empty()) {
    auto mid = steady.begin() + static_cast<std::ptrdiff_t>(steady.size() / 2);
    std::nth_element(steady.begin(), mid, steady.end());
    r.steady_rss_bytes = *mid;
  }
  if (last_load != nullptr) {
    const sample* from = before_load != nullptr ? before_load : first_load;
    const double wall_s = static_cast<double>(last_load->t_ns - from->t_ns) / 1e9;
    r.load_cpu_seconds = std::max(0.0, last_load->cpu_seconds - from->cpu_seconds);
    if (wall_s > 0) {
      r.mean_cores = r.load_cpu_seconds / wall_s;
    }
    if (requests > 0) {
      r.cpu_seconds_per_1k_requests = r.load_cpu_seconds * 1000.0 / static_cast<double>(requests);
    }
  }
  return r;
}

client_bound_verdict judge_client_bound(const std::vector<sample>& harness,
                                        const std::vector<std::int64_t>& lag_p99_ns,
                                        double capacity_cores, const client_bound_rule& rule) {
  client_bound_verdict v;
  v.capacity_cores = capacity_cores;
  if (capacity_cores > 0) {
    std::int64_t busy_since = -1;
    for (std::size_t i = 1; i < harness.size(); ++i) {
      const sample& s = harness[i];
      if (!is_load_phase(s.phase)) {
        busy_since = -1;
        continue;
      }
      const double share = s.cores / capacity_cores;
      v.peak_cpu_share = std::max(v.peak_cpu_share, share);
      if (share > rule.cpu_share) {
        if (busy_since < 0) {
          busy_since = harness[i - 1].t_ns;  // the interval began at the previous reading
        }
        v.longest_busy_ns = std::max(v.longest_busy_ns, s.t_ns - busy_since);
      } else {
        busy_since = -1;
      }
    }
    v.by_cpu = v.longest_busy_ns >= rule.window_ns && rule.window_ns > 0;
  }
  int run = 0;
  for (std::int64_t lag : lag_p99_ns) {
    v.peak_lag_ns = std::max(v.peak_lag_ns, lag);
    run = lag > rule.lag_ns ? run + 1 : 0;
    if (run >= rule.lag_intervals && rule.lag_intervals > 0) {
      v.by_lag = true;
    }
  }
  v.flagged = v.by_cpu || v.by_lag;
  char buf[256];
  if (v.by_cpu) {
    std::snprintf(buf, sizeof buf,
                  "harness CPU above %.0f%% of %.1f cores for %.1f s (peak %.0f%%)",
                  rule.cpu_share * 100, capacity_cores,
                  static_cast<double>(v.longest_busy_ns) / 1e9, v.peak_cpu_share * 100);
    v.reason = buf;
  }
  if (v.by_lag) {
    std::snprintf(buf, sizeof buf,
                  "%sschedule lag p99 above %.0f ms for %d intervals (peak %.1f ms)",
                  v.reason.empty() ? "" : "; ", static_cast<double>(rule.lag_ns) / 1e6,
                  rule.lag_intervals, static_cast<double>(v.peak_lag_ns) / 1e6);
    v.reason += buf;
  }
  return v;
}

}  // namespace gb::sysmon
