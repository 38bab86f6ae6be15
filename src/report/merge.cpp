// Merging reports of one run measured on several machines.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "report/hist_codec.hpp"
#include "report/report.hpp"

namespace gb::report {

namespace {

gb::status merge_hist_text(std::string& into, const std::string& add, const std::string& where) {
  if (add.empty()) {
    return {};
  }
  auto b = decode_histogram(add);
  if (!b) {
    return gb::fail(where, ": ", b.message());
  }
  if (into.empty()) {
    into = add;
    return {};
  }
  auto a = decode_histogram(into);
  if (!a) {
    return gb::fail(where, ": ", a.message());
  }
  a->add(*b);
  into = encode_histogram(*a);
  return {};
}

std::int64_t pct(const std::string& enc, double p) {
  if (enc.empty()) {
    return 0;
  }
  auto h = decode_histogram(enc);
  return h ? h->value_at_percentile(p) : 0;
}

}  // namespace

gb::result<loaded_report> merge_reports(const std::vector<loaded_report>& parts) {
  if (parts.empty()) {
    return gb::fail("merge needs at least one report");
  }
  const auto canon = [](const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? text : j.dump();
  };
  const std::string scenario0 = canon(parts[0].info.scenario_json);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (canon(parts[i].info.scenario_json) != scenario0) {
      return gb::fail("cannot merge '", parts[i].path, "' with '", parts[0].path,
                      "': their scenarios differ (merge combines one run measured on several "
                      "machines)");
    }
    if (parts[i].info.interval_ns != parts[0].info.interval_ns) {
      return gb::fail("cannot merge '", parts[i].path, "' with '", parts[0].path,
                      "': their time-series intervals differ");
    }
  }
  loaded_report out;
  out.schema_version = schema_version;
  out.info = parts[0].info;
  out.info.warnings.clear();
  out.info.host.cores = 0;
  out.info.threads = 0;
  out.info.host.hostname.clear();
  out.path = "merged";
  const std::int64_t base = parts[0].info.start_steady_ns;
  const std::int64_t step = std::max<std::int64_t>(1, parts[0].info.interval_ns);
  using key = std::tuple<std::int64_t, std::string, std::string>;
  std::map<key, metrics::interval_point> points;
  bool resources_taken =
      parts[0].info.resources.harness.present || parts[0].info.resources.target.present;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const loaded_report& p = parts[i];
    const run_info& in = p.info;
    if (i > 0) {
      out.info.start_wall_ns = std::min(out.info.start_wall_ns, in.start_wall_ns);
      out.info.end_wall_ns = std::max(out.info.end_wall_ns, in.end_wall_ns);
      out.info.interrupted = out.info.interrupted || in.interrupted;
      if (out.info.interrupt_reason.empty()) {
        out.info.interrupt_reason = in.interrupt_reason;
      }
      out.info.client_bound = out.info.client_bound || in.client_bound;
      out.stats.merge(metrics::run_stats{p.stats.by_target_phase, p.stats.splits, {}});
      if (!resources_taken && (in.resources.harness.present || in.resources.target.present)) {
        out.info.resources = in.resources;
        resources_taken = true;
      }
    } else {
      out.stats.by_target_phase = p.stats.by_target_phase;
      out.stats.splits = p.stats.splits;
    }
    out.info.host.cores += in.host.cores;
    out.info.threads += in.threads;
    out.info.host.hostname += (i > 0 ? "," : "") + in.host.hostname;
    for (const auto& w : in.warnings) {
      out.info.warnings.push_back(in.host.hostname + ": " + w);
    }
    for (const auto& ip : p.stats.intervals) {
      const std::int64_t off = ip.start_ns - in.start_steady_ns;
      const std::int64_t idx = off >= 0 ? (off + step / 2) / step : -((-off + step / 2) / step);
      auto [it, fresh] = points.try_emplace(key{idx, ip.target, ip.phase}, ip);
      metrics::interval_point& m = it->second;
      if (fresh) {
        m.start_ns = base + idx * step;
        continue;
      }
      m.started += ip.started;
      m.ok += ip.ok;
      m.errors += ip.errors;
      m.output_tokens += ip.output_tokens;
      m.input_tokens += ip.input_tokens;
      m.in_flight += ip.in_flight;
      m.length_ns = std::max(m.length_ns, ip.length_ns);
      const std::string where = p.path + ": interval at offset " + std::to_string(off) + " ns";
      for (auto [dst, src] : {std::pair{&m.ttft_hist, &ip.ttft_hist},
                              {&m.e2e_hist, &ip.e2e_hist},
                              {&m.itl_hist, &ip.itl_hist}}) {
        if (auto st = merge_hist_text(*dst, *src, where); !st) {
          return gb::error{st.message()};
        }
      }
      m.ttft_p50_ns = pct(m.ttft_hist, 50);
      m.ttft_p99_ns = pct(m.ttft_hist, 99);
      m.e2e_p50_ns = pct(m.e2e_hist, 50);
      m.e2e_p99_ns = pct(m.e2e_hist, 99);
      m.itl_p50_ns = pct(m.itl_hist, 50);
      m.itl_p99_ns = pct(m.itl_hist, 99);
    }
  }
  if (parts.size() > 1 && resources_taken) {
    out.info.warnings.push_back(
        "resource figures come from one machine only (they are not summed across machines)");
  }
  for (auto& [k, v] : points) {
    out.stats.intervals.push_back(std::move(v));
  }
  std::sort(out.stats.intervals.begin(), out.stats.intervals.end(),
            [](const metrics::interval_point& a, const metrics::interval_point& b) {
              return std::tie(a.start_ns, a.target, a.phase) <
                     std::tie(b.start_ns, b.target, b.phase);
            });
  return out;
}

}  // namespace gb::report
