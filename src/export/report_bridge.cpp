#include "export/report_bridge.hpp"

#include <algorithm>

#include "metrics/hdr_codec.hpp"
#include "report/report.hpp"

namespace gb::exporter {
namespace {

report::resource_summary convert(const sysmon::resource_summary& s,
                                 const std::vector<sysmon::sample>& samples, std::int64_t origin,
                                 const std::string& description) {
  report::resource_summary r;
  r.present = s.samples > 0;
  r.description = description;
  r.idle_rss_bytes = s.idle_rss_bytes;
  r.peak_rss_bytes = std::max(s.peak_rss_bytes, s.peak_hwm_bytes);
  r.steady_rss_bytes = s.steady_rss_bytes;
  r.after_rss_bytes = s.after_rss_bytes;
  r.mean_cores = s.mean_cores;
  r.peak_cores = s.peak_cores;
  r.cpu_seconds = s.load_cpu_seconds;
  r.cpu_seconds_per_1k_requests = s.cpu_seconds_per_1k_requests;
  for (const auto& x : samples) {
    if (x.processes == 0) {
      continue;
    }
    report::resource_sample y;
    y.offset_ns = x.t_ns - origin;
    y.rss_bytes = x.rss_bytes;
    y.cores = x.cores;
    y.threads = x.threads;
    y.fds = std::max<std::int64_t>(x.fds, 0);
    r.samples.push_back(y);
  }
  return r;
}

std::vector<sysmon::sample> to_samples(const report::resource_summary& r,
                                       const std::vector<metrics::interval_point>& ivs) {
  std::vector<sysmon::sample> out;
  if (!r.present) {
    return out;
  }
  std::int64_t first = INT64_MAX;
  std::int64_t last = INT64_MIN;
  for (const auto& iv : ivs) {
    first = std::min(first, iv.start_ns);
    last = std::max(last, iv.start_ns + iv.length_ns);
  }
  double cpu = 0;
  std::int64_t prev = 0;
  bool have_prev = false;
  for (const auto& x : r.samples) {
    sysmon::sample s;
    s.t_ns = x.offset_ns;
    s.rss_bytes = x.rss_bytes;
    s.cores = x.cores;
    s.threads = x.threads;
    s.fds = x.fds;
    s.processes = 1;
    if (have_prev && x.offset_ns > prev) {
      cpu += x.cores * static_cast<double>(x.offset_ns - prev) / 1e9;
    }
    prev = x.offset_ns;
    have_prev = true;
    s.cpu_seconds = cpu;
    if (ivs.empty() || x.offset_ns < first) {
      s.phase = "idle";
    } else if (x.offset_ns >= last) {
      s.phase = "after";
    } else {
      // The phase of the interval containing the sample (the first target's when several).
      s.phase = "main";
      for (const auto& iv : ivs) {
        if (x.offset_ns >= iv.start_ns && x.offset_ns < iv.start_ns + iv.length_ns) {
          s.phase = iv.phase;
          break;
        }
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

report::resources to_report_resources(const sysmon::resource_report& r,
                                      std::int64_t run_start_steady_ns,
                                      const std::string& harness_description,
                                      const std::string& target_description) {
  report::resources out;
  out.sample_interval_ns = r.interval_ns;
  if (r.harness_pid != 0) {
    out.harness = convert(r.harness, r.harness_samples, run_start_steady_ns, harness_description);
  }
  if (r.target_pid != 0) {
    out.target = convert(r.target, r.target_samples, run_start_steady_ns, target_description);
  }
  return out;
}

openmetrics_input openmetrics_input_from_report(const report::loaded_report& rep,
                                                sysmon::resource_report& resources_out) {
  openmetrics_input in;
  in.labels.testid = rep.info.run_id;
  in.labels.scenario = rep.info.scenario.name;
  in.steady_origin_ns = 0;  // loaded steady instants are offsets from the start
  in.wall_origin_ns = rep.info.start_wall_ns;
  in.intervals = &rep.stats.intervals;
  in.decode = [](std::string_view text) { return metrics::decode_base64(text); };
  const auto& res = rep.info.resources;
  resources_out = sysmon::resource_report{};
  resources_out.interval_ns = res.sample_interval_ns;
  resources_out.harness_samples = to_samples(res.harness, rep.stats.intervals);
  resources_out.target_samples = to_samples(res.target, rep.stats.intervals);
  resources_out.harness_pid = resources_out.harness_samples.empty() ? 0 : 1;
  resources_out.target_pid = resources_out.target_samples.empty() ? 0 : 1;
  in.resources = &resources_out;
  // Resource series are labelled with the target that was sampled: the gateway when the
  // scenario has one, else the first target.
  for (const auto& t : rep.info.scenario.targets) {
    if (in.resource_target.empty() || t.role == "gateway") {
      in.resource_target = t.name;
    }
  }
  return in;
}

}  // namespace gb::exporter
